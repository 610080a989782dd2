"""A feed keeps the address it lives at: a permanent redirect moves it, a temporary one
does not; an entry without a link is skipped, never given a made-up one."""

from __future__ import annotations

from bot.config import Settings
from bot.news.feeds import FeedService
from bot.news.feeds.parse import parse_feed
from bot.news.store import open_store
from bot.news.understanding.fetch import SafeFetcher
from tests.hostile.feed_corpus import corpus
from tests.hostile.support import RawServer


async def _noop(link: str, guild_id: str) -> None:
    return None


async def test_only_permanent_redirects_move_a_feed(tmp_path) -> None:
    doc = corpus("https://news.example")[0]
    async with RawServer() as server:
        server.pages["/feed.xml"] = ({"Content-Type": doc.right_type}, doc.body)
        server.redirects["/temporary"] = (302, "/feed.xml")
        server.redirects["/moved"] = (301, "/feed.xml")
        server.redirects["/moved-then-temporary"] = (308, "/temporary")
        server.redirects["/temporary-then-moved"] = (307, "/moved")
        settings = Settings(data_dir=tmp_path, fetch_allow=frozenset({f"127.0.0.1:{server.port}"}))
        fetcher = SafeFetcher(settings)
        store = await open_store(settings)
        service = FeedService(settings, store.feeds, fetch=fetcher.fetch, ingest=_noop)
        try:
            expected = {
                "/temporary": "/temporary",
                "/moved": "/feed.xml",
                "/moved-then-temporary": "/temporary",
                "/temporary-then-moved": "/temporary-then-moved",
            }
            for n, (asked, kept) in enumerate(expected.items()):
                info = await service.add(str(n), server.url(asked))
                assert info.url == server.url(kept), (asked, info.url)
        finally:
            await service.close()
            await store.close()
            await fetcher.close()


def test_entry_with_an_id_but_no_link_is_skipped() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>No link</title><guid>12345</guid></item>"
        b"<item><title>Tag id</title><guid>tag:news.example,2026:7</guid></item>"
        b"<item><title>Permalink guid</title><guid>https://news.example/a</guid></item>"
        b"<item><title>Linked</title><link>https://news.example/b</link><guid>99</guid></item>"
        b"</channel></rss>"
    )
    parsed = parse_feed(body, "https://feeds.example/rss")
    assert [item.link for item in parsed.items] == [
        "https://news.example/a",
        "https://news.example/b",
    ]
