"""The fleet's rows in PostgreSQL: job outcomes (with NOTIFY), feed leases, host budgets.

Every decision that must hold across processes is one statement that PostgreSQL settles
(a primary key, ``ON CONFLICT``), never a lock held by a process that may be killed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Collection
from typing import Any

import asyncpg

from bot.news.clock import Clock

log = logging.getLogger(__name__)

JOBS_CHANNEL = "newsbot_jobs"


class FleetDatabaseError(RuntimeError):
    """PostgreSQL did not answer a fleet request (the caller retries or reports it)."""


async def connect_pool(url: str, *, max_size: int = 4) -> Any:
    """A small pool for the fleet's rows (``FleetDatabaseError`` when unreachable)."""
    try:
        return await asyncpg.create_pool(url, min_size=1, max_size=max_size, timeout=10.0)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise FleetDatabaseError(f"cannot connect to PostgreSQL: {exc}") from exc


class JobLedger:
    """Outcomes of ingestion jobs. ``record`` writes one and notifies in one transaction;
    ``listen`` calls back with each finished job id (from any worker)."""

    def __init__(self, pool: Any, url: str) -> None:
        self.pool = pool
        self.url = url
        self._listener: Any = None

    async def record(
        self,
        job_id: str,
        *,
        kind: str,
        guild_id: str,
        source: str,
        ok: bool,
        outcome: dict[str, Any],
        worker: str,
    ) -> bool:
        """Store the job's outcome once (a redelivered job keeps the first) and notify;
        False when it was recorded already."""
        async with self.pool.acquire() as conn, conn.transaction():
            inserted = await conn.fetchval(
                "INSERT INTO fleet_jobs (job_id, kind, guild_id, source, ok, outcome, worker)"
                " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)"
                " ON CONFLICT (job_id) DO NOTHING RETURNING true",
                job_id,
                kind,
                guild_id,
                source,
                ok,
                json.dumps(outcome),
                worker,
            )
            # NOTIFY is delivered at commit: a gateway never hears of an uncommitted job.
            await conn.execute("SELECT pg_notify($1, $2)", JOBS_CHANNEL, job_id)
        return bool(inserted)

    async def outcomes(self, job_ids: Collection[str]) -> dict[str, dict[str, Any]]:
        """The recorded outcomes among ``job_ids``."""
        if not job_ids:
            return {}
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT job_id, outcome FROM fleet_jobs WHERE job_id = ANY($1::text[])",
                list(job_ids),
            )
        return {r["job_id"]: json.loads(r["outcome"]) for r in rows}

    async def listen(self, on_finished: Callable[[str], None]) -> None:
        """Call ``on_finished(job_id)`` for every job recorded from now on (own connection:
        a pooled one would be handed to others while listening)."""
        conn = await asyncpg.connect(self.url, timeout=10.0)

        def deliver(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            on_finished(payload)

        await conn.add_listener(JOBS_CHANNEL, deliver)
        self._listener = conn

    @property
    def listening(self) -> bool:
        return self._listener is not None and not self._listener.is_closed()

    async def expect_reply(
        self,
        jobs: list[tuple[str, str]],
        *,
        guild_id: str,
        gateway: str,
        application_id: str,
        token: str,
        kind: str = "ingest",
    ) -> None:
        """Record an interaction's jobs, ``(job_id, source)`` in answer order, before the
        interaction is acknowledged: from here on a successor can finish it."""
        async with self.pool.acquire() as conn:
            await conn.executemany(
                "INSERT INTO fleet_replies (job_id, guild_id, gateway, application_id, token,"
                " kind, source, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                " ON CONFLICT (job_id) DO NOTHING",
                [
                    (job_id, guild_id, gateway, application_id, token, kind, source, n)
                    for n, (job_id, source) in enumerate(jobs)
                ],
            )

    async def mark_sent(self, job_id: str) -> None:
        """RabbitMQ has the job: a successor need not send it again."""
        async with self.pool.acquire() as conn:
            await conn.execute("UPDATE fleet_replies SET sent_at = now() WHERE job_id = $1", job_id)

    async def mark_answered(
        self, token: str, gateway: str, shards: str, *, answer: str = "answered"
    ) -> None:
        """Record who answered the interaction ``token`` (``answer``: 'answered' or
        'gave_up'); the first record stays."""
        async with self.pool.acquire() as conn:
            await conn.execute(
                "UPDATE fleet_replies SET answered_by = $2, answered_at = now(),"
                " answered_shards = $3, answer = $4"
                " WHERE token = $1 AND answered_by IS NULL",
                token,
                gateway,
                shards,
                answer,
            )

    async def orphans(self, gateway: str, max_age_seconds: float) -> list[dict[str, Any]]:
        """Unanswered jobs recorded by another (earlier) gateway, younger than
        ``max_age_seconds``, with their outcome (None while not finished): ``job_id,
        guild_id, application_id, token, kind, source, position, sent, age,
        outcome``."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT r.job_id, r.guild_id, r.application_id, r.token, r.kind, r.source,"
                " r.position, r.sent_at IS NOT NULL AS sent,"
                " extract(epoch FROM now() - r.created_at)::float8 AS age, j.outcome"
                " FROM fleet_replies r LEFT JOIN fleet_jobs j USING (job_id)"
                " WHERE r.answered_by IS NULL AND r.gateway <> $1"
                " AND r.created_at > now() - make_interval(secs => $2)"
                " ORDER BY r.token, r.position",
                gateway,
                max_age_seconds,
            )
            # tokens past Discord's 15 minutes are worthless: drop them
            await conn.execute(
                "DELETE FROM fleet_replies WHERE created_at < now() - interval '1 hour'"
            )
        return [
            {**dict(r), "outcome": json.loads(r["outcome"]) if r["outcome"] else None} for r in rows
        ]

    async def notify(self, job_id: str) -> None:
        """Announce an outcome recorded earlier again (its first notice may be lost)."""
        async with self.pool.acquire() as conn:
            await conn.execute("SELECT pg_notify($1, $2)", JOBS_CHANNEL, job_id)

    async def close(self) -> None:
        """Stop listening and close the pool."""
        listener, self._listener = self._listener, None
        if listener is not None and not listener.is_closed():
            await listener.close()
        await self.pool.close()


class FeedLeases:
    """One fetch per feed URL per cycle across the fleet."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    async def take(self, url: str, cycle: int, holder: str, lease_seconds: float) -> bool:
        """Take ``url`` for ``cycle``: True for exactly one caller, unless the holder's lease
        ran out before it finished (then the next caller takes it over)."""
        async with self.pool.acquire() as conn:
            won = await conn.fetchval(
                "INSERT INTO fleet_feed_leases AS l (feed_url, cycle, holder, leased_until)"
                " VALUES ($1, $2, $3, now() + make_interval(secs => $4))"
                " ON CONFLICT (feed_url) DO UPDATE SET cycle = excluded.cycle,"
                " holder = excluded.holder, leased_until = excluded.leased_until, done = false"
                " WHERE l.cycle < excluded.cycle"
                " OR (l.cycle = excluded.cycle AND NOT l.done AND l.leased_until < now())"
                " RETURNING true",
                url,
                cycle,
                holder,
                lease_seconds,
            )
        return bool(won)

    async def finish(self, url: str, cycle: int, holder: str) -> bool:
        """Mark this cycle's fetch of ``url`` done (False when the lease was taken over)."""
        async with self.pool.acquire() as conn:
            done = await conn.fetchval(
                "UPDATE fleet_feed_leases SET done = true, fetches = fetches + 1"
                " WHERE feed_url = $1 AND cycle = $2 AND holder = $3 RETURNING true",
                url,
                cycle,
                holder,
            )
        return bool(done)

    async def fetches(self) -> dict[str, int]:
        """Finished fetches per feed URL since the lease row was created."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch("SELECT feed_url, fetches FROM fleet_feed_leases")
        return {r["feed_url"]: r["fetches"] for r in rows}


class HostBudget:
    """At most ``per_minute`` requests to one host in one clock minute, fleet-wide."""

    def __init__(self, pool: Any, per_minute: int, clock: Clock | None = None) -> None:
        self.pool = pool
        self.per_minute = per_minute
        self.clock = clock or Clock()

    async def try_take(self, host: str) -> bool:
        """Count one request to ``host`` in this minute; False when its budget is spent."""
        minute = int(self.clock.time() // 60)
        async with self.pool.acquire() as conn:
            granted = await conn.fetchval(
                "INSERT INTO fleet_host_budget AS b (host, minute, requests) VALUES ($1, $2, 1)"
                " ON CONFLICT (host, minute) DO UPDATE SET requests = b.requests + 1"
                " WHERE b.requests < $3 RETURNING requests",
                host,
                minute,
                self.per_minute,
            )
            if granted == 1:  # the first of a minute clears old minutes of that host
                await conn.execute(
                    "DELETE FROM fleet_host_budget WHERE host = $1 AND minute < $2",
                    host,
                    minute - 1,
                )
        return granted is not None

    async def take(self, host: str, *, poll: float = 1.0) -> None:
        """Wait until a request to ``host`` fits in its budget."""
        while not await self.try_take(host):
            wait = 60.0 - self.clock.time() % 60.0
            await asyncio.sleep(min(poll, wait) + 0.01)
