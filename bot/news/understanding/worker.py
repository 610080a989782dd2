"""The CPU half of the pipeline, run inside a worker process.

Everything here is synchronous and picklable by reference: the pipeline sends a page's
text to ``analyze_document`` in a ``ProcessPoolExecutor`` worker, so a slow or crashing
extraction never stalls the event loop (and the Discord heartbeat with it).
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import time
from dataclasses import dataclass
from typing import Any

from bot.news.model import Article
from bot.news.understanding.canonical import canonical_url, fingerprint, normalize_url
from bot.news.understanding.extract import (
    MIN_ARTICLE_WORDS,
    Extracted,
    NotAnArticle,
    extract_html,
    word_count,
)
from bot.news.understanding.quality import NoArticleText, check_article_text
from bot.news.understanding.textfile import parse_text_article

log = logging.getLogger(__name__)

# bot.news.understanding.enrich.enrich once loaded; False when it is not available
_enrich: Any = None


@dataclass(slots=True)
class WorkerFailure:
    """An expected failure, returned rather than raised so it pickles plainly."""

    kind: str
    message: str


def init_worker() -> None:
    """Process initializer: load the NLP model once, before the first article."""
    try:
        _load_enrich()
        if _enrich:
            _enrich("Warm up", "Warm-up text about France and Emmanuel Macron.", language="en")
    except Exception:  # a broken model must not break the pool: articles get a note instead
        log.exception("worker: loading the NLP model failed")


def _load_enrich() -> Any:
    global _enrich
    if _enrich is None:
        try:
            from bot.news.understanding.enrich import enrich
        except ImportError:
            log.warning("worker: the enrich module is not available; articles get no entities")
            _enrich = False
        else:
            _enrich = enrich
    return _enrich


def ping() -> int:
    """Answers once the worker (and its initializer) is ready."""
    return os.getpid()


def peak_memory() -> int:
    """This process's peak resident memory in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def extract_document(kind: str, content: str, page_url: str | None) -> Extracted:
    """HTML or plain text -> ``Extracted`` (raises ``NotAnArticle``)."""
    if kind == "html":
        return extract_html(content, page_url)
    extracted = parse_text_article(content)
    words = word_count(extracted.text)
    if words < MIN_ARTICLE_WORDS:
        raise NotAnArticle(f"The text is too short to be an article ({words} words).")
    return extracted


def timed_analyze(
    kind: str, content: str, url: str, page_url: str | None = None
) -> tuple[Article | WorkerFailure, float]:
    """``analyze_document`` and the seconds it took inside the worker."""
    started = time.perf_counter()
    result = analyze_document(kind, content, url, page_url)
    return result, time.perf_counter() - started


def analyze_document(
    kind: str, content: str, url: str, page_url: str | None = None
) -> Article | WorkerFailure:
    """The whole CPU part for one document: extract, fingerprint, enrich.

    ``url`` is what the user gave, ``page_url`` where the page was finally fetched from
    (after redirects), or a ``file:`` URI for local files. ``canonical_url`` comes from
    the page's own declaration when it is on the same site."""
    page_url = page_url or url
    try:
        extracted = extract_document(kind, content, page_url)
        check_article_text(extracted.text, content if kind == "html" else None)
    except (NotAnArticle, NoArticleText) as exc:
        return WorkerFailure("not_article", exc.message)
    except Exception:  # a parser bug on one odd page must not look like a crashed worker
        log.exception("worker: extraction failed for %s", url)
        return WorkerFailure("not_article", "The page could not be read as an article.")
    declared = extracted.canonical_url or ""
    if page_url.startswith(("http://", "https://")):
        canonical = canonical_url(page_url, declared)
    elif declared.startswith(("http://", "https://")):
        # A saved page given by the operator: its own canonical is the best key we have.
        canonical = normalize_url(declared)
    else:
        canonical = page_url
    article = Article(
        url=url,
        canonical_url=canonical,
        title=extracted.title,
        text=extracted.text,
        site=extracted.site,
        published=extracted.published,
        language=extracted.language or "en",
        fingerprint=fingerprint(extracted.text),
        notes=list(extracted.notes),
    )
    # The page's declared language only breaks a tie: it is often a site-wide default (a
    # German post on a site declaring "en"), and enrich trusts clear prose over it.
    _enrich_article(article, extracted.language, extracted.authors)
    return article


def _enrich_article(article: Article, language: str | None, authors: list[str]) -> None:
    enrich = _load_enrich()
    if not enrich:
        article.notes.append("entities and summary not available (no NLP module)")
        return
    try:
        result = enrich(article.title, article.text, language=language, authors=authors)
    except Exception:
        log.exception("worker: enrich failed for %s", article.url)
        article.notes.append("entities and summary failed for this article")
        return
    article.countries = list(result.countries)
    article.persons = list(result.persons)
    article.developments = list(result.developments)
    article.summary = result.summary
    article.language = result.language or article.language
    article.notes.extend(result.notes)
