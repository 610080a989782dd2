"""Countries and persons of one analysed text (a spaCy ``Doc``).

Countries come from the gazetteer scan (``countries.scan``), with the NER model used as a
filter: a country word inside an organisation, a person's name, a work or a language does not
count, and an ambiguous word (a first name, a US state sharing a country's name) counts only
where the model also sees a place. Persons come from the model's PERSON spans, cleaned to
canonical full names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from bot.news.countries import BLOCKED, TermMatch, resolve_country, scan
from bot.news.model import EntityKind, fold
from bot.news.persons import clean_person, is_credit_context, merge_persons
from bot.news.sentences import split_words

# spans whose country words are names of something else
_NAME_LABELS = {"ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "FAC", "LAW"}
_PLACE_LABELS = {"GPE", "LOC", "NORP"}
# an organisation that starts with a country word and is one of its institutions still names
# the country ("the U.S. Senate", "the Nigerian Senate", "U.S. Securities and Exchange Commission")
_STATE_WORDS = frozenset(
    split_words(
        """senate house congress parliament assembly government ministry department embassy
    consulate army navy air force forces military police attorney court supreme securities
    commission federal treasury state coast guard marines defense defence foreign space agency
    customs border central bank national cabinet administration presidency authorities
    intelligence election electoral office"""
    )
)
_LANGUAGE_BEFORE = frozenset(
    split_words(
        """in into speak speaks spoke spoken speaking learn learned learning learnt fluent
    translated translate translation dubbed"""
    )
)
_LANGUAGE_AFTER = frozenset(
    split_words(
        """language languages speaking speaker speakers translation translations subtitles
    subtitled dub dubbed cuisine food foods restaurant restaurants dish dishes dressing fries
    toast cooking recipe recipes"""
    )
)


@dataclass
class Found:
    """One entity of an article with where it is mentioned (character offsets in the doc)."""

    kind: EntityKind
    key: str  # country code or person key
    name: str  # display name (persons) or code
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.spans)


def find_countries(doc: Doc) -> list[Found]:
    """The countries a text names, each with the offsets of its counted mentions."""
    ents = list(doc.ents)
    counted: dict[str, Found] = {}
    ambiguous: list[TermMatch] = []
    for match in scan(doc.text):
        if BLOCKED in match.codes or not _counts(match, doc, ents):
            continue
        if len(match.codes) > 1:
            ambiguous.append(match)
            continue
        code = match.codes[0]
        counted.setdefault(code, Found("country", code, code)).spans.append(
            (match.start, match.end)
        )
    for match in ambiguous:
        # "Georgia": the country with other evidence in the same text, else neither
        supported = [code for code in match.codes if code in counted]
        if len(supported) == 1:
            counted[supported[0]].spans.append((match.start, match.end))
    return sorted(counted.values(), key=lambda f: f.spans[0])


def _covering(ents: Iterable[Span], start: int, end: int) -> list[Span]:
    return [e for e in ents if e.start_char < end and start < e.end_char]


def _counts(match: TermMatch, doc: Doc, ents: list[Span]) -> bool:
    over = _covering(ents, match.start, match.end)
    labels = {e.label_ for e in over}
    if "LANGUAGE" in labels or _reads_as_language(doc.text, match):
        return False
    if match.weak and not labels & _PLACE_LABELS:
        return False
    for ent in over:
        label = ent.label_
        exact = _strip_the(ent.text) == match.text
        if label == "PERSON" and not (exact and match.kind in ("name", "alias") and not match.weak):
            return False
        if label in _NAME_LABELS and not exact:
            if label in ("EVENT", "FAC") and match.kind == "place":
                continue  # "Bangkok International Motor Show" happens in Bangkok
            if not _names_state_body(ent, match):
                return False
    return True


def _strip_the(text: str) -> str:
    return re.sub(r"^(?i:the)\s+", "", text).strip()


def _names_state_body(ent: Span, match: TermMatch) -> bool:
    """True for "the U.S. Senate"-like organisations: the country word first, then a state
    body. False for "British Airways", "University of Florida", "The New York Times"."""
    before = ent.doc.text[ent.start_char : match.start]
    if before.strip().lower() not in ("", "the"):
        return False
    rest = ent.doc.text[match.end : ent.end_char].lower()
    return any(word in _STATE_WORDS for word in re.findall(r"[a-z]+", rest))


def _reads_as_language(text: str, match: TermMatch) -> bool:
    """A demonym used as a language or cuisine word ("written in French", "Chinese food")."""
    if match.kind != "demonym":
        return False
    before = re.findall(r"[A-Za-z]+", text[max(0, match.start - 30) : match.start])
    after_text = text[match.end : match.end + 30]
    after = re.findall(r"[A-Za-z]+", after_text)
    if after_text.startswith("-") and after and after[0].lower() in ("language", "speaking"):
        return True
    if after and after[0].lower() in _LANGUAGE_AFTER:
        return True
    if before and before[-1].lower() in _LANGUAGE_BEFORE:
        # "in French." is the language; "in French cities" is the country
        next_char = after_text.lstrip()[:1]
        return before[-1].lower() != "in" or not next_char.isalpha() or after[0] in ("and", "or")
    return False


def find_persons(doc: Doc) -> list[Found]:
    """The persons a text names, merged to canonical full names."""
    raw: list[tuple[str, int, int]] = []
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        if is_credit_context(doc.text, ent.start_char, ent.end_char):
            continue
        cleaned = clean_person(ent.text)
        if cleaned is None:
            continue
        name, offset = cleaned
        if len(name.split()) == 1 and resolve_country(name):
            continue  # "Georgia", "Paris": a place the model took for a person
        start = ent.start_char + offset
        raw.append((name, start, start + len(name)))
    persons: list[Found] = []
    for name, spans in merge_persons(raw):
        persons.append(Found("person", fold(name), name, spans))
    return persons
