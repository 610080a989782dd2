"""The Discord fault matrix: the real NewsBot against an emulator that fails on command.

Promises kept: each digest is posted exactly once (a retried post carries the digest's
nonce with ``enforce_nonce``), no interaction is left without an answer or a clear error,
no crash loop, and the other servers keep being served meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.config import load_settings, with_overrides
from bot.news.clock import Clock
from bot.news.model import Article, CountryMention, Development
from bot.sandbox.emulator import NONCE_WINDOW, Emulator, SandboxUser
from bot.sandbox.harness import connected_bot
from bot.sandbox.state import shard_of
from bot.ui.nonces import MAX_NONCE, digest_nonce

DAY = date(2026, 11, 26)
MESSAGES = r"^/api/v10/channels/\d+/messages$"
CALLBACK = r"/callback$"


def at(day_offset: int, hh: int, mm: int) -> datetime:
    day = DAY + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=UTC)


@pytest.fixture
def start_bot(emulator: Emulator, tmp_path: Path) -> Callable[..., Any]:
    from bot.ui.client import NewsBot

    @contextlib.asynccontextmanager
    async def run(clock: Clock) -> AsyncIterator[NewsBot]:
        base = load_settings(env={}, config_file=tmp_path / "absent.toml")
        settings = with_overrides(base, data_dir=tmp_path / "data", allow_loopback=True)
        bot = NewsBot(settings, clock=clock, **emulator.client_kwargs())
        async with connected_bot(emulator, bot) as connected:
            yield connected

    return run


async def add_articles(bot: Any, guild_id: int, count: int) -> None:
    for n in range(count):
        code = ("EC", "FR", "JP")[n % 3]
        url = f"https://news.example/{guild_id}/{n}"
        article = Article(
            url=url, canonical_url=url, title=f"Story {n} about talks in {code}",
            summary=f"Officials met on day {n}.", site="news.example",
            published=datetime.fromtimestamp(bot.services.clock.time() - 60 * n, UTC).isoformat(),
            fingerprint=f"{guild_id % 9973:04x}{n:012x}",
            countries=[CountryMention(code, 2, True)],
            developments=[Development("country", code, f"Talks number {n} in {code}.")],
        )  # fmt: skip
        await bot.services.store.articles.add(article, str(guild_id))


def bot_posts(emulator: Emulator, channel: Any) -> list[dict[str, Any]]:
    return [m for m in emulator.channel_messages(channel) if m["author"].get("bot")]


async def set_digest(user: SandboxUser, channel: Any) -> None:
    reply = await user.slash(
        "digest set", channel=channel, time="06:00", timezone="UTC", in_channel=channel
    )
    assert reply.ok, reply.text()


def test_the_digest_nonce_fits_discord_and_names_one_message() -> None:
    nonce = digest_nonce(123456789012345678, DAY, 0)
    assert len(nonce) <= MAX_NONCE
    assert nonce == digest_nonce("123456789012345678", DAY, 0)
    others = {digest_nonce(1, DAY, 0), digest_nonce(2, DAY, 0), digest_nonce(1, DAY, 1),
              digest_nonce(1, DAY + timedelta(days=1), 0)}  # fmt: skip
    assert len(others) == 4


@pytest.mark.parametrize("status", [502, 503])
async def test_a_post_stored_before_its_answer_was_lost_is_not_repeated(
    emulator, start_bot, user, status
) -> None:
    """502: discord.py retries the same request itself. 503: it gives up and the poster
    sends the part again seconds later with the digest's own nonce, well inside the minutes
    in which Discord recognises it."""
    news = emulator.channel_named("news")
    clock = Clock(at(0, 9, 0))
    async with start_bot(clock) as bot:
        await set_digest(user, news)
        await add_articles(bot, emulator.guild.id, 40)
        emulator.faults.fail(status=status, method="POST", path=MESSAGES, after=True)
        poster = bot.get_cog("Digest").poster
        clock.set(at(1, 6, 1))
        assert await poster.run_due() == 1
        assert emulator.faults.fired  # the first post was stored and its answer lost
        posted = bot_posts(emulator, news)
        assert posted
        assert len({m["nonce"] for m in posted}) == len(posted)
        assert {m["nonce"] for m in posted} == {
            digest_nonce(emulator.guild.id, DAY + timedelta(days=1), part)
            for part in range(len(posted))
        }
        creates = [r for r in emulator.requests if r.route == "/channels/{cid}/messages"
                   and r.method == "POST"]  # fmt: skip
        assert len(creates) == len(posted) + 1  # one post was sent twice, stored once
        emulator.clock.advance(NONCE_WINDOW + 1)  # Discord has forgotten the nonces
        clock.set(at(1, 6, 30))
        assert await poster.run_due() == 0
        assert len(bot_posts(emulator, news)) == len(posted)


@pytest.mark.parametrize(
    "inject",
    [
        pytest.param({"status": 429, "scope": "user"}, id="429-route"),
        pytest.param({"status": 429, "scope": "global"}, id="429-global"),
        pytest.param({"status": 429, "scope": "user", "via": False}, id="429-without-via"),
        pytest.param({"status": 500}, id="500"),
        pytest.param({"status": 502}, id="502"),
        pytest.param({"status": 503}, id="503"),
    ],
)
async def test_each_digest_is_posted_once_through_message_faults(
    emulator, start_bot, user, inject
) -> None:
    news = emulator.channel_named("news")
    other = emulator.add_guild("Elsewhere", owner=emulator.users["bob"])
    elsewhere = emulator.add_channel(other, "briefing")
    bob = SandboxUser(emulator, emulator.users["bob"])
    clock = Clock(at(0, 9, 0))
    async with start_bot(clock) as bot:
        await set_digest(user, news)
        await set_digest(bob, elsewhere)
        await add_articles(bot, emulator.guild.id, 5)
        await add_articles(bot, other.id, 5)
        path = rf"^/api/v10/channels/{news.id}/messages$"
        status = inject.pop("status")
        if status == 429:
            emulator.faults.rate_limit(method="POST", path=path, retry_after=0.05, **inject)
        else:
            emulator.faults.fail(status=status, method="POST", path=path)
        poster = bot.get_cog("Digest").poster
        clock.set(at(1, 6, 1))
        await poster.run_due()
        assert emulator.faults.fired
        assert len(bot_posts(emulator, elsewhere)) >= 1  # the other server is served
        # A 429 without Via (a ban, not retried) leaves the digest failed for now; the
        # poster tries again after its retry delay, and never twice once posted.
        for minutes in (7, 14, 21):
            clock.set(at(1, 6, 1 + minutes))
            await poster.run_due()
        mine = bot_posts(emulator, news)
        assert mine and len({m["nonce"] for m in mine}) == len(mine)
        day = DAY + timedelta(days=1)
        assert {m["nonce"] for m in mine} == {
            digest_nonce(emulator.guild.id, day, part) for part in range(len(mine))
        }
        status_reply = await user.slash("digest show", in_channel=news)
        assert status_reply.ok and "Problem" not in status_reply.text()
        answered = await bob.slash("digest show", in_channel=elsewhere)
        assert answered.ok


@pytest.mark.parametrize(
    ("status", "after"),
    [(500, False), (502, False), (503, False), (502, True), (429, False)],
    ids=["500", "502", "503", "502-after-stored", "429"],
)
async def test_every_interaction_gets_an_answer_or_a_clear_error(
    emulator, start_bot, user, status, after
) -> None:
    async with start_bot(Clock(at(0, 9, 0))):
        if status == 429:
            emulator.faults.rate_limit(method="POST", path=CALLBACK, retry_after=0.05)
        else:
            emulator.faults.fail(status=status, method="POST", path=CALLBACK, after=after)
        reply = await user.slash("digest show")
        assert reply.interaction.answered, reply.text()
        assert emulator.faults.fired
        again = await user.slash("digest show")  # and the bot keeps serving
        assert again.ok, again.text()


async def _answers(user: SandboxUser) -> bool:
    return (await user.slash("digest show")).ok


@pytest.mark.parametrize("code", [1006, 4000])
async def test_a_dropped_gateway_resumes_and_replays_what_was_missed(
    emulator, start_bot, user, code
) -> None:
    gateway = emulator.gateway
    async with start_bot(Clock(at(0, 9, 0))):
        identifies, resumes, replayed = gateway.identifies, gateway.resumes, gateway.replayed
        assert await gateway.close(code) == 1
        # Sent while the bot is away: it arrives in the replay after RESUME.
        reply = await user.slash("digest show", timeout=10)
        assert reply.ok, reply.text()
        assert gateway.resumes == resumes + 1 and gateway.identifies == identifies
        assert gateway.replayed > replayed


@pytest.mark.parametrize(
    ("fault", "resumed"),
    [("close-4009", False), ("invalid-resumable", True), ("invalid-not-resumable", False)],
)
async def test_a_lost_session_starts_a_new_one_and_keeps_serving(
    emulator, start_bot, user, fault, resumed
) -> None:
    gateway = emulator.gateway
    async with start_bot(Clock(at(0, 9, 0))):
        identifies, resumes = gateway.identifies, gateway.resumes
        if fault == "close-4009":
            await gateway.close(4009)
        else:
            await gateway.invalidate_session(resumable=fault == "invalid-resumable")
        if resumed:
            await emulator.wait_for(lambda: gateway.resumes > resumes, timeout=10)
        else:
            await emulator.wait_for(lambda: gateway.identifies > identifies, timeout=10)
        assert await _answers(user)
        assert gateway.identifies == identifies + (0 if resumed else 1)


async def test_a_revoked_intent_stops_the_bot_without_a_reconnect_loop(
    emulator, start_bot, user
) -> None:
    gateway = emulator.gateway
    async with start_bot(Clock(at(0, 9, 0))):
        identifies = gateway.identifies
        emulator.granted_intents = 0
        await gateway.close(4014)
        await emulator.wait_for(lambda: emulator.bot_failure() is not None, timeout=10)
        assert isinstance(emulator.bot_failure(), discord.PrivilegedIntentsRequired)
        await asyncio.sleep(0.3)
        assert gateway.identifies == identifies  # it did not try again and again


async def test_servers_on_other_shards_are_served_while_one_shard_is_down(
    emulator, start_bot, user
) -> None:
    emulator.shards = 2  # NewsBot asks GET /gateway/bot and runs both shards
    other = emulator.add_guild("Elsewhere", owner=emulator.users["bob"])
    elsewhere = emulator.add_channel(other, "general")
    bob = SandboxUser(emulator, emulator.users["bob"])
    gateway = emulator.gateway
    down = shard_of(emulator.guild.id, 2)
    assert shard_of(other.id, 2) != down
    async with start_bot(Clock(at(0, 9, 0))):
        replayed = gateway.replayed
        gateway.hold(down)
        assert await gateway.close(1006, shard=down) == 1
        waiting = user.slash("digest show", timeout=10)  # its guild's shard is away
        served = await bob.slash("digest show", in_channel=elsewhere)
        assert served.ok, served.text()
        assert served.interaction.delivered_to == [(1 - down, 2)]
        assert not waiting.interaction.answered
        gateway.release(down)
        reply = await waiting  # replayed after RESUME, answered in time
        assert reply.ok, reply.text()
        assert reply.interaction.delivered_to == [(down, 2)]
        assert gateway.replayed > replayed


async def test_send_once_gives_up_after_its_quick_retries(emulator, start_bot, user) -> None:
    from bot.ui.nonces import send_once

    async with start_bot(Clock(at(0, 9, 0))) as bot:
        channel = bot.get_channel(emulator.channel.id)
        emulator.faults.fail(status=503, method="POST", path=MESSAGES, times=3)
        with pytest.raises(discord.DiscordServerError):
            await send_once(channel, "n-1", retries=(0.01, 0.01), content="x")
        assert len(emulator.faults.fired) == 3 and emulator.channel_messages() == []
        emulator.faults.fail(status=503, method="POST", path=MESSAGES, after=True)
        message = await send_once(channel, "n-2", retries=(0.01,), content="y")
        assert [m["id"] for m in emulator.channel_messages()] == [str(message.id)]
