"""``newsbot stats``, ``newsbot country NAME``, ``newsbot person NAME``: read the article store.

They open the store read-only, so they can run while the bot is running.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings
from bot.news.model import Article, EntityKind
from bot.news.queries import EntityFinder
from bot.news.store import CLI_GUILD, Articles, Store, StoreError, open_store

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_NOT_FOUND = 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the ``newsbot`` parser."""
    stats = sub.add_parser("stats", help="what the article store holds")
    stats.add_argument("--guild", help="count one guild (server id) only; default: all")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.set_defaults(handler=_cmd_stats)
    for kind, example in (("country", "Ecuador, EC"), ("person", "Daniel Noboa, Noboa")):
        cmd = sub.add_parser(kind, help=f"recent developments about a {kind} ({example})")
        cmd.add_argument("name", help=f"the {kind} ({example})")
        cmd.add_argument("--days", type=_positive, default=7.0, help="how far back (default 7)")
        cmd.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
        cmd.add_argument("--json", action="store_true", help="print JSON")
        cmd.add_argument(
            "--guild", default=CLI_GUILD, help=f"server id to read (default {CLI_GUILD!r})"
        )
        cmd.set_defaults(handler=_cmd_entity, kind=kind)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text!r}")
    return value


EXIT_STORE = 2


def _run(
    args: argparse.Namespace, settings: Settings, job: Callable[[Store], Awaitable[int]]
) -> int:
    """Run ``job`` on the store opened read-only (the bot may be running beside us); a
    store that cannot be opened is one sentence and exit 2."""

    async def main() -> int:
        store = await open_store(settings, read_only=True, clock=args.clock)
        try:
            return await job(store)
        finally:
            await store.close()

    try:
        return asyncio.run(main())
    except StoreError as exc:
        log.error("cli: %s", exc.message)
        sys.stderr.write(f"newsbot: {exc.message}\n")
        return EXIT_STORE


def _cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    async def job(store: Store) -> int:
        stats = (await store.articles.stats(args.guild)).to_dict()
        _print_stats(stats, as_json=args.json)
        return EXIT_OK

    return _run(args, settings, job)


def _print_stats(stats: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(stats))
    else:
        for key, value in stats.items():
            print(f"{key:>18}: {value}")


def _line(article: Article, kind: EntityKind, key: str) -> dict[str, str]:
    return {
        "date": datetime.fromtimestamp(article.published_time or article.event_time, UTC).strftime(
            "%Y-%m-%d"
        ),
        "title": article.title,
        "site": article.site,
        "url": article.url,
        "development": article.development_for(kind, key),
        "id": article.id,
    }


def _cmd_entity(args: argparse.Namespace, settings: Settings) -> int:
    kind: EntityKind = args.kind

    async def job(store: Store) -> int:
        return await _entity(store.articles, args, kind)

    return _run(args, settings, job)


async def _entity(store: Articles, args: argparse.Namespace, kind: EntityKind) -> int:
    # the same resolution as /country and /person: names, codes, demonyms, surnames
    guild = str(args.guild)
    finder = EntityFinder(store)
    ref = await finder.resolve(guild, kind, args.name)
    if ref is None:
        close = await finder.closest(guild, kind, args.name)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        if kind == "country":
            return _not_found(f"unknown country {args.name!r}{hint}")
        return _not_found(f"no person called {args.name!r} in the stored articles{hint}")
    key = ref.key
    label = f"{ref.display} ({ref.key})" if kind == "country" else ref.display
    since = args.clock.time() - args.days * 86400
    limit = max(args.limit, 1)
    articles = await finder.articles(guild, ref, since=since, limit=limit, offset=0)
    rows = [_line(a, kind, key) for a in articles]
    if args.json:
        print(json.dumps({"kind": kind, "key": key, "name": label, "developments": rows}))
        return EXIT_OK
    days = f"{args.days:g} day" + ("" if args.days == 1 else "s")
    if not rows:
        print(f"No developments about {label} in the last {days}.")
        return EXIT_OK
    print(f"{label}: {len(rows)} development(s) in the last {days}")
    for row in rows:
        print(
            f"{row['date']}  {row['title']}  "
            + (f"[{row['site']}]  " if row["site"] else "")
            + f"{row['url']}  — {row['development']}"
        )
    return EXIT_OK


def _not_found(message: str) -> int:
    log.info("cli: %s", message)
    sys.stderr.write(f"newsbot: {message}\n")
    return EXIT_NOT_FOUND
