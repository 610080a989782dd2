"""``newsbot db upgrade`` / ``newsbot db status``: the database's schema.

The URL is ``--url``, else ``NEWSBOT_DATABASE_URL`` / ``database_url`` in newsbot.toml.
Only PostgreSQL has a schema to upgrade; the TinyDB files carry their own versions.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from bot.config import Settings

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``newsbot db ...`` to the ``newsbot`` parser."""
    db = sub.add_parser("db", help="the database: upgrade its schema, copy data across")
    verbs = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = verbs.add_parser("upgrade", help="apply the schema migrations the database lacks")
    upgrade.add_argument("--url", help="database URL (default: NEWSBOT_DATABASE_URL)")
    upgrade.set_defaults(handler=_cmd_upgrade)
    status = verbs.add_parser("status", help="the schema version, and what is pending")
    status.add_argument("--url", help="database URL (default: NEWSBOT_DATABASE_URL)")
    status.set_defaults(handler=_cmd_status)


def database_url(args: argparse.Namespace, settings: Settings) -> str | None:
    return (
        getattr(args, "url", None)
        or getattr(settings, "database_url", None)
        or os.environ.get("NEWSBOT_DATABASE_URL")
    )


def _postgres_url(args: argparse.Namespace, settings: Settings) -> str | None:
    url = database_url(args, settings)
    if not url:
        sys.stderr.write(
            "newsbot: no database URL: pass --url or set NEWSBOT_DATABASE_URL "
            "(the default TinyDB store needs no upgrade).\n"
        )
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        sys.stderr.write("newsbot: only a postgresql:// database has a schema to upgrade.\n")
        return None
    return url


def _cmd_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    url = _postgres_url(args, settings)
    if url is None:
        return EXIT_USAGE
    from bot.news.store.postgres import admin

    try:
        applied, version = asyncio.run(admin.upgrade(url))
    except admin.DatabaseError as exc:
        return _fail(exc)
    if applied:
        names = ", ".join(f"{m.version:04d}_{m.name}" for m in applied)
        print(f"Applied {len(applied)} migration(s): {names}; schema version {version}.")
    else:
        print(f"The schema is up to date (version {version}).")
    return EXIT_OK


def _cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    url = _postgres_url(args, settings)
    if url is None:
        return EXIT_USAGE
    from bot.news.store.postgres import admin

    try:
        version, todo = asyncio.run(admin.status(url))
    except admin.DatabaseError as exc:
        return _fail(exc)
    if todo:
        names = ", ".join(f"{m.version:04d}_{m.name}" for m in todo)
        print(f"Schema version {version}; pending: {names} (run `newsbot db upgrade`).")
        return EXIT_FAILED
    print(f"Schema version {version}: up to date.")
    return EXIT_OK


def _fail(exc: Exception) -> int:
    log.error("database: %s", exc)
    sys.stderr.write(f"newsbot: {exc}\n")
    return EXIT_USAGE
