"""A real PostgreSQL for the store tests: each test run makes its own database and drops it.

The server is ``NEWSBOT_TEST_POSTGRES_URL`` (default: 127.0.0.1:5432, user postgres). When
none answers, the tests that need it skip with one line, or fail under
``NEWSBOT_REQUIRE_POSTGRES=1`` (CI).
"""

from __future__ import annotations

import asyncio
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


def server_or_skip() -> None:
    """Skip (or fail, when PostgreSQL is required) if no server answers."""

    async def probe() -> None:
        conn = await _admin()
        await conn.close()

    try:
        asyncio.run(probe())
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        reason = f"PostgreSQL not reachable at {SERVER_URL}: {exc}"
        if os.environ.get("NEWSBOT_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (NEWSBOT_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(reason)


async def create_database() -> str:
    """A new empty database; returns its URL."""
    name = f"newsbot_test_{secrets.token_hex(6)}"
    conn = await _admin()
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url_for(name)


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
