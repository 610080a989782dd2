"""/feed add|list|remove: RSS/Atom subscriptions (Manage Server)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui.checks import require_manage_guild
from bot.ui.feeds import feed_added_message, feed_list_embed

if TYPE_CHECKING:
    from bot.ui.client import NewsBot

log = logging.getLogger(__name__)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Feeds(commands.GroupCog, group_name="feed", group_description="RSS/Atom feeds"):
    def __init__(self, bot: NewsBot) -> None:
        self.services = bot.services
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
        # a FeedError reaches the user through the command tree's error handler
        info = await self.services.feeds.add(
            str(interaction.guild_id), url.strip(), added_by=str(interaction.user.id)
        )
        await interaction.followup.send(feed_added_message(info), ephemeral=True)

    @app_commands.command(name="list", description="The feeds this server follows")
    async def list_(self, interaction: discord.Interaction) -> None:
        feeds = await self.services.feeds.list(str(interaction.guild_id))
        if not feeds:
            await interaction.response.send_message(
                "This server follows no feed yet: add one with /feed add.", ephemeral=True
            )
            return
        await interaction.response.send_message(embed=feed_list_embed(feeds), ephemeral=True)

    @app_commands.command(name="remove", description="Stop following a feed")
    @app_commands.describe(url="The feed's address, or the home page it was added by")
    async def remove(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 2000]
    ) -> None:
        removed = await self.services.feeds.remove(str(interaction.guild_id), url.strip())
        message = "Feed removed." if removed else "This server does not follow that feed."
        await interaction.response.send_message(message, ephemeral=True)

    @remove.autocomplete("url")
    async def remove_autocomplete(self, interaction: discord.Interaction, current: str):
        feeds = await self.services.feeds.list(str(interaction.guild_id))
        needle = current.casefold()
        return [
            app_commands.Choice(name=(f.title or f.url)[:100], value=f.url[:100])
            for f in feeds
            if needle in f.url.casefold() or needle in (f.title or "").casefold()
            if len(f.url) <= 100
        ][:25]


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Feeds(bot))
