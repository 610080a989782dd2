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
    """Consume jobs until ``stop`` is set."""
    from taskiq.acks import AcknowledgeType
    from taskiq.api.receiver import run_receiver_task

    from bot.news.jobs.handler import IngestJobHandler
    from bot.news.jobs.taskiq_app import INGEST_TASK, make_broker
    from bot.news.store.postgres.fleet import JobLedger, connect_pool
    from bot.news.understanding.pipeline import Pipeline

    assert settings.database_url
    store = await open_article_store(settings)
    pipeline = Pipeline(settings, store=store, workers=concurrency)
    pool = await connect_pool(settings.database_url)
    ledger = JobLedger(pool, settings.database_url)
    # more jobs in hand than CPU processes, so fetching the next overlaps the CPU step
    in_hand = concurrency * 2
    broker = make_broker(settings, prefetch=in_hand)
    handler = IngestJobHandler(pipeline, ledger)

    async def ingest(job_id: str, source: str, guild_id: str) -> None:
        await handler(job_id, source, guild_id)

    broker.register_task(ingest, task_name=INGEST_TASK)
    receiver: asyncio.Task[Any] | None = None
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
        log.info(
            "worker %s ready: %d CPU processes, queue %s",
            handler.name,
            concurrency,
            settings.broker_queue,
        )
        beating = heartbeat.start(settings.heartbeat_file, lambda: not receiver.done())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({receiver, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        await heartbeat.stop(beating)
        if receiver.done():
            receiver.result()
    finally:
        if receiver is not None:
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await receiver
        # jobs still unacknowledged here go back to the queue for another worker
        with contextlib.suppress(Exception):
            await broker.shutdown()
        await pipeline.close()
        await ledger.close()
        await store.close()
        log.info("worker %s stopped after %d jobs", handler.name, handler.handled)


async def open_article_store(settings: Settings) -> Any:
    from bot.news.store import ArticleStore

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return await ArticleStore.open(settings.articles_dir)


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
