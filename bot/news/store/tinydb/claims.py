"""``DigestClaims`` on TinyDB: ``claims.json``, one document per server.

A document holds the server's latest digest record and its last posted one. Every
decision is a read-modify-write under an ``asyncio.Lock`` (this process) and an
exclusive ``flock`` on ``claims.json.lock`` (another process on the same folder, e.g.
``newsbot digest`` beside the bot); the file is re-read when someone else replaced it,
and each write is atomic and durable before the claim is reported taken.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Table

from bot.news.guild_settings import DigestRecord
from bot.news.store.errors import StoreReadOnly
from bot.news.store.interface import GuildDigests
from bot.news.store.tinydb.locking import LOCK_TIMEOUT, FileMutex
from bot.news.store.tinydb.meta import check_file_version
from bot.news.store.tinydb.storage import SharedFileStorage

CLAIMS_FILE_VERSION = 1
TABLE = "claims"
META_TABLE = "meta"

Doc = dict[str, Any]


def _retryable(rec: DigestRecord, max_attempts: int) -> bool:
    return rec.state == "failed" and not rec.message_ids and rec.attempts < max_attempts


def decide_claim(
    latest: DigestRecord | None, record: DigestRecord, max_attempts: int
) -> DigestRecord | None:
    """The record to store for a claim of ``record.local_date``, or None when refused
    (the rule of ``DigestClaims.claim``, shared by the backends)."""
    if latest is None or latest.local_date < record.local_date:
        return replace(record, attempts=1)
    if latest.local_date > record.local_date or not _retryable(latest, max_attempts):
        return None
    return replace(record, attempts=latest.attempts + 1)


def may_finish(
    latest: DigestRecord | None, record: DigestRecord, token: str | None, states: Collection[str]
) -> bool:
    """Whether ``DigestClaims.finish`` may replace ``latest`` with ``record``."""
    return (
        latest is not None
        and latest.local_date == record.local_date
        and latest.state in states
        and (token is None or latest.token == token)
    )


class TinyDigestClaims:
    """The ``DigestClaims`` concern of the TinyDB backend."""

    def __init__(
        self, path: Path, *, read_only: bool = False, lock_timeout: float = LOCK_TIMEOUT
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._mutex = FileMutex(
            self.path,
            busy=f"The digest records in {self.path.parent} stayed locked by another "
            "process; try again in a moment.",
            timeout=lock_timeout,
        )
        self._db = TinyDB(self.path, storage=SharedFileStorage)
        self._storage: SharedFileStorage = self._db.storage  # type: ignore[assignment]
        check_file_version(
            self._table(META_TABLE), CLAIMS_FILE_VERSION, self.path, read_only=read_only
        )

    def import_legacy(self, records: dict[str, dict[str, Any]]) -> int:
        """Start from the records an older version kept in the settings file, when this
        file has none yet; returns how many servers' records were taken over."""
        table = self._table(TABLE)
        if self.read_only or not records or table.all():
            return 0
        table.insert_multiple({"guild_id": gid, **recs} for gid, recs in records.items())
        return len(records)

    def close(self) -> None:
        self._db.close()

    def _table(self, name: str) -> Table:
        # A fresh Table per use: TinyDB caches the next id per Table object, which goes
        # stale when another process inserted into the same file.
        return Table(self._storage, name, cache_size=0)

    def _docs(self, *, fresh: bool = False) -> dict[str, tuple[int, Doc]]:
        """The documents by server; ``fresh`` (under the lock): read from the file itself."""
        self._storage.refresh(force=fresh)
        return {str(d.get("guild_id")): (d.doc_id, dict(d)) for d in self._table(TABLE).all()}

    @staticmethod
    def _digests(doc: Doc | None) -> GuildDigests:
        if doc is None:
            return GuildDigests()
        return GuildDigests(
            DigestRecord.from_dict(doc.get("latest")),
            DigestRecord.from_dict(doc.get("last_posted")),
        )

    async def get(self, guild_id: str) -> GuildDigests:
        found = self._docs().get(str(guild_id))
        return self._digests(found[1] if found else None)

    async def get_many(self, guild_ids: Collection[str]) -> dict[str, GuildDigests]:
        docs = self._docs()
        out = {}
        for gid in guild_ids:
            found = docs.get(str(gid))
            out[str(gid)] = self._digests(found[1] if found else None)
        return out

    async def export(self) -> dict[str, GuildDigests]:
        return {gid: self._digests(doc) for gid, (_, doc) in self._docs().items()}

    async def restore(self, digests: Mapping[str, GuildDigests]) -> None:
        for guild_id, found in digests.items():
            await self._change(guild_id, lambda _cur, new=found: new)

    async def _change(
        self, guild_id: str, change: Callable[[GuildDigests], GuildDigests | None]
    ) -> GuildDigests | None:
        if self.read_only:
            raise StoreReadOnly("The digest records were opened read-only.")
        gid = str(guild_id)
        async with self._mutex.held():
            found = self._docs(fresh=True).get(gid)
            new = change(self._digests(found[1] if found else None))
            if new is None:
                return None
            doc = {
                "guild_id": gid,
                "latest": new.latest.to_dict() if new.latest else None,
                "last_posted": new.last_posted.to_dict() if new.last_posted else None,
            }
            table = self._table(TABLE)
            if found is None:
                await asyncio.to_thread(table.insert, doc)
            else:
                await asyncio.to_thread(table.update, doc, doc_ids=[found[0]])
            return new

    async def claim(
        self, guild_id: str, record: DigestRecord, *, max_attempts: int
    ) -> DigestRecord | None:
        stored: DigestRecord | None = None

        def change(cur: GuildDigests) -> GuildDigests | None:
            nonlocal stored
            stored = decide_claim(cur.latest, record, max_attempts)
            return None if stored is None else replace(cur, latest=stored)

        await self._change(guild_id, change)
        return stored

    async def finish(
        self,
        guild_id: str,
        record: DigestRecord,
        *,
        token: str | None,
        states: Collection[str],
    ) -> bool:
        def change(cur: GuildDigests) -> GuildDigests | None:
            if not may_finish(cur.latest, record, token, states):
                return None
            posted = record if record.state == "posted" else cur.last_posted
            return GuildDigests(record, posted)

        return await self._change(guild_id, change) is not None
