"""EntityFinder: what a user is offered while typing a name, and which entity they meant."""

from __future__ import annotations

import difflib
import random
from pathlib import Path

from bot.news import queries
from bot.news.model import EntityKind, PersonMention, fold, person_key
from bot.news.queries import EntityFinder, EntityRef, clean_argument
from bot.news.store.tinydb.articles import TinyArticles
from tests.news.store_helpers import make_article


class NameStore:
    """The read methods EntityFinder uses, over a plain dict (name -> count); the test
    bumps ``changes`` when it changes the names, as a store's version would change."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.calls = 0
        self.changes = 0

    async def version(self) -> int:
        return self.changes

    async def entity_counts(self, guild_id: str, kind: EntityKind, **_: object) -> dict[str, int]:
        self.calls += 1
        if kind == "country":
            return {"EC": 3, "FR": 1}
        return {person_key(name): n for name, n in self.counts.items() if n}

    async def person_names(self, guild_id: str) -> dict[str, str]:
        return {person_key(name): name for name in self.counts}


def reference_suggest(counts: dict[str, int], text: str, limit: int = 25) -> list[str]:
    """The straightforward ranking: every name ranked, then sorted; fuzzy over all names."""
    query = fold(clean_argument(text))
    entries = sorted(
        ((fold(n), tuple(fold(n).split()), person_key(n), n, c) for n, c in counts.items()),
        key=lambda e: (-e[4], e[2]),
    )
    if not query:
        return [e[3] for e in entries[:limit]]
    ranked = []
    for folded, tokens, key, display, count in entries:
        if folded == query:
            rank = 0
        elif folded.startswith(query):
            rank = 1
        elif any(t.startswith(query) for t in tokens):
            rank = 2
        elif query in folded:
            rank = 3
        else:
            continue
        ranked.append((rank, -count, key, display))
    ranked.sort()
    found = [display for *_, display in ranked[:limit]]
    if len(found) < limit and len(query) >= 3:
        seen = {person_key(n) for n in found}
        pool = {e[0]: e for e in entries if e[2] not in seen}
        for close in difflib.get_close_matches(query, list(pool), n=limit - len(found)):
            found.append(pool[close][3])
    return found


def random_names(rng: random.Random, n: int) -> dict[str, int]:
    given = ["Ana", "Andrés", "Daniel", "Marie", "Olaf", "Émile", "Zoë", "Lula"]
    syllables = ["no", "bo", "cas", "ti", "llo", "pé", "rez", "ma", "an", "da"]
    names: dict[str, int] = {}
    while len(names) < n:
        last = "".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))).capitalize()
        name = f"{rng.choice(given)} {last}"
        if rng.random() < 0.2:
            name = f"{name} {rng.choice(given)}"  # three words
        names[name] = rng.choice([1, 1, 1, 2, 3, 5, 8, 40])
    return names


async def test_suggestions_rank_exact_prefix_word_substring_then_fuzzy() -> None:
    counts = {
        "Ana Noboa": 1,
        "Daniel Noboa": 9,
        "Noboa Ruiz": 2,
        "Anoboa Lee": 5,
        "Marie Curie": 4,
        "noboa": 1,
    }
    finder = EntityFinder(NameStore(counts))
    got = [r.display for r in await finder.suggest_persons("g", "Noboa")]
    # exact, then the prefix, then later words by count, then the substring
    assert got == ["noboa", "Noboa Ruiz", "Daniel Noboa", "Ana Noboa", "Anoboa Lee"]
    assert [r.display for r in await finder.suggest_persons("g", "mari curie")] == ["Marie Curie"]
    assert [r.display for r in await finder.suggest_persons("g", "")][:2] == [
        "Daniel Noboa",
        "Anoboa Lee",
    ]
    assert await finder.suggest_persons("g", "zzzz") == []


async def test_suggestions_match_the_straightforward_ranking() -> None:
    rng = random.Random(5)
    counts = random_names(rng, 400)  # under FUZZY_POOL: the fuzzy pass sees every name
    assert len(counts) <= queries.FUZZY_POOL
    finder = EntityFinder(NameStore(counts))
    names = list(counts)
    typed = ["", "a", "an", "no", "é", "emile", "da", "ana ", "ana n", "x", "zzqx", "marei"]
    typed += [rng.choice(names)[: rng.randint(1, 12)] for _ in range(150)]
    typed += [fold(rng.choice(names).split()[-1])[:4] for _ in range(50)]
    for text in typed:
        for limit in (1, 5, 25):
            got = [r.display for r in await finder.suggest_persons("g", text, limit)]
            assert got == reference_suggest(counts, text, limit), (text, limit)


async def test_fuzzy_suggestions_only_among_the_most_mentioned(monkeypatch) -> None:
    monkeypatch.setattr(queries, "FUZZY_POOL", 2)
    counts = {"Daniel Noboa": 9, "Marie Curie": 8, "Olaf Scholz": 1}
    finder = EntityFinder(NameStore(counts))
    assert [r.display for r in await finder.suggest_persons("g", "marie curei")] == ["Marie Curie"]
    assert await finder.suggest_persons("g", "olaf sholz") == []  # rare: not offered by spelling
    assert [r.display for r in await finder.suggest_persons("g", "schol")] == ["Olaf Scholz"]


async def test_name_index_rebuilt_only_when_the_store_changed() -> None:
    store = NameStore({"Daniel Noboa": 1})
    finder = EntityFinder(store)
    assert [r.display for r in await finder.suggest_persons("g", "mar")] == []
    calls = store.calls
    assert [r.display for r in await finder.suggest_persons("g", "mar")] == []
    assert store.calls == calls  # same version: not even recounted
    store.counts["Marie Curie"] = 2
    store.changes += 1
    assert [r.display for r in await finder.suggest_persons("g", "mar")] == ["Marie Curie"]
    built = finder._persons["g"]
    store.changes += 1  # a write that changed no name
    await finder.suggest_persons("g", "mar")
    assert finder._persons["g"] is built  # same names and counts: the lists are kept


async def test_resolve_person_exact_then_most_mentioned_surname() -> None:
    counts = {"Ana Noboa": 2, "Daniel Noboa": 7, "Noboa": 1, "José Pérez": 1}
    finder = EntityFinder(NameStore(counts))
    assert await finder.resolve_person("g", "noboa") == EntityRef("person", "noboa", "Noboa")
    assert (await finder.resolve_person("g", "ana noboa")).display == "Ana Noboa"
    assert (await finder.resolve_person("g", "perez")).display == "José Pérez"
    assert (await finder.resolve_person("g", "Dan")).display == "Daniel Noboa"
    del counts["Noboa"]
    finder = EntityFinder(NameStore(counts))
    assert (await finder.resolve_person("g", "NOBOA")).display == "Daniel Noboa"
    assert await finder.resolve_person("g", "nobody") is None
    assert await finder.resolve_person("g", "  ") is None


async def test_country_suggestions_cached_and_guild_countries_first() -> None:
    finder = EntityFinder(NameStore({}))
    first = await finder.suggest_countries("g", "fr")
    again = await finder.suggest_countries("g", "fr")
    assert first == again and first[0] == EntityRef("country", "FR", "France")
    assert queries._country_matches.cache_info().hits >= 1
    assert [r.key for r in await finder.suggest_countries("g", "")] == ["EC", "FR"]
    ecu = await finder.suggest_countries("g", "e")
    assert ecu[0].key == "EC"  # has stories in the guild


async def test_finder_on_a_real_store_follows_its_version(tmp_path: Path) -> None:
    rng = random.Random(1)
    store = await TinyArticles.open(tmp_path / "articles", compact_every=3600.0)
    try:
        for n in range(40):
            await store.add(make_article(n, rng, start=1.78e9, span=86400.0), "g1")
        finder = EntityFinder(store)
        offered = [r.display for r in await finder.suggest_persons("g1", "cas")]
        assert offered[0] == "Andrés Castillo"
        assert (await finder.resolve_person("g1", "castillo")).display == "Andrés Castillo"
        assert await finder.suggest_persons("g2", "cas") == []  # not another guild's names
        built = finder._persons["g1"]
        await finder.suggest_persons("g1", "cas")
        assert finder._persons["g1"] is built  # nothing written: not even recounted
        version = await store.version()
        newcomer = make_article(99, rng, start=1.78e9, span=86400.0)
        newcomer.persons = [PersonMention("Zoë Quispe")]
        await store.add(newcomer, "g1")
        assert await store.version() != version
        # offered at once, without waiting for the name list to expire
        assert [r.display for r in await finder.suggest_persons("g1", "quis")] == ["Zoë Quispe"]
        await store.forget(newcomer.id, "g1")
        assert await finder.suggest_persons("g1", "quis") == []
    finally:
        await store.close()
