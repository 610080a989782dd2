"""Turn fetched feed bytes into items: RSS 0.9x/1.0/2.0 and Atom via feedparser, and
JSON Feed 1.0/1.1 (https://www.jsonfeed.org/version/1.1/).

What the bytes are decides the parser, not the Content-Type a server sent. feedparser is
only ever given bytes we fetched ourselves (wrapped in a file object, so it can never
mistake them for a URL or a file name and fetch or open anything). Titles leave here as
plain text: feeds put markup and entities in them, and nothing downstream should render
a feed's HTML.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from bot.news.errors import NewsError
from bot.news.understanding.fetch import sniff_type

log = logging.getLogger(__name__)

# Ids longer than this are hashed so that a hostile feed cannot bloat the state file.
MAX_ID_LENGTH = 200


class NotAFeed(NewsError, ValueError):
    """The document is not an RSS, Atom or JSON feed; ``message`` says so in one sentence."""

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


class _TextOnly(HTMLParser):
    _HIDDEN = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in self._HIDDEN

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def plain_text(value: Any) -> str:
    """A feed's (possibly HTML) title as plain text: tags dropped, entities decoded,
    white space collapsed."""
    if not isinstance(value, str):
        return ""
    if "<" in value or "&" in value:
        parser = _TextOnly()
        parser.feed(value)
        parser.close()
        value = "".join(parser.parts)
    return " ".join(value.split())


def _http_url(value: Any, base: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    url = urljoin(base, value.strip())
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def _entry_link(entry: Any, base: str) -> str | None:
    if entry.get("guidislink"):
        # feedparser copied the <guid> into the link: only a guid that is itself an
        # absolute link is one; "12345" joined to the feed's address is a made-up URL.
        guid = entry.get("link")
        link = _http_url(guid, "") if isinstance(guid, str) and "://" in guid else None
    else:
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


def _json_time(value: Any) -> float | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        stamp = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if stamp.tzinfo is None:
        return None  # RFC 3339 requires an offset; a guess would misplace the item
    return stamp.timestamp()


def parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    """A JSON Feed (1.0 or 1.1); raises ``NotAFeed`` for any other JSON."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        raise NotAFeed(f"{url} is not valid JSON, so it is no JSON Feed.") from None
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        raise NotAFeed(f"{url} is JSON but not a JSON Feed.")
    raw_items = doc.get("items")
    if not isinstance(raw_items, list):
        raise NotAFeed(f"{url} is a JSON Feed without its list of items.")
    items: list[FeedItem] = []
    ids: set[str] = set()
    skipped = 0
    for entry in raw_items:
        if not isinstance(entry, dict):
            skipped += 1
            continue
        link = _http_url(entry.get("url"), url) or _http_url(entry.get("external_url"), url)
        if link is None:
            skipped += 1
            continue
        raw_id = entry.get("id")
        item = FeedItem(
            id=_stable_id(str(raw_id) if isinstance(raw_id, str | int) else None, link),
            link=link,
            title=plain_text(entry.get("title")) or link,
            published=_json_time(entry.get("date_published"))
            or _json_time(entry.get("date_modified")),
        )
        if item.id not in ids:
            ids.add(item.id)
            items.append(item)
    if skipped:
        log.info("feed %s: %d items without a usable link skipped", url, skipped)
    short = version.rstrip("/").rsplit("/", 1)[-1].replace(".", "")
    return ParsedFeed(
        title=plain_text(doc.get("title")) or (urlsplit(url).hostname or url),
        site_url=_http_url(doc.get("home_page_url"), url),
        version=f"json{short}",
        items=_newest_first(items),
        recovered=False,
    )


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse ``body`` fetched from ``url``; raises ``NotAFeed`` for anything else.

    The bytes decide what it is; ``content_type`` is only a hint for bytes that show
    nothing. CPU-bound on big feeds: call it through ``asyncio.to_thread`` from async code.
    """
    declared = (content_type or "").split(";")[0].strip().lower()
    sniffed = sniff_type(body)
    if sniffed == "application/feed+json" or (sniffed is None and "json" in declared):
        return parse_json_feed(body, url)
    # No content-location: feedparser would resolve a bare <guid> such as "12345" against
    # it and hand back a link that never existed; links are made absolute here instead.
    headers: dict[str, str] = {}
    if sniffed and sniffed != "text/html":
        headers["content-type"] = sniffed
    elif declared and declared not in ("text/html", "text/plain", "application/octet-stream"):
        headers["content-type"] = declared
    result = feedparser.parse(io.BytesIO(body), response_headers=headers)
    entries = result.get("entries") or []
    version = result.get("version") or ""
    if not version and not entries:
        raise NotAFeed(f"{url} is not an RSS, Atom or JSON feed.")
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
            title=plain_text(entry.get("title")) or link,
            published=_timestamp(entry),
        )
        if item.id in ids:  # some feeds repeat an item; ingest it once
            continue
        ids.add(item.id)
        items.append(item)
    if skipped:
        log.info("feed %s: %d entries without a usable link skipped", url, skipped)

    feed = result.get("feed") or {}
    title = plain_text(feed.get("title")) or (urlsplit(url).hostname or url)
    return ParsedFeed(
        title=title,
        site_url=_http_url(feed.get("link"), url),
        version=version or "unknown",
        items=_newest_first(items),
        recovered=recovered,
    )
