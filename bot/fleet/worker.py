"""``newsbot worker``: take ingestion jobs from RabbitMQ, do them, commit to PostgreSQL.

The CPU step (extraction, spaCy) runs in the pipeline's process pool, ``concurrency``
processes; fetching and storing overlap it on this process's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from bot.config import Settings
from bot.fleet import heartbeat

log = logging.getLogger(__name__)


class WorkerSetupError(Exception):
    """The worker cannot start with these settings; ``message`` says why in one sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_worker_settings(settings: Settings) -> None:
    if not settings.broker_url:
        raise WorkerSetupError(
            "The worker takes its jobs from RabbitMQ: set NEWSBOT_BROKER_URL "
            "(for example amqp://guest:guest@127.0.0.1:5672/)."
        )
    if not (settings.database_url or "").startswith(("postgresql://", "postgres://")):
        raise WorkerSetupError(
            "The worker writes to PostgreSQL, shared by the whole fleet: set "
            "NEWSBOT_DATABASE_URL to a postgresql:// address."
        )


async def serve(settings: Settings, concurrency: int, stop: asyncio.Event) -> None:
    """Consume jobs and poll feeds until ``stop`` is set."""
    from taskiq.acks import AcknowledgeType
    from taskiq.api.receiver import run_receiver_task

    from bot.fleet.pools import WORKER_LEDGER_POOL, store_pool_size, worker_store_pool
    from bot.news.feeds.poller import FeedPoller, PollLimits
    from bot.news.jobs.feed_cycle import FeedCycle
    from bot.news.jobs.handler import IngestJobHandler, worker_name
    from bot.news.jobs.polite import PoliteFetcher
    from bot.news.jobs.taskiq_app import INGEST_TASK, make_broker
    from bot.news.store import open_store
    from bot.news.store.postgres.fleet import FeedLeases, HostBudget, JobLedger, connect_pool
    from bot.news.understanding.fetch import SafeFetcher
    from bot.news.understanding.pipeline import Pipeline

    assert settings.database_url
    name = worker_name()
    store = await open_store(settings, max_size=store_pool_size(worker_store_pool(concurrency)))
    pool = await connect_pool(settings.database_url, max_size=WORKER_LEDGER_POOL)
    ledger = JobLedger(pool, settings.database_url)
    fetcher = PoliteFetcher(
        SafeFetcher(settings), HostBudget(pool, settings.fetches_per_host_per_minute)
    )
    pipeline = Pipeline(settings, store=store.articles, fetcher=fetcher, workers=concurrency)
    # more jobs in hand than CPU processes, so fetching the next overlaps the CPU step
    in_hand = concurrency * 2
    broker = make_broker(settings, prefetch=in_hand)
    handler = IngestJobHandler(pipeline, ledger, name)

    async def ingest(job_id: str, source: str, guild_id: str) -> None:
        await handler(job_id, source, guild_id)

    broker.register_task(ingest, task_name=INGEST_TASK)
    fetch_slots = asyncio.Semaphore(4)
    feeds = FeedCycle(
        records=store.feeds.all,
        poller_for=lambda fetch: FeedPoller(
            store.feeds,
            fetch=fetch,
            ingest=pipeline.ingest,
            semaphore=fetch_slots,
            limits=PollLimits(),
        ),
        fetch=fetcher.fetch,
        leases=FeedLeases(pool),
        holder=name,
        cycle_seconds=settings.feed_interval_minutes * 60.0,
    )
    tasks: list[asyncio.Task[Any]] = []
    try:
        await pipeline.start()
        broker.is_worker_process = True
        await broker.startup()
        receiver = asyncio.create_task(
            run_receiver_task(
                broker,
                max_async_tasks=in_hand,
                ack_time=AcknowledgeType.WHEN_SAVED,
                propagate_exceptions=False,
            ),
            name="job-receiver",
        )
        tasks = [receiver, asyncio.create_task(feeds.run_forever(stop), name="feed-cycle")]
        log.info(
            "worker %s ready: %d CPU processes, queue %s", name, concurrency, settings.broker_queue
        )
        beating = heartbeat.start(settings.heartbeat_file, lambda: not receiver.done())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({*tasks, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        await heartbeat.stop(beating)
        for task in tasks:
            if task.done():
                task.result()
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        # jobs still unacknowledged here go back to the queue for another worker
        with contextlib.suppress(Exception):
            await broker.shutdown()
        await pipeline.close()
        await fetcher.close()
        await ledger.close()
        await store.close()
        log.info("worker %s stopped after %d jobs", name, handler.handled)


def run_worker(settings: Settings, concurrency: int) -> int:
    """The ``newsbot worker`` process; returns its exit status."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, concurrency, stop)

    asyncio.run(main())
    return 0
