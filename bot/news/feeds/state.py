"""Feed subscriptions and poll state, one record per (guild, feed URL), in ``feeds.json``.

The records live in memory (reads never touch the disk and never race a write); every
change is written through TinyDB on ``AtomicJSONStorage`` in a worker thread, one write at
a time, so the file is always a whole, durable version.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from bot.news.atomic import AtomicJSONStorage

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# Seen ids kept per feed beyond those still in the feed; enough for any sane feed.
SEEN_LIMIT = 500


class FeedStateError(RuntimeError):
    """The state file cannot be used (e.g. written by a newer version)."""


class GuildFull(Exception):
    """The guild already has as many feeds as allowed."""


@dataclass
class FeedRecord:
    guild_id: str
    url: str  # the feed's own URL (after discovery); the key with guild_id
    title: str
    interval_minutes: float
    added_at: float
    added_by: str | None = None
    added_url: str | None = None  # what the user typed, when it differs (a home page)
    etag: str | None = None
    last_modified: str | None = None
    primed: bool = False  # the first poll has happened (old items marked seen)
    seen: list[str] = field(default_factory=list)  # oldest first, bounded
    retries: dict[str, int] = field(default_factory=dict)  # item id -> transient failures
    last_poll_at: float | None = None
    last_success: float | None = None
    last_error: str | None = None
    failures: int = 0  # consecutive
    failing_since: float | None = None
    next_poll_at: float = 0.0
    paused: bool = False
    paused_reason: str | None = None
    items_ingested: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.guild_id, self.url)

    def mark_seen(self, item_id: str, keep: set[str] | None = None) -> None:
        """Remember ``item_id``; forget the oldest ids, never one in ``keep`` (still in feed)."""
        self.retries.pop(item_id, None)
        if item_id not in self.seen:
            self.seen.append(item_id)
        excess = len(self.seen) - max(SEEN_LIMIT, len(keep or ()))
        if excess > 0:
            keep = keep or set()
            dropped = [i for i in self.seen if i not in keep][:excess]
            drop = set(dropped)
            self.seen = [i for i in self.seen if i not in drop]

    def to_doc(self) -> dict[str, Any]:
        doc = dataclasses.asdict(self)
        doc["seen"] = list(self.seen)
        doc["retries"] = dict(self.retries)
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> FeedRecord:
        names = {f.name for f in dataclasses.fields(cls)}
        record = cls(**{k: v for k, v in doc.items() if k in names})
        if not isinstance(record.guild_id, str) or not isinstance(record.url, str):
            raise ValueError("guild_id and url must be strings")
        record.seen = [str(i) for i in record.seen or []]
        record.retries = {str(k): int(v) for k, v in (record.retries or {}).items()}
        return record


class FeedStore:
    """Feed records for all guilds, persisted in ``path`` (small: rewritten on each save)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._db = TinyDB(self.path, storage=AtomicJSONStorage)
        self._table = self._db.table("feeds")
        self._meta = self._db.table("meta")
        self._lock = asyncio.Lock()
        self._records: dict[tuple[str, str], FeedRecord] = {}
        self._doc_ids: dict[tuple[str, str], int] = {}
        self._load()

    def _load(self) -> None:
        meta = self._meta.get(doc_id=1)
        version = (meta or {}).get("schema_version")
        if version is None:
            self._meta.insert({"schema_version": SCHEMA_VERSION})
        elif not isinstance(version, int) or version > SCHEMA_VERSION:
            raise FeedStateError(
                f"{self.path} has feed state schema {version!r}; this version reads "
                f"up to {SCHEMA_VERSION}. Upgrade newsbot or move the file away."
            )
        for doc in self._table.all():
            try:
                record = FeedRecord.from_doc(dict(doc))
            except (TypeError, ValueError) as exc:
                # Left in the file untouched (TinyDB rewrites it as it is), never lost.
                log.error(
                    "feed state %s: record %s unreadable, skipped: %s", self.path, doc.doc_id, exc
                )
                continue
            self._records[record.key] = record
            self._doc_ids[record.key] = doc.doc_id

    def get(self, guild_id: str, url: str) -> FeedRecord | None:
        return self._records.get((guild_id, url))

    def records(self) -> list[FeedRecord]:
        return list(self._records.values())

    def for_guild(self, guild_id: str) -> list[FeedRecord]:
        return [r for r in self._records.values() if r.guild_id == guild_id]

    async def add(self, record: FeedRecord, *, max_per_guild: int | None = None) -> None:
        """Store a new record; KeyError if it exists, GuildFull past ``max_per_guild``."""
        async with self._lock:
            if record.key in self._records:
                raise KeyError(record.key)
            # Checked under the lock: two concurrent adds cannot both take the last place.
            if max_per_guild is not None and len(self.for_guild(record.guild_id)) >= max_per_guild:
                raise GuildFull(record.guild_id)
            doc_id = await asyncio.to_thread(self._table.insert, record.to_doc())
            self._records[record.key] = record
            self._doc_ids[record.key] = doc_id

    async def save(self, record: FeedRecord) -> bool:
        """Write ``record``; False (nothing written) when it was removed meanwhile."""
        async with self._lock:
            if self._records.get(record.key) is not record:
                return False
            doc = record.to_doc()  # snapshot on the loop; the thread never sees live state
            doc_id = self._doc_ids[record.key]
            await asyncio.to_thread(self._table.update, doc, doc_ids=[doc_id])
            return True

    async def replace(self, record: FeedRecord) -> bool:
        """Write ``record`` over the stored one with its key; False (nothing written) when
        no record has that key any more."""
        async with self._lock:
            if record.key not in self._records:
                return False
            doc = record.to_doc()
            doc_id = self._doc_ids[record.key]
            await asyncio.to_thread(self._table.update, doc, doc_ids=[doc_id])
            self._records[record.key] = record
            return True

    async def remove(self, guild_id: str, url: str) -> bool:
        async with self._lock:
            key = (guild_id, url)
            if key not in self._records:
                return False
            doc_id = self._doc_ids.pop(key)
            del self._records[key]
            await asyncio.to_thread(self._table.remove, doc_ids=[doc_id])
            return True

    def close(self) -> None:
        self._db.close()
