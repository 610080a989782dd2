"""The default: jobs run inside this process, by its own pipeline and worker pool."""

from __future__ import annotations

import os
import uuid

from bot.config import Settings
from bot.news.jobs.interface import ReplyTo
from bot.news.understanding.pipeline import IngestResult, Pipeline


class LocalJobs:
    """``IngestJobs`` over a ``Pipeline`` in this process (no broker, one command)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    async def start(self) -> None:
        await self.pipeline.start()

    async def reserve(
        self, reply: ReplyTo, guild_id: str, sources: list[str], *, kind: str = "ingest"
    ) -> list[str]:
        # one process: if it dies, its interactions die with it; nothing to hand over
        return [uuid.uuid4().hex for _ in sources]

    async def ingest(
        self, source: str, guild_id: str, *, job_id: str | None = None
    ) -> IngestResult:
        return await self.pipeline.ingest(source, guild_id)

    async def answered(self, reply: ReplyTo) -> None:
        return None

    async def close(self) -> None:
        await self.pipeline.close()


def local_worker_count(settings: Settings) -> int:
    """CPU worker processes for the single-process bot: one per core, at most
    ``ingest_workers`` (each holds its own spaCy model, ~150 MB)."""
    return max(1, min(os.cpu_count() or 1, settings.ingest_workers))
