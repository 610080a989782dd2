"""``newsbot db upgrade`` / ``status`` / ``copy``: the database's schema, and moving data.

The URL is ``--url``, else ``NEWSBOT_DATABASE_URL`` / ``database_url`` in newsbot.toml.
Only PostgreSQL has a schema to upgrade; the TinyDB files carry their own versions.
``db copy --from URL --to URL`` copies everything between any two stores.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from bot.config import Settings

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

T = TypeVar("T")


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
    copy = verbs.add_parser(
        "copy",
        help="copy articles, links, settings, feeds and digest records to another store",
        description="Copy everything from one store to another (run it again to resume).",
    )
    copy.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="the store to read: tinydb:///folder or postgresql://...",
    )
    copy.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="URL",
        help="the store to write: tinydb:///folder or postgresql://...",
    )
    copy.add_argument(
        "--batch", type=_batch_size, default=500, help="articles per write (default 500)"
    )
    copy.set_defaults(handler=_cmd_copy)  # fmt: skip


def _batch_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError(f"must be between 1 and 100000, got {text}")
    return value


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
            "newsbot: No database URL: pass --url or set NEWSBOT_DATABASE_URL "
            "(the default TinyDB store needs no upgrade).\n"
        )
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        sys.stderr.write("newsbot: Only a postgresql:// database has a schema to upgrade.\n")
        return None
    return url


def _admin(
    args: argparse.Namespace,
    settings: Settings,
    call: Callable[[Any, str], Awaitable[T]],
    report: Callable[[T], int],
) -> int:
    """``call(admin, url)`` on the PostgreSQL database the arguments name, then
    ``report`` its result; the exit code."""
    url = _postgres_url(args, settings)
    if url is None:
        return EXIT_USAGE
    from bot.news.store.postgres import admin

    try:
        result = asyncio.run(call(admin, url))
    except admin.DatabaseError as exc:
        return _fail(exc)
    return report(result)


def _names(migrations: Iterable[Any]) -> str:
    return ", ".join(f"{m.version:04d}_{m.name}" for m in migrations)


def _cmd_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    def report(done: tuple[list[Any], int]) -> int:
        applied, version = done
        if applied:
            names = _names(applied)
            print(f"Applied {len(applied)} migration(s): {names}; schema version {version}.")
        else:
            print(f"The schema is up to date (version {version}).")
        return EXIT_OK

    return _admin(args, settings, lambda admin, url: admin.upgrade(url), report)


def _cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    def report(found: tuple[int, list[Any]]) -> int:
        version, todo = found
        if todo:
            print(f"Schema version {version}; pending: {_names(todo)} (run `newsbot db upgrade`).")
            return EXIT_FAILED
        print(f"Schema version {version}: up to date.")
        return EXIT_OK

    return _admin(args, settings, lambda admin, url: admin.status(url), report)


def _fail(exc: Exception) -> int:
    message = getattr(exc, "message", None) or str(exc)
    log.error("database: %s", message)
    sys.stderr.write(f"newsbot: {message}\n")
    return EXIT_USAGE


class _ProgressBar:
    """One line on stderr, redrawn in place on a terminal; every 10% otherwise."""

    WIDTH = 30

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.shown: tuple[str, int] = ("", -1)

    def __call__(self, what: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        if self.tty:
            filled = int(share * self.WIDTH)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            sys.stderr.write(f"\r{what:>15} [{bar}] {done:,}/{total:,}")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
            return
        decile = int(share * 10)
        if (what, decile) != self.shown:
            self.shown = (what, decile)
            sys.stderr.write(f"{what}: {done:,}/{total:,}\n")


def _cmd_copy(args: argparse.Namespace, settings: Settings) -> int:
    from bot.news.store import StoreError, open_store, parse_store_url
    from bot.news.store.transfer import copy_store

    try:
        source = parse_store_url(args.source, settings.data_dir)
        target = parse_store_url(args.target, settings.data_dir)
    except StoreError as exc:
        return _fail(exc)
    if str(source) == str(target):
        sys.stderr.write("newsbot: --from and --to name the same store.\n")
        return EXIT_USAGE
    if source.backend == "tinydb" and not (source.path and source.path.is_dir()):
        sys.stderr.write(f"newsbot: There is no TinyDB store in {source.path}.\n")
        return EXIT_USAGE

    async def run() -> int:
        src = await open_store(source, read_only=True)
        try:
            dst = await open_store(target)
            try:
                report = await copy_store(src, dst, batch=args.batch, progress=_ProgressBar())
            finally:
                await dst.close()
        finally:
            await src.close()
        print(
            f"Copied {report.articles_written:,} new articles "
            f"({report.articles_skipped:,} were there already), {report.guilds} server "
            f"settings, {report.feeds} feeds and the digest records of {report.claims} servers."
        )
        print(f"{'':30} {'from':>10} {'to':>10}")
        for name, (a, b) in report.counts.items():
            mark = "" if b >= a else "  <- fewer"
            print(f"{name:30} {a:>10,} {b:>10,}{mark}")
        if report.mismatches:
            sys.stderr.write(
                "newsbot: the copy is incomplete: the target has fewer "
                f"{', '.join(report.mismatches)}; run the same command again.\n"
            )
            return EXIT_FAILED
        return EXIT_OK

    try:
        return asyncio.run(run())
    except StoreError as exc:
        return _fail(exc)
