"""``newsbot digest``: print a server's digest in the terminal (nothing is posted or recorded)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.news.clock import Clock
from bot.news.guild_settings import QUIET_SILENT
from bot.news.store import CLI_GUILD
from bot.news.text import one_line, shorten
from bot.news.understanding.countries import country_name, flag

if TYPE_CHECKING:  # the digest's modules load numpy and scipy: only when a digest is made
    from bot.news.digest.build import Digest, DigestSection


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
    return asyncio.run(_digest(settings, args.clock, str(args.guild), day, as_json=args.json))


async def _digest(
    settings: Settings, clock: Clock, guild: str, day: date | None, *, as_json: bool
) -> int:
    from bot.news.digest.service import DigestService
    from bot.news.store import StoreError, open_store
    from bot.ui.digest import render_digest

    try:
        # read-only: the bot may be running and holds the store for writing
        store = await open_store(settings, read_only=True, clock=clock)
    except StoreError as exc:
        sys.stderr.write(f"newsbot digest: {exc.message}\n")
        return 2
    try:
        service = DigestService(settings, store.articles, store.guilds, store.claims, clock=clock)
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


def digest_text(digest: Digest) -> str:
    """The digest as plain text for the terminal: no markdown, full URLs, each story once
    and numbered; people point at story numbers."""
    zone = ZoneInfo(digest.zone)
    since = digest.since.astimezone(zone)
    until = digest.until.astimezone(zone)
    head = f"Daily briefing — {_long_date(digest.local_date)} (server {digest.guild_id})"
    window = f"{since:%Y-%m-%d %H:%M} – {until:%Y-%m-%d %H:%M} ({digest.zone})"
    if digest.quiet:
        note = "a quiet day: no new stories."
        if digest.quiet_mode == QUIET_SILENT:
            note += " (Nothing would be posted: quiet-day mode is silent.)"
        return f"{head}\n{window}\n{note}\n"
    out = [
        head,
        window,
        f"{_count(digest.story_count, 'story', 'stories')} "
        f"({_count(digest.article_count, 'article', 'articles')}) from "
        f"{_count(digest.source_count, 'source', 'sources')} · "
        f"{_count(digest.country_count, 'country', 'countries')} · "
        f"{_count(digest.person_count, 'person', 'people')}",
    ]
    if digest.followed_quiet:
        out.append("Nothing new on: " + ", ".join(digest.followed_quiet))
    group = ""
    for section in digest.story_sections:
        group = _section_text(out, section, group)
    if digest.more_countries:
        also = ", ".join(f"{(country_name(c) or c)} ({n})" for c, n in digest.more_countries)
        out.append(f"Also in the news: {also}")
    if digest.people:
        out += ["", "== PEOPLE IN THE NEWS =="]
        for person in digest.people:
            refs = (
                " → " + ", ".join(f"#{n}" for n in person.refs)
                if person.refs
                else f" → /person {one_line(person.name)}"
            )
            sentence = f" — {shorten(person.sentence, 160)}" if person.sentence else ""
            out.append(f"  {one_line(person.name)} ({person.count}){sentence}{refs}")
    for section in digest.other_sections:
        group = _section_text(out, section, group)
    return "\n".join(out) + "\n"


_GROUP_NAMES = {"followed": "FOLLOWING", "countries": "BY COUNTRY", "other": "OTHER STORIES"}


def _section_text(out: list[str], section: DigestSection, group: str) -> str:
    if section.group != group:
        out += ["", f"== {_GROUP_NAMES[section.group]} =="]
    mark = f"{flag(section.key)} " if section.kind == "country" and flag(section.key) else ""
    out.append(f"{mark}{one_line(section.heading)} ({section.total})")
    for item in section.items:
        line = f"  {item.number}. {one_line(item.title)}"
        if item.published:
            line += f" ({item.published.isoformat()})"
        out.append(line)
        if item.sentence:
            out.append(f"     {shorten(item.sentence, 240)}")
        sites = ", ".join(one_line(s.site) for s in item.sources)
        label = f"{len(item.sources)} sources: {sites}" if len(item.sources) > 1 else sites
        out.append(f"     {item.url}  [{label}]")
    if section.refs:
        out.append("  also: " + ", ".join(f"#{n}" for n in section.refs))
    more = section.total - len(section.items) - len(section.refs)
    if more > 0 and section.more_hint:
        out.append(f"  …and {more} more: {section.more_hint}")
    return section.group


def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
