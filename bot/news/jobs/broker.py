"""Jobs for the fleet: this process (a gateway) sends each ingestion to a worker through
RabbitMQ and waits for its outcome, which the worker commits to PostgreSQL.

The outcome comes back by PostgreSQL ``LISTEN/NOTIFY`` on the row the worker writes in the
same transaction as it finishes (not by a taskiq result backend): the database is already
the truth every process shares, the notification is sent only if that commit happens, and a
missed notification (a reconnect) is recovered by reading the row, which stays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from taskiq.kicker import AsyncKicker

from bot.config import Settings
from bot.news.jobs.interface import JobOutcome, StillWorking
from bot.news.jobs.taskiq_app import INGEST_TASK, make_broker
from bot.news.understanding.pipeline import IngestError, IngestResult

log = logging.getLogger(__name__)

SWEEP_SECONDS = 2.0  # how often waiting jobs are looked up, in case a NOTIFY was missed


class BrokerUnavailable(IngestError):
    """RabbitMQ did not take the job."""

    def __init__(self, source: str = "") -> None:
        super().__init__(
            "busy", "The bot cannot reach its workers right now; try again in a minute.", source
        )


class BrokerJobs:
    """``IngestJobs`` through taskiq: send, then wait for the recorded outcome."""

    def __init__(self, settings: Settings, broker: Any, ledger: Any) -> None:
        self.settings = settings
        self.broker = broker
        self.ledger = ledger
        self._waiting: dict[str, asyncio.Future[JobOutcome]] = {}
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.broker.startup()
        await self.ledger.listen(self._notified)
        self._sweeper = asyncio.create_task(self._sweep(), name="job-sweeper")

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await self.ledger.close()
        await self.broker.shutdown()

    async def ingest(self, source: str, guild_id: str) -> IngestResult:
        job_id = uuid.uuid4().hex
        waiter: asyncio.Future[JobOutcome] = asyncio.get_running_loop().create_future()
        self._waiting[job_id] = waiter
        try:
            try:
                await (
                    AsyncKicker(INGEST_TASK, self.broker, {})
                    .with_task_id(job_id)
                    .kiq(job_id=job_id, source=source, guild_id=str(guild_id))
                )
            except Exception as exc:
                log.error("job %s: RabbitMQ did not take it: %r", job_id, exc)
                raise BrokerUnavailable(source) from exc
            log.debug("job %s: sent %s for guild %s", job_id, source, guild_id)
            try:
                outcome = await asyncio.wait_for(
                    asyncio.shield(waiter), self.settings.job_answer_seconds
                )
            except TimeoutError:
                log.warning("job %s: no outcome within the answer time (%s)", job_id, source)
                raise StillWorking(source) from None
        finally:
            self._waiting.pop(job_id, None)
        return outcome.result(source)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def _notified(self, job_id: str) -> None:
        if job_id in self._waiting:
            task = asyncio.get_running_loop().create_task(self._fetch({job_id}))
            task.add_done_callback(_log_failure)

    async def _fetch(self, job_ids: set[str]) -> None:
        found = await self.ledger.outcomes([j for j in job_ids if j in self._waiting])
        for job_id, data in found.items():
            waiter = self._waiting.get(job_id)
            if waiter is not None and not waiter.done():
                waiter.set_result(JobOutcome.from_dict(job_id, data))

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            if not self._waiting:
                continue
            try:
                await self._fetch(set(self._waiting))
            except Exception:
                log.exception("job sweep failed; trying again")


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("reading a job outcome failed", exc_info=task.exception())


async def open_broker_jobs(settings: Settings) -> BrokerJobs:
    """``BrokerJobs`` for a gateway: RabbitMQ at ``broker_url``, outcomes in PostgreSQL."""
    from bot.news.store.postgres.fleet import JobLedger, connect_pool

    if not settings.database_url:
        raise ValueError("the broker needs PostgreSQL (NEWSBOT_DATABASE_URL)")
    pool = await connect_pool(settings.database_url, max_size=2)
    ledger = JobLedger(pool, settings.database_url)
    jobs = BrokerJobs(settings, make_broker(settings), ledger)
    try:
        await jobs.start()
    except BaseException:
        await ledger.close()
        raise
    return jobs
