from __future__ import annotations

import discord
import pytest

from bot.news.model import Article, CountryMention, Development, PersonMention
from bot.ui.render import (
    EMBED_TOTAL_MAX,
    FIELD_VALUE_MAX,
    TITLE_MAX,
    article_embed,
    clip,
    development_line,
    link,
    list_embed,
    safe,
    safe_url,
)


def embed_ok(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(data.get("title", "")) <= TITLE_MAX
    assert len(data.get("description", "")) <= 4096
    assert len(data.get("fields", [])) <= 25
    for f in data.get("fields", []):
        assert 0 < len(f["name"]) <= 256 and 0 < len(f["value"]) <= FIELD_VALUE_MAX
    assert len(embed) <= EMBED_TOTAL_MAX


def hostile_article() -> Article:
    loud = "@everyone **bold** __u__ <@123456789012345678> `code` " * 12
    return Article(
        url="https://example.com/a_(b)?q=1 2",
        canonical_url="https://example.com/a_(b)",
        title=loud,
        summary=loud * 20,
        site="@here *site*",
        published="2026-11-28",
        countries=[CountryMention(c) for c in ("EC", "IL", "AE", "US", "FR") * 60],
        persons=[PersonMention(f"Person Number{i} @everyone") for i in range(200)],
        developments=[Development("country", "EC", loud)],
        notes=["@everyone note"],
    )


def test_clip_never_exceeds_and_marks_the_cut() -> None:
    assert clip("short", 10) == "short"
    cut = clip("x" * 50, 10)
    assert len(cut) == 10 and cut.endswith("…")
    assert not clip("abc\\\\\\" + "y" * 20, 7).rstrip("…").endswith("\\")


def test_safe_escapes_markdown_and_mentions() -> None:
    text = safe("@everyone **hi** <@123> @here\x00\u202e", 100)
    assert "@everyone" not in text and "@here" not in text and "<@123>" not in text
    assert "\\*\\*hi\\*\\*" in text
    assert "\x00" not in text and "\u202e" not in text


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/x", True),
        ("http://example.com/a b)", True),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
        ("https://", False),
        ("", False),
    ],
)
def test_safe_url(url: str, ok: bool) -> None:
    result = safe_url(url)
    assert (result is not None) == ok
    if result:
        assert " " not in result and ")" not in result and "(" not in result


def test_link_falls_back_to_text_for_bad_urls() -> None:
    assert link("title", "javascript:x", 100) == "title"
    made = link("a [title]", "https://e.com/x)", 100)
    assert made.startswith("[a \\[title\\]](https://e.com/x%29")


def test_article_embed_fits_discord_whatever_the_article() -> None:
    embed = article_embed(hostile_article(), heading="Added")
    embed_ok(embed)
    blob = str(embed.to_dict())
    assert "@everyone" not in blob.replace("@\u200beveryone", "")
    assert "+" in embed.to_dict()["fields"][3]["value"]  # "+N more" persons


def test_list_embed_keeps_whole_lines_within_limits() -> None:
    article = hostile_article()
    lines = [development_line(article, "country", "EC") for _ in range(30)]
    embed = list_embed("t" * 300, lines, footer="f" * 3000)
    embed_ok(embed)
    assert embed.description.count("\n\n") + 1 < 30  # not all fit, none cut in half
    for part in embed.description.split("\n\n"):
        assert part in lines


def test_dates_are_shown_in_each_readers_own_time_zone() -> None:
    late = Article(url="u", canonical_url="u", title="t", published="2025-11-30T23:00:00+00:00")
    # a fixed date would read 2025-11-30 in Tokyo too; Discord's markup shows the reader's day
    assert development_line(late).startswith("**<t:1764543600:d>** · ")
    card = article_embed(late).to_dict()
    assert {"name": "Date", "value": "<t:1764543600:d>", "inline": True} in card["fields"]
    day = Article(url="u", canonical_url="u", title="t", published="2025-06-09")
    assert development_line(day).startswith("**2025-06-09** · ")  # a day, not an instant
    added = Article(url="u", canonical_url="u", title="t", ingested_at=1764543600.0)
    assert development_line(added).startswith("**<t:1764543600:d>** · ")
    unknown = Article(url="u", canonical_url="u", title="t")
    assert development_line(unknown).startswith("**date unknown** · ")
