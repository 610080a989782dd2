"""The feed corpus served with right, wrong and missing Content-Types: every feed is
followed (decided by what its bytes parse as), titled in plain text, and its items read."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.news.feeds import FeedService
from bot.news.feeds.parse import parse_feed
from bot.news.store import open_store
from bot.news.understanding.fetch import SafeFetcher
from tests.hostile.feed_corpus import SERVED_AS, corpus, headers_for
from tests.hostile.support import RawServer

ITEM_BASE = "https://news.example"


class Recorder:
    def __init__(self) -> None:
        self.links: dict[str, list[str]] = {}

    async def __call__(self, link: str, guild_id: str) -> None:
        self.links.setdefault(guild_id, []).append(link)


@pytest.fixture
async def served():
    async with RawServer() as server:
        for doc in corpus(ITEM_BASE):
            for n, served_as in enumerate(SERVED_AS):
                server.pages[f"/{doc.name}/{n}"] = (headers_for(doc, served_as), doc.body)
        yield server


async def test_every_feed_followed_whatever_its_content_type(tmp_path, served) -> None:
    settings = Settings(data_dir=tmp_path, fetch_allow=frozenset({f"127.0.0.1:{served.port}"}))
    fetcher = SafeFetcher(settings)
    recorder = Recorder()
    store = await open_store(settings)
    service = FeedService(
        settings, store.feeds, fetch=fetcher.fetch, ingest=recorder, max_feeds_per_guild=100,
        first_poll_items=5,
    )  # fmt: skip
    tried = followed = 0
    wrong: list[str] = []
    try:
        for doc in corpus(ITEM_BASE):
            for n, served_as in enumerate(SERVED_AS):
                tried += 1
                guild = f"{doc.name}|{served_as}"
                info = await service.add(guild, served.url(f"/{doc.name}/{n}"))
                followed += 1
                if info.title != doc.title:
                    wrong.append(f"{guild}: title {info.title!r}, expected {doc.title!r}")
        for n, served_as in enumerate(SERVED_AS):
            # Its first poll is measured by bench/, not timed here.
            await service.remove(f"huge|{served_as}", served.url(f"/huge/{n}"))
        await service.poll_due()
    finally:
        await service.close()
        await store.close()
        await fetcher.close()
    print(f"\nfeed corpus: {tried} served, {followed} followed, {len(wrong)} wrong titles")
    assert wrong == []
    for doc in corpus(ITEM_BASE):
        if doc.name == "huge":
            continue
        for served_as in SERVED_AS:
            got = recorder.links.get(f"{doc.name}|{served_as}", [])
            assert sorted(got) == sorted(doc.links[:5]), (doc.name, served_as, got)


@pytest.mark.parametrize("doc", corpus(ITEM_BASE), ids=lambda d: d.name)
@pytest.mark.parametrize("served_as", SERVED_AS)
def test_item_titles_are_plain_text(doc, served_as) -> None:
    content_type = headers_for(doc, served_as).get("Content-Type")
    parsed = parse_feed(doc.body, "http://127.0.0.1/feed", content_type)
    assert parsed.title == doc.title
    assert [item.link for item in parsed.items] == list(doc.links)
    if doc.item_titles:
        assert tuple(item.title for item in parsed.items) == doc.item_titles
    for item in parsed.items:
        assert "<" not in item.title and "&amp;" not in item.title, item.title


async def test_feed_add_in_discord_names_feeds_in_plain_text(emulator, start_bot, served) -> None:
    """``/feed add`` through the emulator, feeds served without a Content-Type: the reply
    names each feed in plain words, no markup, no entity, no escaped tag."""
    docs = {d.name: d for d in corpus(ITEM_BASE)}
    missing = SERVED_AS.index(None)
    async with start_bot(allow_loopback=False, fetch_allow=frozenset({f"127.0.0.1:{served.port}"})):
        alice = emulator.user("alice")
        for name in ("entities", "html-titles", "atom-html-title", "jsonfeed1.1", "utf-16"):
            reply = await alice.slash("feed add", url=served.url(f"/{name}/{missing}"), timeout=30)
            assert reply.ok, reply.text()
            assert f"Following **{docs[name].title}**" in reply.content, reply.content
            assert "&amp;" not in reply.content and "\\<" not in reply.content
    assert not emulator.rejections
