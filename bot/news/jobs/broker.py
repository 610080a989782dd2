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
from bot.fleet.shards import ShardSet, format_shards
from bot.news.jobs.interface import JobOutcome, Orphan, ReplyGone, ReplyTo, StillWorking
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


OrphanHandler = Callable[[Orphan], Awaitable[None]]


class BrokerJobs:
    """``IngestJobs`` through taskiq: send, then wait for the recorded outcome.

    An interaction's jobs are recorded (``reserve``) before it is acknowledged, so nothing a
    user submitted is lost when this process dies: the gateway that owns the server next
    (the restarted process) sends again any job that may not have reached RabbitMQ, waits
    for the outcomes and hands each finished interaction to ``on_orphan``, which edits the
    original response (an edit, so answering twice shows one answer)."""

    def __init__(
        self,
        settings: Settings,
        broker: Any,
        ledger: Any,
        *,
        gateway_id: str | None = None,
        shards: ShardSet | None = None,
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.ledger = ledger
        # unique per process start: a restarted gateway is another answerer than its past
        self.gateway_id = (
            gateway_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        )
        self.shards = shards or ShardSet()
        self.on_orphan: OrphanHandler | None = None
        self._waiting: dict[str, asyncio.Future[JobOutcome]] = {}
        self._sweeper: asyncio.Task[None] | None = None

    def owns(self, guild_id: str) -> bool:
        return self.shards.owns(guild_id)

    @property
    def shards_text(self) -> str:
        ids = self.shards.ids
        return "all" if ids is None else format_shards(ids)

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

    async def reserve(
        self, reply: ReplyTo, guild_id: str, sources: list[str], *, kind: str = "ingest"
    ) -> list[str]:
        """Record the interaction's jobs durably (call before acknowledging it); their ids,
        for ``ingest``. ``BrokerUnavailable`` when PostgreSQL does not take them."""
        job_ids = [uuid.uuid4().hex for _ in sources]
        try:
            await self.ledger.expect_reply(
                list(zip(job_ids, sources, strict=True)),
                guild_id=str(guild_id),
                gateway=self.gateway_id,
                application_id=reply.application_id,
                token=reply.token,
                kind=kind,
            )
        except Exception as exc:
            log.error("interaction for guild %s: cannot record its jobs: %r", guild_id, exc)
            raise BrokerUnavailable(sources[0] if sources else "") from exc
        return job_ids

    async def answered(self, reply: ReplyTo) -> None:
        """This process answered the interaction: no successor answers it again."""
        try:
            await self.ledger.mark_answered(reply.token, self.gateway_id, self.shards_text)
        except Exception:
            # the user has the answer; a successor could only edit it again to the same
            log.exception("could not record an interaction as answered")

    async def _send(self, job_id: str, source: str, guild_id: str) -> None:
        await (
            AsyncKicker(INGEST_TASK, self.broker, {})
            .with_task_id(job_id)
            .kiq(job_id=job_id, source=source, guild_id=str(guild_id))
        )

    async def ingest(
        self, source: str, guild_id: str, *, job_id: str | None = None
    ) -> IngestResult:
        reserved = job_id is not None
        job_id = job_id or uuid.uuid4().hex
        waiter: asyncio.Future[JobOutcome] = asyncio.get_running_loop().create_future()
        self._waiting[job_id] = waiter
        try:
            try:
                await self._send(job_id, source, guild_id)
            except Exception as exc:
                log.error("job %s: RabbitMQ did not take it: %r", job_id, exc)
                raise BrokerUnavailable(source) from exc
            log.info("job %s: sent %s for guild %s", job_id, source, guild_id)
            if reserved:
                try:
                    await self.ledger.mark_sent(job_id)
                except Exception:
                    # a successor would only send it again: adding is idempotent
                    log.exception("job %s: could not record it as sent", job_id)
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
            try:
                if self._waiting:
                    await self._fetch(set(self._waiting))
                if self.on_orphan is not None:
                    await self.answer_orphans()
            except Exception:
                log.exception("job sweep failed; trying again")
            await asyncio.sleep(SWEEP_SECONDS)

    async def answer_orphans(self) -> int:
        """Finish the interactions of our servers recorded by a gateway that is gone: send
        again the jobs that may not have reached RabbitMQ, answer those whose jobs are all
        done (or whose time is nearly out). Returns how many were answered."""
        assert self.on_orphan is not None
        rows = await self.ledger.orphans(self.gateway_id, REPLY_WINDOW_SECONDS + 50.0)
        by_token: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            if self.owns(row["guild_id"]):
                by_token.setdefault(row["token"], []).append(row)
        answered = 0
        for token, jobs in by_token.items():
            for row in jobs:
                if row["outcome"] is None and not row["sent"]:
                    # it may never have reached RabbitMQ; a second copy is harmless
                    await self._send(row["job_id"], row["source"], row["guild_id"])
                    await self.ledger.mark_sent(row["job_id"])
                    log.info(
                        "job %s: sent again for guild %s (its gateway is gone)",
                        row["job_id"],
                        row["guild_id"],
                    )
            late = max(row["age"] for row in jobs) >= REPLY_WINDOW_SECONDS
            if any(row["outcome"] is None for row in jobs) and not late:
                continue
            first = jobs[0]
            orphan = Orphan(
                ReplyTo(first["application_id"], token),
                first["kind"],
                first["guild_id"],
                [
                    (
                        row["source"],
                        None
                        if row["outcome"] is None
                        else JobOutcome.from_dict(row["job_id"], row["outcome"]),
                    )
                    for row in jobs
                ],
            )
            answer = "answered"
            try:
                await self.on_orphan(orphan)
                answered += 1
                log.info(
                    "interaction of guild %s: answered for a gateway that is gone (%d jobs)",
                    orphan.guild_id,
                    len(jobs),
                )
            except ReplyGone:
                answer = "gave_up"
                log.warning(
                    "interaction of guild %s: its token no longer works; not answered",
                    orphan.guild_id,
                )
            except Exception:
                log.exception("interaction of guild %s: could not answer it", orphan.guild_id)
                continue
            await self.ledger.mark_answered(token, self.gateway_id, self.shards_text, answer=answer)
        return answered


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("reading a job outcome failed", exc_info=task.exception())


async def open_broker_jobs(settings: Settings, *, shards: ShardSet | None = None) -> BrokerJobs:
    """``BrokerJobs`` for a gateway: RabbitMQ at ``broker_url``, outcomes in PostgreSQL."""
    from bot.fleet.pools import GATEWAY_LEDGER_POOL
    from bot.news.store.postgres.fleet import JobLedger, connect_pool

    if not settings.database_url:
        raise ValueError("the broker needs PostgreSQL (NEWSBOT_DATABASE_URL)")
    pool = await connect_pool(settings.database_url, max_size=GATEWAY_LEDGER_POOL)
    ledger = JobLedger(pool, settings.database_url)
    jobs = BrokerJobs(settings, make_broker(settings), ledger, shards=shards)
    try:
        await jobs.start()
    except BaseException:
        await ledger.close()
        raise
    return jobs
