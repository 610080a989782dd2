"""The fleet end to end: real processes (``newsbot fleet``: 3 gateways, 2 workers), real
PostgreSQL and RabbitMQ, the emulator with 60 servers on 6 shards, article pages and feeds
served on loopback; one worker and one gateway SIGKILLed mid-run and restarted.

The gateway is killed while the interactions it has just acknowledged ("thinking…") wait
for their jobs, /ingest and the "Ingest links" menu alike: its restarted successor must
finish every one of them (send again what may not have reached RabbitMQ, answer by editing
the original response), and no other gateway may.

The next batch of /ingest is sent while that gateway is down. On Discord an interaction
whose shard has no live connection reaches nobody: the user sees "the application did not
respond", and no process can know about it. The emulator records which open connections an
interaction was written to (``delivered_live``); the test counts only those delivered to a
live connection (asserting that the missing ones are exactly those of the dead shards, and
that they were left unanswered), and asserts each delivered one answered exactly once,
by its shard's process, and stored.

Bounded: every wait has a limit; the whole test takes a few minutes on 2 cores.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from bot.config import Settings, parse_shards
from bot.fleet.shards import ShardSet, shard_of
from bot.news.feeds.state import FeedRecord
from bot.sandbox.state import LOADING
from bot.ui.nonces import digest_nonce
from tests.fleet.pages import NewsSite
from tests.fleet.processes import Role, newsbot_env
from tests.fleet.services import fresh_database, fresh_queue

SHARD_COUNT = 6
GATEWAYS = {"gateway-0-1": (0, 1), "gateway-2-3": (2, 3), "gateway-4-5": (4, 5)}
SERVERS = 60
INGESTS = 300
BATCH = 30
FEEDS = 10
SUBSCRIPTIONS = 40
KILL_AFTER_BATCH = 3
KILLED_GATEWAY = "gateway-2-3"
MENU_ARTICLES = 5000  # the articles the "Ingest links" menus add


async def _until(predicate, timeout: float, what: str, log: Role | None = None) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            detail = f"\n{log.output()[-4000:]}" if log else ""
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}{detail}")
        await asyncio.sleep(0.2)


async def _until_async(predicate, timeout: float, what: str, log: Role | None = None) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            detail = f"\n{log.output()[-4000:]}" if log else ""
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}{detail}")
        await asyncio.sleep(0.5)


def _answer(interaction) -> dict | None:  # type: ignore[no-untyped-def]
    """The deferred interaction's answer: its original message once "thinking…" is gone."""
    original = interaction.original
    if original is None or original.get("flags", 0) & LOADING:
        return None
    return original


def _state(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


async def test_the_fleet_answers_fetches_and_posts_once_through_kills(
    tmp_path: Path, emulator
) -> None:
    from bot.news.store import open_store

    emulator.shards = SHARD_COUNT
    emulator.add_guilds(SERVERS - len(emulator.guilds))
    guilds = sorted(emulator.guilds.values(), key=lambda g: g.id)[:SERVERS]
    channels = {g.id: next(iter(g.channels.values())) for g in guilds}
    async with fresh_database() as db, fresh_queue() as rabbit, NewsSite() as site:
        # what the servers set up before: a digest a little after the fleet starts, feeds
        store = await open_store(db)
        due = (datetime.now(UTC) + timedelta(seconds=150)).replace(second=0, microsecond=0)
        day = due.date()
        try:
            for guild in guilds:
                await store.guilds.update(
                    str(guild.id),
                    channel_id=channels[guild.id].id,
                    digest_time=due.strftime("%H:%M"),
                    zone="UTC",
                    enabled=True,
                )
            for n in range(SUBSCRIPTIONS):
                guild = guilds[(n * 7) % SERVERS]
                await store.feeds.add(
                    FeedRecord(
                        str(guild.id),
                        site.feed_url(n % FEEDS),
                        f"Feed {n % FEEDS}",
                        5.0,
                        added_at=time.time(),
                    )
                )
        finally:
            await store.close()

        state = tmp_path / "fleet.json"
        logs = tmp_path / "logs"
        env = newsbot_env(
            DISCORD_TOKEN=emulator.token,
            NEWSBOT_SANDBOX_DISCORD=emulator.endpoint(),
            NEWSBOT_DATABASE_URL=db,
            NEWSBOT_BROKER_URL=rabbit.url,
            NEWSBOT_BROKER_QUEUE=rabbit.queue,
            NEWSBOT_DATA_DIR=str(tmp_path / "data"),
            NEWSBOT_ALLOW_LOOPBACK="1",
            NEWSBOT_FETCHES_PER_HOST_PER_MINUTE="100000",
            NEWSBOT_LOG_LEVEL="INFO",
        )
        args = ["fleet", "--shard-count", str(SHARD_COUNT), "--workers", "2", "--concurrency", "1"]
        for shards in GATEWAYS:
            args += ["--gateway", shards.removeprefix("gateway-")]
        fleet = Role(
            [*args, "--state", str(state), "--log-dir", str(logs)], env, tmp_path / "fleet.log"
        )
        fleet.start()
        started = time.time()
        try:

            def sessions() -> int:
                return sum(1 for s in emulator.gateway.sessions.values() if s.ws is not None)

            await _until(lambda: sessions() == SHARD_COUNT, 120, "6 shard sessions", fleet)
            await _until(lambda: emulator.syncs >= 1, 60, "the command sync", fleet)
            # the first feed cycle finished before anything is killed, so that no fetch is
            # cut short (a lease left by a killed worker is taken over, legitimately, in a
            # later cycle: a second fetch the count below would not tell from a duplicate)
            await _until_async(
                lambda: _feeds_done(db), 120, f"the {FEEDS} feeds' first fetch", fleet
            )

            user = emulator.user()
            sent = []  # (article number, guild, interaction) of each /ingest
            menus = []  # (first article number, guild, interaction) of each "Ingest links"
            for batch in range(INGESTS // BATCH):
                handles = []
                for i in range(batch * BATCH, (batch + 1) * BATCH):
                    guild = guilds[(i * 13) % SERVERS]
                    handle = user.slash(
                        "ingest", url=site.article_url(i), in_channel=channels[guild.id]
                    )
                    handles.append(handle)
                    sent.append((i, guild, handle.interaction))
                # written to the connections (or not) before anything is looked at
                await asyncio.wait_for(asyncio.gather(*(h.sent for h in handles)), 30)
                if batch == KILL_AFTER_BATCH:
                    for k in range(SHARD_COUNT):  # one menu per shard, two links each
                        guild = next(g for g in guilds if shard_of(g.id, SHARD_COUNT) == k)
                        n = MENU_ARTICLES + 2 * k
                        message = await user.say(
                            f"read {site.article_url(n)} and {site.article_url(n + 1)}",
                            in_channel=channels[guild.id],
                        )
                        handle = user.context_menu("Ingest links", message)
                        await asyncio.wait_for(handle.sent, 30)
                        menus.append((n, guild, handle.interaction))
                waiting = [x for _, _, x in sent[-BATCH:]]
                if batch == KILL_AFTER_BATCH:
                    waiting += [x for _, _, x in menus]
                elif batch == KILL_AFTER_BATCH + 1:
                    # sent while a gateway was down: only the live shards' are deferred
                    waiting = [x for x in waiting if x.delivered_live]
                await _until(
                    lambda w=waiting: all(x.callback_type == 5 for x in w),
                    60,
                    f"batch {batch} deferred",
                    fleet,
                )
                if batch == KILL_AFTER_BATCH:
                    # its jobs are in flight: kill a worker and a gateway now, and send the
                    # next batch while that gateway is down
                    pids = _state(state)
                    for name in ("worker-1", KILLED_GATEWAY):
                        os.killpg(pids[name]["pid"], signal.SIGKILL)
                    await _until(
                        lambda: sessions() == SHARD_COUNT - 2, 30, "the shards down", fleet
                    )
                elif batch == KILL_AFTER_BATCH + 1:
                    await _until(
                        lambda: all(
                            _state(state)[n]["starts"] == 2 for n in ("worker-1", KILLED_GATEWAY)
                        ),
                        60,
                        "the restarts",
                        fleet,
                    )
                    await _until(lambda: sessions() == SHARD_COUNT, 120, "the shards back", fleet)

            delivered = [(i, g, x) for i, g, x in sent if x.delivered_live]
            interactions = [x for _, _, x in delivered] + [x for _, _, x in menus]

            def answered() -> int:
                return sum(1 for x in interactions if _answer(x) is not None)

            await _until(
                lambda: answered() == len(interactions),
                300,
                f"{len(interactions)} answers",
                fleet,
            )

            def digests() -> dict[int, int]:
                """Per server, the messages that open its digest of ``day``."""
                counts = {}
                for guild in guilds:
                    first = digest_nonce(guild.id, day, 0)
                    counts[guild.id] = sum(
                        1
                        for m in emulator.channel_messages(channels[guild.id])
                        if m.get("nonce") == first
                    )
                return counts

            await _until(lambda: all(digests().values()), 300, "a digest in every server", fleet)
            await asyncio.sleep(35)  # one more digest check of every gateway: nothing new
        finally:
            fleet.stop(timeout=60)

        # only the batch sent while the gateway was down, to its shards, reached nobody:
        # unanswered, as Discord leaves it; everything else reached its shard's connection
        killed = ShardSet(GATEWAYS[KILLED_GATEWAY], SHARD_COUNT)
        lost = [(i, g) for i, g, x in sent if not x.delivered_live]
        down_batch = range((KILL_AFTER_BATCH + 1) * BATCH, (KILL_AFTER_BATCH + 2) * BATCH)
        assert lost and all(i in down_batch and killed.owns(g.id) for i, g in lost), lost
        assert all(x.callback_type is None for _, _, x in sent if not x.delivered_live)
        assert len(delivered) >= INGESTS - BATCH
        wrong = [
            (g.id, x.delivered_live)
            for _, g, x in [*delivered, *menus]
            if [tuple(d) for d in x.delivered_live] != [(shard_of(g.id, SHARD_COUNT), SHARD_COUNT)]
        ]
        assert not wrong, wrong[:5]
        # every delivered interaction answered exactly once: the answer replaces
        # "thinking…"; a second one would be a follow-up
        assert all(_answer(x) is not None and not x.followups for x in interactions)
        answers = [json.dumps((_answer(x) or {}).get("embeds")) for x in interactions]
        assert all("river" in a for a in answers), answers[:3]
        for n, _, x in menus:
            text = json.dumps((_answer(x) or {}).get("embeds"))
            assert f"Talks on river {n}" in text and f"Talks on river {n + 1}" in text, text
        # ... by the process owning the server's shard, as that process recorded it; the
        # killed gateway's successor answered some for it
        rows = await _reply_rows(db)
        by_token: dict[str, list] = {}
        for row in rows:
            by_token.setdefault(row["token"], []).append(row)
        assert set(by_token) == {x.token for x in interactions}
        foreign = [
            (r["guild_id"], r["answered_shards"], r["answer"])
            for r in rows
            if r["answer"] != "answered"
            or r["answered_shards"] in (None, "all")
            or shard_of(r["guild_id"], SHARD_COUNT) not in parse_shards(r["answered_shards"])
        ]
        assert not foreign, foreign[:5]
        recovered = [r for r in rows if r["answered_by"] != r["gateway"]]
        assert recovered and all(killed.owns(r["guild_id"]) for r in recovered)
        assert any(r["kind"] == "links" for r in recovered), "no menu was finished for it"
        # every feed URL fetched once per cycle, whatever the number of servers: each
        # request the site saw is one finished, leased fetch (a run slow enough to reach
        # a feed's next poll fetches it again, in a new cycle)
        fetches = await _feed_fetches(db)
        assert {url: site.hits[urlsplit(url).path] for url in fetches} == fetches
        assert len(fetches) == FEEDS and all(n >= 1 for n in fetches.values()), fetches
        cycle = Settings().feed_interval_minutes * 60
        cycles = int(time.time() // cycle) - int(started // cycle) + 1
        assert all(n <= cycles for n in fetches.values()), (fetches, cycles)
        store = await open_store(db)
        try:
            titles: dict[int, set[str]] = {}
            for guild in guilds:
                stored = await store.articles.recent(str(guild.id), limit=500)
                titles[guild.id] = {a.title for a in stored}
            for i, guild, _ in delivered:
                assert f"Talks on river {i}" in titles[guild.id], i
            for i, guild in lost:
                assert f"Talks on river {i}" not in titles[guild.id], i
            for n, guild, _ in menus:
                assert {f"Talks on river {n}", f"Talks on river {n + 1}"} <= titles[guild.id]
            for n in range(SUBSCRIPTIONS):
                guild = guilds[(n * 7) % SERVERS]
                for item in range(3):
                    number = 10_000 + (n % FEEDS) * 100 + item
                    assert f"Talks on river {number}" in titles[guild.id], (n, item)
        finally:
            await store.close()
        # one digest per server for the day, whatever the kills
        assert set(digests().values()) == {1}


async def _feed_fetches(db: str) -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(db, timeout=10)
    try:
        rows = await conn.fetch("SELECT feed_url, fetches FROM fleet_feed_leases")
    finally:
        await conn.close()
    return {r["feed_url"]: r["fetches"] for r in rows}


async def _feeds_done(db: str) -> bool:
    fetches = await _feed_fetches(db)
    return len(fetches) == FEEDS and all(n >= 1 for n in fetches.values())


async def _reply_rows(db: str) -> list:
    import asyncpg

    conn = await asyncpg.connect(db, timeout=10)
    try:
        return list(await conn.fetch("SELECT * FROM fleet_replies"))
    finally:
        await conn.close()
