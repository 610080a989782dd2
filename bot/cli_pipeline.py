"""``newsbot analyze`` and ``newsbot ingest``: the pipeline from the command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from dataclasses import asdict
from typing import Any

import orjson

from bot.config import Settings
from bot.news.understanding.sentences import split_sentences

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the ``newsbot`` parser."""
    analyze = sub.add_parser(
        "analyze",
        help="analyse articles (links or .txt/.html/.html.gz files) without storing them",
    )
    analyze.add_argument("sources", nargs="+", metavar="PATH|URL")
    analyze.add_argument(
        "--json", action="store_true", help="one JSON object per line (with the full text)"
    )
    analyze.set_defaults(handler=cmd_analyze)

    ingest = sub.add_parser("ingest", help="analyse articles and store them")
    ingest.add_argument("sources", nargs="+", metavar="PATH|URL")
    ingest.add_argument("--guild", default=None, help="the server id to store them for")
    ingest.set_defaults(handler=cmd_ingest)


def article_json(article: Any | None, source: str, error: str | None = None) -> dict[str, Any]:
    """The analysed article as the CLI prints it (``error`` set and the rest empty on failure)."""
    if article is None:
        return {
            "source": source,
            "title": None,
            "url": source,
            "canonical_url": None,
            "published": None,
            "site": None,
            "language": None,
            "text": None,
            "summary": None,
            "summary_sentences": [],
            "countries": [],
            "persons": [],
            "developments": [],
            "notes": [],
            "error": error,
        }
    return {
        "source": source,
        "title": article.title,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "published": article.published,
        "site": article.site,
        "language": article.language,
        "text": article.text,
        "summary": article.summary,
        # the summary is whole sentences joined by spaces: the splitter gives them back
        "summary_sentences": split_sentences(article.summary),
        "countries": [asdict(c) for c in article.countries],
        "persons": [asdict(p) for p in article.persons],
        "developments": [asdict(d) for d in article.developments],
        "notes": list(article.notes),
        "error": None,
    }


def _print_readable(data: dict[str, Any]) -> None:
    if data["error"]:
        print(f"{data['source']}\n  error: {data['error']}\n")
        return
    countries = ", ".join(
        f"{c['code']}×{c['count']}{'*' if c['salient'] else ''}" for c in data["countries"]
    )
    persons = ", ".join(
        f"{p['name']}×{p['count']}{'*' if p['salient'] else ''}" for p in data["persons"]
    )
    lines = [
        data["title"],
        f"  url:       {data['canonical_url']}",
        f"  published: {data['published'] or '?'}   site: {data['site'] or '?'}"
        f"   language: {data['language']}",
        f"  countries: {countries or '-'}",
        f"  persons:   {persons or '-'}",
        f"  summary:   {data['summary'] or '-'}",
    ]
    lines += [f"  note:      {note}" for note in data["notes"]]
    print("\n".join(lines) + "\n")


def cmd_analyze(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_analyze(args.sources, settings, as_json=args.json))


async def _analyze(sources: list[str], settings: Settings, *, as_json: bool) -> int:
    from bot.news.understanding.pipeline import IngestError, Pipeline

    failed = False
    async with Pipeline(settings, allow_local_files=True) as pipeline:
        for source in sources:
            try:
                data = article_json(await pipeline.analyze(source), source)
            except IngestError as exc:
                failed = True
                data = article_json(None, source, exc.message)
            if as_json:
                sys.stdout.write(orjson.dumps(data).decode() + "\n")
            else:
                _print_readable(data)
            sys.stdout.flush()
    return EXIT_FAILED if failed else EXIT_OK


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_ingest(args.sources, settings, args.guild))


async def _ingest(sources: list[str], settings: Settings, guild: str | None) -> int:
    from bot.news.store import CLI_GUILD, StoreBusy, StoreError, open_store
    from bot.news.understanding.pipeline import IngestError, Pipeline

    guild_id = guild or CLI_GUILD
    failed = False
    try:
        store = await open_store(settings)
    except StoreBusy:
        print(
            f"error: the store in {settings.data_dir} is in use by a running bot; "
            "stop it, or add links with /ingest in Discord"
        )
        return 1
    except StoreError as exc:
        print(f"error: {exc.message}")
        return 2
    try:
        async with Pipeline(settings, store=store.articles, allow_local_files=True) as pipeline:
            for source in sources:
                try:
                    result = await pipeline.ingest(source, guild_id)
                except IngestError as exc:
                    failed = True
                    print(f"error: {source}: {exc.message}")
                    continue
                article = result.article
                if result.created:
                    print(f"stored {article.id} {article.title}")
                else:
                    how = f" (same {result.duplicate_by})" if result.duplicate_by else ""
                    print(f"already known {article.id} {article.title}{how}")
                sys.stdout.flush()
    finally:
        await store.close()
    return EXIT_FAILED if failed else EXIT_OK
