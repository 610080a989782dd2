"""/feed add|list|remove: RSS/Atom subscriptions (Manage Server)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.news.feeds import FeedError, FeedInfo
from bot.ui.checks import require_manage_guild
from bot.ui.render import BRAND_COLOUR, FIELDS_MAX, error_embed, safe

if TYPE_CHECKING:
    from bot.ui.client import NewsBot

log = logging.getLogger(__name__)


def _when(ts: float | None) -> str:
    if not ts:
        return "never"
    return f"<t:{int(ts)}:R>"  # Discord renders it in the reader's own time zone


def feed_embed(feeds: list[FeedInfo]) -> discord.Embed:
    embed = discord.Embed(title=f"Feeds of this server ({len(feeds)})", colour=BRAND_COLOUR)
    for info in feeds[:FIELDS_MAX]:
        status = f"⏸ paused: {safe(info.paused_reason, 300)}" if info.paused else "▶ active"
        lines = [
            safe(info.url, 300),
            f"{status} · every {info.interval_minutes:g} min · {info.items_ingested} articles",
            f"last success {_when(info.last_success)}",
        ]
        if info.last_error:
            lines.append(f"last error: {safe(info.last_error, 300)}")
        embed.add_field(
            name=safe(info.title or info.url, 250), value="\n".join(lines)[:1024], inline=False
        )
    return embed


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Feeds(commands.GroupCog, group_name="feed", group_description="RSS/Atom feeds"):
    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        require_manage_guild(interaction)
        return True

    @app_commands.command(name="add", description="Follow a feed (or a site's home page)")
    @app_commands.describe(url="The feed's address, or a site that links to its feed")
    async def add(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 2000]
    ) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            info = await self.bot.feeds.add(
                str(interaction.guild_id), url.strip(), added_by=str(interaction.user.id)
            )
        except FeedError as exc:
            await interaction.followup.send(embed=error_embed(exc.message), ephemeral=True)
            return
        await interaction.followup.send(
            f"Following **{safe(info.title or info.url, 200)}**: new articles arrive every "
            f"{info.interval_minutes:g} minutes.",
            ephemeral=True,
        )

    @app_commands.command(name="list", description="The feeds this server follows")
    async def list_(self, interaction: discord.Interaction) -> None:
        feeds = await self.bot.feeds.list(str(interaction.guild_id))
        if not feeds:
            await interaction.response.send_message(
                "This server follows no feed yet: add one with /feed add.", ephemeral=True
            )
            return
        await interaction.response.send_message(embed=feed_embed(feeds), ephemeral=True)

    @app_commands.command(name="remove", description="Stop following a feed")
    @app_commands.describe(url="The feed's address, or the home page it was added by")
    async def remove(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 2000]
    ) -> None:
        removed = await self.bot.feeds.remove(str(interaction.guild_id), url.strip())
        message = "Feed removed." if removed else "This server does not follow that feed."
        await interaction.response.send_message(message, ephemeral=True)

    @remove.autocomplete("url")
    async def remove_autocomplete(self, interaction: discord.Interaction, current: str):
        feeds = await self.bot.feeds.list(str(interaction.guild_id))
        needle = current.casefold()
        return [
            app_commands.Choice(name=(f.title or f.url)[:100], value=f.url[:100])
            for f in feeds
            if needle in f.url.casefold() or needle in (f.title or "").casefold()
            if len(f.url) <= 100
        ][:25]


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Feeds(bot))
