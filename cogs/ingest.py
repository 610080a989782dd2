"""/ingest and the "Ingest links" message menu: links in, article cards out."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.news.jobs import ReplyTo
from bot.news.understanding.pipeline import IngestError, IngestResult
from bot.ui.ingest_answers import ingest_answer, links_answer
from bot.ui.links import find_links, is_web_link
from bot.ui.render import error_embed

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
        reply = ReplyTo(str(interaction.application_id), interaction.token)
        guild_id = str(interaction.guild_id)
        job_ids = await self._reserve(interaction, reply, guild_id, [url], "ingest")
        if job_ids is None:
            return
        await interaction.response.defer(thinking=True)
        result: IngestResult | BaseException
        try:
            result = await self.services.jobs.ingest(url, guild_id, job_id=job_ids[0])
        except Exception as exc:
            result = exc
        # an edit, not a follow-up: whoever else answers this (after a crash) edits the same
        # message to the same answer instead of adding a second one
        await interaction.edit_original_response(embed=ingest_answer(url, result))
        await self.services.jobs.answered(reply)

    async def _reserve(
        self,
        interaction: discord.Interaction,
        reply: ReplyTo,
        guild_id: str,
        sources: list[str],
        kind: str,
    ) -> list[str] | None:
        """Record the jobs before acknowledging: a process that dies after this leaves them
        to the next one. Their ids, or None (answered already) when they cannot be recorded."""
        try:
            return await self.services.jobs.reserve(reply, guild_id, sources, kind=kind)
        except IngestError as exc:
            log.warning("ingest for guild %s not started: %s", guild_id, exc.message)
            await interaction.response.send_message(embed=error_embed(exc.message), ephemeral=True)
            return None

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
        reply = ReplyTo(str(interaction.application_id), interaction.token)
        guild_id = str(interaction.guild_id)
        job_ids = await self._reserve(interaction, reply, guild_id, links, "links")
        if job_ids is None:
            return
        await interaction.response.defer(thinking=True)
        results = await asyncio.gather(
            *(
                self.services.jobs.ingest(url, guild_id, job_id=job_id)
                for url, job_id in zip(links, job_ids, strict=True)
            ),
            return_exceptions=True,
        )
        await interaction.edit_original_response(embed=links_answer(links, results))
        await self.services.jobs.answered(reply)


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Ingest(bot))
