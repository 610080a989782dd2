"""A small real discord.py bot for the emulator's end-to-end tests."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

COUNTRIES = ["Ecuador", "Egypt", "Estonia", "France", "Peru"]


def png(width: int, height: int) -> bytes:
    """A valid grey PNG of the given size (built by hand: no imaging library needed)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class Pager(discord.ui.View):
    def __init__(self, name: str) -> None:
        super().__init__(timeout=60)
        self.name = name
        self.page = 1
        self.clicks = 0

    def embed(self) -> discord.Embed:
        embed = discord.Embed(title=f"News: {self.name}", description=f"Page {self.page}")
        embed.add_field(name="Source", value="sandbox", inline=True)
        return embed

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary)
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.page += 1
        self.clicks += 1
        await interaction.response.edit_message(embed=self.embed(), view=self)


class Feedback(discord.ui.Modal, title="Feedback"):
    text = discord.ui.TextInput(label="What did you think?", max_length=200)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


class Region(discord.ui.View):
    @discord.ui.select(
        placeholder="Pick a region",
        options=[discord.SelectOption(label="Americas", value="am"),
                 discord.SelectOption(label="Europe", value="eu")],
    )  # fmt: skip
    async def region(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.edit_message(content=f"region: {select.values[0]}", view=None)


class SampleCommands:
    """Slash command with autocomplete + embed + View, a deferred command, a context menu,
    and commands that break Discord's rules on purpose."""

    tree: app_commands.CommandTree

    def __init__(self, emulator: Any, settings: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("intents", discord.Intents.default())
        super().__init__(command_prefix="!", **kwargs)  # type: ignore[call-arg]
        self.emulator = emulator
        self.settings = settings
        self.errors: list[Exception] = []
        self.views: list[Pager] = []

    async def setup_hook(self) -> None:
        tree = self.tree

        @tree.command(name="country", description="Recent news about a country")
        @app_commands.describe(name="the country", limit="how many")
        async def country(interaction: discord.Interaction, name: str, limit: int = 5) -> None:
            view = Pager(name)
            self.views.append(view)
            await interaction.response.send_message(embed=view.embed(), view=view)

        @country.autocomplete("name")
        async def country_names(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [
                app_commands.Choice(name=c, value=c)
                for c in COUNTRIES
                if c.lower().startswith(current.lower())
            ]

        @tree.command(name="slow", description="Defers, then answers")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("done after thinking")

        @tree.command(name="late", description="Answers after the 3-second deadline")
        async def late(interaction: discord.Interaction) -> None:
            self.emulator.clock.advance(3.5)
            try:
                await interaction.response.send_message("too late")
            except discord.HTTPException as exc:
                self.errors.append(exc)

        @tree.command(name="huge", description="Replies with an embed over 6000 characters")
        async def huge(interaction: discord.Interaction) -> None:
            embed = discord.Embed(title="t", description="d" * 4096)
            embed.add_field(name="n", value="v" * 1024)
            embed.add_field(name="m", value="w" * 1000)
            try:
                await interaction.response.send_message(embed=embed)
            except discord.HTTPException as exc:
                self.errors.append(exc)

        @tree.command(name="post", description="Posts into a channel")
        async def post(interaction: discord.Interaction, channel: discord.TextChannel) -> None:
            try:
                await channel.send("hello")
            except discord.Forbidden as exc:
                self.errors.append(exc)
                await interaction.response.send_message("I cannot post there.", ephemeral=True)
                return
            await interaction.response.send_message("posted", ephemeral=True)

        @tree.command(name="fetch", description="Fetches a page (loopback only if allowed)")
        async def fetch(interaction: discord.Interaction, url: str) -> None:
            allowed = self.settings is not None and (
                self.settings.allow_loopback
                or any(f"//{origin}/" in url for origin in self.settings.fetch_allow)
            )
            if "127.0.0.1" in url and not allowed:
                await interaction.response.send_message("loopback is not allowed", ephemeral=True)
                return
            await interaction.response.defer(thinking=True)
            async with aiohttp.ClientSession() as session, session.get(url) as response:
                text = await response.text()
            await interaction.followup.send(f"{response.status}: {text.strip()}")

        @tree.command(name="steps", description="Answers, follows up, edits and deletes")
        async def steps(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("one")
            await interaction.followup.send("two")
            await interaction.edit_original_response(content="one, edited")
            extra = await interaction.followup.send("three", wait=True)
            await extra.delete()
            original = await interaction.original_response()
            await interaction.followup.send(f"original says {original.content!r}", ephemeral=True)

        @tree.command(name="feedback", description="Opens a form")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(Feedback())

        @tree.command(name="region", description="A select menu")
        async def region(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("choose", view=Region())

        @tree.command(name="upload", description="Reads an attached file")
        async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
            data = await file.read()
            await interaction.response.send_message(f"{file.filename}: {len(data)} bytes")

        @tree.command(name="export", description="Sends a file")
        async def export(interaction: discord.Interaction) -> None:
            import io

            payload = discord.File(io.BytesIO(b"a,b\n1,2\n"), filename="export.csv")
            await interaction.response.send_message("here", file=payload)

        @tree.command(name="chart", description="Sends a picture, then another in a follow-up")
        async def chart(interaction: discord.Interaction) -> None:
            import io

            first = discord.File(io.BytesIO(png(800, 400)), filename="trend.png")
            await interaction.response.send_message("trend", file=first)
            second = discord.File(io.BytesIO(png(120, 60)), filename="timeline.png")
            await interaction.followup.send("timeline", file=second)

        async def ingest_links(interaction: discord.Interaction, message: discord.Message) -> None:
            links = re.findall(r"https?://\S+", message.content)
            await interaction.response.send_message(f"{len(links)} link(s) queued", ephemeral=True)

        tree.add_command(app_commands.ContextMenu(name="Ingest links", callback=ingest_links))


class SampleBot(SampleCommands, commands.Bot):
    pass


class ShardedSampleBot(SampleCommands, commands.AutoShardedBot):
    """Like ``bot.ui.client.NewsBot``: asks ``GET /gateway/bot`` for the shard count."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py waits 5 s between shards' IDENTIFYs (Discord's limit); the emulator has none.
        return None


def make_sample_bot(settings: Any, **client_kwargs: Any) -> SampleBot:
    """A bot factory as ``newsbot sandbox`` calls it: ``(settings, **client_kwargs)``."""
    return SampleBot(None, settings, **client_kwargs)
