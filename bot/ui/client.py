"""The Discord client: owns the services, loads the cogs, syncs commands when they change."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands

from bot.config import Settings
from bot.fleet import heartbeat
from bot.fleet.shards import ShardSet
from bot.news.atomic import read_json_file, set_aside, write_atomic
from bot.news.clock import Clock
from bot.news.jobs.interface import Orphan, ReplyGone, StillWorking
from bot.news.understanding.pipeline import IngestError, IngestResult
from bot.ui.errors import on_app_command_error
from bot.ui.ingest_answers import ingest_answer, links_answer
from bot.ui.services import Services, open_services

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
    """The bot; the services its commands use are ``services`` (set once ``setup_hook``
    ran)."""

    settings: Settings

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
        self._clock = clock or Clock()
        self.force_sync = force_sync
        self._services: Services | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("the bot's services exist once setup_hook ran")
        return self._services

    async def setup_hook(self) -> None:
        self._services = await open_services(
            self.settings, self._clock, shards=self.shardset, on_orphan=self._answer_orphan
        )
        self._heartbeat = heartbeat.start(self.settings.heartbeat_file, self.is_ready)
        self.tree.on_error = on_app_command_error
        for extension in COGS:
            await self.load_extension(extension)
        await self.sync_commands_if_changed()

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
        # the heartbeat first (not healthy any more), then the services, the store last
        await heartbeat.stop(self._heartbeat)
        self._heartbeat = None
        if self._services is not None:
            await self._services.close()
        await super().close()
