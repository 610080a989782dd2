"""Versioned plain-SQL migrations: every ``migrations/NNNN_name.sql`` applied in order.

The database records what it has in ``schema_version`` (one row per applied file). A
database that has a version this code does not know was written by a newer newsbot and
is refused (``SchemaTooNew``) rather than misread. Applying takes a transaction-level
advisory lock, so processes starting together apply each file once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

log = logging.getLogger(__name__)

_FILE_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Any fixed number: it only has to be the same in every newsbot process.
_MIGRATION_LOCK = 7_366_233_871

_CREATE_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


class SchemaError(RuntimeError):
    """The database's schema cannot be used by this newsbot."""


class SchemaTooNew(SchemaError):
    """The database was upgraded by a newer newsbot."""


class SchemaBehind(SchemaError):
    """The database needs ``newsbot db upgrade`` (raised only when upgrading is not allowed)."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def available(folder: Traversable | None = None) -> list[Migration]:
    """The migration files in ``folder`` (default: those shipped), in version order."""
    found = []
    if folder is None:
        folder = resources.files(__package__).joinpath("migrations")
    for entry in folder.iterdir():
        match = _FILE_RE.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise SchemaError("Two migration files share one version number.")
    return found


async def applied_versions(conn: Any) -> set[int]:
    """Versions recorded in the database (empty for a new database)."""
    exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return set()
    return {row[0] for row in await conn.fetch("SELECT version FROM schema_version")}


def _check_not_newer(applied: set[int], known: list[Migration]) -> None:
    unknown = applied - {m.version for m in known}
    if unknown:
        raise SchemaTooNew(
            f"The database has schema version {max(unknown)}, written by a newer newsbot "
            f"(this one knows up to {known[-1].version if known else 0}): upgrade newsbot."
        )


async def pending(conn: Any, known: list[Migration] | None = None) -> list[Migration]:
    """The migrations this database still needs (``SchemaTooNew`` if it is ahead)."""
    if known is None:
        known = available()
    applied = await applied_versions(conn)
    _check_not_newer(applied, known)
    return [m for m in known if m.version not in applied]


async def upgrade(conn: Any, known: list[Migration] | None = None) -> list[Migration]:
    """Apply every pending migration, each in its own transaction; returns those applied."""
    if known is None:
        known = available()
    done = []
    while True:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
            await conn.execute(_CREATE_VERSION_TABLE)
            todo = await pending(conn, known)  # read under the lock: another process may have won
            if not todo:
                return done
            step = todo[0]
            log.info("database: applying migration %04d_%s", step.version, step.name)
            await conn.execute(step.sql)
            await conn.execute(
                "INSERT INTO schema_version (version, name) VALUES ($1, $2)",
                step.version,
                step.name,
            )
        done.append(step)
