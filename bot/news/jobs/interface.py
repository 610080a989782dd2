"""The ingestion job interface and the outcome a worker reports for one job."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.news.model import Article
from bot.news.understanding.pipeline import IngestError, IngestResult


class StillWorking(IngestError):
    """The job's result did not come before the interaction's time ran out; the article
    will still be stored when a worker finishes it."""

    def __init__(self, source: str = "") -> None:
        super().__init__(
            "pending",
            "Still working on it; the article will appear in /latest when it is done.",
            source,
        )


@dataclass(frozen=True, slots=True)
class ReplyTo:
    """Where a job's answer goes (a Discord interaction's follow-up webhook), so that the
    process owning the server can answer it even when the one that asked is gone."""

    application_id: str
    token: str


class ReplyGone(Exception):
    """The interaction can no longer be answered (never acknowledged, or expired)."""


@dataclass(frozen=True, slots=True)
class Orphan:
    """An interaction whose gateway is gone, ready to answer: its jobs' sources and
    outcomes in answer order (``outcome`` None: not finished within its time)."""

    reply: ReplyTo
    kind: str
    guild_id: str
    jobs: list[tuple[str, JobOutcome | None]]


class IngestJobs(Protocol):
    """Ingest ``source`` for ``guild_id``; raises ``IngestError`` with a sentence for users.

    An interaction calls ``reserve`` before it acknowledges itself (a fleet records its jobs
    durably there, so that another process can finish them if this one dies), ``ingest``
    with each returned job id, then ``answered`` once it has answered."""

    async def start(self) -> None: ...

    async def reserve(
        self, reply: ReplyTo, guild_id: str, sources: list[str], *, kind: str = "ingest"
    ) -> list[str]: ...

    async def ingest(
        self, source: str, guild_id: str, *, job_id: str | None = None
    ) -> IngestResult: ...

    async def answered(self, reply: ReplyTo) -> None: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """What a worker recorded for one job: the stored article (without its text) or the
    reason it failed, as plain data that travels through the database."""

    job_id: str
    ok: bool
    article: dict[str, Any] | None = None
    created: bool = False
    duplicate_by: str | None = None
    error_kind: str | None = None
    error_message: str | None = None
    worker: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def success(cls, job_id: str, result: IngestResult, worker: str) -> JobOutcome:
        return cls(
            job_id,
            True,
            article=result.article.to_dict(with_text=False),
            created=result.created,
            duplicate_by=result.duplicate_by,
            worker=worker,
            timings=dict(result.timings),
        )

    @classmethod
    def failure(cls, job_id: str, error: IngestError, worker: str) -> JobOutcome:
        return cls(job_id, False, error_kind=error.kind, error_message=error.message, worker=worker)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "article": self.article,
            "created": self.created,
            "duplicate_by": self.duplicate_by,
            "error_kind": self.error_kind,
            "error_message": self.error_message,
            "worker": self.worker,
            "timings": self.timings,
        }

    @classmethod
    def from_dict(cls, job_id: str, data: dict[str, Any]) -> JobOutcome:
        return cls(
            job_id,
            bool(data.get("ok")),
            article=data.get("article"),
            created=bool(data.get("created")),
            duplicate_by=data.get("duplicate_by"),
            error_kind=data.get("error_kind"),
            error_message=data.get("error_message"),
            worker=str(data.get("worker") or ""),
            timings=dict(data.get("timings") or {}),
        )

    def result(self, source: str) -> IngestResult:
        """The ``IngestResult`` a cog shows, or the ``IngestError`` the worker met, raised."""
        if not self.ok or self.article is None:
            raise IngestError(
                self.error_kind or "crashed",
                self.error_message or "The article could not be added.",
                source,
            )
        return IngestResult(
            Article.from_dict(self.article),
            self.created,
            duplicate_by=self.duplicate_by,
            timings=dict(self.timings),
        )
