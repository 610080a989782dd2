"""The asyncpg connection pool newsbot uses, and the start-up schema check."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import orjson

from bot.news.store.postgres import migrate
from bot.news.store.postgres.reuse import IDLE_AFTER, ReusingPool

log = logging.getLogger(__name__)

# asyncpg prepares every statement, and after five runs PostgreSQL may keep a generic
# plan: no planning per run (a quarter of a durable add's server time). The one read whose
# best plan depends on its values, search, plans with them on every run (EXECUTE inside
# ``search_articles``, migration 0105).
SERVER_SETTINGS = {
    "jit": "off",  # JIT compiling took longer than our short queries themselves
    "application_name": "newsbot",
}
CONNECT_TIMEOUT = 10.0


class DatabaseUnavailable(RuntimeError):
    """No PostgreSQL server answered at the configured address, or it refused us."""


async def create_pool(
    url: str,
    *,
    upgrade: bool = True,
    read_only: bool = False,
    min_size: int = 1,
    max_size: int | None = None,
    idle_after: float = IDLE_AFTER,
) -> Any:
    """A pool on ``url`` whose schema is current (applying migrations when ``upgrade``).

    Raises ``DatabaseUnavailable``, ``migrate.SchemaTooNew`` or ``migrate.SchemaBehind``.
    """
    if max_size is None:
        max_size = int(os.environ.get("NEWSBOT_DATABASE_POOL", "10"))
    try:
        pool = await asyncpg.create_pool(
            url,
            min_size=min(min_size, max_size),
            max_size=max_size,
            timeout=CONNECT_TIMEOUT,
            server_settings=_settings(read_only),
            init=_init_connection,
            reset=_keep_session,
        )
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise _unavailable(url, exc) from exc
    try:
        async with pool.acquire() as conn:
            if upgrade:
                applied = await migrate.upgrade(conn)
                if applied:
                    log.info("database: schema now at version %d", applied[-1].version)
            else:
                todo = await migrate.pending(conn)
                if todo:
                    raise migrate.SchemaBehind(
                        f"The database schema is behind (needs version {todo[-1].version}); "
                        "run `newsbot db upgrade`"
                    )
    except BaseException:
        await pool.close()
        raise
    return ReusingPool(pool, idle_after=idle_after)


def _settings(read_only: bool) -> dict[str, str]:
    if not read_only:
        return SERVER_SETTINGS
    return {**SERVER_SETTINGS, "default_transaction_read_only": "on"}


async def _keep_session(conn: Any) -> None:
    """Hand a released connection back as it is, without asyncpg's reset query.

    asyncpg still rolls back a transaction left open. Its reset query (RESET ALL, UNLISTEN,
    CLOSE ALL, advisory unlock) would cost a round trip on every release, doubling a
    newest-10 read; nothing here leaves session state behind: settings are the pool's,
    advisory locks are transaction-level, listening uses a connection of its own."""


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


async def _init_connection(conn: Any) -> None:
    """jsonb columns in and out as Python objects, through orjson."""
    for name in ("jsonb", "json"):
        await conn.set_type_codec(
            name, encoder=_dumps, decoder=orjson.loads, schema="pg_catalog", format="text"
        )


@contextlib.asynccontextmanager
async def connection(url: str) -> AsyncIterator[Any]:
    """One connection with the pool's settings (schema commands, tests)."""
    try:
        conn = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT, server_settings=SERVER_SETTINGS)
        await _init_connection(conn)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise _unavailable(url, exc) from exc
    try:
        yield conn
    finally:
        await conn.close()


def _unavailable(url: str, exc: BaseException) -> DatabaseUnavailable:
    """One sentence naming the server and the reason, without a password."""
    if isinstance(exc, ConnectionRefusedError):
        reason = "connection refused (is the server running?)"
    elif isinstance(exc, OSError) and exc.strerror:
        reason = exc.strerror.lower()
    elif isinstance(exc, TimeoutError):
        reason = "no answer in time"
    else:
        reason = str(exc).strip().rstrip(".") or type(exc).__name__
    return DatabaseUnavailable(f"Cannot connect to PostgreSQL at {redact(url)}: {reason}.")


def redact(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}@{host}" if user else f"{scheme}://{host}"
