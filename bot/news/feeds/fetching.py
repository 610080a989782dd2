"""What the feed code needs from a fetcher, and how it talks about fetch failures.

The real fetcher is ``bot.news.understanding.fetch.SafeFetcher.fetch`` (SSRF-safe,
bounded); anything with the same call shape works, which keeps this package testable on
its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import aiohttp

from bot.news.errors import NewsError

# What a feed fetch accepts: feeds are served under many types (and often a wrong one:
# the fetcher sniffs those), and HTML so that a home page can be read for its
# <link rel="alternate"> feed.
FEED_ACCEPT: tuple[str, ...] = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/x-rss+xml",
    "application/feed+json",
    "application/json",
    "text/html",
    "application/xhtml+xml",
    "text/plain",
)


class Fetched(Protocol):
    """The parts of ``bot.news.understanding.fetch.FetchResult`` used here."""

    url: str
    final_url: str
    status: int
    content_type: str | None
    headers: Mapping[str, str]
    body: bytes
    # ``permanent_url`` (optional): the address after permanent redirects only; a feed
    # moved by a 302 keeps its old address.


Fetch = Callable[..., Awaitable[Any]]  # fetch(url, *, accept=..., headers=...) -> Fetched
Ingest = Callable[[str, str], Awaitable[Any]]  # ingest(link, guild_id); raises on failure

# FetchError / IngestError kinds worth another try later (bad_url, blocked, not_article,
# http_error, ... are not: the same link fails the same way again).
TRANSIENT_KINDS = frozenset({"timeout", "unreachable", "busy", "crashed"})


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """Case-insensitive header lookup that works on plain dicts too."""
    if not headers:
        return None
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def describe_error(exc: BaseException) -> str:
    """One short sentence for the user and the state file (the log gets the traceback)."""
    if isinstance(exc, NewsError):
        return exc.message
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def is_transient(exc: BaseException) -> bool:
    """Whether an ingest failure may succeed on a later try (network, time, load)."""
    if isinstance(exc, NewsError):
        return exc.kind in TRANSIENT_KINDS
    return isinstance(exc, TimeoutError | ConnectionError | asyncio.QueueFull | aiohttp.ClientError)


def http_status(exc: BaseException) -> int | None:
    """The HTTP status behind a fetch failure (``FetchError.status``), if the site answered."""
    status = getattr(exc, "status", None)
    return status if isinstance(status, int) else None
