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


async def test_a_job_whose_gateway_died_is_answered_once_by_the_owner(tmp_path: Path) -> None:
    from bot.news.jobs import JobOutcome, ReplyTo
    from bot.news.jobs.broker import open_broker_jobs

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
        # the first gateway sends the job and dies before any worker runs
        first = await open_broker_jobs(settings)
        asking = asyncio.create_task(
            first.ingest(site.article_url(7), "42", reply=ReplyTo("900", "token-7"))
        )
        await _wait_for(lambda: _has_reply_row(db), 30, "the reply row")
        asking.cancel()
        await first.close()

        answered: list[tuple[str, ReplyTo, JobOutcome]] = []
        gateways = []
        for name, owned in (("owner", "42"), ("other", "43")):
            jobs = await open_broker_jobs(settings, owns=lambda g, owned=owned: g == owned)

            async def record(reply: ReplyTo, outcome: JobOutcome, name: str = name) -> None:
                answered.append((name, reply, outcome))

            jobs.on_orphan = record
            gateways.append(jobs)
        worker = Role(["worker", "--concurrency", "1"], env, tmp_path / "worker.log").start()
        try:
            await _wait_for(lambda: _true(bool(answered)), 120, f"an answer\n{worker.output()}")
            await asyncio.sleep(3 * 2.0)  # more sweeps: nobody answers it again
        finally:
            for jobs in gateways:
                await jobs.close()
            worker.stop()
        assert len(answered) == 1
        name, reply, outcome = answered[0]
        assert (name, reply.token) == ("owner", "token-7")
        assert outcome.result("").article.title == "Talks on river 7"


async def _has_reply_row(db: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(db)
    try:
        return bool(await conn.fetchval("SELECT count(*) FROM fleet_replies"))
    finally:
        await conn.close()


async def _true(value: bool) -> bool:
    return value
