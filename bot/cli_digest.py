"""``newsbot digest``: print a server's digest in the terminal (nothing is posted or recorded)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import date
from typing import Any

from bot.config import Settings

try:
    from bot.news.store import CLI_GUILD
except ImportError:  # pragma: no cover - the store area not merged
    CLI_GUILD = "cli"


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the ``newsbot`` parser."""
    parser = sub.add_parser(
        "digest",
        help="print a server's daily digest in the terminal",
        description=(
            "Print the digest a server would get: by default what its next digest would "
            "say now; with --date, the digest of that local day (the news that arrived "
            "between the previous day's digest time and that day's)."
        ),
    )
    parser.add_argument("--guild", default=CLI_GUILD, help=f"server id (default: {CLI_GUILD})")
    parser.add_argument("--date", help="a local date, YYYY-MM-DD, in the server's time zone")
    parser.add_argument(
        "--json", action="store_true", help="print the Discord messages (embed dicts) as JSON"
    )
    parser.set_defaults(handler=run_digest)


def run_digest(args: argparse.Namespace, settings: Settings) -> int:
    day = None
    if args.date:
        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            sys.stderr.write(f"newsbot digest: --date {args.date!r} is not a YYYY-MM-DD date\n")
            return 2
    return asyncio.run(_digest(settings, str(args.guild), day, as_json=args.json))


async def _digest(settings: Settings, guild: str, day: date | None, *, as_json: bool) -> int:
    from bot.news.digest.build import digest_text, render_digest
    from bot.news.digest.service import DigestService
    from bot.news.store import StoreError, open_store

    try:
        # read-only: the bot may be running and holds the store for writing
        store = await open_store(settings, read_only=True)
    except StoreError as exc:
        sys.stderr.write(f"newsbot digest: {exc.message}\n")
        return 2
    try:
        service = DigestService(settings, store.articles, store.guilds, store.claims)
        if day:
            digest = await service.digest_of_date(guild, day)
        else:
            digest = await service.preview_digest(guild)
        if as_json:
            messages: list[Any] = render_digest(digest)
            sys.stdout.write(json.dumps(messages, ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write(digest_text(digest))
    finally:
        await store.close()
    return 0
