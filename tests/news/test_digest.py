"""The digest as data: sections, each story once, people pointing at stories."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.cli_digest import digest_text
from bot.news.clock import Clock
from bot.news.digest.build import Digest, build_digest
from bot.news.guild_settings import Follow, GuildSettings

from .digest_support import article, one_story_two_sites

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
SINCE = NOW - timedelta(hours=24)
T = (NOW - timedelta(hours=3)).timestamp()
GS = GuildSettings(guild_id="1", zone="Europe/Berlin")


def build(articles, *, settings=GS, follows=None) -> Digest:
    return build_digest(articles, guild_settings=settings, since=SINCE, now=NOW, follows=follows)


def listed_urls(d: Digest) -> list[str]:
    return [item.url for s in d.sections for item in s.items]


def big_day(n: int) -> list:
    """``n`` articles: random countries and people, some hostile titles, long URLs."""
    rng = random.Random(7)
    codes = ["EC", "PE", "CL", "CO", "BR", "AR", "US", "FR", "DE", "IN", "NP", "AU", "JP", "KR"]
    codes += [f"X{chr(65 + i)}" for i in range(20)]
    names = [f"Person Number{i}" for i in range(60)]
    words = "budget protest court election storm vote deal talks strike minister".split()  # noqa: SIM905
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
                summary=f"Summary {i} " + "very long sentence " * rng.randint(1, 40),
            )
        )
    return out


def test_groups_followed_first_then_countries_then_other_and_people() -> None:
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
    assert groups.index("countries") < groups.index("other")
    countries = [s.key for s in d.sections if s.group == "countries"]
    assert countries[0] == "EC" and "FR" not in countries
    ec = next(s for s in d.sections if s.key == "EC")
    assert ec.heading == "Ecuador"
    assert ec.total == 3  # mentions, including the Peru story shown under "Following"
    assert len(ec.items) == 2  # that story is not repeated
    [noboa] = d.people
    assert (noboa.name, noboa.count) == ("Daniel Noboa", 1)
    assert noboa.sentence == "Daniel Noboa did thing 4."
    quito = next(i for s in d.sections for i in s.items if "Quito" in i.title)
    assert noboa.refs == (quito.number,)
    # stories are numbered once, in reading order
    numbers = [i.number for s in d.sections for i in s.items]
    assert numbers == list(range(1, len(numbers) + 1))
    text = digest_text(d)
    assert "Ecuador votes on a new constitution" in text and "https://example.com/news/3" in text
    assert "Old story" not in text
    assert f"Daniel Noboa (1) — Daniel Noboa did thing 4. → #{quito.number}" in text


def test_a_story_about_five_people_is_listed_once() -> None:
    people = ("Ana Uno", "Bea Dos", "Carla Tres", "Dora Cuatro", "Eva Cinco")
    arts = [
        article(1, "Five ministers resign together", when=T, countries=("EC",), persons=people),
        article(2, "Peru storm closes roads", when=T, countries=("PE",)),
    ]
    d = build(arts)
    assert listed_urls(d).count("https://example.com/news/1") == 1
    assert len(d.people) == 5
    assert {p.refs for p in d.people} == {(1,)}  # each points at story 1, none repeats it
    text = digest_text(d)
    assert text.count("Five ministers resign together") == 1


def test_followed_entities_do_not_repeat_a_story() -> None:
    arts = [
        article(1, "Peru and Ecuador sign a border deal", when=T, countries=("PE", "EC")),
        article(2, "Ecuador football wins", when=T, countries=("EC",)),
    ]
    d = build(arts, follows=[Follow("country", "PE", "Peru"), Follow("country", "EC", "Ecuador")])
    assert sorted(listed_urls(d)) == sorted(set(listed_urls(d)))
    ec = next(s for s in d.sections if s.key == "EC")
    assert ec.total == 2 and ec.refs == (1,) and len(ec.items) == 1


def test_followed_entity_without_news_is_named() -> None:
    d = build(
        [article(1, "Chile news story here", when=T, countries=("CL",))],
        follows=[Follow("person", "andres castillo", "Andrés Castillo")],
    )
    assert d.followed_quiet == ("Andrés Castillo",)


def test_same_story_from_several_sites_is_one_item_with_its_sources() -> None:
    arts = [
        *one_story_two_sites(T),
        article(5, "Ecuador football team wins the derby", when=T, countries=("EC",)),
    ]
    d = build(arts)
    assert d.story_count == 2 and d.article_count == 3
    ec = next(s for s in d.sections if s.key == "EC")
    riots = next(i for i in ec.items if "prison riots" in i.title)
    assert [s.site for s in riots.sources] == ["Reuters", "AP News"]
    assert not riots.title.endswith("Reuters")  # the headline's own " - Reuters" is dropped


def test_two_thousand_articles_list_no_story_twice() -> None:
    follows = [Follow("country", "EC", "Ecuador"), Follow("person", "person number1", "P1")]
    d = build(big_day(2000), follows=follows)
    assert d.story_count > 1000
    urls = listed_urls(d)
    assert len(urls) == len(set(urls)) >= 40
    numbers = {i.number for s in d.sections for i in s.items}
    assert all(set(p.refs) <= numbers for p in d.people)


def test_cli_digest_prints_from_a_real_store(data_dir: Path, capsys) -> None:
    import asyncio

    from bot.cli import main
    from bot.news.store import open_store

    clock = Clock(NOW)

    async def fill() -> None:
        opened = await open_store(f"tinydb://{data_dir}", clock=clock)
        store = opened.articles
        now = clock.time() - 3600
        for art in (
            article(1, "Ecuador story for the terminal", when=now, guild="cli", countries=("EC",)),
            article(2, "Second story about Peru", when=now, guild="cli", countries=("PE",)),
        ):
            await store.add(art, "cli")
        await opened.close()

    asyncio.run(fill())
    assert main(["--data-dir", str(data_dir), "digest"], clock=clock) == 0
    out = capsys.readouterr().out
    assert "Ecuador story for the terminal" in out and "2 stories" in out
    assert main(["--data-dir", str(data_dir), "digest", "--json"], clock=clock) == 0
    assert '"fields"' in capsys.readouterr().out
    assert main(["--data-dir", str(data_dir), "digest", "--date", "2020-01-01"], clock=clock) == 0
    assert "quiet day" in capsys.readouterr().out
    assert main(["--data-dir", str(data_dir), "digest", "--date", "yesterday"]) == 2
