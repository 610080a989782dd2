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

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Table

from bot.news.clock import Clock
from bot.news.guild_settings import (
    GuildId,
    GuildSettings,
    GuildSettingsError,
    guild_key,
)
from bot.news.store.guild_changes import GuildChanges, apply_change
from bot.news.store.interface import SettingsChange
from bot.news.store.tinydb.locking import FileMutex
from bot.news.store.tinydb.meta import check_file_version
from bot.news.store.tinydb.storage import SharedFileStorage

log = logging.getLogger(__name__)

GUILDS_FILE_VERSION = 1
GUILDS_TABLE = "guilds"
META_TABLE = "meta"


class TinyGuilds(GuildChanges):
    """The ``Guilds`` concern of the TinyDB backend: one document per server."""

    def __init__(self, path: str | os.PathLike[str], *, clock: Clock | None = None):
        self.path = Path(path)
        self.clock = clock or Clock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._mutex = FileMutex(
            self.path, busy="Server settings are busy right now; try again in a moment."
        )
        with self._mutex.held_blocking():
            self._db = TinyDB(self.path, storage=SharedFileStorage)
            self._storage: SharedFileStorage = self._db.storage  # type: ignore[assignment]
            check_file_version(self._table(META_TABLE), GUILDS_FILE_VERSION, self.path)
        self._cache: dict[str, GuildSettings] = {}
        self._doc_ids: dict[str, list[int]] = {}
        self._cache_generation = -1

    def close(self) -> None:
        self._db.close()

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

    def _documents(self, *, fresh: bool = False) -> dict[str, GuildSettings]:
        """The settings by server; ``fresh`` (under the lock): read from the file itself."""
        self._storage.refresh(force=fresh)
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

    async def transact_many(
        self, changes: Mapping[GuildId, SettingsChange]
    ) -> dict[str, GuildSettings]:
        """``transact`` for several servers at once, with one write of the file (the
        scheduler records many servers' outcomes after a downtime)."""
        async with self._mutex.held():
            docs = self._documents(fresh=True)
            results: dict[str, GuildSettings] = {}
            changed: dict[str, GuildSettings] = {}
            for guild_id, change in changes.items():
                key = guild_key(guild_id)
                current = docs.get(key) or GuildSettings(guild_id=key)
                new = apply_change(current, change, self.clock)
                if new is None:
                    results[key] = current
                    continue
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
