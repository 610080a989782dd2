"""The PostgreSQL backend: asyncpg with a pool, schema in versioned plain-SQL migrations.

``migrations/NNNN_name.sql`` files are applied in order by ``newsbot db upgrade`` and at
start-up when the database is behind (``migrate.py``). The tables are shaped for the reads
newsbot makes: see the comments in ``migrations/0001_init.sql``. Any number of processes
may use one database at once: duplicates and claims are decided by unique constraints.
"""

from __future__ import annotations

from typing import Any

from bot.news.clock import Clock
from bot.news.store.errors import SchemaTooNew, StoreError, StoreUnreachable
from bot.news.store.interface import Store
from bot.news.store.postgres import migrate
from bot.news.store.postgres.articles import PgArticles
from bot.news.store.postgres.claims import PgDigestClaims
from bot.news.store.postgres.feeds import PgFeeds
from bot.news.store.postgres.guilds import PgGuilds
from bot.news.store.postgres.pool import DatabaseUnavailable, create_pool, redact

__all__ = ["open_postgres"]


async def open_postgres(
    target: str | Any, *, read_only: bool = False, clock: Clock | None = None, **options: Any
) -> Store:
    """Connect to the database at ``target`` (a DSN, or a ``StoreURL``), bringing its
    schema up to date (unless ``read_only``: then a schema that is behind is an error),
    and return the store. ``clock`` is what "now" is for new articles, links and settings
    changes (tests fix it); ``options`` go to ``create_pool`` (``max_size``...)."""
    dsn = target if isinstance(target, str) else target.dsn
    try:
        pool = await create_pool(dsn, upgrade=not read_only, read_only=read_only, **options)
    except DatabaseUnavailable as exc:
        raise StoreUnreachable(str(exc)) from exc
    except migrate.SchemaTooNew as exc:
        raise SchemaTooNew(str(exc)) from exc
    except migrate.SchemaError as exc:
        raise StoreError(str(exc)) from exc
    location = redact(dsn)
    return Store(
        backend="postgres",
        location=location,
        articles=PgArticles(pool, location, clock),
        guilds=PgGuilds(pool, clock),
        feeds=PgFeeds(pool),
        claims=PgDigestClaims(pool),
        read_only=read_only,
        _closers=[pool.close],
    )
