"""What a command can use: the bot's services, built once when the bot starts.

A cog reads ``bot.services`` (a ``Services``); every field is typed, so a new command
sees what there is. ``open_services`` builds them in dependency order and closes what it
had opened when a later one fails; ``Services.close`` stops taking work first (feeds,
jobs, the pipeline) and closes the store last.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.news.clock import Clock
from bot.news.queries import EntityFinder
from bot.ui.charts import ChartRenderer

if TYPE_CHECKING:
    from bot.fleet.shards import ShardSet
    from bot.news.digest.service import DigestService
    from bot.news.feeds.service import FeedService
    from bot.news.jobs import IngestJobs
    from bot.news.jobs.interface import Orphan
    from bot.news.store.interface import Store
    from bot.news.understanding.fetch import SafeFetcher
    from bot.news.understanding.pipeline import Pipeline

log = logging.getLogger(__name__)

Closer = Callable[[], Awaitable[Any]]


@dataclass(slots=True)
class Services:
    """The services the bot's commands use (``bot.services``)."""

    settings: Settings
    clock: Clock  # the only way to read the time of day
    store: Store  # articles, guild settings (store.guilds), feeds, digest claims
    fetcher: SafeFetcher
    pipeline: Pipeline  # link -> stored article, in this process
    jobs: IngestJobs  # what commands call to ingest: this process, or the fleet's workers
    finder: EntityFinder  # names -> countries and persons, suggestions, trending
    digests: DigestService
    feeds: FeedService
    charts: ChartRenderer  # charts drawn in a worker process, as PNG attachments
    _closers: list[Closer] = field(default_factory=list, repr=False)
    _warmup: asyncio.Task[None] | None = field(default=None, repr=False)

    async def close(self) -> None:
        if self._warmup is not None and not self._warmup.done():
            self._warmup.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._warmup
        await _close_all(self._closers)


async def open_services(
    settings: Settings,
    clock: Clock,
    *,
    shards: ShardSet,
    on_orphan: Callable[[Orphan], Awaitable[None]],
) -> Services:
    """Open the store and build every service on it. ``shards`` are the servers this
    process answers; ``on_orphan`` answers an interaction a gone gateway acknowledged
    (both only matter in a fleet, where jobs go through the broker)."""
    from bot.fleet.pools import GATEWAY_STORE_POOL, store_pool_size
    from bot.news.digest.service import DigestService
    from bot.news.feeds.service import FeedService
    from bot.news.jobs.broker import open_broker_jobs
    from bot.news.jobs.local import LocalJobs, local_worker_count
    from bot.news.store import open_store
    from bot.news.understanding.fetch import SafeFetcher
    from bot.news.understanding.pipeline import Pipeline

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    closers: list[Closer] = []
    try:
        options: dict[str, Any] = {}
        if settings.shards is not None:  # a gateway of the fleet: PostgreSQL, a small pool
            options["max_size"] = store_pool_size(GATEWAY_STORE_POOL)
        store = await open_store(settings, clock=clock, **options)
        closers.append(store.close)
        fetcher = SafeFetcher(settings)
        closers.append(fetcher.close)
        pipeline = Pipeline(
            settings, store=store.articles, fetcher=fetcher, workers=local_worker_count(settings)
        )
        jobs: IngestJobs
        if settings.broker_url:
            # workers do the CPU work; this process only hands jobs over and answers
            broker_jobs = await open_broker_jobs(settings, shards=shards)
            broker_jobs.on_orphan = on_orphan
            jobs = broker_jobs
            closers.append(broker_jobs.close)
        else:
            jobs = LocalJobs(pipeline)
            closers.append(pipeline.close)
        charts = ChartRenderer()
        closers.append(charts.close)

        async def ingest_for_feed(url: str, guild_id: str) -> Any:
            return await jobs.ingest(url, guild_id)

        feeds = FeedService(
            settings, store.feeds, fetch=fetcher.fetch, ingest=ingest_for_feed, clock=clock
        )
        if not settings.broker_url:
            # in a fleet the workers poll feeds (each URL once for every gateway)
            await feeds.start()
        closers.append(feeds.close)
    except BaseException:
        await _close_all(closers)
        raise
    warmup = None
    if not settings.broker_url:
        # The worker loads spaCy (seconds): warm it up beside the gateway connection
        # instead of before it; an early /ingest simply waits for the same start.
        warmup = asyncio.create_task(_warm_up(pipeline), name="pipeline-warmup")
    return Services(
        settings=settings,
        clock=clock,
        store=store,
        fetcher=fetcher,
        pipeline=pipeline,
        jobs=jobs,
        finder=EntityFinder(store.articles),
        digests=DigestService(settings, store.articles, store.guilds, store.claims, clock=clock),
        feeds=feeds,
        charts=charts,
        _closers=closers,
        _warmup=warmup,
    )


async def _warm_up(pipeline: Pipeline) -> None:
    try:
        await pipeline.start()
    except Exception:
        # not fatal: each ingest retries the start and reports a clear error if it fails
        log.exception("the article worker could not start; will retry on first use")


async def _close_all(closers: list[Closer]) -> None:
    for closer in reversed(closers):
        try:
            await closer()
        except Exception:
            log.exception("error while shutting down %s", closer)
    closers.clear()
