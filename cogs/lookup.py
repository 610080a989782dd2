"""Reading the briefing: /country, /person, /search, /latest, /trending, /article, /forget."""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.news.charts import timeline_chart, trend_chart
from bot.news.model import Article, EntityKind
from bot.news.queries import clean_argument
from bot.ui.cards import card_text
from bot.ui.checks import require_manage_guild
from bot.ui.paginator import Paginator
from bot.ui.render import (
    article_embed,
    development_line,
    entity_choices,
    entity_list_title,
    error_embed,
    forgotten_message,
    list_embed,
    no_match_message,
    no_search_match_message,
    nothing_about_message,
    search_title,
    trending_embed,
)

if TYPE_CHECKING:
    from bot.ui.client import NewsBot

log = logging.getLogger(__name__)

PAGE_SIZE = 5
DAY = 86400.0


def _slices(found: list[Article]) -> Callable[[int, int], Awaitable[list[Article]]]:
    async def page(limit: int, offset: int) -> list[Article]:
        return found[offset : offset + limit]

    return page


class Lookup(commands.Cog):
    page_timeout = 180.0  # seconds before a list's buttons switch off

    def __init__(self, bot: NewsBot) -> None:
        self.services = bot.services

    # -- helpers -------------------------------------------------------------------
    async def _send_pages(
        self,
        interaction: discord.Interaction,
        title: str,
        total: int,
        fetch_page: Callable[[int, int], Awaitable[list[Article]]],
        render_line: Callable[[Article], str],
        empty: str,
        header: str = "",
        note: str = "",
    ) -> None:
        if total == 0:
            await interaction.response.send_message(embed=error_embed(empty), ephemeral=True)
            return
        pages = math.ceil(total / PAGE_SIZE)

        async def source(page: int) -> discord.Embed:
            articles = await fetch_page(PAGE_SIZE, page * PAGE_SIZE)
            footer = f"{total} result{'s' * (total != 1)} · page {page + 1} of {pages}"
            if note:
                footer += f"\n{note}"
            lines = [render_line(a) for a in articles]
            return list_embed(title, [header, *lines] if header else lines, footer=footer)

        view = Paginator(interaction.user.id, pages, source, timeout=self.page_timeout)
        embed = await view.first_page()
        if pages == 1:
            await interaction.response.send_message(embed=embed)
            return
        await interaction.response.send_message(embed=embed, view=view)
        view.message = await interaction.original_response()

    async def _entity_command(
        self,
        interaction: discord.Interaction,
        kind: EntityKind,
        name: str,
        days: int,
        chart: bool = False,
    ) -> None:
        guild_id = str(interaction.guild_id)
        finder = self.services.finder
        ref = await finder.resolve(guild_id, kind, name)
        if ref is None:
            close = await finder.closest(guild_id, kind, name)
            message = no_match_message(kind, name, close)
            await interaction.response.send_message(embed=error_embed(message), ephemeral=True)
            return
        since = self.services.clock.time() - days * DAY
        total = await finder.count(guild_id, ref, since=since)
        older = await finder.count(guild_id, ref) if total == 0 else 0
        card = await finder.card(guild_id, ref, since=since) if total else None
        note = ""
        if kind == "person":
            # A shared surname picks the most mentioned person: say who else it could be.
            found = await finder.person_namesakes(guild_id, name)
            namesakes = [r.display for r in found if r != ref]
            if namesakes:
                note = (
                    f"“{clean_argument(name)}” could also be {', '.join(namesakes)}: "
                    "give the full name to see them."
                )
        await self._send_pages(
            interaction,
            entity_list_title(ref, days),
            total,
            lambda limit, offset: finder.articles(
                guild_id, ref, since=since, limit=limit, offset=offset
            ),
            lambda a: development_line(a, kind, ref.key),
            f"{nothing_about_message(ref, days, older)} {note}".strip(),
            header=card_text(card, days) if card else "",
            note=note,
        )
        if chart and total:
            timeline = await timeline_chart(
                self.services.store.articles,
                guild_id,
                kind,
                ref.key,
                ref.display,
                now=self.services.clock.time(),
                days=days,
            )
            picture = await self.services.charts.attachment(timeline, "timeline.png")
            if picture is not None:
                await interaction.followup.send(file=picture)

    # -- entity lists --------------------------------------------------------------
    @app_commands.command(name="country", description="Recent developments about a country")
    @app_commands.describe(
        name="Country name, code, demonym or city",
        days="How far back (1-365)",
        chart="Add a timeline of developments per day",
    )
    @app_commands.guild_only()
    async def country(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 100],
        days: app_commands.Range[int, 1, 365] = 7,
        chart: bool = False,
    ) -> None:
        await self._entity_command(interaction, "country", name, days, chart)

    @country.autocomplete("name")
    async def country_autocomplete(self, interaction: discord.Interaction, current: str):
        refs = await self.services.finder.suggest_countries(str(interaction.guild_id), current)
        return entity_choices(refs, "country")

    @app_commands.command(name="person", description="Recent developments about a person")
    @app_commands.describe(
        name="The person's name (a surname is enough)",
        days="How far back",
        chart="Add a timeline of developments per day",
    )
    @app_commands.guild_only()
    async def person(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 100],
        days: app_commands.Range[int, 1, 365] = 7,
        chart: bool = False,
    ) -> None:
        await self._entity_command(interaction, "person", name, days, chart)

    @person.autocomplete("name")
    async def person_autocomplete(self, interaction: discord.Interaction, current: str):
        refs = await self.services.finder.suggest_persons(str(interaction.guild_id), current)
        return entity_choices(refs, "person")

    # -- search / latest / article -------------------------------------------------
    @app_commands.command(name="search", description="Search this server's articles")
    @app_commands.describe(query="Words that must all appear in the title or summary")
    @app_commands.guild_only()
    async def search(
        self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 200]
    ) -> None:
        guild_id = str(interaction.guild_id)
        words = clean_argument(query, 200)
        found = (
            await self.services.store.articles.search(guild_id, words, limit=50) if words else []
        )
        await self._send_pages(
            interaction,
            search_title(words),
            len(found),
            _slices(found),
            development_line,
            no_search_match_message(words),
        )

    @app_commands.command(name="latest", description="The newest articles in this server")
    @app_commands.guild_only()
    async def latest(self, interaction: discord.Interaction) -> None:
        guild_id = str(interaction.guild_id)
        newest = await self.services.store.articles.recent(guild_id, limit=50)
        await self._send_pages(
            interaction,
            "Latest articles",
            len(newest),
            _slices(newest),
            development_line,
            "No articles yet: add one with /ingest.",
        )

    @app_commands.command(name="trending", description="Who and where is most in the news")
    @app_commands.describe(period="day or week")
    @app_commands.guild_only()
    async def trending(
        self, interaction: discord.Interaction, period: Literal["day", "week"] = "day"
    ) -> None:
        guild_id = str(interaction.guild_id)
        seconds = DAY if period == "day" else 7 * DAY
        now = self.services.clock.time()
        trends = {
            kind: await self.services.finder.trending(
                guild_id, kind, period=seconds, now=now, limit=10
            )
            for kind in ("country", "person")
        }
        if not any(trends.values()):
            await interaction.response.send_message(
                embed=error_embed(f"No developments in this server in the last {period}."),
                ephemeral=True,
            )
            return
        embed = trending_embed(period, trends)
        await interaction.response.defer(thinking=True)
        days = 7 if period == "day" else 14
        picture = await self.services.charts.attachment(
            await trend_chart(self.services.store.articles, guild_id, now=now, days=days),
            "trend.png",
        )
        if picture is None:
            await interaction.followup.send(embed=embed)
            return
        embed.set_image(url=f"attachment://{picture.filename}")
        await interaction.followup.send(embed=embed, file=picture)

    @app_commands.command(name="article", description="Details of one stored article")
    @app_commands.describe(id="The article id shown under its card")
    @app_commands.guild_only()
    async def article(
        self, interaction: discord.Interaction, id: app_commands.Range[str, 1, 64]
    ) -> None:
        found = await self.services.store.articles.get(
            clean_argument(id, 64), str(interaction.guild_id)
        )
        if found is None:
            await interaction.response.send_message(
                embed=error_embed("No article with that id in this server."), ephemeral=True
            )
            return
        await interaction.response.send_message(embed=article_embed(found))

    @app_commands.command(name="forget", description="Remove an article from this server")
    @app_commands.describe(id="The article id shown under its card")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def forget(
        self, interaction: discord.Interaction, id: app_commands.Range[str, 1, 64]
    ) -> None:
        require_manage_guild(interaction)
        guild_id = str(interaction.guild_id)
        article_id = clean_argument(id, 64)
        found = await self.services.store.articles.get(article_id, guild_id)
        if found is None or not await self.services.store.articles.forget(article_id, guild_id):
            await interaction.response.send_message(
                embed=error_embed("No article with that id in this server."), ephemeral=True
            )
            return
        await interaction.response.send_message(forgotten_message(found), ephemeral=True)


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Lookup(bot))
