"""The digest as Discord embeds: every limit, escaping, sources, what does not fit."""

from __future__ import annotations

import re
from datetime import timedelta

import jsonschema
import pytest

from bot.news.guild_settings import Follow, GuildSettings
from bot.sandbox.validation import read_bundled_spec
from bot.ui import digest as ui
from bot.ui.digest import embed_chars, render_digest
from bot.ui.render import (
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    FOOTER_MAX,
    TITLE_MAX,
)
from bot.ui.text import ZWSP
from tests.news.digest_support import article, one_story_two_sites
from tests.news.test_digest import SINCE, T, big_day, build


def all_lines(messages):
    for message in messages:
        for embed in message:
            for f in embed.get("fields", ()):
                yield from f["value"].split("\n")


def check_limits(messages) -> None:
    """Every limit Discord enforces on a message's embeds."""
    for message in messages:
        assert 1 <= len(message) <= ui.MESSAGE_EMBEDS
        assert sum(embed_chars(e) for e in message) <= EMBED_TOTAL_MAX
        for embed in message:
            assert len(embed.get("title", "")) <= TITLE_MAX
            assert len(embed.get("description", "")) <= DESCRIPTION_MAX
            assert len(embed.get("footer", {}).get("text", "")) <= FOOTER_MAX
            fields = embed.get("fields", [])
            assert len(fields) <= FIELDS_MAX
            for f in fields:
                assert 0 < len(f["name"]) <= FIELD_NAME_MAX
                assert 0 < len(f["value"]) <= FIELD_VALUE_MAX
            assert embed.get("title") or embed.get("description") or fields


def test_two_thousand_articles_fit_every_limit_and_no_item_is_cut_or_repeated() -> None:
    follows = [Follow("country", "EC", "Ecuador"), Follow("person", "person number1", "P1")]
    d = build(big_day(2000), follows=follows)
    messages = render_digest(d)
    check_limits(messages)
    assert 1 <= len(messages) <= ui.MAX_MESSAGES
    expected = {ui.item_line(i) for s in d.sections for i in s.items}
    people = {ui.person_line(p) for p in d.people}
    story_lines = [line for line in all_lines(messages) if re.match(r"\*\*\d+\.\*\*", line)]
    assert len(story_lines) >= 30
    assert set(story_lines) <= expected  # whole items only
    assert len(story_lines) == len(set(story_lines))  # no story twice
    numbers = [int(re.match(r"\*\*(\d+)\.", line)[1]) for line in story_lines]
    assert numbers == sorted(numbers)
    shown_people = [line for line in all_lines(messages) if line.startswith("• **")]
    assert shown_people and set(shown_people) <= people


@pytest.mark.parametrize("count", [1, 7, 60, 300])
def test_any_size_fits(count: int) -> None:
    check_limits(render_digest(build(big_day(count))))


def test_sources_are_named_once_with_a_count() -> None:
    arts = one_story_two_sites(T)
    line = next(x for x in all_lines(render_digest(build(arts))) if "prison riots" in x)
    assert line.startswith("**1.** [Ecuador declares")
    assert "· 2 sources: Reuters, [AP News](https://apnews.example/2)" in line
    assert "riots \\- Reuters" not in line


def test_followed_quiet_and_quiet_day() -> None:
    d = build(
        [article(1, "Chile news story here", when=T, countries=("CL",))],
        follows=[Follow("person", "andres castillo", "Andrés Castillo")],
    )
    header = render_digest(d)[0][0]
    assert "Nothing new on: Andrés Castillo" in header["description"]
    quiet = build([])
    [[embed]] = render_digest(quiet)
    assert "quiet day" in embed["description"] and "\n" not in embed["description"]
    silent = build([], settings=GuildSettings(guild_id="1", quiet_mode="silent"))
    assert render_digest(silent) == []


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
    plain = next(x for x in lines if "Plain" in x)
    assert "](" not in plain.split(" · ")[0]  # no link for a javascript: URL


def test_what_does_not_fit_is_counted_not_cut() -> None:
    arts = big_day(2000)
    codes = {c.code for a in arts for c in a.countries}
    follows = [Follow("country", c, c) for c in sorted(codes)]  # 34 followed sections
    d = build(arts, follows=follows)
    messages = render_digest(d)
    check_limits(messages)
    assert len(messages) == ui.MAX_MESSAGES
    notes = [
        (m, e)
        for m, msg in enumerate(messages)
        for e, embed in enumerate(msg)
        if "did not fit" in embed.get("footer", {}).get("text", "")
    ]
    assert notes == [(len(messages) - 1, len(messages[-1]) - 1)]


def test_messages_match_discords_openapi_schema() -> None:
    """Each rendered message, as the body of POST /channels/{id}/messages, is valid
    against Discord's own OpenAPI spec (field lengths, counts, types)."""
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
            assert [e.message for e in validator.iter_errors(body)] == []


def test_old_article_shows_its_own_date() -> None:
    old = article(1, "An old report resurfaces", when=T, countries=("EC",))
    old.published = (SINCE.date().replace(year=SINCE.year - 1)).isoformat()
    line = next(x for x in all_lines(render_digest(build([old]))) if "old report" in x)
    assert line.endswith(f"({old.published})")


def test_the_parts_of_a_cut_digest_already_in_the_channel_are_found_in_order() -> None:
    day = SINCE.date()
    header = {"title": ui.header_title(day)}
    planned = [[header], [{"title": "By country (continued)"}], [{"title": "Other stories"}]]
    reply = [{"title": "Nothing found for that search"}]
    yesterday = [{"title": ui.header_title(day - timedelta(days=1))}]
    posted = [(1, yesterday), (2, planned[1]), (3, [header]), (4, planned[1]), (5, reply)]
    assert ui.delivered_parts(posted, planned, day) == [3, 4]
    assert ui.delivered_parts(posted[:2], planned, day) == []  # only another day's digest
    whole = [(7, [header]), (8, planned[1]), (9, planned[2])]
    assert ui.delivered_parts(whole, planned, day) == [7, 8, 9]
