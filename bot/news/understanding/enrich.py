"""Enrichment of one article: language, summary, countries, persons and developments.

Synchronous CPU work: the pipeline runs it in a worker process. The spaCy model is loaded once
per process (``bot.news.understanding.nlp``)."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.news.model import CountryMention, Development, PersonMention
from bot.news.understanding.countries import BLOCKED, scan
from bot.news.understanding.developments import pick_development
from bot.news.understanding.entities import Found, find_countries, find_persons
from bot.news.understanding.language import choose_language
from bot.news.understanding.localized_countries import scan_localized
from bot.news.understanding.localized_persons import PERSON_LANGUAGES, find_localized_persons
from bot.news.understanding.nlp import analyse
from bot.news.understanding.sentences import split_spans_on_lines
from bot.news.understanding.summary import summarize

log = logging.getLogger(__name__)

LEAD_SENTENCES = 2  # a mention in the title or these first body sentences is salient
_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")


@dataclass
class Enrichment:
    countries: list[CountryMention] = field(default_factory=list)
    persons: list[PersonMention] = field(default_factory=list)
    developments: list[Development] = field(default_factory=list)
    summary: str = ""
    language: str = "en"
    notes: list[str] = field(default_factory=list)


def enrich(
    title: str, text: str, *, language: str | None = None, authors: Sequence[str] = ()
) -> Enrichment:
    """Analyse an article. Text in another language than English gets its countries from
    localized names, and its persons from that language's model when there is one
    (``PERSON_LANGUAGES``; never from the English model, which would invent them).
    ``language`` is the page's declared one (it decides when the text is unclear);
    ``authors`` its byline."""
    title = " ".join(title.split())
    lang = choose_language(f"{title}\n{text}", language)
    result = Enrichment(summary=summarize(title, text), language=lang)
    if lang not in ("en", "und"):
        _localized_entities(title, text, lang, result, authors)
        return result
    if not text.strip() and not title:
        result.notes.append("no text: entities not extracted")
        return result

    body_offset = len(title) + 2 if title else 0
    doc = analyse(f"{title}\n\n{text}" if title else text)
    full = doc.text  # spaCy builds it anew at each access: read once
    spans = split_spans_on_lines(full, [(s.start_char, s.end_char) for s in doc.sents])
    sentences = [(start, end, full[start:end]) for start, end in spans]
    body_sentences = [s for s in sentences if s[0] >= body_offset]
    lead_end = body_sentences[LEAD_SENTENCES - 1][1] if len(body_sentences) >= 2 else len(full)

    def salient(found: Found) -> bool:
        return any(start < body_offset or start < lead_end for start, _ in found.spans)

    persons = find_persons(doc, authors)
    countries = find_countries(doc, persons)
    for found in countries:
        result.countries.append(CountryMention(found.key, found.count, salient(found)))
    for found in persons:
        result.persons.append(PersonMention(found.name, found.count, salient(found)))
    for found in [*countries, *persons]:
        development = pick_development(found, body_sentences)
        if not development.sentence:
            development = pick_development(found, sentences)  # named in the title only
        if development.sentence:
            result.developments.append(development)
    return result


def _localized_entities(
    title: str, text: str, lang: str, result: Enrichment, authors: Sequence[str]
) -> None:
    full = f"{title}\n\n{text}" if title else text
    body_offset = len(title) + 2 if title else 0
    counted: dict[str, Found] = {}
    matches = [(m.start, m.end, m.code) for m in scan_localized(full, lang)]
    if _latin_script(full):
        # cities and many country names are spelt alike in languages written in Latin script
        # ("London", "Jakarta", "Indonesia"); demonyms and words that are also names are not
        taken = [(start, end) for start, end, _ in matches]
        for m in scan(full):
            if m.kind == "demonym" or m.weak or len(m.codes) != 1 or BLOCKED in m.codes:
                continue
            if not any(start < m.end and m.start < end for start, end in taken):
                matches.append((m.start, m.end, m.codes[0]))
    for start, end, code in sorted(matches):
        found = counted.setdefault(code, Found("country", code, code))
        found.spans.append((start, end))
    sentences = [(m.start(), m.end(), m.group().strip()) for m in _SENTENCE.finditer(full)]
    body = [s for s in sentences if s[0] >= body_offset and s[2]]
    lead_end = body[LEAD_SENTENCES - 1][1] if len(body) >= LEAD_SENTENCES else len(full)
    persons = find_localized_persons(full, lang, authors) if lang in PERSON_LANGUAGES else []
    for found in [*counted.values(), *persons]:
        salient = any(start < lead_end for start, _ in found.spans)
        if found.kind == "country":
            result.countries.append(CountryMention(found.key, found.count, salient))
        else:
            result.persons.append(PersonMention(found.name, found.count, salient))
        development = pick_development(found, body)
        if not development.sentence:
            development = pick_development(found, sentences)  # named in the title only
        if development.sentence:
            result.developments.append(development)
    persons_note = (
        "persons from its own model" if lang in PERSON_LANGUAGES else "no persons (no model)"
    )
    result.notes.append(f"language {lang}: countries from localized names, {persons_note}")


def _latin_script(text: str) -> bool:
    letters = [ch for ch in text[:5000] if ch.isalpha()]
    latin = sum(1 for ch in letters if ch.isascii() or "LATIN" in unicodedata.name(ch, ""))
    return bool(letters) and latin >= 0.8 * len(letters)
