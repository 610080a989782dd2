"""Players named in a football line-up written as text.

Match reports end with the teams: "Chelsea (4-2-3-1): Sanchez; Gusto, Fofana, Colwill;
Madueke (Neto 70), Palmer. Subs not used: Jorgensen. Booked: Caicedo. Goals: Palmer 23, 67."
Every cell is a player, mostly by surname alone and with no cue around it, so the model and
the person rules miss them; the formation in brackets says what the list is."""

from __future__ import annotations

import re

# "Chelsea (4-2-3-1): " — a formation in brackets, then a colon
_FORMATION = re.compile(r"\(\d(?:-\d){2,4}\)\s*:\s*")
# "Subs not used: ", "Booked: ", "Goals: " — the lists that follow a line-up
_FOLLOWING_LIST = re.compile(
    r"\s*(?i:subs(?:titutes)?(?: not used)?|unused subs(?:titutes)?|booked|bookings|"
    r"sent off|dismissed|goals?|scorers?|man of the match|star man)\s*:\s*"
)
_LIST_END = re.compile(r"\.(?:\s|$)|\n")
# a player as written in a cell: "Palmer", "De Bruyne", "van Dijk", "Alexander-Arnold",
# "Mac Allister", "O'Hara", "Vinicius Jr"
_PARTICLE = r"(?:van|von|de|der|den|da|di|dos|das|del|della|le|la|mac|al|el)"
_PLAYER = re.compile(
    r"(?:" + _PARTICLE + r" )*[A-Z][\w'’-]*[a-z][\w'’-]*"
    r"(?: (?:" + _PARTICLE + r" )*[A-Z][\w'’-]*[a-z][\w'’-]*){0,2}"
)
# what a cell may carry besides the name: minutes, "pen", "og", a rating, "(c)"
_CELL_EXTRA = re.compile(r"^[\s\d'’+.,]*(?:(?:pen|og|o\.g\.|c|capt|mins?)\b[\s\d'’+.,]*)*$")
_CELL = re.compile(r"[^,;()\s][^,;()]*")
_MAX_LIST = 600


def line_up_names(text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of every player in the text's line-ups and the lists after them
    (substitutes, bookings, scorers)."""
    found: list[tuple[str, int, int]] = []
    for formation in _FORMATION.finditer(text):
        at = formation.end()
        while True:
            end = _LIST_END.search(text, at)
            stop = min(end.start() if end else len(text), at + _MAX_LIST)
            found.extend(_cells(text, at, stop))
            following = _FOLLOWING_LIST.match(text, end.end() if end else stop)
            if end is None or following is None:
                break
            at = following.end()
    return found


def _cells(text: str, start: int, stop: int) -> list[tuple[str, int, int]]:
    names: list[tuple[str, int, int]] = []
    for cell in _CELL.finditer(text, start, stop):
        player = _PLAYER.match(text, cell.start(), cell.end())
        if player is None or not _CELL_EXTRA.match(text[player.end() : cell.end()]):
            continue  # "Subs not used" or prose: not a player's cell
        names.append((player.group(), player.start(), player.end()))
    return names
