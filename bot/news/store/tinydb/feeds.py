"""``Feeds`` on TinyDB: ``feeds.json``, one document per (guild, feed URL).

The records live in memory (reads never touch the disk and never race a write); every
change is written through TinyDB on ``AtomicJSONStorage`` in a worker thread, one write at
a time, so the file is always a whole, durable version. Records handed out are copies,
as a database backend's would be: ``save`` writes the state of the record it is given.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path

from tinydb import TinyDB

from bot.news.feeds.state import FeedRecord, GuildFull
from bot.news.store.tinydb.meta import check_file_version
from bot.news.store.tinydb.storage import AtomicJSONStorage

log = logging.getLogger(__name__)

FEEDS_FILE_VERSION = 1


def _copy(record: FeedRecord) -> FeedRecord:
    # a shallow copy of the two containers: deepcopy costs ~1 ms per record of 500 ids
    return dataclasses.replace(record, seen=list(record.seen), retries=dict(record.retries))


class TinyFeeds:
    """The ``Feeds`` concern of the TinyDB backend (small: rewritten on each save)."""

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
        check_file_version(self._meta, FEEDS_FILE_VERSION, self.path)
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

    async def get(self, guild_id: str, url: str) -> FeedRecord | None:
        found = self._records.get((str(guild_id), url))
        return None if found is None else _copy(found)

    async def all(self) -> list[FeedRecord]:
        return [_copy(r) for r in self._records.values()]

    async def for_guild(self, guild_id: str) -> list[FeedRecord]:
        return [_copy(r) for r in self._mine(str(guild_id))]

    def _mine(self, guild_id: str) -> list[FeedRecord]:
        return [r for r in self._records.values() if r.guild_id == guild_id]

    async def add(self, record: FeedRecord, *, max_per_guild: int | None = None) -> None:
        """Store a new record; KeyError if it exists, GuildFull past ``max_per_guild``."""
        async with self._lock:
            if record.key in self._records:
                raise KeyError(record.key)
            # Checked under the lock: two concurrent adds cannot both take the last place.
            if max_per_guild is not None and len(self._mine(record.guild_id)) >= max_per_guild:
                raise GuildFull(record.guild_id)
            record = _copy(record)
            doc_id = await asyncio.to_thread(self._table.insert, record.to_doc())
            self._records[record.key] = record
            self._doc_ids[record.key] = doc_id

    async def save(self, record: FeedRecord) -> bool:
        """Write ``record`` over the stored one with its key; False (nothing written) when
        no record has that key any more."""
        async with self._lock:
            if record.key not in self._records:
                return False
            doc = record.to_doc()
            doc_id = self._doc_ids[record.key]
            await asyncio.to_thread(self._table.update, doc, doc_ids=[doc_id])
            self._records[record.key] = _copy(record)
            return True

    async def remove(self, guild_id: str, url: str) -> bool:
        async with self._lock:
            key = (str(guild_id), url)
            if key not in self._records:
                return False
            doc_id = self._doc_ids.pop(key)
            del self._records[key]
            await asyncio.to_thread(self._table.remove, doc_ids=[doc_id])
            return True

    def close(self) -> None:
        self._db.close()
