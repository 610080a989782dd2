"""Feed URLs fetched once per cycle across workers (PostgreSQL leases), items fanned out
to every subscribed server; the fleet-wide per-host budget."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.news.clock import Clock
from bot.news.feeds.poller import FeedPoller, PollLimits
from bot.news.feeds.state import FeedRecord
from bot.news.jobs.feed_cycle import FeedCycle
from bot.news.jobs.polite import PoliteFetcher
from bot.news.understanding.fetch import SafeFetcher
from tests.fleet.pages import NewsSite
from tests.fleet.services import fresh_database

FEEDS = 10
GUILDS_PER_FEED = 4
T0 = 1_800_000_000.0


async def test_each_feed_url_is_fetched_once_per_cycle_and_fans_out(tmp_path: Path) -> None:
    from bot.news.store.postgres.fleet import FeedLeases, connect_pool

    clock = Clock(datetime.fromtimestamp(T0, UTC))
    ingested: list[tuple[str, str]] = []

    async def ingest(link: str, guild_id: str) -> None:
        await asyncio.sleep(0.01)
        ingested.append((link, guild_id))

    async with fresh_database() as db, NewsSite(items_per_feed=3) as site:
        from bot.news.store import open_store

        facade = await open_store(db)
        store = facade.feeds
        for k in range(FEEDS):
            for g in range(GUILDS_PER_FEED):
                guild = str(100 + (k * GUILDS_PER_FEED + g) % 60)
                await store.add(FeedRecord(guild, site.feed_url(k), f"Feed {k}", 5.0, added_at=T0))
        fetcher = SafeFetcher(Settings(data_dir=tmp_path, allow_loopback=True))
        records = store.all

        def worker(name: str, pool: object) -> FeedCycle:
            def poller_for(fetch: object) -> FeedPoller:
                return FeedPoller(
                    store,
                    fetch=fetch,  # type: ignore[arg-type]
                    ingest=ingest,
                    semaphore=asyncio.Semaphore(4),
                    limits=PollLimits(first_poll_items=5),
                    clock=clock,
                )

            return FeedCycle(
                records=records,
                poller_for=poller_for,
                fetch=fetcher.fetch,
                leases=FeedLeases(pool),
                holder=name,
                cycle_seconds=600.0,
                clock=clock,
            )

        pools = [await connect_pool(db), await connect_pool(db)]
        try:
            workers = [worker("w1", pools[0]), worker("w2", pools[1])]
            for _ in range(2):  # two cycles, both workers racing in each
                fetched = await asyncio.gather(*(w.run_once() for w in workers))
                assert sum(fetched) == FEEDS
                clock.advance(hours=1)
            leases = await FeedLeases(pools[0]).fetches()
        finally:
            for pool in pools:
                await pool.close()
            await fetcher.close()
            await facade.close()
        for k in range(FEEDS):
            assert site.hits[f"/feed/{k}.xml"] == 2  # once per cycle, not once per server
            assert leases[site.feed_url(k)] == 2
        # every item of every feed reached each of its servers, exactly once
        expected = sorted(
            (site.article_url(10_000 + k * 100 + i), str(100 + (k * GUILDS_PER_FEED + g) % 60))
            for k in range(FEEDS)
            for g in range(GUILDS_PER_FEED)
            for i in range(3)
        )
        assert sorted(ingested) == expected


async def test_a_lease_expired_unfinished_is_taken_over_within_the_cycle() -> None:
    from bot.news.store.postgres.fleet import FeedLeases, connect_pool

    async with fresh_database() as db:
        pool = await connect_pool(db)
        try:
            leases = FeedLeases(pool)
            assert await leases.take("http://127.0.0.1:1/f.xml", 7, "dead", lease_seconds=60)
            assert not await leases.take("http://127.0.0.1:1/f.xml", 7, "w2", lease_seconds=60)
            # the holder died: its lease runs out unfinished (aged in the database rather
            # than waited for, so that a slow machine cannot let it run out too early)
            async with pool.acquire() as conn:
                await conn.execute(
                    "UPDATE fleet_feed_leases SET leased_until = now() - interval '1 second'"
                )
            assert await leases.take("http://127.0.0.1:1/f.xml", 7, "w2", lease_seconds=60)
            assert not await leases.finish("http://127.0.0.1:1/f.xml", 7, "dead")
            assert await leases.finish("http://127.0.0.1:1/f.xml", 7, "w2")
            assert not await leases.take("http://127.0.0.1:1/f.xml", 7, "w3", lease_seconds=0)
            assert await leases.take("http://127.0.0.1:1/f.xml", 8, "w3", lease_seconds=60)
        finally:
            await pool.close()


async def test_the_host_budget_is_shared_by_every_worker(tmp_path: Path) -> None:
    from bot.news.store.postgres.fleet import HostBudget, connect_pool

    clock = Clock(datetime.fromtimestamp(T0, UTC))
    async with fresh_database() as db, NewsSite() as site:
        pools = [await connect_pool(db) for _ in range(3)]
        try:
            budgets = [HostBudget(pool, per_minute=5, clock=clock) for pool in pools]
            host = f"127.0.0.1:{site.port}"
            granted = await asyncio.gather(*(b.try_take(host) for b in budgets for _ in range(4)))
            assert sum(granted) == 5  # 12 asked from 3 workers, 5 allowed this minute
            assert await budgets[0].try_take("127.0.0.2:80")  # another host has its own
            clock.advance(minutes=1)
            assert await budgets[1].try_take(host)  # a new minute, a new budget

            fetcher = SafeFetcher(Settings(data_dir=tmp_path, allow_loopback=True))
            polite = PoliteFetcher(fetcher, budgets[2])
            try:
                for n in range(4):
                    await polite.fetch(site.article_url(n))
                assert await budgets[2].try_take(host) is False  # 1 + 4 fetches spent it
            finally:
                await polite.close()
        finally:
            for pool in pools:
                await pool.close()
