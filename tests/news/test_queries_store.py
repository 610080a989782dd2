from __future__ import annotations

from pathlib import Path

from bot.news.model import Article, CountryMention, PersonMention
from bot.news.queries import EntityFinder, clean_argument
from bot.news.store.tinydb.articles import TinyArticles

NOW = 1_790_000_000.0


def article(n: int, countries: list[str], persons: list[str], when: float) -> Article:
    return Article(
        url=f"https://e.com/{n}",
        canonical_url=f"https://e.com/{n}",
        title=f"Story {n}",
        summary="s",
        fingerprint=f"{n:016x}",
        ingested_at=when,
        countries=[CountryMention(c) for c in countries],
        persons=[PersonMention(p) for p in persons],
    )


async def make_store(path: Path) -> TinyArticles:
    store = await TinyArticles.open(path)
    people = [["Daniel Noboa"], ["Daniel Noboa", "Andrés Castillo"], ["Ana Noboa"], []]
    for n in range(12):
        when = NOW - (n % 4) * 86400 - (0 if n < 8 else 3 * 86400)
        await store.add(article(n, ["EC"] if n % 3 else ["IL"], people[n % 4], when), "g1")
    await store.add(article(99, ["FR"], ["Emmanuel Macron"], NOW), "g2")
    return store


async def test_person_resolution_and_suggestions(tmp_path: Path) -> None:
    store = await make_store(tmp_path)
    try:
        finder = EntityFinder(store)
        assert (await finder.resolve_person("g1", "noboa")).display == "Daniel Noboa"  # most named
        assert (await finder.resolve_person("g1", "andres castillo")).display == "Andrés Castillo"
        assert await finder.resolve_person("g1", "Macron") is None  # another guild's person
        names = [r.display for r in await finder.suggest_persons("g1", "nob")]
        assert names[:2] == ["Daniel Noboa", "Ana Noboa"]
        assert [r.display for r in await finder.suggest_persons("g1", "castilo")] == [
            "Andrés Castillo"
        ]
        assert await finder.suggest_persons("g1", "\x00" * 40) != []  # junk is cleaned to empty
        assert (await finder.closest("g1", "person", "Daniel Nobo"))[0] == "Daniel Noboa"
    finally:
        await store.close()


async def test_country_suggestions_prefer_this_guild(tmp_path: Path) -> None:
    store = await make_store(tmp_path)
    try:
        finder = EntityFinder(store)
        assert [r.key for r in await finder.suggest_countries("g1", "")] == ["EC", "IL"]
        assert finder.resolve_country("Ecuadorian").key == "EC"
        assert finder.resolve_country("Quito").key == "EC"
        assert finder.resolve_country("Atlantis") is None
    finally:
        await store.close()


async def test_trending_compares_with_the_period_before(tmp_path: Path) -> None:
    store = await make_store(tmp_path)
    try:
        finder = EntityFinder(store)
        trends = await finder.trending("g1", "country", period=2 * 86400 + 1, now=NOW + 1)
        by_code = {t.entity.key: t for t in trends}
        brute_now = sum(
            1
            for n in range(12)
            if n % 3
            and NOW - (2 * 86400 + 1) + 1
            <= NOW - (n % 4) * 86400 - (0 if n < 8 else 3 * 86400)
            < NOW + 1
        )
        assert by_code["EC"].count == brute_now
        assert by_code["EC"].change == by_code["EC"].count - by_code["EC"].previous
    finally:
        await store.close()


def test_clean_argument_drops_controls_and_bounds_length() -> None:
    assert clean_argument("  a\x00b\u202e  c ") == "a b c"
    assert len(clean_argument("x" * 5000)) == 100
