"""/ingest and the "Ingest links" message menu: links in, article cards out."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.news.jobs import ReplyTo
from bot.news.text import as_clause
from bot.ui.errors import UNEXPECTED, user_message
from bot.ui.links import find_links, is_web_link
from bot.ui.render import (
    error_embed,
    ingest_failure_embed,
    ingest_result_embed,
    ingest_summary_embed,
)

if TYPE_CHECKING:
    from bot.ui.client import NewsBot

log = logging.getLogger(__name__)

MAX_LINK_LENGTH = 2000


def _cooldown_key(interaction: discord.Interaction) -> tuple[int | None, int]:
    return (interaction.guild_id, interaction.user.id)


class Ingest(commands.Cog):
    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.menu = app_commands.ContextMenu(name="Ingest links", callback=self.ingest_links)
        self.menu.guild_only = True
        app_commands.checks.cooldown(3, 60.0, key=_cooldown_key)(self.menu)

    async def cog_load(self) -> None:
        # context menus cannot live in a Cog class body (discord.py limitation)
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.command(name="ingest", description="Add an article to this server's briefing")
    @app_commands.describe(url="The article's link (http:// or https://)")
    @app_commands.guild_only()
    @app_commands.checks.cooldown(5, 60.0, key=_cooldown_key)
    async def ingest(self, interaction: discord.Interaction, url: str) -> None:
        # <https://...> is how Discord users paste a link without its preview.
        url = url.strip().removeprefix("<").removesuffix(">").strip()
        problem = None
        if len(url) > MAX_LINK_LENGTH:
            problem = f"That link is too long: links of up to {MAX_LINK_LENGTH} characters work."
        elif not is_web_link(url):
            problem = "That is not a web link: give one starting with https://."
        if problem is not None:
            log.info("ingest refused a link of %d characters: %s", len(url), problem)
            await interaction.response.send_message(embed=error_embed(problem), ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        reply = ReplyTo(str(interaction.application_id), interaction.token)
        try:
            result = await self.services.jobs.ingest(url, str(interaction.guild_id), reply=reply)
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                log.exception("ingest of %s failed", url)
                message = UNEXPECTED
            else:
                log.info("ingest of %s refused: %s", url, message)
            await interaction.followup.send(embed=ingest_failure_embed(message))
            return
        await interaction.followup.send(embed=ingest_result_embed(result))

    async def ingest_links(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        text = " ".join([message.content, *(e.url or "" for e in message.embeds)])
        links = find_links(text)
        if not links:
            await interaction.response.send_message(
                embed=error_embed("That message has no http(s) links to add."), ephemeral=True
            )
            return
        await interaction.response.defer(thinking=True)
        guild_id = str(interaction.guild_id)
        results = await asyncio.gather(
            *(self.services.jobs.ingest(url, guild_id) for url in links), return_exceptions=True
        )
        outcomes = []
        for url, result in zip(links, results, strict=True):
            if isinstance(result, BaseException):
                reason = user_message(result)
                if reason is None:
                    log.error("ingest of %s failed", url, exc_info=result)
                    reason = UNEXPECTED
                outcomes.append((url, None, False, as_clause(reason)))
            else:
                outcomes.append((url, result.article, result.created, ""))
        await interaction.followup.send(embed=ingest_summary_embed(outcomes))


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Ingest(bot))
