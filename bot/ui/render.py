"""Embeds for articles and developments, always within Discord's limits.

Every string that came from the web goes through ``safe()``: markdown escaped, mentions
neutralised, cut to the field's limit. Allowed mentions are also ``none`` on the bot, so
this is belt and braces: an escaped ``@everyone`` is still visible as text, never a ping.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.news.model import Article, EntityKind
from bot.news.queries import EntityRef, Trend, clean_argument
from bot.news.text import as_clause, one_line, safe_url, shorten
from bot.news.understanding.countries import country_name, flag
from bot.ui.text import escape_markdown

if TYPE_CHECKING:
    from bot.news.understanding.pipeline import IngestResult

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000

ELLIPSIS = "…"

BRAND_COLOUR = discord.Colour(0x2B6CB0)
ERROR_COLOUR = discord.Colour(0xC53030)


def clip(text: str, limit: int) -> str:
    """Cut text we composed ourselves (already safe) to ``limit``, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)].rstrip()
    # never leave a dangling escape character that would swallow the ellipsis
    while cut.endswith("\\"):
        cut = cut[:-1]
    return cut + ELLIPSIS


def safe(text: str | None, limit: int) -> str:
    """Untrusted text made safe for an embed: one line, escaped, no mentions, at most
    ``limit`` characters. Cut before escaping, so no escape is split from its character."""
    raw = one_line(text or "")
    budget = limit
    while True:
        out = escape_markdown(shorten(raw, budget))
        if len(out) <= limit:
            return out
        budget -= max(len(out) - limit, 1)


def link(text: str, url: str | None, limit: int) -> str:
    """``[text](url)`` with both made safe, within ``limit``; plain text when the URL is
    unusable or too long to fit."""
    target = safe_url(url)
    if target is not None and len(target) + 12 <= limit:
        return f"[{safe(text, limit - len(target) - 4)}]({target})"
    return safe(text, limit)


def country_label(code: str) -> str:
    return f"{flag(code)} {country_name(code)}"


def entity_label(kind: EntityKind, key: str, display: str | None = None) -> str:
    return country_label(key) if kind == "country" else (display or key)


def entity_choices(refs: Sequence[EntityRef], kind: EntityKind) -> list[app_commands.Choice[str]]:
    """Autocomplete choices; the value is what the command gets back: a country code or a
    person's canonical name."""
    return [
        app_commands.Choice(
            name=entity_label(kind, r.key, r.display)[:100],
            value=(r.key if kind == "country" else r.display)[:100],
        )
        for r in refs
    ]


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def format_date(article: Article) -> str:
    """The article's day: a page's own date as written (a day, not an instant, so no time
    zone moves it), an instant in Discord's markup, which shows each reader their own day."""
    if article.published and _DAY.fullmatch(article.published) and article.published_time:
        return article.published
    when = article.published_time or article.event_time
    if not when:
        return "date unknown"
    return f"<t:{int(when)}:d>"


def _join_within(items: Sequence[str], limit: int, sep: str = ", ") -> str:
    out: list[str] = []
    used = 0
    for i, item in enumerate(items):
        extra = len(item) + (len(sep) if out else 0)
        more = len(items) - i
        tail = f"{sep}+{more} more"
        if used + extra + (len(tail) if more > 1 else 0) > limit:
            out.append(f"+{more} more")
            break
        out.append(item)
        used += extra
    return clip(sep.join(out), limit)


def article_embed(article: Article, *, heading: str | None = None) -> discord.Embed:
    """The card shown after /ingest and /article."""
    embed = discord.Embed(
        title=safe(article.title or article.url, TITLE_MAX),
        url=safe_url(article.canonical_url or article.url),
        description=safe(article.summary, 1500) or "*No summary could be written.*",
        colour=BRAND_COLOUR,
    )
    if heading:
        embed.set_author(name=clip(heading, AUTHOR_MAX))
    embed.add_field(name="Source", value=safe(article.site, 200) or "unknown", inline=True)
    embed.add_field(name="Date", value=format_date(article), inline=True)
    if article.countries:
        labels = [country_label(c.code) for c in article.countries]
        embed.add_field(name="Countries", value=_join_within(labels, FIELD_VALUE_MAX), inline=False)
    if article.persons:
        names = [safe(p.name, 100) for p in article.persons]
        embed.add_field(name="Persons", value=_join_within(names, FIELD_VALUE_MAX), inline=False)
    if article.notes:
        embed.add_field(
            name="Notes", value=safe("; ".join(article.notes), FIELD_VALUE_MAX), inline=False
        )
    embed.set_footer(text=f"id {article.id}")
    return embed


def development_line(
    article: Article, kind: EntityKind | None = None, key: str = "", limit: int = 700
) -> str:
    """One list item: date, linked title, source, and the development sentence for the
    entity (or the summary when no entity is given)."""
    head = f"**{format_date(article)}** · " + link(article.title or article.url, article.url, 400)
    if article.site:
        head += f" — {safe(article.site, 60)}"
    text = article.development_for(kind, key) if kind else article.summary
    sentence = safe(text, max(limit - len(head) - 3, 0))
    return clip(f"{head}\n> {sentence}" if sentence else head, limit)


def list_embed(title: str, lines: Sequence[str], *, footer: str = "") -> discord.Embed:
    """An embed whose description holds ``lines``, as many as fit."""
    body: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + 2 > DESCRIPTION_MAX:
            break
        body.append(line)
        used += len(line) + 2
    embed = discord.Embed(
        title=clip(title, TITLE_MAX), description="\n\n".join(body), colour=BRAND_COLOUR
    )
    if footer:
        embed.set_footer(text=clip(footer, FOOTER_MAX))
    return embed


def error_embed(message: str) -> discord.Embed:
    return discord.Embed(description=clip(message, DESCRIPTION_MAX), colour=ERROR_COLOUR)


# -- what /country, /person, /search, /trending and /forget say -------------------------


def no_match_message(kind: EntityKind, typed: str, close: Sequence[str]) -> str:
    """No entity matches what the user typed; the closest names, when there are some."""
    what = "country" if kind == "country" else "person in this server's articles"
    hint = f" Did you mean: {', '.join(safe(c, 80) for c in close)}?" if close else ""
    return f"No {what} matches “{safe(clean_argument(typed), 100)}”.{hint}"


def entity_list_title(ref: EntityRef, days: int) -> str:
    label = entity_label(ref.kind, ref.key, ref.display)
    return f"{label}: developments, last {days} day{'s' * (days != 1)}"


def nothing_about_message(ref: EntityRef, days: int, older: int) -> str:
    """Nothing in the window; how many older articles there are and how to see them."""
    label = entity_label(ref.kind, ref.key, ref.display)
    message = f"Nothing about {label} in this server's articles in the last {days} days."
    if older:
        hint = "a larger days:" if days < 365 else "/search"
        message += f" {older} older article{'s' * (older != 1)}: try {hint}."
    return message


def search_title(words: str) -> str:
    return f"Search: {safe(words, 100)}"


def no_search_match_message(words: str) -> str:
    return f"No article in this server matches “{safe(words, 100)}”."


def trending_embed(period: str, trends: dict[EntityKind, list[Trend]]) -> discord.Embed:
    """Countries and persons side by side: count in the period and change since the last."""
    embed = discord.Embed(title=f"Trending this {period}", colour=BRAND_COLOUR)
    for kind, heading in (("country", "Countries"), ("person", "Persons")):
        if not trends.get(kind):
            continue
        lines = []
        for t in trends[kind]:
            arrow = "▲" if t.change > 0 else ("▼" if t.change < 0 else "=")
            label = entity_label(kind, t.entity.key, safe(t.entity.display, 80))
            lines.append(f"**{label}** — {t.count} ({arrow} {t.change:+d})")
        embed.add_field(name=heading, value=clip("\n".join(lines), FIELD_VALUE_MAX), inline=True)
    embed.set_footer(text=f"developments in the last {period}, change vs the {period} before")
    return embed


def forgotten_message(article: Article) -> str:
    return f"Removed {link(article.title, article.url, 300)} from this server's briefing."


# -- what /ingest and the "Ingest links" menu say ---------------------------------------


def ingest_summary_embed(
    outcomes: Sequence[tuple[str, Article | None, bool, str]],
) -> discord.Embed:
    """One line per link: ``(url, stored article or None, created, reason if not added)``."""
    lines = []
    added = 0
    for url, article, created, reason in outcomes:
        if article is None:
            lines.append(f"✗ {safe(url, 200)}: {safe(reason, 200)}")
            continue
        added += created
        mark = "✓" if created else "="
        lines.append(f"{mark} {link(article.title, article.url, 300)}")
    embed = discord.Embed(
        title=f"{added} of {len(outcomes)} links added",
        description=clip("\n".join(lines), DESCRIPTION_MAX),
        colour=BRAND_COLOUR,
    )
    embed.set_footer(text="✓ added · = already known · ✗ not added")
    return embed


def ingest_result_embed(result: IngestResult) -> discord.Embed:
    """The answer to /ingest: the article's card under what happened to it."""
    heading = "Added to the briefing" if result.created else "Already in the briefing"
    return article_embed(result.article, heading=heading)


def ingest_failure_embed(reason: str) -> discord.Embed:
    return error_embed(f"Could not add that link: {as_clause(reason)}")
