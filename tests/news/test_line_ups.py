"""Players in a football line-up written as text."""

from bot.news.understanding.entities import find_persons
from bot.news.understanding.line_ups import line_up_names
from bot.news.understanding.nlp import analyse

REPORT = (
    "Chelsea beat Arsenal 2-1 on Sunday. Cole Palmer scored twice, and Bukayo Saka replied. "
    "Chelsea (4-2-3-1): Sanchez; Gusto, Fofana; Madueke (Neto 70), Palmer; Jackson. "
    "Subs not used: Jorgensen. Booked: Caicedo. Goals: Palmer 23, 67. "
    "Arsenal (4-3-3): Raya 6; White 7, van Dijk 7 (c); Mac Allister, "
    "Alexander-Arnold (Saka 60, 6). "
    "Goal: Saka 80. Referee: Michael Oliver. Attendance: 40,123."
)


def test_every_cell_of_a_line_up_and_the_lists_after_it_is_a_player() -> None:
    names = line_up_names(REPORT)
    assert all(REPORT[start:end] == name for name, start, end in names)
    assert [name for name, _, _ in names] == [
        "Sanchez", "Gusto", "Fofana", "Madueke", "Neto", "Palmer", "Jackson",
        "Jorgensen", "Caicedo", "Palmer",
        "Raya", "White", "van Dijk", "Mac Allister", "Alexander-Arnold", "Saka", "Saka",
    ]  # fmt: skip


def test_no_formation_no_line_up() -> None:
    assert line_up_names("The result: Palmer, Saka and Rice were all booked. Subs: none.") == []
    assert line_up_names("They switched to a 4-4-2: White, Rice and Saka.") == []


def test_players_named_only_in_a_line_up_are_persons() -> None:
    found = {f.name for f in find_persons(analyse(REPORT))}
    assert {"Cole Palmer", "Bukayo Saka", "Michael Oliver"} <= found
    assert {"Sanchez", "Gusto", "van Dijk", "Mac Allister", "White", "Caicedo"} <= found
    # "Palmer" in a line-up is Cole Palmer, the same person, not a second one
    assert not {"Chelsea", "Arsenal", "Palmer", "Saka"} & found
