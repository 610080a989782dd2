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
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from taskiq.kicker import AsyncKicker

from bot.config import Settings
from bot.news.jobs.interface import JobOutcome, ReplyTo, StillWorking
from bot.news.jobs.taskiq_app import INGEST_TASK, make_broker
from bot.news.understanding.pipeline import IngestError, IngestResult

log = logging.getLogger(__name__)

SWEEP_SECONDS = 2.0  # how often waiting jobs are looked up, in case a NOTIFY was missed
REPLY_WINDOW_SECONDS = 14 * 60.0  # an interaction's follow-ups expire after 15 minutes


class BrokerUnavailable(IngestError):
    """RabbitMQ did not take the job."""

    def __init__(self, source: str = "") -> None:
        super().__init__(
            "busy", "The bot cannot reach its workers right now; try again in a minute.", source
        )


OrphanHandler = Callable[[ReplyTo, JobOutcome], Awaitable[None]]


class BrokerJobs:
    """``IngestJobs`` through taskiq: send, then wait for the recorded outcome.

    Jobs sent with a ``reply`` are also answered after a crash: the gateway that owns the
    server next (the restarted process) finds their outcomes unanswered and hands each to
    ``on_orphan`` once (a claim row decides who answers)."""

    def __init__(
        self,
        settings: Settings,
        broker: Any,
        ledger: Any,
        *,
        gateway_id: str | None = None,
        owns: Callable[[str], bool] = lambda _guild_id: True,
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.ledger = ledger
        # unique per process start: a restarted gateway is another answerer than its past
        self.gateway_id = (
            gateway_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        )
        self.owns = owns
        self.on_orphan: OrphanHandler | None = None
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

    async def ingest(
        self, source: str, guild_id: str, *, reply: ReplyTo | None = None
    ) -> IngestResult:
        job_id = uuid.uuid4().hex
        waiter: asyncio.Future[JobOutcome] = asyncio.get_running_loop().create_future()
        self._waiting[job_id] = waiter
        try:
            try:
                if reply is not None:
                    await self.ledger.expect_reply(
                        job_id,
                        guild_id=str(guild_id),
                        gateway=self.gateway_id,
                        application_id=reply.application_id,
                        token=reply.token,
                    )
                await (
                    AsyncKicker(INGEST_TASK, self.broker, {})
                    .with_task_id(job_id)
                    .kiq(job_id=job_id, source=source, guild_id=str(guild_id))
                )
            except Exception as exc:
                log.error("job %s: RabbitMQ did not take it: %r", job_id, exc)
                raise BrokerUnavailable(source) from exc
            log.info("job %s: sent %s for guild %s", job_id, source, guild_id)
            try:
                outcome = await asyncio.wait_for(
                    asyncio.shield(waiter), self.settings.job_answer_seconds
                )
            except TimeoutError:
                log.warning("job %s: no outcome within the answer time (%s)", job_id, source)
                await self._claim(job_id, reply)
                raise StillWorking(source) from None
            await self._claim(job_id, reply)
        finally:
            self._waiting.pop(job_id, None)
        return outcome.result(source)

    async def _claim(self, job_id: str, reply: ReplyTo | None) -> None:
        """Mark our own job answered (by the caller, right after this), so that no later
        gateway answers it again."""
        if reply is None:
            return
        try:
            await self.ledger.claim_reply(job_id, self.gateway_id)
        except Exception:
            # the job is still answered now; only a crash recovery could repeat it
            log.exception("job %s: could not mark it answered", job_id)

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
            try:
                if self._waiting:
                    await self._fetch(set(self._waiting))
                if self.on_orphan is not None:
                    await self.answer_orphans()
            except Exception:
                log.exception("job sweep failed; trying again")
            await asyncio.sleep(SWEEP_SECONDS)

    async def answer_orphans(self) -> int:
        """Answer finished jobs of our servers sent by a gateway that is gone."""
        assert self.on_orphan is not None
        answered = 0
        for row in await self.ledger.orphans(self.gateway_id, REPLY_WINDOW_SECONDS):
            if not self.owns(row["guild_id"]):
                continue
            if not await self.ledger.claim_reply(row["job_id"], self.gateway_id):
                continue
            outcome = JobOutcome.from_dict(row["job_id"], row["outcome"])
            try:
                await self.on_orphan(ReplyTo(row["application_id"], row["token"]), outcome)
                answered += 1
                log.info(
                    "job %s: answered for guild %s for a gateway that is gone",
                    row["job_id"],
                    row["guild_id"],
                )
            except Exception:
                log.exception("job %s: could not answer it for a gone gateway", row["job_id"])
        return answered


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("reading a job outcome failed", exc_info=task.exception())


async def open_broker_jobs(
    settings: Settings, *, owns: Callable[[str], bool] = lambda _guild_id: True
) -> BrokerJobs:
    """``BrokerJobs`` for a gateway: RabbitMQ at ``broker_url``, outcomes in PostgreSQL."""
    from bot.news.store.postgres.fleet import JobLedger, connect_pool

    if not settings.database_url:
        raise ValueError("the broker needs PostgreSQL (NEWSBOT_DATABASE_URL)")
    pool = await connect_pool(settings.database_url, max_size=2)
    ledger = JobLedger(pool, settings.database_url)
    jobs = BrokerJobs(settings, make_broker(settings), ledger, owns=owns)
    try:
        await jobs.start()
    except BaseException:
        await ledger.close()
        raise
    return jobs
