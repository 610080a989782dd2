"""Person names: from a raw NER span to a canonical full name, and merging an article's
mentions ("President Daniel Noboa's", "Noboa") into one person ("Daniel Noboa").

Pure string work, no spaCy: it is tested on its own."""

from __future__ import annotations

import re
from collections import Counter

from bot.news.countries import resolve_country
from bot.news.model import fold
from bot.news.sentences import split_words

# Words that precede a name as a title or role; stripped from the left, several may stack
# ("Former Prime Minister", "U.S. Attorney General"). Compared folded, dots removed.
_TITLE_WORDS = frozenset(
    split_words(
        """president presidents vice prime minister ministers mp mps mep sen senator senators
    rep reps
    representative congressman congresswoman gov governor lt lieutenant dr doctor mr mrs ms miss
    mx prof professor sir dame lord lady king queen prince princess pope rev reverend father
    fr sister brother general gen col colonel capt captain sgt sergeant maj major adm admiral
    cmdr commander judge justice chancellor secretary mayor ambassador coach chief ceo cfo coo
    cto chairman chairwoman chair chairperson speaker leader commissioner director deputy
    foreign defense defence interior finance health home attorney detective det officer
    inspector constable sheikh shaikh imam rabbi cardinal archbishop bishop crown grand duke
    duchess emperor empress sultan emir former late then acting interim state supreme
    majority minority whip house senate founder cofounder co-founder executive managing editor
    spokesman spokeswoman spokesperson agent private pvt cpl corporal staff the saint st
    presidente presiden prof. khalifah nabi sayyidina kh ustaz ustadz pastor elder
    superintendent sheriff marshal councillor councilman councilwoman alderman assemblyman
    assemblywoman legislator lawmaker premier chancellor first"""
    )
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_PARTICLES = frozenset(
    {
        "de",
        "da",
        "do",
        "dos",
        "das",
        "del",
        "della",
        "di",
        "du",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "al",
        "el",
        "bin",
        "bint",
        "ibn",
        "y",
        "ter",
        "ten",
        "mac",
        "st",
        "abu",
        "ben",
    }
)
# news agencies and picture desks the model sometimes takes for people
_NOT_PERSONS = frozenset(
    split_words(
        """reuters ap afp getty getty images associated press shutterstock epa upi ani pti xinhua
    bloomberg istock alamy rex"""
    )
)
_CREDIT_BEFORE = re.compile(
    r"(?i)(?:\bby|\bphoto(?:graph)?s?|\bimages?|\bpictures?|\bcredits?|\bcourtesy(?: of)?|©|"
    r"\bediting by|\breporting by|\bwriting by|\bcompiled by|\btested by|\bwritten by|"
    r"\bphotographer|\billustration|\bvideo)\s*[:|/]?\s*(?:[A-Z][\w.'’-]*\s+){0,1}$"
)
_APOSTROPHES = "'’‘`"
_EDGE_JUNK = " \t\n\"“”‘’'`()[]{}<>«»,.;:!?*-–—|/\\"


def clean_person(text: str) -> tuple[str, int] | None:
    """A canonical name from a raw PERSON span, with its offset inside the span; None for junk.

    Strips titles and roles on the left ("Ecuadorian President", "Sen.", "Dr."), possessives
    on the right ("Noboa’s"), quotes and punctuation at both ends. Keeps accents and "Jr."."""
    span = re.sub(r"\s+", " ", text)
    # possessive: "Noboa’s", "Jones'"
    span = re.sub(r"[’'`](?:s)?\s*$", "", span)
    words = span.split(" ")
    # leading: titles, demonyms and country names ("Ecuadorian MP"), lower-case words
    while words:
        word = words[0]
        bare = fold(word.strip(_EDGE_JUNK)).replace(".", "")
        if not bare:
            words.pop(0)
            continue
        if bare in _TITLE_WORDS or (len(words) > 1 and _is_place_word(word)):
            words.pop(0)
            continue
        if word[:1].islower() and bare not in _PARTICLES and len(words) > 1:
            words.pop(0)
            continue
        break
    while words and not words[-1].strip(_EDGE_JUNK):
        words.pop()
    name = " ".join(words).strip(_EDGE_JUNK)
    # keep a final "Jr." dot that the edge strip removed
    if re.search(r"\b(?:Jr|Sr)$", name) and re.search(r"\b(?:Jr|Sr)\.", text):
        name += "."
    if not _plausible(name):
        return None
    offset = text.find(name.split(" ")[0])
    return name, max(offset, 0)


def _is_place_word(word: str) -> bool:
    return resolve_country(word.strip(_EDGE_JUNK)) is not None


def _plausible(name: str) -> bool:
    if not name or len(name) > 60 or any(ch.isdigit() for ch in name):
        return False
    if "@" in name or "#" in name or "http" in name.lower():
        return False
    words = name.split()
    if len(words) > 6 or not name[0].isupper():
        return False
    if fold(name) in _NOT_PERSONS:
        return False
    # "ANALYSIS", shouted bylines: more than one letter and all capitals, single word
    if len(words) == 1 and name.isupper() and len(name) > 3:
        return False
    capitals = sum(1 for w in words if w[:1].isupper())
    return capitals >= max(1, len(words) - 2)


def is_credit_context(text: str, start: int, end: int) -> bool:
    """True when a name sits in a byline or picture credit ("By Jane Doe", "Photo: J. Doe /
    Getty", "Reporting by ..."): those people wrote or photographed, they are not the news."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    if _CREDIT_BEFORE.search(before):
        # "said by John Smith" in running prose is a real mention; credits open their line
        # or follow a short lead-in
        return len(before.split()) <= 6 or bool(re.search(r"[|/©]|\bphoto", before, re.I))
    return False


def _core(name: str) -> list[str]:
    """The folded words of a name without suffixes ("Jr.") and single initials."""
    words = [fold(w).strip(".,") for w in name.split()]
    return [w for w in words if w and w.replace(".", "") not in _SUFFIXES]


def _same_person(short: str, full: str) -> bool:
    """Whether a shorter mention refers to a fuller name of the same article."""
    a, b = _core(short), _core(full)
    if not a or not b or a == b:
        return a == b
    if len(a) == 1:
        return a[0] == b[-1] or a[0] == b[0] or (len(b) > 2 and a[0] in b[1:])
    # "Pat Carlineo" / "Patrick W. Carlineo": same surname, compatible given name
    if a[-1] != b[-1]:
        return False
    return b[0].startswith(a[0].rstrip(".")) or a[0].startswith(b[0].rstrip("."))


def _display_rank(name: str, count: int) -> tuple[int, int, int, int]:
    core = _core(name)
    accented = int(name != fold(name) and any(ord(ch) > 127 for ch in name))
    initials = sum(1 for w in name.split() if len(w.strip(".")) == 1)
    return (len(core) - initials, accented, count, -initials)


def merge_persons(mentions: list[tuple[str, int, int]]) -> list[tuple[str, list[tuple[int, int]]]]:
    """Group an article's mentions by person; each group named by its fullest form.

    A mention merges into a fuller name that it is a part of (surname, given name, a shorter
    form of the same name); a short form that fits several people goes to the one named most."""
    forms: dict[str, list[tuple[int, int]]] = {}
    display: dict[str, Counter[str]] = {}
    for name, start, end in mentions:
        key = fold(name)
        forms.setdefault(key, []).append((start, end))
        display.setdefault(key, Counter())[name] += 1
    keys = sorted(forms, key=lambda k: (-len(_core(k)), min(s for s, _ in forms[k])))
    parent: dict[str, str] = {}
    for key in keys:
        fuller = [
            other
            for other in keys
            if other != key
            and len(_core(other)) >= len(_core(key))
            and other not in parent
            and _core(other) != _core(key)
            and _same_person(key, other)
        ]
        if not fuller:
            continue
        fuller.sort(key=lambda o: (-len(forms[o]), min(s for s, _ in forms[o])))
        parent[key] = fuller[0]
    groups: dict[str, list[str]] = {}
    for key in keys:
        root = key
        seen = {root}
        while root in parent and parent[root] not in seen:
            root = parent[root]
            seen.add(root)
        groups.setdefault(root, []).append(key)
    # keys that fold to the same core ("Andres Castillo", "Andrés Castillo") share a group
    result: list[tuple[str, list[tuple[int, int]]]] = []
    for members in groups.values():
        names: Counter[str] = Counter()
        spans: list[tuple[int, int]] = []
        for member in members:
            names.update(display[member])
            spans.extend(forms[member])
        best = max(names, key=lambda n: _display_rank(n, names[n]))
        result.append((best, sorted(spans)))
    result.sort(key=lambda item: item[1][0])
    return result
