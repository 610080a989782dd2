"""``Feeds`` on TinyDB: the feed file ``feeds.json`` (see ``FeedStore``)."""

from __future__ import annotations

import copy

from bot.news.feeds.state import FeedRecord, FeedStore


class TinyFeeds:
    """The ``Feeds`` concern of the TinyDB backend. Records handed out are copies, as a
    database backend's would be: ``save`` writes the state of the record it is given."""

    def __init__(self, engine: FeedStore) -> None:
        self.engine = engine

    async def get(self, guild_id: str, url: str) -> FeedRecord | None:
        found = self.engine.get(str(guild_id), url)
        return None if found is None else copy.deepcopy(found)

    async def all(self) -> list[FeedRecord]:
        return [copy.deepcopy(r) for r in self.engine.records()]

    async def for_guild(self, guild_id: str) -> list[FeedRecord]:
        return [copy.deepcopy(r) for r in self.engine.for_guild(str(guild_id))]

    async def add(self, record: FeedRecord, *, max_per_guild: int | None = None) -> None:
        await self.engine.add(copy.deepcopy(record), max_per_guild=max_per_guild)

    async def save(self, record: FeedRecord) -> bool:
        return await self.engine.replace(copy.deepcopy(record))

    async def remove(self, guild_id: str, url: str) -> bool:
        return await self.engine.remove(str(guild_id), url)

    def close(self) -> None:
        self.engine.close()
