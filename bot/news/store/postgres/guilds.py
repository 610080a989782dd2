"""``Guilds`` on PostgreSQL: one ``guild_settings`` row per configured server.

A change runs inside a transaction holding a lock on the server's key
(``pg_advisory_xact_lock``): the row may not exist yet, and a server never configured
must not get a row just because someone looked at it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.news.clock import Clock
from bot.news.guild_settings import GuildId, GuildSettings, guild_key
from bot.news.store.guild_changes import GuildChanges, apply_change
from bot.news.store.interface import SettingsChange
from bot.news.store.postgres.errors import guard_methods

_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('newsbot.guild:' || $1, 0))"


def _settings(key: str, doc: dict[str, Any] | None) -> GuildSettings:
    return GuildSettings(guild_id=key) if doc is None else GuildSettings.from_dict(doc)


@guard_methods
class PgGuilds(GuildChanges):
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

    async def transact_many(
        self, changes: Mapping[GuildId, SettingsChange]
    ) -> dict[str, GuildSettings]:
        by_key = {guild_key(g): change for g, change in changes.items()}
        results: dict[str, GuildSettings] = {}
        async with self.pool.acquire() as conn, conn.transaction():
            for key in sorted(by_key):  # one lock order for every process
                await conn.execute(_LOCK, key)
                doc = await conn.fetchval("SELECT doc FROM guild_settings WHERE guild_id = $1", key)
                current = _settings(key, doc)
                new = apply_change(current, by_key[key], self.clock)
                if new is None:
                    results[key] = current
                    continue
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
