"""What /feed says: the list of a server's feeds, and the answer to /feed add."""

from __future__ import annotations

import discord

from bot.news.feeds import FeedInfo
from bot.ui.render import BRAND_COLOUR, FIELD_VALUE_MAX, FIELDS_MAX, clip, safe


def _when(ts: float | None) -> str:
    if not ts:
        return "never"
    return f"<t:{int(ts)}:R>"  # Discord renders it in the reader's own time zone


def feed_list_embed(feeds: list[FeedInfo]) -> discord.Embed:
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
            name=safe(info.title or info.url, 250),
            value=clip("\n".join(lines), FIELD_VALUE_MAX),
            inline=False,
        )
    return embed


def feed_added_message(info: FeedInfo) -> str:
    return (
        f"Following **{safe(info.title or info.url, 200)}**: new articles arrive every "
        f"{info.interval_minutes:g} minutes."
    )
