"""The TinyDB backend: the embedded default, one process, files in one folder.

Layout of the folder (the data folder unless ``tinydb:///dir`` names another)::

    articles/      the article store (journal, week partitions, index; see ``store.py``)
    guilds.json    per-server settings            (TinyDB)
    feeds.json     feed subscriptions and state   (TinyDB)
    claims.json    digest records per server      (TinyDB)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.news.clock import Clock
from bot.news.feeds.state import FeedStateError, FeedStore
from bot.news.guild_settings import GuildSettingsError, GuildSettingsStore
from bot.news.store.errors import SchemaTooNew
from bot.news.store.interface import Store
from bot.news.store.tinydb.articles import TinyArticles
from bot.news.store.tinydb.claims import TinyDigestClaims
from bot.news.store.tinydb.feeds import TinyFeeds
from bot.news.store.tinydb.guilds import TinyGuilds

__all__ = ["open_tinydb"]


async def open_tinydb(
    directory: Path, *, read_only: bool = False, clock: Clock | None = None, **options: Any
) -> Store:
    """Open (creating unless ``read_only``) the TinyDB store in ``directory``.

    ``clock`` is what "now" is for link times and settings changes (tests fix it);
    ``options`` go to the article engine (compaction cadence, caches: tests and benches).
    """
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
        try:
            guilds = TinyGuilds(GuildSettingsStore(directory / "guilds.json", clock=clock))
        except GuildSettingsError as exc:
            raise SchemaTooNew(exc.message) from None
        closers.append(guilds.close)
        try:
            feeds = TinyFeeds(FeedStore(directory / "feeds.json"))
        except FeedStateError as exc:
            raise SchemaTooNew(str(exc)) from None
        closers.append(feeds.close)
        claims = TinyDigestClaims(directory / "claims.json", read_only=read_only)
        closers.append(claims.close)
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
