"""Auto-ingest: links posted in chosen channels are added by themselves.

Off unless the operator turns on the Message Content intent
(``NEWSBOT_MESSAGE_CONTENT_INTENT``): without it Discord sends the bot no message text.
The bot says what it did without a message: a reaction on the post (✅ added, ♻️ already
in the briefing, ⚠️ could not read it; the "Ingest links" message menu gives details),
and only where it has the Add Reactions permission.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui.checks import require_manage_guild
from bot.ui.errors import user_message
from bot.ui.links import find_links

if TYPE_CHECKING:
    from bot.ui.client import NewsBot

log = logging.getLogger(__name__)

ADDED = "\N{WHITE HEAVY CHECK MARK}"
KNOWN = "\N{BLACK UNIVERSAL RECYCLING SYMBOL}\N{VARIATION SELECTOR-16}"
FAILED = "\N{WARNING SIGN}\N{VARIATION SELECTOR-16}"
_ORDER = (ADDED, KNOWN, FAILED)

INTENT_OFF = (
    " Note: the bot's operator has not switched on the Message Content intent "
    "(NEWSBOT_MESSAGE_CONTENT_INTENT), so Discord does not show the bot what is posted: "
    "nothing will be added until it is on."
)


class AutoIngest(commands.Cog):
    def __init__(self, bot: NewsBot) -> None:
        self.services = bot.services
        # the same budget as /ingest: a member cannot flood the queue by posting links
        self.cooldown = commands.CooldownMapping.from_cooldown(5, 60.0, commands.BucketType.member)
        self._tasks: set[asyncio.Task[None]] = set()

    async def cog_unload(self) -> None:
        for task in self._tasks:
            task.cancel()

    @app_commands.command(name="autoingest", description="Add links posted in a channel")
    @app_commands.describe(channel="The channel to watch", enabled="Watch it (true) or stop")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def autoingest(
        self, interaction: discord.Interaction, channel: discord.TextChannel, enabled: bool
    ) -> None:
        require_manage_guild(interaction)
        gid = str(interaction.guild_id)
        channels = set((await self.services.store.guilds.get(gid)).autoingest_channels)
        channels = channels | {channel.id} if enabled else channels - {channel.id}
        await self.services.store.guilds.update(gid, autoingest_channels=sorted(channels))
        if enabled:
            text = f"Links posted in {channel.mention} will be added to the briefing."
            if not self.services.settings.message_content_intent:
                text += INTENT_OFF
        else:
            text = f"Links posted in {channel.mention} are no longer added."
        await interaction.response.send_message(text, ephemeral=True)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if (
            not self.services.settings.message_content_intent
            or message.guild is None
            or message.author.bot
        ):
            return
        settings = await self.services.store.guilds.get(str(message.guild.id))
        if message.channel.id not in settings.autoingest_channels:
            return
        links = find_links(message.content)
        if not links:
            return
        if self.cooldown.update_rate_limit(message):
            log.info(
                "auto-ingest: %s posts links too fast; skipped %d", message.author.id, len(links)
            )
            return
        task = asyncio.create_task(self._ingest(message, links))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _ingest(self, message: discord.Message, links: list[str]) -> None:
        guild_id = str(message.guild.id if message.guild else "")
        outcomes: set[str] = set()
        for url in links:
            try:
                result = await self.services.jobs.ingest(url, guild_id)
            except Exception as exc:
                outcomes.add(FAILED)
                reason = user_message(exc)
                if reason is None:
                    log.exception("auto-ingest of %s failed", url)
                else:
                    log.info("auto-ingest of %s refused: %s", url, reason)
                continue
            outcomes.add(ADDED if result.created else KNOWN)
            log.info("auto-ingest of %s: %s", url, "stored" if result.created else "already known")
        await self._react(message, [emoji for emoji in _ORDER if emoji in outcomes])

    async def _react(self, message: discord.Message, emojis: list[str]) -> None:
        """One reaction per outcome, when the bot may react here (Discord needs Add
        Reactions, and Read Message History to react to a message)."""
        me = message.guild.me if message.guild else None
        if me is None or not emojis:
            return
        allowed = message.channel.permissions_for(me)
        if not (allowed.add_reactions and allowed.read_message_history):
            log.info(
                "auto-ingest: no Add Reactions permission in %s; not reacting", message.channel.id
            )
            return
        for emoji in emojis:
            try:
                await message.add_reaction(emoji)
            except discord.HTTPException as exc:  # deleted meanwhile, or a permission changed
                log.info("auto-ingest: could not react to %s: %s", message.id, exc)
                return


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(AutoIngest(bot))
