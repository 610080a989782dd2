"""The Discord client: owns the services, loads the cogs, syncs commands when they change."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.config import Settings
from bot.fleet import heartbeat
from bot.fleet.pools import GATEWAY_STORE_POOL, store_pool_size
from bot.fleet.shards import ShardSet
from bot.news.atomic import read_json_file, set_aside, write_atomic
from bot.news.clock import Clock
from bot.news.jobs.interface import Orphan, ReplyGone, StillWorking
from bot.news.queries import EntityFinder
from bot.news.understanding.pipeline import IngestError, IngestResult
from bot.ui.charts import ChartRenderer
from bot.ui.errors import on_app_command_error
from bot.ui.ingest_answers import ingest_answer, links_answer

if TYPE_CHECKING:
    from bot.news.digest.service import DigestService
    from bot.news.feeds.service import FeedService
    from bot.news.jobs import IngestJobs
    from bot.news.store.interface import Guilds, Store
    from bot.news.understanding.fetch import SafeFetcher
    from bot.news.understanding.pipeline import Pipeline

log = logging.getLogger(__name__)

COGS = ("cogs.ingest", "cogs.autoingest", "cogs.lookup", "cogs.digest", "cogs.feeds")
SYNC_STATE_FILE = "command-sync.json"


def read_sync_state(path: Path) -> dict[str, Any]:
    """The digests of the last synced command definitions; {} when there are none.

    A damaged file (zero bytes, half a file, not an object) is set aside and logged: the
    commands are then synced again, once."""
    try:
        empty = path.stat().st_size == 0
    except FileNotFoundError:
        return {}
    if empty:
        set_aside(path, "zero bytes")
        return {}
    state = read_json_file(path)  # sets aside what does not parse
    if state is not None and not isinstance(state, dict):
        set_aside(path, "not a JSON object")
        return {}
    return state or {}


def build_intents(settings: Settings) -> discord.Intents:
    """Only what the features in use need: no privileged intent unless auto-ingest is on."""
    intents = discord.Intents.none()
    intents.guilds = True
    if settings.message_content_intent:
        intents.guild_messages = True
        intents.message_content = True
    return intents


class NewsBot(commands.AutoShardedBot):
    """The bot and the services its commands use (all set once ``setup_hook`` ran)."""

    settings: Settings
    clock: Clock  # the only way to read the time of day
    store: Store  # articles, guild settings, feeds, digest claims
    guild_settings: Guilds  # ``store.guilds``
    fetcher: SafeFetcher
    pipeline: Pipeline  # link -> stored article, in this process
    jobs: IngestJobs  # what commands call to ingest: this process, or the fleet's workers
    finder: EntityFinder  # names -> countries and persons, suggestions, trending
    digests: DigestService
    feeds: FeedService

    def __init__(
        self,
        settings: Settings,
        *,
        force_sync: bool = False,
        clock: Clock | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("intents", build_intents(settings))
        if settings.shards is not None:
            # a gateway of the fleet: only these shards connect (and only their servers)
            kwargs.setdefault("shard_ids", list(settings.shards))
            kwargs.setdefault("shard_count", settings.shard_count)
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            **kwargs,
        )
        self.settings = settings
        self.shardset = ShardSet(settings.shards, settings.shard_count)
        self.clock = clock or Clock()
        self.force_sync = force_sync
        self._closers: list[Any] = []

    async def setup_hook(self) -> None:
        from bot.news.digest.service import DigestService
        from bot.news.feeds.service import FeedService
        from bot.news.jobs.broker import open_broker_jobs
        from bot.news.jobs.local import LocalJobs, local_worker_count
        from bot.news.store import open_store
        from bot.news.understanding.fetch import SafeFetcher
        from bot.news.understanding.pipeline import Pipeline

        settings = self.settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {}
        if settings.shards is not None:  # a gateway of the fleet: PostgreSQL, a small pool
            options["max_size"] = store_pool_size(GATEWAY_STORE_POOL)
        self.store = await open_store(settings, clock=self.clock, **options)
        self._closers.append(self.store.close)
        self.fetcher = SafeFetcher(settings)
        self._closers.append(self.fetcher.close)
        self.pipeline = Pipeline(
            settings,
            store=self.store.articles,
            fetcher=self.fetcher,
            workers=local_worker_count(settings),
        )
        if settings.broker_url:
            # workers do the CPU work; this process only hands jobs over and answers
            broker_jobs = await open_broker_jobs(settings, shards=self.shardset)
            broker_jobs.on_orphan = self._answer_orphan
            self.jobs = broker_jobs
            self._closers.append(self.jobs.close)
        else:
            self.jobs = LocalJobs(self.pipeline)
            # The worker loads spaCy (seconds): warm it up beside the gateway connection
            # instead of before it; an early /ingest simply waits for the same start.
            self._warmup = asyncio.create_task(self._warm_up_pipeline(), name="pipeline-warmup")
            self._closers.append(self.pipeline.close)
        self.finder = EntityFinder(self.store.articles)
        self.charts = ChartRenderer()
        self._closers.append(self.charts.close)
        self.guild_settings = self.store.guilds
        self.digests = DigestService(
            settings, self.store.articles, self.store.guilds, self.store.claims, clock=self.clock
        )
        self.feeds = FeedService(
            settings,
            self.store.feeds,
            fetch=self.fetcher.fetch,
            ingest=self._ingest_for_feed,
            clock=self.clock,
        )
        if not settings.broker_url:
            # in a fleet the workers poll feeds (each URL once for every gateway)
            await self.feeds.start()
        self._closers.append(self.feeds.close)

        self._heartbeat = heartbeat.start(settings.heartbeat_file, self.is_ready)
        self._closers.append(lambda: heartbeat.stop(self._heartbeat))

        self.tree.on_error = on_app_command_error
        for extension in COGS:
            await self.load_extension(extension)
        await self.sync_commands_if_changed()

    async def _warm_up_pipeline(self) -> None:
        try:
            await self.pipeline.start()
        except Exception:
            # not fatal: each ingest retries the start and reports a clear error if it fails
            log.exception("the article worker could not start; will retry on first use")

    async def _ingest_for_feed(self, url: str, guild_id: str) -> Any:
        return await self.jobs.ingest(url, guild_id)

    async def _answer_orphan(self, orphan: Orphan) -> None:
        """Answer an interaction that a gateway now gone acknowledged (its jobs finished
        since, or its time is nearly out): the same edit of the original response it would
        have made."""
        results: list[IngestResult | BaseException] = []
        for source, outcome in orphan.jobs:
            if outcome is None:
                results.append(StillWorking(source))
                continue
            try:
                results.append(outcome.result(source))
            except IngestError as exc:
                results.append(exc)
        if orphan.kind == "links":
            embed = links_answer([source for source, _ in orphan.jobs], results)
        else:
            embed = ingest_answer(orphan.jobs[0][0], results[0])
        reply = orphan.reply
        webhook = discord.Webhook.partial(int(reply.application_id), reply.token, client=self)
        try:
            await webhook.edit_message(
                "@original",  # type: ignore[arg-type]  # the interaction's own response
                embed=embed,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.NotFound as exc:
            raise ReplyGone(str(exc)) from exc

    def owns_guild(self, guild_id: int | str) -> bool:
        """This process answers (and posts the digest of) ``guild_id``'s server."""
        return self.shardset.owns(guild_id)

    def _command_payload(self, guild: discord.abc.Snowflake | None) -> list[dict[str, Any]]:
        commands_ = self.tree.get_commands(guild=guild)
        return sorted(
            (c.to_dict(self.tree) for c in commands_), key=lambda d: (d["type"], d["name"])
        )

    async def sync_commands_if_changed(self) -> None:
        """Sync only when the definitions changed: Discord allows 200 creations a day."""
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = self._command_payload(guild)
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        scope = str(guild.id) if guild else "global"
        state_path = self.settings.data_dir / SYNC_STATE_FILE
        state = read_sync_state(state_path)
        app_id = str(self.application_id)
        if not self.force_sync and state.get(app_id, {}).get(scope) == digest:
            log.info("application commands unchanged; not syncing")
            return
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d application commands (%s)", len(synced), scope)
        state.setdefault(app_id, {})[scope] = digest
        write_atomic(state_path, json.dumps(state).encode())

    async def close(self) -> None:
        warmup = getattr(self, "_warmup", None)
        if warmup is not None and not warmup.done():
            warmup.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await warmup
        # stop taking work first (feeds, pipeline), then close the store last
        for closer in reversed(self._closers):
            try:
                await closer()
            except Exception:
                log.exception("error while shutting down %s", closer)
        self._closers.clear()
        await super().close()
