"""``Guilds`` on TinyDB: the settings file ``guilds.json`` (see ``GuildSettingsStore``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.news.guild_settings import GuildId, GuildSettings, GuildSettingsStore
from bot.news.store.interface import SettingsChange


class TinyGuilds:
    """The ``Guilds`` concern of the TinyDB backend."""

    def __init__(self, engine: GuildSettingsStore) -> None:
        self.engine = engine

    async def get(self, guild_id: GuildId) -> GuildSettings:
        return self.engine.get(guild_id)

    async def all(self) -> list[GuildSettings]:
        return self.engine.all()

    async def transact(self, guild_id: GuildId, change: SettingsChange) -> GuildSettings:
        return await self.engine.transact(guild_id, change)

    async def transact_many(
        self, changes: Mapping[GuildId, SettingsChange]
    ) -> dict[str, GuildSettings]:
        return await self.engine.transact_many(changes)

    async def update(self, guild_id: GuildId, **changes: Any) -> GuildSettings:
        return await self.engine.update(guild_id, **changes)

    async def follow(
        self, guild_id: GuildId, kind: str, key: str, display: str | None = None
    ) -> bool:
        return await self.engine.follow(guild_id, kind, key, display)

    async def unfollow(self, guild_id: GuildId, kind: str, key: str) -> bool:
        return await self.engine.unfollow(guild_id, kind, key)

    def close(self) -> None:
        self.engine.close()
