"""Person cues read from the text (pure string work), and the person gate over spaCy output."""

from __future__ import annotations

import pytest

from bot.news.model import person_key
from bot.news.understanding.entities import _name_piece, _named_like_person, _quoted
from bot.news.understanding.person_evidence import (
    has_person_cue,
    names_an_animal,
    referred_back,
    signs_post,
)
from bot.news.understanding.persons import clean_person, merge_persons


def cue(text: str, name: str, people: list[str] = ()) -> bool:
    start = text.index(name)
    others = [(text.index(p), text.index(p) + len(p)) for p in people]
    return has_person_cue(text, [(start, start + len(name))], name.split()[-1], others)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The motion came after Senate President Bukola Saraki read the letters.", "Bukola Saraki"),
        ("Pittsburgh center Maurkice Pouncey was suspended.", "Maurkice Pouncey"),
        ("He threw the ball to running back Trey Edmunds.", "Trey Edmunds"),
        ("Chelsea centre-back Trey Edmunds was booked.", "Trey Edmunds"),
        (
            "“I stand on the shoulders of my favourite actor - Heath Ledger,” he said.",
            "Heath Ledger",
        ),
        ('"It was fine," said Nealy Cox.', "Nealy Cox"),
        ("Shaq Vann said the team was ready.", "Shaq Vann"),
        ("Tavi Orr, 45, was arrested on Monday.", "Tavi Orr"),
        ("Tavi Orr, who founded the firm, left.", "Tavi Orr"),
        ("Tavi Orr rushed for 101 yards. He scored twice.", "Tavi Orr"),
        ("Damarious Randall was ejected. Fortunately, Randall will be back.", "Damarious Randall"),
        ("Sadiq Khan, the Mayor of London, signed the letter.", "Sadiq Khan"),
        ("Sadiq Khan, London's mayor, signed the letter.", "Sadiq Khan"),
        ("Tavi Orr, a former Labour councillor, resigned.", "Tavi Orr"),
    ],
)
def test_person_cues(text: str, name: str) -> None:
    assert cue(text, name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Based out of Delhi, Oxy Pure was launched with an aim to clean the air.", "Oxy Pure"),
        ("Parabolic Lightcloud is a cloud of light by OGE Group.", "Parabolic Lightcloud"),
        ("The model spread. Enter Lugg, Instacart, DoorDash and Homejoy.", "Enter Lugg"),
        ("Ford’s Mustang Mach E SUV will go 300 miles. The Mach E was unveiled.", "Mustang Mach"),
        ("Oxy Pure, the market leader in clean air, was launched.", "Oxy Pure"),
        ("Acme Widget, a member of the trade body, was fined.", "Acme Widget"),
        ("Acme Widget, the president's favourite gadget, sold out.", "Acme Widget"),
    ],
)
def test_things_have_no_person_cue(text: str, name: str) -> None:
    assert not cue(text, name)


def test_listed_with_people_and_line_up_tables() -> None:
    text = "Juston Burris and Sheldrick Redwine both stepped up."
    assert cue(text, "Sheldrick Redwine", ["Juston Burris"])
    assert not cue(text, "Sheldrick Redwine")
    table = "| CB | Greg Ward | 74 |\n| DL | Devaroe Lawrence | 28 |\n| S | Acme Widget | Q3 |"
    assert cue(table, "Devaroe Lawrence", ["Greg Ward"])
    assert not cue(table, "Devaroe Lawrence")
    either = "Recruits can train with Dolvett Quince or Jillian Michaels on screen."
    assert cue(either, "Dolvett Quince", ["Jillian Michaels"])


def test_a_post_signed_with_a_handle_made_of_the_name() -> None:
    post = "Half a million on this.\n— Cooper Lund (@cooperlund) November 18, 2019"
    assert cue(post, "Cooper Lund")
    flagged = "— Dianna E. Anderson 🏳️‍🌈 (@diannaeanderson) November 18, 2019"
    assert cue(flagged, "Dianna E. Anderson")
    assert signs_post("Kristi Noem", " (@govkristinoem) November 18")
    assert not signs_post("Cooper Lund", " (@meth_hotline) November 18")
    assert not signs_post("Cooper Lund", " is on (@cooperlund)")
    # a single word is never enough: teams and brands sign posts with their name too
    start = post.index("Cooper")
    assert not has_person_cue(post, [(start, start + 6)], None, loose=False)


def test_named_like_person() -> None:
    assert _named_like_person(["Mary", "Steenburgen"])
    assert _named_like_person(["T.J.", "Carrie"])
    assert _named_like_person(["Adarius", "Taylor"])  # a surname that is also a first name
    assert not _named_like_person(["Zamazenta", "Editino"])
    assert _named_like_person(["Ma", "Ying-jeou"])  # family name first
    assert not _named_like_person(["Tottenham", "Kick-off"])


def test_name_piece_cuts_lines_and_hashtags() -> None:
    text = "Portam Civitatis by Peter Snijder\nSpider on the bridge. #Browns Greedy Williams ran."
    start = text.index("Peter")
    assert _name_piece(text, start, text.index(" on the")) == ("Peter Snijder", start)
    start = text.index("Browns")
    piece = _name_piece(text, start, text.index(" ran"))
    assert piece == ("Greedy Williams", text.index("Greedy"))
    assert _name_piece("Top\n\n", 0, 5) == ("Top", 0)


def test_name_piece_ends_before_a_hover_card_repeat() -> None:
    text = "Rep. Alexandria Ocasio-CortezAlexandria Ocasio-CortezSanders doubles down."
    start = text.index("Alexandria")
    piece = _name_piece(text, start, text.index(" doubles"))
    assert piece == ("Alexandria Ocasio-Cortez", start)


def test_quoted_titles() -> None:
    text = "Disney fare, including “Mary Poppins” and “Bambi,” and Mary Smith."
    start = text.index("Mary Poppins")
    assert _quoted(text, start, start + len("Mary Poppins"))
    start = text.index("Bambi")
    assert _quoted(text, start, start + len("Bambi"))
    start = text.index("Mary Smith")
    assert not _quoted(text, start, start + len("Mary Smith"))


def test_initials_are_not_position_codes_and_particle_surnames_merge() -> None:
    assert clean_person("B. U. Nzeribe") == ("B. U. Nzeribe", 0)
    assert clean_person("Browns DL Sheldon Richardson") == ("Sheldon Richardson", 10)
    groups = merge_persons([("James Van Der Beek", 0, 18), ("Van Der Beek", 30, 42)])
    assert groups == [("James Van Der Beek", [(0, 18), (30, 42)])]


def test_person_key_unifies_apostrophes() -> None:
    assert person_key("Conan O’Brien") == person_key("Conan O'Brien") == "conan o'brien"


def test_authors_with_or_without_a_middle_initial() -> None:
    from bot.news.understanding.persons import is_author

    assert is_author("Troy Smith", ["Troy L Smith"])
    assert is_author("Troy L. Smith", ["Troy Smith", "Cleveland com"])
    assert not is_author("Jane Smith", ["Troy Smith"])
    assert not is_author("Smith", ["Troy Smith"])


def test_institution_after_a_name() -> None:
    from bot.news.understanding.entities import _INSTITUTION_AFTER

    text = "He studied at Johns Hopkins University and met Walt Disney Co. staff and Ann Lee today."
    assert _INSTITUTION_AFTER.match(text, text.index(" University"))
    assert _INSTITUTION_AFTER.match(text, text.index(" Co."))
    assert not _INSTITUTION_AFTER.match(text, text.index(" today"))


def test_single_names_need_a_strict_cue() -> None:
    text = (
        "Favorite artists? Bob Marley, Bruno Mars, Drake. Broncos vs. Raiders at Mile High. "
        "He threw five touchdowns. The singer Adele sang. Aldi and Lidl, who cut prices."
    )

    def at(word: str) -> tuple[int, int]:
        return text.index(word), text.index(word) + len(word)

    people = [at("Bob Marley"), at("Bruno Mars")]
    assert has_person_cue(text, [at("Adele")], None, people, loose=False)
    for word in ("Drake", "Raiders", "Lidl"):
        assert not has_person_cue(text, [at(word)], None, people, loose=False), word
    assert has_person_cue(text, [at("Drake")], None, people)  # listed with people: loose
    assert has_person_cue(text, [at("Raiders")], None, people)  # "He" next: loose


def test_a_first_name_joined_to_a_full_name_shares_its_surname() -> None:
    from bot.news.understanding.entities import _shared_surname

    text = "Retired couple Brian and Charlotte Smith met President Clinton and Prince Harry."
    brian = (text.index("Brian"), text.index("Brian") + 5)
    clinton = (text.index("Clinton"), text.index("Clinton") + 7)
    assert _shared_surname("Brian", [brian], text) == "Brian Smith"
    assert _shared_surname("Clinton", [clinton], text) is None


def test_surnames_made_of_a_first_name() -> None:
    assert _named_like_person(["Pharrell", "Williams"])
    assert not _named_like_person(["Oxy", "Pure"])


def test_an_animal_kind_beside_a_name() -> None:
    def animal(text: str, name: str) -> bool:
        start = text.index(name)
        return names_an_animal(text, [(start, start + len(name))])

    assert animal("She watched her horse Copper Lantern win.", "Copper Lantern")
    assert animal("A Jack Russell terrier ran onto the pitch.", "Jack Russell")
    assert animal("Copper Lantern, the grey horse, won.", "Copper Lantern")
    assert not animal("Ruth Calder's horse won at Ayr.", "Ruth Calder")  # the owner
    assert not animal("Horse trainer Ruth Calder was delighted.", "Ruth Calder")


@pytest.mark.parametrize(
    ("text", "strict"),
    [
        ("The ministry said Kowalczyk's wife had been detained.", True),
        ("Kowalczyk's estranged husband was in court.", True),
        ("Kowalczyk was sentenced to ten years.", True),
        ("Kowalczyk, was arrested in May.", True),
        ("Kowalczyk's shares fell.", False),
        ("Kowalczyk was born in a field in Somerset.", False),  # lambs are born too
        ("Kowalczyk was charged with fraud.", False),  # so are firms
    ],
)
def test_a_relative_or_a_fate_is_a_strict_cue_for_a_single_name(text: str, strict: bool) -> None:
    start = text.index("Kowalczyk")
    span = [(start, start + len("Kowalczyk"))]
    assert has_person_cue(text, span, None, (), speech=False, loose=False) is strict


@pytest.mark.parametrize("title", ["Archbishop", "Ayatollah", "Baroness"])
def test_titles_of_the_cloth_and_the_peerage(title: str) -> None:
    assert clean_person(f"{title} Kowalczyk") == ("Kowalczyk", len(title) + 1)
    text = f"The decision was welcomed by {title} Kowalczyk on Tuesday."
    start = text.index("Kowalczyk")
    assert has_person_cue(text, [(start, start + 9)], None, (), speech=False, loose=False)


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("Amber Heard moved to Madrid with her daughter.", "Amber Heard", True),
        ("Mike Rake praised the plan. He said it was a win.", "Mike Rake", True),
        ("Trinity Academy junior Ben Patton added to his titles.", "Trinity Academy", False),
        ("Acme Holdings cut its forecast on Monday.", "Acme Holdings", False),
    ],
)
def test_referred_back(text: str, name: str, expected: bool) -> None:
    assert referred_back(text, text.index(name) + len(name)) is expected
