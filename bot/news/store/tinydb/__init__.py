"""The TinyDB backend: the embedded default, one process, files in one folder.

Layout of the folder (the data folder unless ``tinydb:///dir`` names another)::

    articles/      the article store (journal, week partitions, index; see ``store.py``)
    guilds.json    per-server settings            (TinyDB)
    feeds.json     feed subscriptions and state   (TinyDB)
    claims.json    digest records per server      (TinyDB)
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from bot.news.clock import Clock
from bot.news.store.interface import Store

__all__ = ["open_tinydb"]

log = logging.getLogger(__name__)


async def open_tinydb(
    directory: Path, *, read_only: bool = False, clock: Clock | None = None, **options: Any
) -> Store:
    """Open (creating unless ``read_only``) the TinyDB store in ``directory``.

    ``clock`` is what "now" is for link times and settings changes (tests fix it);
    ``options`` go to the article engine (compaction cadence, caches: tests and benches).
    """
    # imported here: the article engine imports this package's storage module
    from bot.news.store.tinydb.articles import TinyArticles
    from bot.news.store.tinydb.claims import TinyDigestClaims
    from bot.news.store.tinydb.feeds import TinyFeeds
    from bot.news.store.tinydb.guilds import TinyGuilds

    clock = clock or Clock()
    directory = Path(directory)
    if not read_only:
        directory.mkdir(parents=True, exist_ok=True)
    closers: list[Any] = []
    try:
        articles = await TinyArticles.open(
            directory / "articles", read_only=read_only, clock=clock, **options
        )
        closers.append(articles.close)
        guilds = TinyGuilds(directory / "guilds.json", clock=clock)
        closers.append(guilds.close)
        feeds = TinyFeeds(directory / "feeds.json")
        closers.append(feeds.close)
        claims = TinyDigestClaims(directory / "claims.json", read_only=read_only)
        closers.append(claims.close)
        taken = claims.import_legacy(guilds.legacy_digests())
        if taken:
            log.info("digest records of %d servers moved to claims.json", taken)
    except BaseException:
        for close in reversed(closers):
            result = close()
            if hasattr(result, "__await__"):
                await result
        raise
    return Store(
        backend="tinydb",
        location=str(directory),
        articles=articles,
        guilds=guilds,
        feeds=feeds,
        claims=claims,
        read_only=read_only,
        _closers=closers,
    )
