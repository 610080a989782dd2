"""``newsbot stats``, ``newsbot country NAME``, ``newsbot person NAME``: read the article store.

They open the store read-only, so they can run while the bot is running.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings
from bot.news.clock import Clock
from bot.news.model import Article, EntityKind, person_key
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


def _run(settings: Settings, job: Callable[[Store], Awaitable[int]]) -> int:
    """Run ``job`` on the store opened read-only (the bot may be running beside us); a
    store that cannot be opened is one sentence and exit 2."""

    async def main() -> int:
        store = await open_store(settings, read_only=True)
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

    return _run(settings, job)


def _print_stats(stats: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(stats))
    else:
        for key, value in stats.items():
            print(f"{key:>18}: {value}")


def _countries_module() -> Any | None:
    try:  # written on another branch; until it lands, ISO codes only
        return importlib.import_module("bot.news.understanding.countries")
    except ImportError:
        return None


def resolve_country(name: str) -> tuple[str | None, str]:
    """(ISO code or None, how to call it)."""
    module = _countries_module()
    text = name.strip()
    code = module.resolve_country(text) if module is not None else None
    if code is None and len(text) == 2 and text.isascii() and text.isalpha():
        code = text.upper()
    if code is None:
        return None, text
    label = code
    if module is not None and hasattr(module, "country_name"):
        label = f"{module.country_name(code)} ({code})"
    return code, label


def resolve_person(name: str, names: dict[str, str]) -> tuple[list[str], str]:
    """Person keys matching ``name``: the full name, else a surname or a part of the name."""
    key = person_key(name)
    if key in names:
        return [key], names[key]
    words = key.split()
    if not words:
        return [], name
    by_surname = [k for k in names if k.split()[-1] == words[-1] and set(words) <= set(k.split())]
    if not by_surname:
        by_surname = [k for k in names if set(words) <= set(k.split())]
    return sorted(by_surname), name


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

    return _run(settings, job)


async def _entity(store: Articles, args: argparse.Namespace, kind: EntityKind) -> int:
    guild = str(args.guild)
    query: Callable[..., Awaitable[list[Article]]]
    if kind == "country":
        key, label = resolve_country(args.name)
        if key is None:
            hint = "" if _countries_module() else " (give an ISO code such as EC)"
            return _not_found(f"unknown country {args.name!r}{hint}")
        query = store.by_country
    else:
        names = await store.person_names(guild)
        keys, label = resolve_person(args.name, names)
        if not keys:
            return _not_found(f"no person called {args.name!r} in the stored articles")
        if len(keys) > 1:
            choices = ", ".join(names[k] for k in keys[:10])
            return _not_found(f"{args.name!r} could be {choices}: give the full name")
        key, label = keys[0], names[keys[0]]
        query = store.by_person
    since = Clock().time() - args.days * 86400
    articles = await query(guild, key, since=since, limit=max(args.limit, 1))
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
