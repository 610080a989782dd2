"""Find the feeds a web page announces with ``<link rel="alternate" type=... href=...>``."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from bot.news.understanding.fetch import sniff_type

FEED_LINK_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
)


class _FeedLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"].strip()
        elif tag == "link":
            rels = values.get("rel", "").lower().split()
            kind = values.get("type", "").split(";")[0].strip().lower()
            href = values.get("href", "").strip()
            if "alternate" in rels and kind in FEED_LINK_TYPES and href:
                self.hrefs.append(href)

    handle_startendtag = handle_starttag


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    """Whether to read ``body`` as a page (for its feed links) rather than as a feed: the
    first bytes decide (a feed served as text/html is a feed); the type only when they
    show nothing."""
    sniffed = sniff_type(body)
    if sniffed is not None:
        return sniffed in ("text/html", "application/xhtml+xml")
    return bool(content_type and "html" in content_type.lower())


def discover_feeds(html: str, page_url: str) -> list[str]:
    """Absolute http(s) URLs of the feeds ``html`` links to, in page order, no repeats."""
    parser = _FeedLinks()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser rarely fails; what was read before still counts
        pass
    base = urljoin(page_url, parser.base) if parser.base else page_url
    found: list[str] = []
    for href in parser.hrefs:
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.hostname and url not in found:
            found.append(url)
    return found
