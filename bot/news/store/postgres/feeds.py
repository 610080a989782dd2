"""``Feeds`` on PostgreSQL: one ``feeds`` row per (server, feed URL) with its fetch state."""

from __future__ import annotations

from typing import Any

from bot.news.feeds.state import FeedRecord, GuildFull
from bot.news.store.postgres.errors import guard_methods

_COLUMNS = "SELECT doc FROM feeds"
_ORDER = " ORDER BY added_at, guild_id, url"
# Taken before counting a server's feeds, so two adds cannot both take its last place.
_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('newsbot.feeds:' || $1, 0))"


def _record(doc: dict[str, Any]) -> FeedRecord:
    return FeedRecord.from_doc(doc)


@guard_methods
class PgFeeds:
    """The ``Feeds`` concern of the PostgreSQL backend."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    async def get(self, guild_id: str, url: str) -> FeedRecord | None:
        async with self.pool.acquire() as conn:
            doc = await conn.fetchval(
                _COLUMNS + " WHERE guild_id = $1 AND url = $2", str(guild_id), url
            )
        return None if doc is None else _record(doc)

    async def all(self) -> list[FeedRecord]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(_COLUMNS + _ORDER)
        return [_record(r[0]) for r in rows]

    async def for_guild(self, guild_id: str) -> list[FeedRecord]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(_COLUMNS + " WHERE guild_id = $1" + _ORDER, str(guild_id))
        return [_record(r[0]) for r in rows]

    async def add(self, record: FeedRecord, *, max_per_guild: int | None = None) -> None:
        guild = str(record.guild_id)
        async with self.pool.acquire() as conn, conn.transaction():
            if max_per_guild is not None:
                await conn.execute(_LOCK, guild)
                exists = await conn.fetchval(
                    "SELECT 1 FROM feeds WHERE guild_id = $1 AND url = $2", guild, record.url
                )
                if exists:
                    raise KeyError(record.key)
                have = await conn.fetchval("SELECT count(*) FROM feeds WHERE guild_id = $1", guild)
                if have >= max_per_guild:
                    raise GuildFull(guild)
            inserted = await conn.fetchval(
                "INSERT INTO feeds (guild_id, url, added_at, next_poll_at, doc) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1",
                guild,
                record.url,
                record.added_at,
                record.next_poll_at,
                record.to_doc(),
            )
            if inserted is None:
                raise KeyError(record.key)

    async def save(self, record: FeedRecord) -> bool:
        async with self.pool.acquire() as conn:
            status = await conn.execute(
                "UPDATE feeds SET doc = $3, next_poll_at = $4 WHERE guild_id = $1 AND url = $2",
                str(record.guild_id),
                record.url,
                record.to_doc(),
                record.next_poll_at,
            )
        return status != "UPDATE 0"

    async def remove(self, guild_id: str, url: str) -> bool:
        async with self.pool.acquire() as conn:
            status = await conn.execute(
                "DELETE FROM feeds WHERE guild_id = $1 AND url = $2", str(guild_id), url
            )
        return status != "DELETE 0"
