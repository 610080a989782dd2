"""The PostgreSQL migration runner on a real server: apply, re-apply, race, refuse newer."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from bot.news.store.postgres import migrate
from bot.news.store.postgres.pool import DatabaseUnavailable, connection, create_pool
from tests.store.postgres_support import scratch_database

pytestmark = pytest.mark.usefixtures("postgres_server")


async def test_upgrade_applies_every_file_once() -> None:
    async with scratch_database() as url, connection(url) as conn:
        first = await migrate.upgrade(conn)
        assert [m.version for m in first] == [m.version for m in migrate.available()]
        assert await migrate.upgrade(conn) == []
        assert await migrate.applied_versions(conn) == {m.version for m in first}
        tables = {
            r[0]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        assert {"articles", "article_links", "entity_rows", "digest_claims"} <= tables


async def test_later_files_are_applied_in_order(tmp_path: Path) -> None:
    shipped = migrate.available()
    folder = tmp_path / "migrations"
    folder.mkdir()
    for m in shipped:
        (folder / f"{m.version:04d}_{m.name}.sql").write_text(m.sql)
    last = shipped[-1].version
    (folder / f"{last + 2:04d}_second.sql").write_text("ALTER TABLE extra ADD COLUMN b int;")
    (folder / f"{last + 1:04d}_first.sql").write_text("CREATE TABLE extra (a int);")
    (folder / "README.txt").write_text("not a migration")
    known = migrate.available(folder)
    async with scratch_database() as url, connection(url) as conn:
        await migrate.upgrade(conn, shipped)  # a database at the shipped version
        applied = await migrate.upgrade(conn, known)
        assert [m.name for m in applied] == ["first", "second"]
        assert await conn.fetch("SELECT a, b FROM extra") == []


async def test_processes_starting_together_apply_each_file_once() -> None:
    async with scratch_database() as url:
        pools = await asyncio.gather(*(create_pool(url, max_size=1) for _ in range(4)))
        try:
            async with pools[0].acquire() as conn:
                rows = await conn.fetch("SELECT version FROM schema_version ORDER BY version")
            assert [r[0] for r in rows] == [m.version for m in migrate.available()]
        finally:
            await asyncio.gather(*(p.close() for p in pools))


async def test_a_newer_schema_is_refused() -> None:
    async with scratch_database() as url:
        async with connection(url) as conn:
            await migrate.upgrade(conn)
            await conn.execute("INSERT INTO schema_version (version, name) VALUES (9999, 'x')")
        with pytest.raises(migrate.SchemaTooNew):
            await create_pool(url)
        proc = subprocess.run(
            [sys.executable, "-m", "bot.cli", "db", "upgrade", "--url", url],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr
        assert "newer newsbot" in proc.stderr.splitlines()[-1]


async def test_a_behind_schema_is_refused_when_upgrading_is_not_allowed() -> None:
    async with scratch_database() as url:
        with pytest.raises(migrate.SchemaBehind):
            await create_pool(url, upgrade=False)


async def test_an_unreachable_server_is_a_typed_error() -> None:
    async with scratch_database() as url:
        pass  # dropped: the server answers, the database is gone
    with pytest.raises(DatabaseUnavailable):
        await create_pool(url)
    with pytest.raises(DatabaseUnavailable):
        await create_pool("postgresql://postgres@127.0.0.1:9/none")


async def test_fingerprint_and_url_are_unique() -> None:
    async with scratch_database() as url, connection(url) as conn:
        await migrate.upgrade(conn)
        insert = (
            "INSERT INTO articles (id, canonical_url, fingerprint, ingested_at, event_time,"
            " doc, search_text) VALUES ($1, $2, $3, 0, 0, '{}', '')"
        )
        await conn.execute(insert, "a", "https://a.example/1", "fp1")
        await conn.execute(insert, "b", "https://a.example/2", None)
        await conn.execute(insert, "c", "https://a.example/3", None)
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.execute(insert, "d", "https://a.example/4", "fp1")
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.execute(insert, "e", "https://a.example/1", "fp2")
