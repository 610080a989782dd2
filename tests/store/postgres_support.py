"""A real PostgreSQL for the store tests: each test run makes its own database and drops it.

The server is ``NEWSBOT_TEST_POSTGRES_URL`` (default: 127.0.0.1:5432, user postgres). When
none answers, the tests that need it skip with one line, or fail under
``NEWSBOT_REQUIRE_POSTGRES=1`` (CI).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

SERVER_URL = os.environ.get(
    "NEWSBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def url_for(database: str) -> str:
    base, _, _ = SERVER_URL.rpartition("/")
    return f"{base}/{database}"


async def _admin() -> asyncpg.Connection:
    return await asyncpg.connect(SERVER_URL, timeout=5)


_unreachable: list[str] = []  # why the server did not answer, once known


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("NEWSBOT_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason} (NEWSBOT_REQUIRE_POSTGRES=1)", pytrace=False)
    pytest.skip(reason)


async def _probe() -> None:
    if _unreachable:
        _skip_or_fail(_unreachable[0])
    try:
        conn = await _admin()
        await conn.close()
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        _unreachable.append(f"PostgreSQL not reachable at {SERVER_URL}: {exc}")
        _skip_or_fail(_unreachable[0])


def server_or_skip() -> None:
    """Skip (or fail, when PostgreSQL is required) if no server answers."""
    asyncio.run(_probe())


async def create_database(template: str | None = None) -> str:
    """A new database (empty, or a copy of ``template``); returns its URL."""
    name = f"newsbot_test_{secrets.token_hex(6)}"
    conn = await _admin()
    try:
        copy_of = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'CREATE DATABASE "{name}"{copy_of}')
    finally:
        await conn.close()
    return url_for(name)


_template: list[str] = []  # the migrated template of this test run, once made


def _drop_template() -> None:
    for url in _template:
        asyncio.run(drop_database(url))


@contextlib.asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A database with the current schema and no rows, dropped afterwards (skips, or
    fails under NEWSBOT_REQUIRE_POSTGRES=1, when no server answers). Copied from a
    template migrated once per test run: faster than migrating each time."""
    from bot.news.store.postgres import admin

    await _probe()
    if not _template:
        url = await create_database()
        await admin.upgrade(url)
        _template.append(url)
        atexit.register(_drop_template)
    url = await create_database(template=_template[0].rpartition("/")[2])
    try:
        yield url
    finally:
        await drop_database(url)


async def drop_database(url: str) -> None:
    name = url.rpartition("/")[2]
    conn = await _admin()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def scratch_database() -> AsyncIterator[str]:
    """An empty database for one test (no schema applied)."""
    url = await create_database()
    try:
        yield url
    finally:
        await drop_database(url)


# Tables emptied between tests; everything the migrations create except their own record.
async def truncate_all(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        names = [
            r[0]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'schema_version'"
            )
        ]
        if names:
            await conn.execute(
                "TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"
            )
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_server() -> None:
    server_or_skip()


@pytest.fixture(scope="session")
def postgres_session_db(postgres_server: None) -> Iterator[str]:
    """One database for the test session, with the schema applied."""
    from bot.news.store.postgres import admin

    url = asyncio.run(create_database())
    try:
        asyncio.run(admin.upgrade(url))
        yield url
    finally:
        asyncio.run(drop_database(url))


@pytest.fixture
async def postgres_url(postgres_session_db: str) -> str:
    """The session's database, emptied: a URL with the current schema and no rows."""
    await truncate_all(postgres_session_db)
    return postgres_session_db
