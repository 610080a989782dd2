"""What every ``Guilds`` backend does the same way: ``update``, ``follow``, ``unfollow``
and ``transact`` are changes handed to the backend's own ``transact_many`` (its locking
and its writes are all that differ)."""

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


def apply_change(
    current: GuildSettings, change: SettingsChange, clock: Clock
) -> GuildSettings | None:
    """The settings to store after ``change`` (stamped now, keyed as ``current``), or
    None when the change leaves them as they are."""
    new = change(current)
    if new is None:
        return None
    return replace(new, guild_id=current.guild_id, updated_at=clock.time())


class GuildChanges:
    """The ``Guilds`` methods built on ``transact_many``; a backend sets ``clock``."""

    clock: Clock

    async def transact_many(
        self, changes: Mapping[GuildId, SettingsChange]
    ) -> dict[str, GuildSettings]:
        raise NotImplementedError

    async def transact(self, guild_id: GuildId, change: SettingsChange) -> GuildSettings:
        """Compare-and-set: ``change`` sees the latest stored settings and returns the new
        settings, or ``None`` to leave them as they are. It must not await. The new
        settings are durable when this returns."""
        key = guild_key(guild_id)
        return (await self.transact_many({key: change}))[key]

    async def update(self, guild_id: GuildId, **changes: Any) -> GuildSettings:
        """Validate and save some settings; ``GuildSettingsError`` names a bad value."""
        return await self.transact(guild_id, update_change(changes, self.clock.time))

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
