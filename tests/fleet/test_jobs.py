"""Ingestion through RabbitMQ to a real worker process, outcomes back through PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.config import Settings
from tests.fleet.pages import NewsSite
from tests.fleet.processes import Role, newsbot_env
from tests.fleet.services import fresh_database, fresh_queue


async def _count_outcomes(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT count(*) FROM fleet_jobs")
    finally:
        await conn.close()


async def _wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def test_every_job_is_answered_once_when_its_worker_is_killed(tmp_path: Path) -> None:
    from bot.news.jobs.broker import open_broker_jobs

    jobs_count = 30
    async with fresh_database() as db, fresh_queue() as rabbit, NewsSite(delay=0.3) as site:
        env = newsbot_env(
            NEWSBOT_DATABASE_URL=db,
            NEWSBOT_BROKER_URL=rabbit.url,
            NEWSBOT_BROKER_QUEUE=rabbit.queue,
            NEWSBOT_DATA_DIR=str(tmp_path / "worker"),
            NEWSBOT_ALLOW_LOOPBACK="1",
            NEWSBOT_LOG_LEVEL="INFO",
        )
        worker = Role(["worker", "--concurrency", "1"], env, tmp_path / "worker.log")
        settings = Settings(
            data_dir=tmp_path / "gateway",
            database_url=db,
            broker_url=rabbit.url,
            broker_queue=rabbit.queue,
            job_answer_seconds=240.0,
        )
        jobs = await open_broker_jobs(settings)
        try:
            worker.start()
            guilds = [str(1000 + i % 3) for i in range(jobs_count)]
            pending = [
                asyncio.create_task(jobs.ingest(site.article_url(n), guilds[n]))
                for n in range(jobs_count)
            ]
            # kill the worker once it has finished a few jobs and holds others unacknowledged
            await _wait_for(lambda: _count_done(db, 3), 120, f"3 jobs done\n{worker.output()}")
            worker.kill()
            killed_after = await _count_outcomes(db)
            assert killed_after < jobs_count, "the worker finished everything before the kill"
            worker.start()
            results = await asyncio.wait_for(asyncio.gather(*pending), 200)
        finally:
            await jobs.close()
            worker.stop()
        titles = sorted(r.article.title for r in results)
        assert titles == sorted(f"Talks on river {n}" for n in range(jobs_count))
        # one article per job; a job whose article was committed just before the kill comes
        # back as "already known" rather than stored twice
        assert len({r.article.id for r in results}) == jobs_count
        assert await _count_outcomes(db) == jobs_count
        assert jobs.waiting == 0
        # jobs held by the killed worker were fetched again by the new one
        assert worker.starts == 2


async def _count_done(db: str, at_least: int) -> bool:
    return await _count_outcomes(db) >= at_least


async def test_an_interaction_whose_gateway_died_before_sending_is_finished_by_the_owner(
    tmp_path: Path,
) -> None:
    """The gateway records the jobs, acknowledges the interaction and dies before RabbitMQ
    has them: the shard's next owner sends them, waits and answers, once; a gateway that
    does not own the server's shard leaves it alone."""
    from bot.fleet.shards import ShardSet
    from bot.news.jobs import ReplyTo
    from bot.news.jobs.broker import open_broker_jobs
    from bot.news.jobs.interface import Orphan

    async with fresh_database() as db, fresh_queue() as rabbit, NewsSite() as site:
        env = newsbot_env(
            NEWSBOT_DATABASE_URL=db,
            NEWSBOT_BROKER_URL=rabbit.url,
            NEWSBOT_BROKER_QUEUE=rabbit.queue,
            NEWSBOT_DATA_DIR=str(tmp_path / "worker"),
            NEWSBOT_ALLOW_LOOPBACK="1",
        )
        settings = Settings(
            data_dir=tmp_path / "gateway",
            database_url=db,
            broker_url=rabbit.url,
            broker_queue=rabbit.queue,
        )
        guild = str(5 << 22)  # shard 1 of 2
        first = await open_broker_jobs(settings, shards=ShardSet((1,), 2))
        await first.reserve(ReplyTo("900", "token-7"), guild, [site.article_url(7)])
        await first.reserve(
            ReplyTo("900", "token-8"),
            guild,
            [site.article_url(8), site.article_url(9)],
            kind="links",
        )
        await first.close()  # gone before sending anything

        answered: list[tuple[str, Orphan]] = []
        gateways = []
        for name, shard in (("owner", 1), ("other", 0)):
            jobs = await open_broker_jobs(settings, shards=ShardSet((shard,), 2))

            async def record(orphan: Orphan, name: str = name) -> None:
                answered.append((name, orphan))

            jobs.on_orphan = record
            gateways.append(jobs)
        worker = Role(["worker", "--concurrency", "1"], env, tmp_path / "worker.log").start()
        try:
            await _wait_for(
                lambda: _true(len(answered) >= 2), 120, f"two answers\n{worker.output()}"
            )
            await asyncio.sleep(3 * 2.0)  # more sweeps: nobody answers them again
        finally:
            for jobs in gateways:
                await jobs.close()
            worker.stop()
        assert sorted((name, o.reply.token, o.kind) for name, o in answered) == [
            ("owner", "token-7", "ingest"),
            ("owner", "token-8", "links"),
        ]
        titles = {
            o.reply.token: [outcome.result(src).article.title for src, outcome in o.jobs]
            for _, o in answered
        }
        assert titles == {
            "token-7": ["Talks on river 7"],
            "token-8": ["Talks on river 8", "Talks on river 9"],
        }
        rows = await _reply_rows(db)
        assert {(r["answer"], r["answered_shards"]) for r in rows} == {("answered", "1")}
        assert all(r["sent_at"] is not None for r in rows)


async def _reply_rows(db: str) -> list:
    import asyncpg

    conn = await asyncpg.connect(db)
    try:
        return await conn.fetch("SELECT * FROM fleet_replies")
    finally:
        await conn.close()


async def _true(value: bool) -> bool:
    return value
