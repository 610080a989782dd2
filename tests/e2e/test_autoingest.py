"""Auto-ingest of links posted in a watched channel (needs the Message Content intent)."""

from __future__ import annotations

import asyncio
import re

from bot.sandbox.state import ADD_REACTIONS
from cogs.autoingest import ADDED, FAILED, KNOWN
from tests.e2e.conftest import story


async def wait_for_articles(bot, guild_id: str, count: int) -> list:
    for _ in range(300):
        found = await bot.services.store.articles.recent(guild_id, limit=10)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    return await bot.services.store.articles.recent(guild_id, limit=10)


async def test_links_posted_in_a_watched_channel_are_added(emulator, start_bot, articles) -> None:
    alice = emulator.user("alice")
    news = emulator.channel_named("news")
    articles.pages["w"] = story(
        "Strike in Santiago", "Chile's port workers in Santiago went on strike."
    )
    articles.pages["x"] = story(
        "Floods in Porto Alegre", "Brazil's south saw floods near Porto Alegre."
    )
    async with start_bot(message_content_intent=True) as bot:
        on = await alice.slash("autoingest", channel=news, enabled=True)
        assert on.ok and "will be added" in on.content and "Note" not in on.content
        await alice.say(f"look {articles.url('/page/x')}", in_channel="general")  # not watched
        await alice.say(f"see {articles.url('/page/w')} !", in_channel=news)
        found = await wait_for_articles(bot, str(emulator.guild.id), 1)
        assert [a.title for a in found] == ["Strike in Santiago"]


async def test_without_the_intent_the_command_says_so(newsbot, user, emulator) -> None:
    on = await user.slash("autoingest", channel=emulator.channel, enabled=True)
    assert on.ok and "Message Content intent" in on.content
    bob = emulator.user("bob")
    denied = await bob.slash("autoingest", channel=emulator.channel, enabled=False)
    assert denied.ephemeral and "Manage Server" in denied.text()


async def reactions_on(emulator, message: dict, count: int) -> list[str]:
    """The bot's reactions on a message, once ``count`` are there (or after ~60 s)."""
    stored = emulator.messages_by_id[int(message["id"])]
    for _ in range(600):
        if len(stored.get("reactions", [])) >= count:
            break
        await asyncio.sleep(0.1)
    return [r["emoji"]["name"] for r in stored.get("reactions", []) if r["me"]]


async def test_reactions_say_what_was_done(emulator, start_bot, articles) -> None:
    alice = emulator.user("alice")
    news = emulator.channel_named("news")
    quiet = emulator.add_channel(emulator.guild, "quiet")
    emulator.deny(quiet, ADD_REACTIONS)  # the bot may post here, not react
    articles.pages["r"] = story("Drought in Lima", "Peru's capital Lima faces a long drought.")
    async with start_bot(message_content_intent=True) as bot:
        for channel in (news, quiet):
            assert (await alice.slash("autoingest", channel=channel, enabled=True)).ok
        first = await alice.say(
            f"{articles.url('/page/r')} and {articles.url('/page/missing')}", in_channel=news
        )
        assert await reactions_on(emulator, first, 2) == [ADDED, FAILED]
        again = await alice.say(f"again: {articles.url('/page/r')}", in_channel=news)
        assert await reactions_on(emulator, again, 1) == [KNOWN]
        articles.pages["s"] = story("Storm in Quito", "Ecuador's capital Quito saw a storm.")
        silent = await alice.say(articles.url("/page/s"), in_channel=quiet)
        await wait_for_articles(bot, str(emulator.guild.id), 2)
        await asyncio.sleep(0.3)
        assert await reactions_on(emulator, silent, 1) == []
        reacted_to = {
            m[1]
            for r in emulator.requests
            if (m := re.search(r"/messages/(\d+)/reactions/", r.path))
        }
        assert reacted_to == {first["id"], again["id"]}
