"""Evidence that a name the model tagged PERSON is a person, read from the article itself.

The small model tags game titles, start-ups, artworks and products PERSON about as readily
as people. A name whose first word is a known given name is a person on that evidence; any
other name needs a cue that news writing gives people and not things: a title or role noun
before it ("Senate President X", "center X") or in apposition ("X, the mayor of London,"), a
speech verb ("X said", "said X"), an age ("X, 45,"), a relative ("X's wife"), a fate only
people meet ("X was jailed"), "X, who", "his"/"her" or a next sentence opening "He"/"She", a
later surname-only mention, signing an embedded post with a handle made of the name ("X
(@xhandle)"), or being listed with people ("A and X", "A or X", a table of players).

Pure string work on the text and character offsets: tested without spaCy."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.news.model import fold
from bot.news.understanding.sentences import split_words

_ROLE_NOUNS = split_words(
    """star singer rapper player striker forward midfielder defender goalkeeper quarterback
    actor actress artist musician comedian designer chef painter poet author writer novelist
    director dictator leader president founder cofounder co-founder boss manager coach captain
    legend icon superstar center centre receiver rusher linebacker tackle guard keeper pitcher
    catcher batter bowler batsman winger cornerback safety diver swimmer runner sprinter
    golfer boxer fighter wrestler jockey rider driver skier skater gymnast journalist reporter
    photographer lawyer attorney spokesman spokeswoman spokesperson professor scientist
    researcher economist analyst investor billionaire entrepreneur executive official senator
    congresswoman congressman lawmaker legislator governor mayor minister judge nurse doctor
    teacher student victim suspect survivor widow mother father son daughter wife husband
    brother sister host anchor presenter producer filmmaker employee worker member chairman
    chairwoman ceo candidate nominee rookie veteran freshman sophomore junior senior
    teammate colleague friend partner girlfriend boyfriend fiancé fiancee"""
)
# positions named with two words ("running back Trey Edmunds", "centre-back X")
_ROLE_PAIRS = (
    r"(?:running|full|half|wing|centre|center)[- ]?back|tight end|defensive end|punter|kicker"
)
_ROLE_BEFORE = re.compile(
    r"\b(?:" + "|".join(map(re.escape, _ROLE_NOUNS)) + "|" + _ROLE_PAIRS + r")(?:,|\s+[-–—])?\s+$"
)
# honorifics and office titles written with a capital right before a name
_TITLE_BEFORE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sen|Rep|Gov|Gen|Lt|Col|Capt|Sgt|Rev|Hon|Rt|St|Fr|Sir|Dame|"
    r"Lord|Lady|King|Queen|Prince|Princess|Pope|President|Minister|Senator|Governor|Mayor|"
    r"Judge|Justice|Chancellor|Secretary|Ambassador|Attorney|Coach|Chief|Professor|Doctor|"
    r"Sheikh|Imam|Rabbi|Bishop|Cardinal|Officer|Detective|Sheriff|Speaker|Chairman|"
    r"Chairwoman|Director|Commissioner|Representative|Congressman|Congresswoman|General|"
    r"Lieutenant|Colonel|Major|Captain|Sergeant|Inspector|Constable|Commander|Admiral|"
    r"Councillor|Deputy|Superintendent|Marshal|Bishop|Archbishop|Ayatollah|Baroness|Baron|"
    r"Reverend|Pastor|Father|Sister)\.?|"
    r"\bCEO|\bMP|\bMEP)\s+$"
)
_SPEECH = (
    r"said|says|told|tells|asked|asks|added|adds|wrote|writes|tweeted|tweets|explained|"
    r"explains|argued|argues|noted|notes|insisted|insists|admitted|admits|replied|replies|"
    r"recalled|recalls|claimed|claims|warned|warns|stated|states|testified|testifies|"
    r"announced|announces|confirmed|confirms|denied|denies|acknowledged|acknowledges|"
    r"believes|thinks|hopes|wants"
)
_SPEECH_BEFORE = re.compile(r"\b(?:said|says|told|asked|added|according to|wrote|tweeted)\s+$")
_SPEECH_AFTER = re.compile(
    r"^[’']?s?\s*(?:,[^,.]{0,40},\s*)?(?:has |had |also |later |then |previously )?(?:"
    + _SPEECH
    + r")\b"
)
# "X, 45,", "X (45)", "X, aged 45"
_AGE_AFTER = re.compile(r"^(?:,\s*\d{1,3}\s*,|\s*\(\d{1,3}\)|,\s*aged\s+\d)")
_WHO_AFTER = re.compile(r"^,?\s+who\b")
# "X, the mayor of London,", "X, London's mayor,": a role in apposition, among roles only
# people hold ("Acme, the market leader" and "Oxfam, a member of" are not)
_APPOSED_ROLES = split_words(
    """singer rapper actor actress comedian painter poet novelist author journalist reporter
    photographer lawyer attorney spokesman spokeswoman spokesperson professor scientist
    economist billionaire entrepreneur senator congressman congresswoman lawmaker legislator
    governor mayor councillor minister premier chancellor ambassador president vice-president
    judge nurse doctor teacher student widow mother father son daughter wife husband brother
    sister girlfriend boyfriend chairman chairwoman ceo founder co-founder candidate nominee
    striker midfielder defender goalkeeper quarterback coach captain dictator"""
)
_ROLE_AFTER = re.compile(
    r"^,\s+(?:the|a|an|its|his|her|their|[A-Z][\w’'-]*[’']s?)\s+(?:[\w’'-]+\s+){0,3}?(?:"
    + "|".join(map(re.escape, _APPOSED_ROLES))
    + r"|prime minister|chief executive)\b(?!['’-])",
    re.IGNORECASE,
)
# "X's wife", "X's son": a relative only a person has
_KIN_AFTER = re.compile(
    r"^['’]s\s+(?:(?:late|former|estranged|eldest|youngest|elder|younger|only|twin|new)\s+)?"
    r"(?:wife|husband|widow|widower|son|sons|daughter|daughters|mother|father|parents|brother|"
    r"brothers|sister|sisters|children|girlfriend|boyfriend|fiancée?|fiance|grandmother|"
    r"grandfather|granddaughter|grandson|stepfather|stepmother|stepson|stepdaughter|nephew|"
    r"niece|uncle|aunt|cousin|mistress)\b"
)
# "X was arrested": what happens to a person and never to a firm or a place
_FATE_AFTER = re.compile(
    r"^,?\s+(?:(?:was|is|has been|had been|will be)\s+)(?:arrested|jailed|sentenced|"
    r"convicted|imprisoned|executed|hospitali[sz]ed|indicted|extradited|"
    r"acquitted|pardoned|married|divorced|knighted|sworn in)\b"
)
# "his"/"her" right after the name, or "He"/"She" opening the next sentence
_PRONOUN_AFTER = re.compile(
    r"^(?:[^.!?\n]{0,30}\b(?:his|her)\b|[^.!?\n]{0,200}[.!?][\"”’']?\s+(?:He|She)\b)"
)
# animals news names like people: racehorses, pets, zoo animals
_ANIMALS = (
    r"(?:race)?horses?|ponies|pony|mares?|geldings?|stallions?|colts?|fill(?:y|ies)|"
    r"steeplechasers?|hurdlers?|dogs?|pupp(?:y|ies)|pups?|terriers?|spaniels?|retrievers?|"
    r"labradors?|poodles?|bulldogs?|collies?|greyhounds?|cats?|kittens?|pets?|lambs?|"
    r"parrots?|tortoises?|gorillas?|chimpanzees?|pandas?|elephants?"
)
# "his horse Monbeg Dude", "racehorse Many Clouds": the kind right before the name
_ANIMAL_BEFORE = re.compile(r"\b(?:" + _ANIMALS + r")\s+$", re.IGNORECASE)
# "a Jack Russell terrier", "Monbeg Dude, the horse": the kind right after it (not "X's horse")
_ANIMAL_AFTER = re.compile(
    r"^(?:\s+|,\s+(?:the|a|an|his|her|their|my|our)\s+(?:[\w-]+\s+){0,2})(?:"
    + _ANIMALS
    + r")\b(?!['’])",
    re.IGNORECASE,
)
# "— Jane Doe (@janedoe) May 1, 2020": the signature of an embedded post (an emoji may sit
# between the name and the handle)
_SIGNATURE_AFTER = re.compile(r"^[^\w\n(]{0,12}\(@(\w{1,30})\)")
# listed with someone: "A and X", "A, X and B", "A or X"
_LIST_GAP = re.compile(r"\s*(?:,|,? and|,? or|&)\s+")


def has_person_cue(
    text: str,
    spans: Iterable[tuple[int, int]],
    surname: str | None = None,
    people: Iterable[tuple[int, int]] = (),
    *,
    speech: bool = True,
    loose: bool = True,
) -> bool:
    """Whether any mention at ``spans`` carries a cue of a person (see the module text).

    ``surname``: the name's last word, counted as a cue when written alone elsewhere;
    ``people``: spans of other mentions already known to be persons; ``speech``: whether a
    speech verb counts (not for a name the model took for an organisation: firms "said" too);
    ``loose``: whether the weaker cues count (a pronoun after it, "who", being listed with
    people): not for a single word, which may be a shop, a county or an animal."""
    spans = list(spans)
    for start, end in spans:
        before = text[max(0, start - 60) : start]
        after = text[end : end + 260]
        said = speech and (_SPEECH_BEFORE.search(before) or _SPEECH_AFTER.search(after))
        if said or _TITLE_BEFORE.search(before) or _ROLE_BEFORE.search(before):
            return True
        if _AGE_AFTER.search(after) or _KIN_AFTER.search(after) or _FATE_AFTER.search(after):
            return True
        if loose and (
            _WHO_AFTER.search(after)
            or _ROLE_AFTER.search(after)
            or _PRONOUN_AFTER.search(after)
            or signs_post(text[start:end], after)
        ):
            return True
    if surname and len(surname) > 2 and _alone_elsewhere(text, surname, spans):
        return True
    return loose and listed_with_people(text, spans, people)


_FULL_NAME = re.compile(r"\b[A-Z][\w'’-]+[ \t]+[A-Z][\w'’-]+")


def referred_back(text: str, end: int) -> bool:
    """Whether "his"/"her" follows the mention ending at ``end`` in its sentence, or "He"/
    "She" opens the next one, with no other full name in between ("Amber Heard moved to
    Madrid with her daughter"; not "Trinity Academy junior Ben Patton added to his")."""
    match = _PRONOUN_AFTER.search(text[end : end + 260])
    return match is not None and not _FULL_NAME.search(match.group())


def signs_post(name: str, after: str) -> bool:
    """Whether ``name``, followed by ``after``, signs an embedded post with a handle made of
    one of its words ("Cooper Lund (@cooperlund)"). A weak cue: teams and brands sign posts
    too ("Browns (@PFF_Browns)")."""
    match = _SIGNATURE_AFTER.match(after)
    if match is None:
        return False
    handle = fold(match.group(1))
    return any(len(word) >= 3 and fold(word) in handle for word in re.findall(r"[^\W\d_]+", name))


def names_an_animal(text: str, spans: Iterable[tuple[int, int]]) -> bool:
    """Whether a mention is an animal's name: a kind of animal written right before it ("his
    horse Monbeg Dude") or right after it ("a Jack Russell terrier", "Pacman, the dog")."""
    for start, end in spans:
        if _ANIMAL_BEFORE.search(text[max(0, start - 30) : start]):
            return True
        if _ANIMAL_AFTER.search(text[end : end + 60]):
            return True
    return False


def listed_with_people(
    text: str, spans: Iterable[tuple[int, int]], people: Iterable[tuple[int, int]]
) -> bool:
    """A mention in a list of people ("A and X", "A, X") or a cell of a line-up table."""
    spans, people = list(spans), list(people)
    return _listed_with_people(text, spans, people) or _in_roster(text, spans, people)


def _alone_elsewhere(text: str, surname: str, spans: list[tuple[int, int]]) -> bool:
    """The surname written on its own outside the full mentions ("Randall will be back")."""
    full = [(start, end) for start, end in spans if end - start > len(surname)]
    for match in re.finditer(r"(?<![\w-])" + re.escape(surname) + r"(?![\w-])", text):
        if any(start <= match.start() < end for start, end in full):
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        if re.search(r"[A-Z][\w'’-]*\s+$", before) is None:
            return True
    return False


def _listed_with_people(
    text: str, spans: list[tuple[int, int]], people: list[tuple[int, int]]
) -> bool:
    for start, end in spans:
        for other_start, other_end in people:
            if other_end <= start and _LIST_GAP.fullmatch(text[other_end:start]):
                return True
            if end <= other_start and _LIST_GAP.fullmatch(text[end:other_start]):
                return True
    return False


def _fills_cell(text: str, start: int, end: int) -> bool:
    return bool(re.search(r"\|[ \t]*$", text[max(0, start - 5) : start])) and bool(
        re.match(r"[ \t]*\|", text[end : end + 5])
    )


def _in_roster(text: str, spans: list[tuple[int, int]], people: list[tuple[int, int]]) -> bool:
    """A table cell of a line-up or results table whose other cells name people."""
    if not any(_fills_cell(text, start, end) for start, end in spans):
        return False
    return any(_fills_cell(text, start, end) for start, end in people if (start, end) not in spans)
