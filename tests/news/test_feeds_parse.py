"""Parsing feeds and discovering them in pages: no network needed."""

from __future__ import annotations

import pytest

from bot.news.feeds.discover import discover_feeds, looks_like_html
from bot.news.feeds.parse import NotAFeed, parse_feed
from tests.news.test_feeds_support import T0, Item, atom, html_page, items, rss

FEED_URL = "https://example.org/feeds/main.xml"


def test_rss20_items_newest_first_with_ids_links_and_dates() -> None:
    doc = rss(list(reversed(items(3, prefix="https://example.org/a/"))))  # oldest first
    parsed = parse_feed(doc, FEED_URL, "application/rss+xml")
    assert parsed.version == "rss20"
    assert parsed.title == "Loopback News"
    assert not parsed.recovered
    assert [i.id for i in parsed.items] == ["id-3", "id-2", "id-1"]
    assert parsed.items[0].link == "https://example.org/a/3"
    assert parsed.items[0].title == "Story 3"
    assert parsed.items[0].published == T0 + 180


def test_atom_uses_entry_id_and_alternate_link() -> None:
    entries = items(2, prefix="https://example.org/e/")
    for entry in entries:
        entry.guid = f"tag:example.org,2026:{entry.guid}"
    parsed = parse_feed(atom(entries), FEED_URL)
    assert parsed.version == "atom10"
    assert [(i.id, i.link) for i in parsed.items] == [
        ("tag:example.org,2026:id-2", "https://example.org/e/2"),
        ("tag:example.org,2026:id-1", "https://example.org/e/1"),
    ]


def test_relative_links_resolved_against_the_feed_url() -> None:
    doc = rss([Item("a", "/top/1", "Root-relative"), Item("b", "local/2", "Path-relative")])
    parsed = parse_feed(doc, FEED_URL)
    assert [i.link for i in parsed.items] == [
        "https://example.org/top/1",
        "https://example.org/feeds/local/2",
    ]
    assert parsed.site_url == "https://example.org/"


def test_atom_xml_base_wins_over_the_feed_url() -> None:
    doc = atom([Item("x", "post/9", "Based")], base="https://cdn.example.net/blog/")
    assert parse_feed(doc, FEED_URL).items[0].link == "https://cdn.example.net/blog/post/9"


def test_id_falls_back_to_link_never_to_date_and_linkless_items_are_skipped() -> None:
    doc = rss(
        [
            Item(None, "https://example.org/n/1", "No guid", when=T0),
            Item("only-guid", None, "No link", when=T0),
            Item("javascript", "javascript:alert(1)", "Bad link", when=T0),
        ]
    )
    parsed = parse_feed(doc, FEED_URL)
    assert [(i.id, i.link) for i in parsed.items] == [
        ("https://example.org/n/1", "https://example.org/n/1")
    ]


def test_rss_permalink_guid_serves_as_link() -> None:
    doc = (
        b'<rss version="2.0"><channel><title>P</title><item><title>t</title>'
        b'<guid isPermaLink="true">https://example.org/p/1</guid></item></channel></rss>'
    )
    item = parse_feed(doc, FEED_URL).items[0]
    assert (item.id, item.link) == ("https://example.org/p/1", "https://example.org/p/1")


def test_rss10_rdf_and_rss091() -> None:
    rdf = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
 <channel rdf:about="https://example.org/"><title>RDF</title><link>https://example.org/</link>
 <description>d</description></channel>
 <item rdf:about="https://example.org/r/1"><title>One</title><link>https://example.org/r/1</link></item>
</rdf:RDF>"""
    parsed = parse_feed(rdf, FEED_URL)
    assert parsed.version == "rss10"
    assert [i.link for i in parsed.items] == ["https://example.org/r/1"]
    old = (
        b'<rss version="0.91"><channel><title>Old</title><link>https://example.org/</link>'
        b"<description>d</description><item><title>x</title><link>/o/1</link></item>"
        b"</channel></rss>"
    )
    assert parse_feed(old, FEED_URL).items[0].link == "https://example.org/o/1"


def test_malformed_but_recoverable_feed_is_accepted() -> None:
    doc = rss(items(3, prefix="https://example.org/m/")).replace(
        b"<title>Story 2</title>", b"<title>Story 2 <b>unclosed & bare</title>"
    )
    parsed = parse_feed(doc, FEED_URL)
    assert parsed.recovered
    assert len(parsed.items) == 3
    assert {i.link for i in parsed.items} >= {"https://example.org/m/1", "https://example.org/m/3"}


@pytest.mark.parametrize(
    "body",
    [
        html_page([]),
        b"just some words, not a feed",
        b"",
        b'{"version": "https://example.org/not-jsonfeed", "items": []}',
    ],
)
def test_what_is_not_a_feed_is_rejected_with_a_sentence(body: bytes) -> None:
    with pytest.raises(NotAFeed) as caught:
        parse_feed(body, FEED_URL)
    assert caught.value.message == f"{FEED_URL} is not an RSS, Atom or JSON feed."


def test_an_empty_but_valid_feed_is_a_feed() -> None:
    parsed = parse_feed(rss([]), FEED_URL)
    assert parsed.items == []


def test_very_long_ids_are_hashed() -> None:
    long_id = "x" * 5000
    parsed = parse_feed(rss([Item(long_id, "https://example.org/l", "Long")]), FEED_URL)
    assert parsed.items[0].id.startswith("sha1:")
    assert len(parsed.items[0].id) < 100


def test_discovery_finds_rss_and_atom_links_resolved() -> None:
    page = html_page(
        [
            ("application/rss+xml", "/feed.xml"),
            ("application/atom+xml", "atom.xml"),
            ("application/rss+xml", "/feed.xml"),  # repeated: listed once
            ("text/html", "/other"),
        ]
    ).decode()
    found = discover_feeds(page, "https://example.org/section/index.html")
    assert found == ["https://example.org/feed.xml", "https://example.org/section/atom.xml"]


def test_discovery_honours_base_href_and_ignores_unsafe_schemes() -> None:
    page = html_page(
        [("application/rss+xml", "javascript:x()"), ("application/atom+xml", "a.xml")],
        base="https://static.example.org/feeds/",
    ).decode()
    assert discover_feeds(page, "https://example.org/") == [
        "https://static.example.org/feeds/a.xml"
    ]


def test_discovery_on_a_page_without_feeds_is_empty() -> None:
    assert discover_feeds(html_page([]).decode(), "https://example.org/") == []
    assert discover_feeds("<html><link rel=alternate href=/x></html", "https://e.org/") == []


def test_looks_like_html() -> None:
    assert looks_like_html(b"", "text/html; charset=utf-8")
    assert looks_like_html(b"  <!DOCTYPE html><html>", None)
    assert not looks_like_html(rss([]), "application/xml")


def test_which_failures_are_transient_and_their_http_status() -> None:
    from bot.news.feeds.fetching import http_status, is_transient
    from bot.news.understanding.fetch import FetchError

    assert is_transient(FetchError("timeout", "The site took too long."))
    assert is_transient(FetchError("unreachable", "Could not reach x."))
    assert not is_transient(FetchError("http_error", "The site answered 404 (not found)."))
    assert not is_transient(FetchError("blocked", "x points to a private address."))
    assert is_transient(TimeoutError())
    assert is_transient(ConnectionResetError())
    assert not is_transient(ValueError("not an article"))
    gone = FetchError("http_error", "The site answered 410 (the page is gone).", status=410)
    assert http_status(gone) == 410
    # the status is a field: a message that mentions a number decides nothing
    assert http_status(FetchError("http_error", "The site answered 410 (gone).")) is None
    assert http_status(FetchError("timeout", "The site took 20 s to answer.")) is None
