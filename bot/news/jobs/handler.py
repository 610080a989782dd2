"""The worker's side of an ingestion job: run it through the pipeline, record the outcome.

A job is acknowledged to RabbitMQ only after this returns, that is after the article and
the outcome are committed. A worker killed before that leaves the job unacknowledged and
RabbitMQ gives it to another worker; running it again is harmless (the store adds an
article once, by canonical URL and fingerprint, and the first recorded outcome stays).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import Any, Protocol

from bot.news.jobs.interface import JobOutcome
from bot.news.understanding.pipeline import IngestError, IngestResult

log = logging.getLogger(__name__)

RECORD_RETRY_MAX = 30.0  # seconds between attempts to record an outcome


class Ingests(Protocol):
    async def ingest(self, source: str, guild_id: str) -> IngestResult: ...


class Ledger(Protocol):
    async def outcomes(self, job_ids: list[str]) -> dict[str, dict[str, Any]]: ...

    async def notify(self, job_id: str) -> None: ...

    async def record(
        self,
        job_id: str,
        *,
        kind: str,
        guild_id: str,
        source: str,
        ok: bool,
        outcome: dict[str, Any],
        worker: str,
    ) -> bool: ...


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class IngestJobHandler:
    def __init__(self, pipeline: Ingests, ledger: Ledger, name: str | None = None) -> None:
        self.pipeline = pipeline
        self.ledger = ledger
        self.name = name or worker_name()
        self.handled = 0

    async def __call__(self, job_id: str, source: str, guild_id: str) -> None:
        if await self.ledger.outcomes([job_id]):
            # done before a crash that came ahead of the acknowledgement: answer again
            log.info("job %s: redelivered after it was done; notifying again", job_id)
            await self.ledger.notify(job_id)
            return
        try:
            outcome = JobOutcome.success(
                job_id, await self.pipeline.ingest(source, guild_id), self.name
            )
        except IngestError as exc:
            outcome = JobOutcome.failure(job_id, exc, self.name)
        except Exception:
            log.exception("job %s: ingest of %s failed unexpectedly", job_id, source)
            outcome = JobOutcome.failure(
                job_id,
                IngestError("crashed", "Something went wrong while adding the article."),
                self.name,
            )
        delay = 0.5
        while True:
            try:
                await self.ledger.record(
                    job_id,
                    kind="ingest",
                    guild_id=guild_id,
                    source=source,
                    ok=outcome.ok,
                    outcome=outcome.to_dict(),
                    worker=self.name,
                )
                break
            except Exception as exc:
                # Returning would acknowledge a job whose outcome nobody can read: keep
                # trying; if this worker stops meanwhile, RabbitMQ redelivers the job.
                log.warning("job %s: cannot record its outcome (%r); retrying", job_id, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECORD_RETRY_MAX)
        self.handled += 1
        log.info("job %s: %s %s", job_id, "done" if outcome.ok else "failed", source)
