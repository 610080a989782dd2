"""Schema operations for the command line, with every failure as a ``DatabaseError``."""

from __future__ import annotations

from bot.news.store.postgres import migrate
from bot.news.store.postgres.pool import DatabaseUnavailable, connection

DatabaseError = (DatabaseUnavailable, migrate.SchemaError)


async def upgrade(url: str) -> tuple[list[migrate.Migration], int]:
    """Apply pending migrations; returns those applied and the version now."""
    async with connection(url) as conn:
        applied = await migrate.upgrade(conn)
        version = max(await migrate.applied_versions(conn), default=0)
    return applied, version


async def status(url: str) -> tuple[int, list[migrate.Migration]]:
    """The database's schema version and the migrations it lacks."""
    async with connection(url) as conn:
        todo = await migrate.pending(conn)
        version = max(await migrate.applied_versions(conn), default=0)
    return version, todo
