"""PostgreSQL search: every way it looks gives the answer a plain substring scan gives."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest

from bot.news.model import fold
from bot.news.store import Store, open_store
from bot.news.store.postgres import search
from bot.news.store.postgres.bulk import search_text
from tests.store.postgres_support import fresh_database
from tests.store.support import art

WORDS = ["storm", "election", "al-Assad", "Quito", "Ecuador's", "budget", "rally", "3.5%"]


@pytest.fixture
async def pg_store() -> AsyncIterator[Store]:
    async with fresh_database() as url:
        store = await open_store(url)
        try:
            yield store
        finally:
            await store.close()


@pytest.mark.parametrize(
    ("common", "matches"),
    [(False, 0.0), (False, 1e12), (True, 0.0)],
    ids=["one-window", "many-windows", "walk"],
)
@pytest.mark.parametrize("widen_limit", [200, 1])
async def test_every_path_matches_a_substring_scan(
    pg_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    widen_limit: int,
    common: bool,
    matches: float,
) -> None:
    # 200: query words are widened to the stored words containing them and looked up in
    # the index; 1: every part counts as common, the exact check alone decides.
    monkeypatch.setattr(search, "WIDEN_LIMIT", widen_limit)
    # one-window: every group is read through the GIN index, all its matches at once;
    # many-windows: so, but expected in so many articles that the first time window is a
    # minute, widened fourfold until it holds enough; walk: no group counts as rare.
    monkeypatch.setattr(search.WordFrequencies, "common", lambda self, words: common)
    monkeypatch.setattr(search.WordFrequencies, "articles", lambda self, words: matches)
    rng = random.Random(5)
    stored = []
    for n in range(60):
        words = rng.sample(WORDS, 3)
        article = art(n, title=f"{words[0]} story {n}", summary=f"{words[1]} and {words[2]}.")
        await pg_store.articles.add(article, "g1" if n % 3 else "g2")
        if n % 3:
            stored.append(article)
    queries = ["storm", "ecuad", "cuador's", "assad", "al-assad", "3.5", "5%", "quito storm",
               "ry 1", "lectio", "nothing-like-this", "torm udget", "%", "s"]  # fmt: skip
    for query in queries:
        words = fold(query).split()
        expected = [
            a.id
            for a in sorted(stored, key=lambda a: (a.event_time, a.id), reverse=True)
            if all(w in fold(f"{a.title}\n{a.summary}") for w in words)
        ][:5]
        found = await pg_store.articles.search("g1", query, limit=5)
        assert [a.id for a in found] == expected, query


@pytest.mark.parametrize(
    "title",
    ["Plain ASCII  title", "Andrés Pérez in Bogotá", "Ǆemal’s “ﬁnal” İstanbul Straße",
     "e\u0301 combining, ＦＵＬＬＷＩＤＴＨ, ½ and ²", "Ελληνικά και Русский", ""],
)  # fmt: skip
def test_search_text_is_the_folded_title_and_summary(title: str) -> None:
    article = art(1, title=title, summary="Ça   va\tbien, señor. ")
    assert search_text(article) == fold(f"{article.title}\n{article.summary}")


async def test_a_query_of_short_words_is_narrowed_through_the_word_list(pg_store: Store) -> None:
    for n, title in enumerate(["G7 leaders meet", "Storm in Quito", "EU budget row", "Budget"]):
        await pg_store.articles.add(art(n, title=title, summary="Talks went on."), "g1")
    async with pg_store.articles.pool.acquire() as conn:
        freq = search.WordFrequencies()
        short = await search.widened_query(conn, ["g7"], freq)
        assert short is not None and "'g7'" in short.whole
        # a short part no stored word holds: nothing can match, so no article is read
        assert await search.widened_query(conn, ["zq"], freq) is None
    assert [a.title for a in await pg_store.articles.search("g1", "G7")] == ["G7 leaders meet"]
    assert [a.title for a in await pg_store.articles.search("g1", "eu budget")] == ["EU budget row"]
    assert await pg_store.articles.search("g1", "zq") == []
