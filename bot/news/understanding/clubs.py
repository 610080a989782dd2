"""Sports clubs and school teams named after their town: "Swansea City", "Real Madrid",
"Barcelona boss", "Wichita North's".

A club named after a place does not name the place's country, so the country finder asks
here before counting a town. Two kinds of evidence:

- the club's own name around the town ("Real Madrid", "Leeds United", "Paris Saint-Germain")
  or a role only clubs have after it ("Barcelona boss", "Valencia striker"), which is enough
  anywhere;
- in a text about clubs (one that names a league, or has such a name), the town after a
  result or a transfer ("victory over Malaga", "beaten by Swansea", "joined from Lyon"), and
  in a text that names a league, after words that also lead to towns ("against Valencia")
  or before a team's nickname ("Boston Celtics").

A town that is a club anywhere in a text is the club in all of it (one sense per discourse),
except where it is written as a place ("in Swansea", "near Leicester").
"""

from __future__ import annotations

import re
from itertools import pairwise

from bot.news.understanding.sentences import split_words

_BEFORE = (
    r"(?:Real|Atletico|Atlético|Athletic|Sporting|Inter|AC|AS|FC|SC|SV|VfB|VfL|Bayern|"
    r"Borussia|Olympique|Dynamo|Dinamo|Lokomotiv|Spartak|CSKA|Racing|Deportivo|Celta|Hertha|"
    r"Eintracht|Werder|Rapid|Shakhtar|Zenit)"
)
_NAMED_BEFORE = re.compile(_BEFORE + r"[ \t]+$")
_NAMED_AFTER = re.compile(
    r"^[ \t]+(?:United|Rovers|Wanderers|Albion|Hotspur|F\.?C\b|A\.?F\.?C\b|Argyle|Wednesday|"
    r"Orient|Saint-Germain|St-Germain|Alexandra|Stanley)\b"
)
# a school's team: "Wichita North's Miguel Bernal", "Wichita West senior David Garcia"
_SCHOOL_AFTER = re.compile(
    r"^[ \t]+(?:West|East|North|South|Northwest|Northeast|Southwest|Southeast|Heights|High|"
    r"Central|Catholic|Christian|Academy)(?:['’]s?(?=[ \t])|[ \t]+(?:senior|junior|sophomore|"
    r"freshman)s?\b)"
)
# a team's nickname after its town ("Boston Celtics", "Dallas Cowboys"): in a text that names a
# league, a capitalised plural that names no kind of place or outlet
_NICKNAME_AFTER = re.compile(
    r"^[ \t]+(?!(?:States|Islands|Falls|Springs|Hills|Heights|Gardens|Fields|Woods|Plains|"
    r"Lakes|Keys|Isles|Highlands|Mountains|Rapids|Docks|Downs|Meadows|Times|News|Games|"
    r"Airways|Airlines|Studios|Records|Pictures|Stores|Motors|Industries|Holdings|Partners|"
    r"Olympics|Sports|Police)\b)[A-Z][a-z]+s\b"
)
# endings that also end true place names ("Gaza City", "Cape Town"): a club only in a club text
_NAMED_AFTER_IN_CLUB_TEXT = re.compile(r"^[ \t]+(?:City|Town|Athletic|County)\b(?![ \t]+Hall)")
_ROLES = split_words(
    """boss striker midfielder defender goalkeeper keeper winger full-back centre-back
    centre-half centre-forward playmaker"""
)
_ROLES_IN_CLUB_TEXT = split_words(
    """manager captain coach shirt shirts squad fans supporters player players team-mate
    team-mates teammate teammates academy chairman owner owners defence attack"""
)
_ROLE_AFTER = re.compile(r"^(?:'s|’s)?[ \t]+(" + "|".join(_ROLES) + r")\b")
_ROLE_AFTER_IN_CLUB_TEXT = re.compile(
    r"^(?:[ \t]+(?:City|Town|Athletic|County))?(?:'s|’s)?[ \t]+("
    + "|".join(_ROLES + _ROLES_IN_CLUB_TEXT)
    + r")\b"
)
# "Manchester City's owners": a club's ending and a club's people, anywhere
_CLUB_ROLE_AFTER = re.compile(
    r"^[ \t]+(?:City|Town|Athletic|County)(?:'s|’s)?[ \t]+("
    + "|".join(_ROLES + _ROLES_IN_CLUB_TEXT)
    + r")\b"
)
_RESULT_BEFORE = re.compile(
    r"\b(?:beaten(?: at home)? by|(?:win|wins|won|victory|victories) (?:over|against|at)|"
    r"defeat (?:to|by|at)|draw (?:with|against|at)|drew (?:with|at)|lost (?:to|at)|losing to|"
    r"loss (?:to|at)|(?:at )?home to|visit of|clash (?:with|against)|sold to|"
    r"(?:joined|signed|signing|arrived) from|loan (?:at|to|from)|spell (?:at|with)|"
    r"played for|plays for|playing for|(?:manager|boss|coach|captain|chairman|owner)s? of)"
    r"(?: [a-z-]+-placed)?[ \t]+$",
)
# words that also lead to towns ("a visit to Paris", "protests against Beijing"): a club only
# in a text that names a league
_PLAIN_BEFORE = re.compile(
    r"\b(?:against|beat|beats|beating|defeated|visit to|trips? to|move to|settled at)"
    r"(?: [a-z-]+-placed)?[ \t]+$"
)
_LEAGUE = re.compile(
    r"\b(?:Premier League|Champions League|Europa League|La Liga|Serie A|Bundesliga|Ligue 1|"
    r"Eredivisie|FA Cup|League Cup|Scottish Premiership|Championship side|MLS|MLB|NBA|NFL|NHL|WNBA|"
    r"Super League)\b"
)
# "Real Madrid and Barcelona": a town listed with a club (the gap between two mentions)
_LISTED = re.compile(
    r"(?:[ \t]+(?:City|United|Rovers|Wanderers|Albion|Hotspur|FC))?"
    r"(?:,[ \t]*|,?[ \t]+(?:and|or)[ \t]+)(?:Real |Atletico |Athletic )?"
)
_AS_PLACE_BEFORE = re.compile(
    r"\b(?:in|near|outside|around|across|(?:city|town|streets|people|residents|centre|center|"
    r"heart|outskirts|mayor) of|born in|native of)[ \t]+$",
    re.IGNORECASE,
)


def club_mentions(text: str, spans: list[tuple[int, int]]) -> set[int]:
    """The indexes of the ``spans`` (towns, as character offsets in ``text``) that name a club
    rather than the town."""
    words = [text[start:end] for start, end in spans]
    named = {i for i, (start, end) in enumerate(spans) if _named_club(text, start, end)}
    league = bool(_LEAGUE.search(text))
    if named or league:
        named |= {
            i
            for i, (start, end) in enumerate(spans)
            if _club_in_club_text(text, start, end)
            or (
                league
                and (
                    _PLAIN_BEFORE.search(text, max(0, start - 40), start)
                    or _NICKNAME_AFTER.match(text[end : end + 40])
                )
            )
        }
    # along a list, both ways: "Real Madrid, Barcelona and Valencia" (spans are in text order)
    order = range(len(spans))
    for i, j in [*pairwise(order), *pairwise(reversed(order))]:
        first, second = sorted((i, j))
        if i in named and _LISTED.fullmatch(text, spans[first][1], spans[second][0]):
            named.add(j)
    club_words = {words[i] for i in named}
    return named | {
        i
        for i, (start, end) in enumerate(spans)
        if words[i] in club_words and not _written_as_place(text, start, end)
    }


def _written_as_place(text: str, start: int, end: int) -> bool:
    """True for "in Swansea", false for "in Swansea's win" (the club's)."""
    return not re.match(r"['’]s\b", text[end : end + 2]) and bool(
        _AS_PLACE_BEFORE.search(text, max(0, start - 40), start)
    )


def _named_club(text: str, start: int, end: int) -> bool:
    after = text[end : end + 40]
    return bool(
        _NAMED_BEFORE.search(text, max(0, start - 20), start)
        or _NAMED_AFTER.match(after)
        or _SCHOOL_AFTER.match(after)
        or _ROLE_AFTER.match(after)
        or _CLUB_ROLE_AFTER.match(after)
    )


def _club_in_club_text(text: str, start: int, end: int) -> bool:
    after = text[end : end + 40]
    return bool(
        _NAMED_AFTER_IN_CLUB_TEXT.match(after)
        or _ROLE_AFTER_IN_CLUB_TEXT.match(after)
        or _RESULT_BEFORE.search(text, max(0, start - 40), start)
    )
