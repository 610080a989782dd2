"""Persons of a text in a language other than English, from that language's own model:
French from spaCy's (``nlp.MODELS``), Russian from Natasha (``russian``).

The non-English models (French: WikiNER labels, PER) are less sure than the English one
and none of the English cues (given names, titles, "said") apply, so this keeps only what a
reader would accept without them: full names (two words or more), and a lone surname only
when the same text also gives the full name it belongs to. Bylines and credits in the
language ("Par Marie Dupont", "Photo : ...", "avec AFP") are not people in the news.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.news.model import person_key
from bot.news.understanding import russian
from bot.news.understanding.entities import Found
from bot.news.understanding.nlp import MODELS, analyse
from bot.news.understanding.persons import clean_person, is_author, is_credit_context, merge_persons

# the languages whose persons are found: those with a model on the package registry
PERSON_LANGUAGES = frozenset({*MODELS, "ru"})

# words that open a credit line, per language ("Par", "Propos recueillis par", "Crédit photo")
_CREDIT_BEFORE = {
    "fr": re.compile(
        r"(?i)(?:^|[\n(|;])\W*(?:(?:propos\s+recueillis|texte|photos?|r[ée]daction|[ée]crit|"
        r"r[ée]alis[ée]e?s?|illustrations?|cr[ée]dits?(?:\s+photos?)?|images?|vid[ée]o)"
        r"(?:\s+(?:par|de))?|par)\s*:?\s*(?:[A-ZÀ-Ý][\w.'’-]*\s*(?:,|\bet\b|&)?\s*)*$"
    ),
    # "Фото: Иван Петров", "Автор: ...", "Текст — ..."
    "ru": re.compile(
        r"(?i)(?:^|[\n(|;])\W*(?:фото|автор|текст|источник|иллюстрация|видео|редактор)"
        r"\s*[:—–-]?\s*(?:[А-ЯЁ][\w.'’-]*\s*(?:,|\bи\b)?\s*)*$"
    ),
}
_CREDIT_AFTER = {
    "fr": re.compile(
        r"(?i)^\W{0,3}(?:avec\s+(?:afp|reuters|ap|belga)|\(?(?:afp|reuters|ap)\)?\s*$|"
        r"(?:journaliste|correspondante?|envoy[ée]e? sp[ée]ciale?|r[ée]dacteur|r[ée]dactrice)\b)"
    ),
    "ru": re.compile(r"(?i)^\W{0,3}(?:корреспондент|обозреватель|специально для)\b"),
}
_WINDOW = 80


def find_localized_persons(text: str, language: str, authors: Iterable[str] = ()) -> list[Found]:
    """The persons ``text`` (in ``language``, one of ``PERSON_LANGUAGES``) names, merged to
    their fullest form."""
    authors = list(authors)
    raw: list[tuple[str, int, int]] = []
    for mention, start, end in _mentions(text, language):
        if _credited(text, start, end, language):
            continue
        cleaned = clean_person(mention)
        if cleaned is None:
            continue
        name, offset = cleaned
        if is_author(name, authors):
            continue
        raw.append((name, start + offset, end))
    persons: list[Found] = []
    for name, spans in merge_persons(raw):
        if len(name.split()) < 2:
            continue  # a lone word the text never completes: too often a place or a brand
        persons.append(Found("person", person_key(name), name, spans))
    return persons


def _mentions(text: str, language: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of each span the language's model calls a person."""
    if language == "ru":
        return russian.person_mentions(text)
    label = MODELS[language].person_label
    doc = analyse(text, language)
    return [(e.text, e.start_char, e.end_char) for e in doc.ents if e.label_ == label]


def _credited(text: str, start: int, end: int, language: str) -> bool:
    if is_credit_context(text, start, end):
        return True
    before = _CREDIT_BEFORE.get(language)
    after = _CREDIT_AFTER.get(language)
    return bool(
        (before and before.search(text[max(0, start - _WINDOW) : start]))
        or (after and after.search(text[end : end + _WINDOW // 2]))
    )
