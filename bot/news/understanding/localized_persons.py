"""Persons of a text in a language other than English, from that language's own model.

The small non-English models (French: WikiNER labels, PER) are less sure than the English one
and none of the English cues (given names, titles, "said") apply, so this keeps only what a
reader would accept without them: full names (two words or more), and a lone surname only
when the same text also gives the full name it belongs to. Bylines and credits in the
language ("Par Marie Dupont", "Photo : ...", "avec AFP") are not people in the news.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.news.model import person_key
from bot.news.understanding.entities import Found
from bot.news.understanding.nlp import MODELS, analyse
from bot.news.understanding.persons import clean_person, is_author, is_credit_context, merge_persons

# words that open a credit line, per language ("Par", "Propos recueillis par", "Crédit photo")
_CREDIT_BEFORE = {
    "fr": re.compile(
        r"(?i)(?:^|[\n(|;])\W*(?:(?:propos\s+recueillis|texte|photos?|r[ée]daction|[ée]crit|"
        r"r[ée]alis[ée]e?s?|illustrations?|cr[ée]dits?(?:\s+photos?)?|images?|vid[ée]o)"
        r"(?:\s+(?:par|de))?|par)\s*:?\s*(?:[A-ZÀ-Ý][\w.'’-]*\s*(?:,|\bet\b|&)?\s*)*$"
    ),
}
_CREDIT_AFTER = {
    "fr": re.compile(
        r"(?i)^\W{0,3}(?:avec\s+(?:afp|reuters|ap|belga)|\(?(?:afp|reuters|ap)\)?\s*$|"
        r"(?:journaliste|correspondante?|envoy[ée]e? sp[ée]ciale?|r[ée]dacteur|r[ée]dactrice)\b)"
    ),
}
_WINDOW = 80


def find_localized_persons(text: str, language: str, authors: Iterable[str] = ()) -> list[Found]:
    """The persons ``text`` (in ``language``, a key of ``nlp.MODELS``) names, merged to their
    fullest form."""
    label = MODELS[language].person_label
    doc = analyse(text, language)
    authors = list(authors)
    raw: list[tuple[str, int, int]] = []
    for ent in doc.ents:
        if ent.label_ != label or _credited(text, ent.start_char, ent.end_char, language):
            continue
        cleaned = clean_person(ent.text)
        if cleaned is None:
            continue
        name, offset = cleaned
        start = ent.start_char + offset
        if is_author(name, authors):
            continue
        raw.append((name, start, start + len(name)))
    persons: list[Found] = []
    for name, spans in merge_persons(raw):
        if len(name.split()) < 2:
            continue  # a lone word the text never completes: too often a place or a brand
        persons.append(Found("person", person_key(name), name, spans))
    return persons


def _credited(text: str, start: int, end: int, language: str) -> bool:
    if is_credit_context(text, start, end):
        return True
    before = _CREDIT_BEFORE.get(language)
    after = _CREDIT_AFTER.get(language)
    return bool(
        (before and before.search(text[max(0, start - _WINDOW) : start]))
        or (after and after.search(text[end : end + _WINDOW // 2]))
    )
