"""/feed through the emulator: a loopback RSS feed whose items are real article pages."""

from __future__ import annotations

import asyncio
import json

from tests.e2e.conftest import story
from tests.news.test_feeds_support import Item, rss


async def test_feed_add_poll_and_list(emulator, newsbot, user, articles) -> None:
    for n, place in enumerate(("Quito", "Lima", "Bogotá")):
        articles.pages[f"item{n}"] = story(
            f"Council meets in {place}",
            f"The city council of {place} met on Monday to approve a new transport budget.",
            f"Residents of {place} had protested for weeks about crowded buses.",
        )
    feed = rss(
        [Item(f"g{n}", articles.url(f"/page/item{n}"), f"Item {n}") for n in range(3)],
        title="Loopback Andes",
    )
    articles.pages["feed.xml"] = ("application/rss+xml", feed)

    added = await user.slash("feed add", url=articles.url("/page/feed.xml"), timeout=120)
    assert added.ok and added.ephemeral, added.text()
    assert "Loopback Andes" in added.content

    # the poller takes a new feed's first items at once, in the background
    guild_id = str(emulator.guild.id)
    for _ in range(300):
        if (await newsbot.services.feeds.list(guild_id))[0].items_ingested == 3:
            break
        await asyncio.sleep(0.1)
    assert (await newsbot.services.feeds.list(guild_id))[0].items_ingested == 3
    latest = await user.slash("latest")
    titles = json.dumps(latest.embeds, ensure_ascii=False)
    assert "Council meets in Quito" in titles and "Council meets in Lima" in titles

    listing = await user.slash("feed list")
    assert listing.ok and "Loopback Andes" in json.dumps(listing.embeds)
    assert "3 articles" in json.dumps(listing.embeds)

    not_feed = await user.slash("feed add", url=articles.url("/page/item0"), timeout=120)
    assert not_feed.ok and not_feed.ephemeral
    assert "feed" in not_feed.text().lower()

    bob = emulator.user("bob")
    denied = await bob.slash("feed list")
    assert denied.ephemeral and "Manage Server" in denied.text()

    removed = await user.slash("feed remove", url=articles.url("/page/feed.xml"))
    assert removed.ok and "removed" in removed.content
    assert not emulator.rejections
