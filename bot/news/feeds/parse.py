"""Turn fetched feed bytes into items: RSS 0.9x/1.0/2.0 and Atom, via feedparser.

feedparser is only ever given bytes we fetched ourselves (wrapped in a file object, so
it can never mistake them for a URL or a file name and fetch or open anything).
"""

from __future__ import annotations

import calendar
import hashlib
import io
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from bot.news.errors import NewsError

log = logging.getLogger(__name__)

# Ids longer than this are hashed so that a hostile feed cannot bloat the state file.
MAX_ID_LENGTH = 200


class NotAFeed(NewsError, ValueError):
    """The document is not an RSS or Atom feed; ``message`` says so in one sentence."""

    default_kind = "not_a_feed"


@dataclass(frozen=True, slots=True)
class FeedItem:
    id: str  # guid / Atom id, else the link: never a date
    link: str  # absolute http(s) URL
    title: str
    published: float | None  # epoch seconds (UTC), when the feed gives one


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    site_url: str | None
    version: str  # feedparser's name, e.g. "rss20", "atom10"
    items: list[FeedItem]  # newest first
    recovered: bool  # malformed, but feedparser's lenient parser got entries out of it


def _http_url(value: Any, base: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    url = urljoin(base, value.strip())
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def _entry_link(entry: Any, base: str) -> str | None:
    link = _http_url(entry.get("link"), base)
    if link:
        return link
    # Atom entries may carry only rel="alternate" links, or links without rel.
    for candidate in entry.get("links") or ():
        if candidate.get("rel", "alternate") == "alternate":
            link = _http_url(candidate.get("href"), base)
            if link:
                return link
    return None


def _stable_id(raw_id: Any, link: str) -> str:
    item_id = raw_id.strip() if isinstance(raw_id, str) and raw_id.strip() else link
    if len(item_id) > MAX_ID_LENGTH:
        item_id = "sha1:" + hashlib.sha1(item_id.encode("utf-8")).hexdigest()
    return item_id


def _timestamp(entry: Any) -> float | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return float(calendar.timegm(parsed))
    except (TypeError, ValueError, OverflowError):
        return None


def _newest_first(items: list[FeedItem]) -> list[FeedItem]:
    # Sort by date only when every item has one; otherwise trust document order, which
    # is newest first in practice. The sort is stable, so equal dates keep that order.
    if items and all(item.published is not None for item in items):
        return sorted(items, key=lambda item: -(item.published or 0.0))
    return items


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse ``body`` fetched from ``url``; raises ``NotAFeed`` for anything else.

    CPU-bound on big feeds: call it through ``asyncio.to_thread`` from async code.
    """
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    result = feedparser.parse(io.BytesIO(body), response_headers=headers)
    entries = result.get("entries") or []
    version = result.get("version") or ""
    if not version and not entries:
        raise NotAFeed(f"{url} is not an RSS or Atom feed.")
    recovered = bool(result.get("bozo")) and bool(entries)
    if result.get("bozo"):
        log.info(
            "feed %s is malformed (%s); %d entries recovered",
            url,
            result.get("bozo_exception"),
            len(entries),
        )

    items: list[FeedItem] = []
    ids: set[str] = set()
    skipped = 0
    for entry in entries:
        link = _entry_link(entry, url)
        if link is None:
            skipped += 1
            continue
        item = FeedItem(
            id=_stable_id(entry.get("id"), link),
            link=link,
            title=(entry.get("title") or "").strip() or link,
            published=_timestamp(entry),
        )
        if item.id in ids:  # some feeds repeat an item; ingest it once
            continue
        ids.add(item.id)
        items.append(item)
    if skipped:
        log.info("feed %s: %d entries without a usable link skipped", url, skipped)

    feed = result.get("feed") or {}
    title = (feed.get("title") or "").strip() or (urlsplit(url).hostname or url)
    return ParsedFeed(
        title=title,
        site_url=_http_url(feed.get("link"), url),
        version=version or "unknown",
        items=_newest_first(items),
        recovered=recovered,
    )
