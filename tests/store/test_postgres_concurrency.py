"""Many processes on one PostgreSQL store: real processes, real kills, a real server."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.news.guild_settings import DigestRecord
from bot.news.store.interface import Store
from bot.news.store.postgres import open_postgres
from tests.store.postgres_support import scratch_database

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("postgres_server")


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with scratch_database() as url:
        yield url


@pytest.fixture
async def pg_store(pg_url: str) -> AsyncIterator[Store]:
    store = await open_postgres(pg_url, max_size=25)
    try:
        yield store
    finally:
        await store.close()


def _child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store.pg_child", *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_two_processes_adding_one_article_store_it_once_with_two_links(
    pg_store: Store, pg_url: str
) -> None:
    for round_ in range(2):
        procs = [_child("same", pg_url, f"guild-{round_}-{n}") for n in (1, 2)]
        for proc in procs:  # both connected and waiting
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outs = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
        results = [o[0].split() for o in outs]
        assert results[0][0] == results[1][0]  # the same article id
        article_id = results[0][0]
        if round_ == 0:
            assert sorted(r[1] for r in results) == ["0", "1"]  # exactly one created it
        stored = await pg_store.articles.get(article_id)
        assert stored is not None
        assert {f"guild-{round_}-1", f"guild-{round_}-2"} <= set(stored.guilds)
        for n in (1, 2):
            guild = f"guild-{round_}-{n}"
            assert [a.id for a in await pg_store.articles.by_country(guild, "EC")] == [article_id]
            assert await pg_store.articles.count(guild, "person", "Daniel Noboa") == 1
    async with pg_store.articles.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM articles") == 1
        assert await conn.fetchval("SELECT count(*) FROM article_links") == 4


def _links_after(log: list[str], links: set[tuple[int, str]]) -> set[tuple[int, str]]:
    links = set(links)
    for line in log:
        op = line.split()
        if op[0] == "add":
            links.add((int(op[1]), op[2]))
        elif op[0] == "forget":
            links.discard((int(op[1]), op[2]))
        elif op[0] == "delete":
            links = {(k, g) for k, g in links if k != int(op[1])}
    return links


async def _stored_links(store: Store) -> set[tuple[int, str]]:
    async with store.articles.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT a.canonical_url, l.guild_id FROM article_links l "
            "JOIN articles a ON a.id = l.article_id"
        )
    return {(int(r[0].rsplit("/", 1)[1]), r[1]) for r in rows}


async def _assert_consistent(store: Store) -> None:
    """Every derived row agrees with the articles and links: nothing is half-written."""
    async with store.articles.pool.acquire() as conn:
        orphans = await conn.fetchval(
            "SELECT count(*) FROM articles a WHERE NOT EXISTS "
            "(SELECT 1 FROM article_links l WHERE l.article_id = a.id)"
        )
        assert orphans == 0, "an article no server keeps was left behind"
        expected = await conn.fetch(
            "SELECT l.guild_id, 'country' AS kind, c AS key, l.event_time, l.article_id "
            "FROM article_links l JOIN articles a ON a.id = l.article_id, unnest(a.countries) c "
            "UNION ALL "
            "SELECT l.guild_id, 'person', p, l.event_time, l.article_id "
            "FROM article_links l JOIN articles a ON a.id = l.article_id, unnest(a.persons) p"
        )
        rows = await conn.fetch(
            "SELECT guild_id, kind, key, event_time, article_id FROM entity_rows"
        )
        assert sorted(map(tuple, rows)) == sorted(map(tuple, expected))
        totals = await conn.fetch(
            "SELECT guild_id, kind, key, articles FROM entity_totals WHERE articles <> 0"
        )
        counted = await conn.fetch(
            "SELECT guild_id, kind, key, count(*) FROM entity_rows GROUP BY 1, 2, 3"
        )
        assert sorted(map(tuple, totals)) == sorted(map(tuple, counted))


async def _backend_gone(store: Store, pid: int) -> None:
    async with store.articles.pool.acquire() as conn:
        for _ in range(600):
            if not await conn.fetchval("SELECT 1 FROM pg_stat_activity WHERE pid = $1", pid):
                return
            await asyncio.sleep(0.05)
    raise AssertionError(f"the killed client's server process {pid} did not end")


async def test_a_process_killed_mid_write_leaves_nothing_half_written(
    pg_store: Store, pg_url: str
) -> None:
    rng = random.Random(7)
    links: set[tuple[int, str]] = set()
    acknowledged = 0
    for round_ in range(5):
        proc = _child("churn", pg_url, str(round_))
        assert proc.stdout is not None
        ready = proc.stdout.readline().split()
        assert ready[:1] == ["ready"], proc.stderr.read() if proc.stderr else ""
        await asyncio.sleep(rng.uniform(0.3, 0.9))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        # The server may still be finishing the statement it had: wait for its backend to
        # end, so that the change in flight is either committed or gone before we look.
        await _backend_gone(pg_store, int(ready[1]))
        log = [line for line in out.splitlines() if line.strip()]
        acknowledged += len(log)
        expected = _links_after(log, links)
        stored = await _stored_links(pg_store)
        # What was acknowledged is there; at most the one change in flight differs.
        extra, missing = stored - expected, expected - stored
        assert len(extra) <= 1, (extra, missing)
        if missing:
            assert not extra and len({k for k, _ in missing}) == 1, (extra, missing)
        await _assert_consistent(pg_store)
        links = stored
    assert acknowledged >= 10  # the children really were writing when killed


async def test_twenty_concurrent_claims_for_one_day_have_exactly_one_winner(
    pg_store: Store,
) -> None:
    for day in range(1, 11):
        record = DigestRecord(local_date=f"2026-12-{day:02d}", state="claimed", claimed_at=1.0)
        claims = [
            pg_store.claims.claim(
                "g1",
                DigestRecord(**{**record.to_dict(), "token": f"t{n}", "message_ids": ()}),
                max_attempts=3,
            )
            for n in range(20)
        ]
        results = await asyncio.gather(*claims)
        winners = [r for r in results if r is not None]
        assert len(winners) == 1
        latest = (await pg_store.claims.get("g1")).latest
        assert latest is not None and latest.token == winners[0].token


async def test_twenty_concurrent_retries_of_a_failed_day_have_exactly_one_winner(
    pg_store: Store,
) -> None:
    day = DigestRecord(local_date="2026-12-24", state="claimed", token="first", claimed_at=1.0)
    assert await pg_store.claims.claim("g1", day, max_attempts=5) is not None
    failed = DigestRecord(local_date="2026-12-24", state="failed", token="first", attempts=1)
    assert await pg_store.claims.finish("g1", failed, token="first", states=("claimed",))
    retry = [
        pg_store.claims.claim(
            "g1",
            DigestRecord(local_date="2026-12-24", state="claimed", token=f"t{n}"),
            max_attempts=5,
        )
        for n in range(20)
    ]
    winners = [r for r in await asyncio.gather(*retry) if r is not None]
    assert len(winners) == 1 and winners[0].attempts == 2
