"""Digest content and rendering: grouping, merging, escaping and Discord's limits."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.news.digest import build as dg
from bot.news.digest.build import (
    EMBED_DESCRIPTION,
    EMBED_FIELDS,
    EMBED_FOOTER,
    EMBED_TITLE,
    FIELD_NAME,
    FIELD_VALUE,
    MESSAGE_EMBED_CHARS,
    MESSAGE_EMBEDS,
    build_digest,
    digest_text,
    embed_chars,
    merge_stories,
    render_digest,
)
from bot.news.guild_settings import Follow, GuildSettings
from bot.news.text import safe_url, shorten
from bot.ui.text import ZWSP, escape_markdown, markdown_link

from .digest_support import article

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
SINCE = NOW - timedelta(hours=24)
T = (NOW - timedelta(hours=3)).timestamp()
GS = GuildSettings(guild_id="1", zone="Europe/Berlin")


def build(articles, *, settings=GS, follows=None):
    return build_digest(articles, guild_settings=settings, since=SINCE, now=NOW, follows=follows)


def all_lines(messages):
    for message in messages:
        for embed in message:
            for f in embed.get("fields", ()):
                yield from f["value"].split("\n")


def check_limits(messages) -> None:
    """Every limit Discord enforces on a message's embeds."""
    for message in messages:
        assert 1 <= len(message) <= MESSAGE_EMBEDS
        assert sum(embed_chars(e) for e in message) <= MESSAGE_EMBED_CHARS
        for embed in message:
            assert len(embed.get("title", "")) <= EMBED_TITLE
            assert len(embed.get("description", "")) <= EMBED_DESCRIPTION
            assert len(embed.get("footer", {}).get("text", "")) <= EMBED_FOOTER
            fields = embed.get("fields", [])
            assert len(fields) <= EMBED_FIELDS
            for f in fields:
                assert 0 < len(f["name"]) <= FIELD_NAME
                assert 0 < len(f["value"]) <= FIELD_VALUE
            assert embed.get("title") or embed.get("description") or fields


# ---------------------------------------------------------------- text safety


def test_escape_markdown_and_mentions() -> None:
    hostile = "@everyone **bold** _it_ `code` ~~s~~ ||spoiler|| > quote [x](http://e.vil) <@123>"
    out = escape_markdown(hostile)
    assert "@everyone" not in out and f"@{ZWSP}everyone" in out
    assert f"\\<{ZWSP}@123\\>" in out
    unescaped = re.sub(r"\\.", "", out)  # what is left once escaped characters are removed
    for ch in "*_`~|[]()<>":
        assert ch not in unescaped
    assert escape_markdown("line one\nline two\r\n\tend") == "line one line two end"
    assert escape_markdown("@here and @HERE") == f"@{ZWSP}here and @{ZWSP}HERE"
    assert "\u202e" not in escape_markdown("abc\u202edef")


def test_safe_url() -> None:
    assert safe_url("https://example.com/a_(b)?q=1 2") == "https://example.com/a_%28b%29?q=1%202"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,hi") is None
    assert safe_url("ftp://example.com/x") is None
    assert safe_url("https://user@evil.com/") is None
    assert safe_url("https:///nohost") is None
    assert safe_url("https://example.com/" + "a" * 600) is None
    assert safe_url("https://bücher.de/ä") == "https://xn--bcher-kva.de/%C3%A4"
    link = markdown_link("A [title]", "https://e.com/x)y")
    assert link == "[A \\[title\\]](https://e.com/x%29y)"


def test_shorten_cuts_at_a_word() -> None:
    text = "word " * 100
    short = shorten(text, 50)
    assert len(short) <= 50 and short.endswith("…") and not short.endswith(" …")


# ---------------------------------------------------------------- content


def test_groups_followed_first_then_countries_then_people() -> None:
    arts = [
        article(1, "Ecuador votes on a new constitution", when=T, countries=("EC",)),
        article(2, "Peru and Ecuador sign a border deal", when=T, countries=("PE", "EC")),
        article(3, "Chile cabinet reshuffle announced", when=T, countries=("CL",)),
        article(
            4,
            "President Noboa visits Quito market",
            when=T,
            countries=("EC",),
            persons=("Daniel Noboa",),
        ),
        article(5, "Markets rally worldwide today", when=T),
        article(6, "Old story shared yesterday", when=SINCE.timestamp() - 60, countries=("FR",)),
    ]
    d = build(arts, follows=[Follow("country", "PE", "Peru")])
    assert d.story_count == 5 and d.article_count == 5
    groups = [s.group for s in d.sections]
    assert groups[0] == "followed" and d.sections[0].key == "PE"
    assert groups.index("countries") < groups.index("people") < groups.index("other")
    countries = [s.key for s in d.sections if s.group == "countries"]
    assert countries[0] == "EC" and "FR" not in countries
    ec = next(s for s in d.sections if s.key == "EC")
    assert ec.total == 3  # mentions, including the Peru story shown under "Following"
    assert len(ec.items) == 2  # that story is not repeated
    people = next(s for s in d.sections if s.group == "people")
    assert people.items[0].label == "Daniel Noboa"
    assert people.items[0].sentence == "Daniel Noboa did thing 4."
    text = digest_text(d)
    assert "Ecuador votes on a new constitution" in text and "https://example.com/news/3" in text
    assert "Old story" not in text


def test_followed_entity_without_news_is_named() -> None:
    d = build(
        [article(1, "Chile news story here", when=T, countries=("CL",))],
        follows=[Follow("person", "andres castillo", "Andrés Castillo")],
    )
    assert d.followed_quiet == ("Andrés Castillo",)
    header = render_digest(d)[0][0]
    assert "Nothing new on: Andrés Castillo" in header["description"]


def test_same_story_from_several_sites_is_one_item_with_its_sources() -> None:
    arts = [
        article(
            1,
            "Ecuador declares state of emergency after prison riots - Reuters",
            when=T,
            site="Reuters",
            countries=("EC",),
        ),
        article(
            2,
            "Ecuador declares a state of emergency after prison riots | AP News",
            when=T + 60,
            site="AP News",
            url="https://apnews.example/2",
            countries=("EC",),
        ),
        article(3, "Guayaquil jail violence leaves dozens dead", when=T, fingerprint="f1"),
        article(4, "A totally different item", when=T, site="BBC", fingerprint="f1"),
        article(5, "Ecuador football team wins the derby", when=T, countries=("EC",)),
    ]
    stories = merge_stories(arts, "1")
    sizes = sorted(len(s.articles) for s in stories)
    assert sizes == [1, 2, 2]  # near-same titles; same fingerprint; one alone
    d = build(arts)
    ec = next(s for s in d.sections if s.key == "EC")
    riots = next(i for i in ec.items if "prison riots" in i.title)
    assert [s.site for s in riots.sources] == ["Reuters", "AP News"]
    line = next(x for x in all_lines(render_digest(d)) if "prison riots" in x)
    assert "· Reuters, [AP News](https://apnews.example/2)" in line
    assert "riots \\- Reuters" not in line  # the headline's own " - Reuters" tail is dropped


def test_quiet_day_note_or_nothing() -> None:
    d = build([])
    assert d.quiet
    [[embed]] = render_digest(d)
    assert "quiet day" in embed["description"] and "\n" not in embed["description"]
    silent = build([], settings=GuildSettings(guild_id="1", quiet_mode="silent"))
    assert render_digest(silent) == []
    assert "quiet day" in digest_text(silent)


# ---------------------------------------------------------------- limits


def big_day(n: int) -> list:
    rng = random.Random(7)
    codes = ["EC", "PE", "CL", "CO", "BR", "AR", "US", "FR", "DE", "IN", "NP", "AU", "JP", "KR"]
    codes += [f"X{chr(65 + i)}" for i in range(20)]
    names = [f"Person Number{i}" for i in range(60)]
    words = [
        "budget",
        "protest",
        "court",
        "election",
        "storm",
        "vote",
        "deal",
        "talks",
        "strike",
        "court",
        "minister",
    ]
    out = []
    for i in range(n):
        title = f"{rng.choice(words).title()} {i} " + " ".join(rng.choices(words, k=8))
        if i % 50 == 0:
            title = "@everyone " + "**LONG** " * 60  # ~500 characters of markup
        url = f"https://site{i % 40}.example/{i}/a_(b)" + ("x" * rng.randint(0, 300))
        out.append(
            article(
                i,
                title,
                when=T + i,
                site=f"Site {i % 40}",
                url=url,
                countries=tuple(rng.sample(codes, rng.randint(0, 3))),
                persons=tuple(rng.sample(names, rng.randint(0, 2))),
                summary="Summary " + "very long sentence " * rng.randint(1, 40),
            )
        )
    return out


def test_two_thousand_developments_fit_every_limit_and_no_item_is_cut() -> None:
    arts = big_day(2000)
    follows = [Follow("country", "EC", "Ecuador"), Follow("person", "person number1", "P1")]
    d = build(arts, follows=follows)
    assert d.story_count > 1000
    messages = render_digest(d)
    check_limits(messages)
    assert 1 <= len(messages) <= dg.MAX_MESSAGES
    # Every line shown is one whole item (or a section's "more" line).
    expected = set()
    for section in d.sections:
        for item in section.items:
            expected.add(dg._item_line(item, person=section.group == "people"))
    for line in all_lines(messages):
        if line.startswith("•"):
            assert line in expected
        else:
            assert line.startswith("*…and") or " · " in line or line.endswith(")"), line
    shown = sum(line.startswith("•") for line in all_lines(messages))
    assert shown >= 40


@pytest.mark.parametrize("count", [1, 7, 60, 300])
def test_any_size_fits(count: int) -> None:
    check_limits(render_digest(build(big_day(count))))


def test_hostile_titles_are_escaped() -> None:
    arts = [
        article(
            1,
            "@everyone **Breaking** [click](javascript:alert(1)) <@&42> " + "x" * 400,
            when=T,
            url="https://evil.example/path with space/(paren)",
            countries=("EC",),
            summary="@here look ||secret|| `code`",
        ),
        article(2, "Plain", when=T, url="javascript:alert(1)", countries=("EC",)),
    ]
    messages = render_digest(build(arts))
    check_limits(messages)
    lines = list(all_lines(messages))
    text = "\n".join(lines)
    assert "@everyone" not in text and "@here" not in text
    assert f"@{ZWSP}everyone" in text
    assert "**Breaking**" not in text and "||secret||" not in text
    assert not re.search(r"(?<!\\)\(javascript:", text)
    hostile = next(x for x in lines if "Breaking" in x)
    assert "](https://evil.example/path%20with%20space/%28paren%29)" in hostile
    assert len(hostile) <= FIELD_VALUE
    plain = next(x for x in lines if "Plain" in x)
    assert "](" not in plain.split(" · ")[0]  # no link for a javascript: URL


def test_cli_digest_prints_from_a_real_store(data_dir: Path, capsys) -> None:
    import asyncio

    from bot.cli import main
    from bot.news.store import open_store

    async def fill() -> None:
        opened = await open_store(f"tinydb://{data_dir}")
        store = opened.articles
        now = datetime.now(UTC).timestamp() - 3600
        for art in (
            article(1, "Ecuador story for the terminal", when=now, guild="cli", countries=("EC",)),
            article(2, "Second story about Peru", when=now, guild="cli", countries=("PE",)),
        ):
            await store.add(art, "cli")
        await opened.close()

    asyncio.run(fill())
    assert main(["--data-dir", str(data_dir), "digest"]) == 0
    out = capsys.readouterr().out
    assert "Ecuador story for the terminal" in out and "2 stories" in out
    assert main(["--data-dir", str(data_dir), "digest", "--json"]) == 0
    assert '"fields"' in capsys.readouterr().out
    assert main(["--data-dir", str(data_dir), "digest", "--date", "2020-01-01"]) == 0
    assert "quiet day" in capsys.readouterr().out
    assert main(["--data-dir", str(data_dir), "digest", "--date", "yesterday"]) == 2


def test_what_does_not_fit_is_counted_not_cut() -> None:
    arts = big_day(2000)
    codes = {c.code for a in arts for c in a.countries}
    follows = [Follow("country", c, c) for c in sorted(codes)]  # 34 followed sections
    d = build(arts, follows=follows)
    messages = render_digest(d)
    check_limits(messages)
    assert len(messages) == dg.MAX_MESSAGES
    notes = [
        (m, e)
        for m, msg in enumerate(messages)
        for e, embed in enumerate(msg)
        if "did not fit" in embed.get("footer", {}).get("text", "")
    ]
    assert notes == [(len(messages) - 1, len(messages[-1]) - 1)]
    # Sections appear in order and stop at one point: no later section after a dropped one.
    shown = [f["name"] for m in messages for e in m for f in e.get("fields", ())]
    headings = [n.split(" · ")[0] for n in shown if "(continued)" not in n]
    expected = [dg.escape_markdown(s.heading) for s in d.sections]
    assert headings == expected[: len(headings)] and len(headings) < len(expected)


def test_messages_match_discords_openapi_schema() -> None:
    """Each rendered message, as the body of POST /channels/{id}/messages, is valid
    against Discord's own OpenAPI spec (field lengths, counts, types)."""
    import jsonschema

    from bot.sandbox.validation import read_bundled_spec

    spec = read_bundled_spec()
    schema = {
        "$ref": "#/components/schemas/MessageCreateRequest",
        "components": spec["components"],
    }
    validator = jsonschema.Draft202012Validator(schema)
    follows = [Follow("country", "EC", "Ecuador")]
    for messages in (
        render_digest(build(big_day(2000), follows=follows)),
        render_digest(build([])),
    ):
        for message in messages:
            body = {"embeds": message, "allowed_mentions": {"parse": []}}
            errors = [e.message for e in validator.iter_errors(body)]
            assert errors == []
