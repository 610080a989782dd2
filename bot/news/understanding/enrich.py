"""Enrichment of one article: language, summary, countries, persons and developments.

Synchronous CPU work: the pipeline runs it in a worker process. The spaCy model is loaded once
per process (``bot.news.understanding.nlp``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.news.model import CountryMention, Development, PersonMention
from bot.news.understanding.developments import pick_development
from bot.news.understanding.entities import Found, find_countries, find_persons
from bot.news.understanding.language import detect_language
from bot.news.understanding.nlp import analyse
from bot.news.understanding.sentences import split_spans_on_lines
from bot.news.understanding.summary import summarize

log = logging.getLogger(__name__)

LEAD_SENTENCES = 2  # a mention in the title or these first body sentences is salient
_NON_LATIN = {"zh", "ja", "ko", "ru", "ar", "he", "el", "th", "hi", "bn", "ta", "ka", "hy"}


@dataclass
class Enrichment:
    countries: list[CountryMention] = field(default_factory=list)
    persons: list[PersonMention] = field(default_factory=list)
    developments: list[Development] = field(default_factory=list)
    summary: str = ""
    language: str = "en"
    notes: list[str] = field(default_factory=list)


def _language(title: str, text: str, given: str | None) -> str:
    """The text's own evidence first: a page's declared language is often a site-wide default.
    The declared one decides only for texts too short to judge."""
    detected = detect_language(f"{title}\n{text}")
    if given and len(text.split()) < 30 and detected not in _NON_LATIN:
        return given.strip().lower().replace("_", "-").split("-")[0] or detected
    return detected


def enrich(title: str, text: str, *, language: str | None = None) -> Enrichment:
    """Analyse an article. Non-English text gets a summary and a note, and no entities: the
    English model would invent them."""
    title = " ".join(title.split())
    lang = _language(title, text, language)
    result = Enrichment(summary=summarize(title, text), language=lang)
    if lang not in ("en", "und"):
        result.notes.append(f"language {lang}: entities not extracted")
        return result
    if not text.strip() and not title:
        result.notes.append("no text: entities not extracted")
        return result

    body_offset = len(title) + 2 if title else 0
    doc = analyse(f"{title}\n\n{text}" if title else text)
    spans = split_spans_on_lines(doc.text, [(s.start_char, s.end_char) for s in doc.sents])
    sentences = [(start, end, doc.text[start:end]) for start, end in spans]
    body_sentences = [s for s in sentences if s[0] >= body_offset]
    lead_end = body_sentences[LEAD_SENTENCES - 1][1] if len(body_sentences) >= 2 else len(doc.text)

    def salient(found: Found) -> bool:
        return any(start < body_offset or start < lead_end for start, _ in found.spans)

    countries = find_countries(doc)
    persons = find_persons(doc)
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
