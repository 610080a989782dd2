"""``DigestClaims`` on PostgreSQL: one ``digest_claims`` row per (server, local day).

A day is taken by inserting its row (``ON CONFLICT DO NOTHING RETURNING``): of any
number of processes racing, the primary key lets exactly one insert. A failed day is
retried by an ``UPDATE`` whose ``WHERE`` (still failed, nothing sent, attempts left)
only the first process to lock the row can satisfy. The server's latest record is its
newest day, its last posted one the newest day in state ``posted``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

from bot.news.guild_settings import DigestRecord
from bot.news.store.interface import GuildDigests
from bot.news.store.postgres.errors import guard_methods

_NO_LATER_DAY = (
    "NOT EXISTS (SELECT 1 FROM digest_claims later "
    "WHERE later.guild_id = $1 AND later.local_date > $2)"
)

_CLAIM_NEW = f"""
INSERT INTO digest_claims (guild_id, local_date, state, token, attempts, sent, doc)
SELECT $1::text, $2::text, $3::text, $4::text, 1, $5::boolean, $6::jsonb
WHERE {_NO_LATER_DAY}
ON CONFLICT (guild_id, local_date) DO NOTHING
RETURNING attempts
"""

_CLAIM_RETRY = f"""
UPDATE digest_claims
SET state = $3, token = $4, attempts = attempts + 1, sent = $5,
    doc = jsonb_set($6::jsonb, '{{attempts}}', to_jsonb(attempts + 1))
WHERE guild_id = $1 AND local_date = $2 AND state = 'failed' AND NOT sent
  AND attempts < $7 AND {_NO_LATER_DAY}
RETURNING doc
"""

_FINISH = f"""
UPDATE digest_claims
SET state = $3, token = $4, attempts = $5, sent = $6, doc = $7
WHERE guild_id = $1 AND local_date = $2 AND state = ANY($8::text[])
  AND ($9::text IS NULL OR token = $9) AND {_NO_LATER_DAY}
RETURNING 1
"""

_LATEST = """
SELECT guild_id,
       (SELECT doc FROM digest_claims c WHERE c.guild_id = g.guild_id
        ORDER BY local_date DESC LIMIT 1) AS latest,
       (SELECT doc FROM digest_claims c WHERE c.guild_id = g.guild_id AND state = 'posted'
        ORDER BY local_date DESC LIMIT 1) AS last_posted
FROM unnest($1::text[]) AS g(guild_id)
"""


@guard_methods
class PgDigestClaims:
    """The ``DigestClaims`` concern of the PostgreSQL backend."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    async def claim(
        self, guild_id: str, record: DigestRecord, *, max_attempts: int
    ) -> DigestRecord | None:
        guild = str(guild_id)
        first = replace(record, attempts=1)
        async with self.pool.acquire() as conn, conn.transaction():
            taken = await conn.fetchval(
                _CLAIM_NEW,
                guild,
                record.local_date,
                record.state,
                record.token,
                bool(record.message_ids),
                first.to_dict(),
            )
            if taken is not None:
                return first
            doc = await conn.fetchval(
                _CLAIM_RETRY,
                guild,
                record.local_date,
                record.state,
                record.token,
                bool(record.message_ids),
                record.to_dict(),
                max_attempts,
            )
        return None if doc is None else DigestRecord.from_dict(doc)

    async def finish(
        self,
        guild_id: str,
        record: DigestRecord,
        *,
        token: str | None,
        states: Collection[str],
    ) -> bool:
        async with self.pool.acquire() as conn:
            done = await conn.fetchval(
                _FINISH,
                str(guild_id),
                record.local_date,
                record.state,
                record.token,
                record.attempts,
                bool(record.message_ids),
                record.to_dict(),
                list(states),
                token,
            )
        return done is not None

    async def get(self, guild_id: str) -> GuildDigests:
        return (await self.get_many([str(guild_id)]))[str(guild_id)]

    async def get_many(self, guild_ids: Collection[str]) -> dict[str, GuildDigests]:
        ids = [str(g) for g in guild_ids]
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(_LATEST, ids)
        return {
            r["guild_id"]: GuildDigests(
                DigestRecord.from_dict(r["latest"]), DigestRecord.from_dict(r["last_posted"])
            )
            for r in rows
        }

    async def export(self) -> dict[str, GuildDigests]:
        async with self.pool.acquire() as conn:
            guilds = [r[0] for r in await conn.fetch(_GUILDS)]
        return await self.get_many(guilds)

    async def restore(self, digests: Mapping[str, GuildDigests]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            for guild, found in sorted(digests.items()):
                for record in (found.last_posted, found.latest):  # latest is the newest day
                    if record is None:
                        continue
                    await conn.execute(
                        _PUT,
                        str(guild),
                        record.local_date,
                        record.state,
                        record.token,
                        record.attempts,
                        bool(record.message_ids),
                        record.to_dict(),
                    )


# The guilds with digest records, one index descent each.
_GUILDS = """
WITH RECURSIVE g AS (
    (SELECT guild_id FROM digest_claims ORDER BY guild_id LIMIT 1)
    UNION ALL
    SELECT (SELECT guild_id FROM digest_claims WHERE guild_id > g.guild_id
            ORDER BY guild_id LIMIT 1)
    FROM g WHERE g.guild_id IS NOT NULL
)
SELECT guild_id FROM g WHERE guild_id IS NOT NULL
"""

_PUT = """
INSERT INTO digest_claims (guild_id, local_date, state, token, attempts, sent, doc)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (guild_id, local_date) DO UPDATE
SET state = EXCLUDED.state, token = EXCLUDED.token, attempts = EXCLUDED.attempts,
    sent = EXCLUDED.sent, doc = EXCLUDED.doc
"""
