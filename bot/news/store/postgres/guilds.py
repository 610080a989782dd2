"""``Guilds`` on PostgreSQL: one ``guild_settings`` row per configured server.

A change runs inside a transaction holding a lock on the server's key
(``pg_advisory_xact_lock``): the row may not exist yet, and a server never configured
must not get a row just because someone looked at it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.news.clock import Clock
from bot.news.guild_settings import (
    GuildId,
    GuildSettings,
    follow_change,
    guild_key,
    unfollow_change,
    update_change,
)
from bot.news.store.interface import SettingsChange
from bot.news.store.postgres.errors import guard_methods

_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('newsbot.guild:' || $1, 0))"


def _settings(key: str, doc: dict[str, Any] | None) -> GuildSettings:
    return GuildSettings(guild_id=key) if doc is None else GuildSettings.from_dict(doc)


@guard_methods
class PgGuilds:
    """The ``Guilds`` concern of the PostgreSQL backend."""

    def __init__(self, pool: Any, clock: Clock | None = None) -> None:
        self.pool = pool
        self.clock = clock or Clock()

    async def get(self, guild_id: GuildId) -> GuildSettings:
        key = guild_key(guild_id)
        async with self.pool.acquire() as conn:
            doc = await conn.fetchval("SELECT doc FROM guild_settings WHERE guild_id = $1", key)
        return _settings(key, doc)

    async def all(self) -> list[GuildSettings]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch("SELECT doc FROM guild_settings ORDER BY guild_id")
        return [GuildSettings.from_dict(r[0]) for r in rows]

    async def transact(self, guild_id: GuildId, change: SettingsChange) -> GuildSettings:
        key = guild_key(guild_id)
        return (await self.transact_many({key: change}))[key]

    async def transact_many(
        self, changes: Mapping[GuildId, SettingsChange]
    ) -> dict[str, GuildSettings]:
        by_key = {guild_key(g): change for g, change in changes.items()}
        results: dict[str, GuildSettings] = {}
        async with self.pool.acquire() as conn, conn.transaction():
            for key in sorted(by_key):  # one lock order for every process
                await conn.execute(_LOCK, key)
                doc = await conn.fetchval("SELECT doc FROM guild_settings WHERE guild_id = $1", key)
                current = (
                    GuildSettings(guild_id=key) if doc is None else GuildSettings.from_dict(doc)
                )
                new = by_key[key](current)
                if new is None:
                    results[key] = current
                    continue
                new = replace(new, guild_id=key, updated_at=self.clock.time())
                await conn.execute(
                    "INSERT INTO guild_settings (guild_id, doc, updated_at) VALUES ($1, $2, $3) "
                    "ON CONFLICT (guild_id) DO UPDATE SET doc = EXCLUDED.doc, "
                    "updated_at = EXCLUDED.updated_at",
                    key,
                    new.to_dict(),
                    new.updated_at,
                )
                results[key] = new
        return {guild_key(g): results[guild_key(g)] for g in changes}

    async def update(self, guild_id: GuildId, **changes: Any) -> GuildSettings:
        return await self.transact(guild_id, update_change(changes, self.clock.time))

    async def follow(
        self, guild_id: GuildId, kind: str, key: str, display: str | None = None
    ) -> bool:
        change, added = follow_change(kind, key, display)
        await self.transact(guild_id, change)
        return added()

    async def unfollow(self, guild_id: GuildId, kind: str, key: str) -> bool:
        change, removed = unfollow_change(kind, key)
        await self.transact(guild_id, change)
        return removed()
