"""``Guilds`` on TinyDB: ``guilds.json``, one document per server.

Concurrency. TinyDB itself is neither thread- nor process-safe. Every change here is a
read-modify-write done under two locks: an ``asyncio.Lock`` (coroutines of one store) and
an exclusive ``flock`` on ``guilds.json.lock`` (other store instances, in this process or
in other processes on the same machine: ``flock`` locks belong to an open file, not to a
process). Under the lock the file is re-read if anyone else replaced it, so a change is
decided on the latest state. Reads take no lock; they re-read the file when its identity
(inode, mtime, size) changed. Network file systems are not supported.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import time as _time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Table

from bot.news.clock import Clock
from bot.news.guild_settings import (
    GuildId,
    GuildSettings,
    GuildSettingsError,
    follow_change,
    guild_key,
    unfollow_change,
    update_change,
)
from bot.news.store.errors import SchemaTooNew, StoreBusy
from bot.news.store.interface import SettingsChange
from bot.news.store.tinydb.storage import SharedFileStorage

log = logging.getLogger(__name__)

GUILDS_FILE_VERSION = 1
GUILDS_TABLE = "guilds"
META_TABLE = "meta"
LOCK_TIMEOUT = 10.0


class TinyGuilds:
    """The ``Guilds`` concern of the TinyDB backend: one document per server."""

    def __init__(self, path: str | os.PathLike[str], *, clock: Clock | None = None):
        self.path = Path(path)
        self._clock = clock or Clock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = asyncio.Lock()
        self._lock_file = open(self.path.with_name(self.path.name + ".lock"), "a+b")  # noqa: SIM115
        with self._flock_blocking():
            self._db = TinyDB(self.path, storage=SharedFileStorage)
            self._storage: SharedFileStorage = self._db.storage  # type: ignore[assignment]
            self._check_schema()
        self._cache: dict[str, GuildSettings] = {}
        self._doc_ids: dict[str, list[int]] = {}
        self._cache_generation = -1

    def close(self) -> None:
        self._db.close()
        self._lock_file.close()

    def legacy_digests(self) -> dict[str, dict[str, Any]]:
        """Digest records older versions kept inside the settings documents
        (``last_digest``/``last_posted``), by guild: ``claims.json`` starts from them."""
        found = {}
        for doc in self._table(GUILDS_TABLE).all():
            if doc.get("last_digest") or doc.get("last_posted"):
                found[str(doc.get("guild_id"))] = {
                    "latest": doc.get("last_digest"),
                    "last_posted": doc.get("last_posted"),
                }
        return found

    # -- reading

    async def get(self, guild_id: GuildId) -> GuildSettings:
        """This server's settings; defaults for a server never configured."""
        key = guild_key(guild_id)
        return self._documents().get(key) or GuildSettings(guild_id=key)

    async def all(self) -> list[GuildSettings]:
        return list(self._documents().values())

    def _documents(self) -> dict[str, GuildSettings]:
        self._storage.refresh()
        if self._cache_generation != self._storage.generation:
            # Someone else wrote the file (or it is the first read): parse it all again.
            cache: dict[str, GuildSettings] = {}
            doc_ids: dict[str, list[int]] = {}
            for doc in self._table(GUILDS_TABLE).all():
                try:
                    settings = GuildSettings.from_dict(dict(doc))
                except GuildSettingsError:
                    log.warning("ignoring a guild document without an id: %r", dict(doc))
                    continue
                cache.setdefault(settings.guild_id, settings)
                doc_ids.setdefault(settings.guild_id, []).append(doc.doc_id)
            self._cache = cache
            self._doc_ids = doc_ids
            self._cache_generation = self._storage.generation
        return self._cache

    # -- changing

    async def update(self, guild_id: GuildId, **changes: Any) -> GuildSettings:
        """Validate and save some settings; ``GuildSettingsError`` names a bad value."""
        return await self.transact(guild_id, update_change(changes, self._clock.time))

    async def follow(
        self, guild_id: GuildId, kind: str, key: str, display: str | None = None
    ) -> bool:
        """Follow a country (ISO code) or a person; ``False`` if it was followed already."""
        change, added = follow_change(kind, key, display)
        await self.transact(guild_id, change)
        return added()

    async def unfollow(self, guild_id: GuildId, kind: str, key: str) -> bool:
        """Stop following; ``False`` if it was not followed."""
        change, removed = unfollow_change(kind, key)
        await self.transact(guild_id, change)
        return removed()

    async def transact(self, guild_id: GuildId, change: SettingsChange) -> GuildSettings:
        """Compare-and-set: ``change`` sees the latest stored settings (under the locks)
        and returns the new settings, or ``None`` to leave them as they are. It must not
        await. The new settings are durable when this returns."""
        key = guild_key(guild_id)
        return (await self.transact_many({key: change}))[key]

    async def transact_many(
        self, changes: Mapping[GuildId, SettingsChange]
    ) -> dict[str, GuildSettings]:
        """``transact`` for several servers at once, with one write of the file (the
        scheduler records many servers' outcomes after a downtime)."""
        async with self._locked():
            docs = self._documents()
            results: dict[str, GuildSettings] = {}
            changed: dict[str, GuildSettings] = {}
            for guild_id, change in changes.items():
                key = guild_key(guild_id)
                current = docs.get(key) or GuildSettings(guild_id=key)
                new = change(current)
                if new is None:
                    results[key] = current
                    continue
                new = replace(new, guild_id=key, updated_at=self._clock.time())
                changed[key] = results[key] = new
            if changed:
                self._write(changed)
            return results

    def _write(self, changed: dict[str, GuildSettings]) -> None:
        """Write the changed documents (called under the locks, after ``_documents``
        brought the cache up to date with the file)."""
        table = self._table(GUILDS_TABLE)
        existing = {key: self._doc_ids[key] for key in changed if key in self._doc_ids}
        if existing:
            payload = {key: changed[key].to_dict() for key in existing}

            def apply(doc: dict[str, Any]) -> None:
                new = payload[str(doc.get("guild_id"))]
                doc.clear()
                doc.update(new)

            table.update(apply, doc_ids=[found[0] for found in existing.values()])
            extra = [i for found in existing.values() for i in found[1:]]
            if extra:  # duplicates can only come from hand edits; keep the first
                table.remove(doc_ids=extra)
                for key in existing:
                    self._doc_ids[key] = self._doc_ids[key][:1]
        fresh = [key for key in changed if key not in existing]
        if fresh:
            new_ids = table.insert_multiple([changed[key].to_dict() for key in fresh])
            for key, doc_id in zip(fresh, new_ids, strict=True):
                self._doc_ids[key] = [doc_id]
        # The file now holds the cache plus these changes: no need to parse it again.
        self._cache.update(changed)
        self._cache_generation = self._storage.generation

    # -- internals

    def _table(self, name: str) -> Table:
        # A fresh Table each time: TinyDB caches the next document id per Table object,
        # which goes stale when another store instance inserted into the same file.
        return Table(self._storage, name, cache_size=0)

    def _check_schema(self) -> None:
        meta = self._table(META_TABLE)
        docs = meta.all()
        version = docs[0].get("schema_version") if docs else None
        if version is None:
            if docs:
                meta.truncate()
            meta.insert({"schema_version": GUILDS_FILE_VERSION})
        elif not isinstance(version, int) or version > GUILDS_FILE_VERSION:
            raise SchemaTooNew(
                f"{self.path} was written by a newer newsbot (schema version {version!r}; "
                f"this one reads up to {GUILDS_FILE_VERSION}): upgrade newsbot or restore a backup."
            )

    @contextlib.asynccontextmanager
    async def _locked(self) -> AsyncIterator[None]:
        async with self._lock:
            deadline = _time.monotonic() + LOCK_TIMEOUT
            while True:
                try:
                    fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if _time.monotonic() > deadline:
                        log.error("%s stayed locked for %.0f s", self.path, LOCK_TIMEOUT)
                        raise StoreBusy(
                            "Server settings are busy right now; try again in a moment."
                        ) from None
                    await asyncio.sleep(0.005)
            try:
                yield
            finally:
                fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)

    @contextlib.contextmanager
    def _flock_blocking(self) -> Iterator[None]:
        fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
