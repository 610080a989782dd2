"""Person keys written before every apostrophe became "'" are found by today's key after
the upgrade, on both backends.

The older newsbot is reproduced by its two differences from this one: a person key was the
folded name (the curly apostrophe kept) and the article files said schema version 1. Its
files and rows are written by the real writers with those two things set back; the store
is then opened by this newsbot, as an upgrade would."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from bot.news import guild_settings
from bot.news.model import Article, Development, fold, person_key
from bot.news.store import open_store
from bot.news.store.postgres import migrate
from bot.news.store.tinydb import journal as journal_module
from bot.news.store.tinydb import partitions, snapshot
from bot.news.store.tinydb import store as engine
from tests.store.postgres_support import fresh_database
from tests.store.support import art

NAME = "Conan O’Brien"
OLD_KEY = fold(NAME)  # "conan o’brien": what the older newsbot stored
NEW_KEY = person_key(NAME)  # "conan o'brien"
TYPED = "Conan O'Brien"  # as a user types it, straight apostrophe


def _article(n: int) -> Article:
    article = art(n, persons=(NAME,))
    article.developments.append(Development("person", OLD_KEY, f"{NAME} hosted show {n}."))
    return article


def test_keys_differ_only_by_the_apostrophe() -> None:
    assert OLD_KEY != NEW_KEY
    assert person_key(OLD_KEY) == NEW_KEY == person_key(TYPED)


async def test_tinydb_store_written_with_old_keys_is_found_by_new_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"tinydb://{tmp_path / 'store'}"
    with monkeypatch.context() as old:
        for module in (partitions, snapshot, journal_module):
            old.setattr(module, "ARTICLE_SCHEMA_VERSION", 1)
        for module in (partitions, engine):
            old.setattr(module, "person_key", fold)
        store = await open_store(url, compact_every=3600.0)
        await store.articles.add(_article(1), "g1")
        await store.close()  # compacted: week file, index file and snapshot
        store = await open_store(url, compact_every=3600.0)
        await store.articles.add(_article(2), "g1")
        await store.articles.engine.close(compact=False)  # left in the journal
        await store.close()
    weeks = list((tmp_path / "store" / "articles" / "weeks").glob("*.idx.json"))
    assert weeks and OLD_KEY in weeks[0].read_text("utf-8")  # the old key is on disk

    store = await open_store(url, compact_every=3600.0)
    try:
        found = await store.articles.by_person("g1", TYPED)
        assert [a.title for a in found] == ["Story number 2", "Story number 1"]
        assert await store.articles.entity_counts("g1", "person") == {NEW_KEY: 2}
        assert await store.articles.person_names("g1") == {NEW_KEY: NAME}
        for article in found:
            assert article.development_for("person", NEW_KEY).startswith(NAME)
    finally:
        await store.close()
    # the rewritten files hold the new key only, and a second start reads them as they are
    store = await open_store(url, compact_every=3600.0)
    try:
        assert len(await store.articles.by_person("g1", NEW_KEY)) == 2
    finally:
        await store.close()
    assert all(OLD_KEY not in p.read_text("utf-8") for p in weeks)


def test_follows_stored_under_the_old_key_read_as_the_new_one() -> None:
    settings = guild_settings.GuildSettings.from_dict(
        {"guild_id": 1, "follows": [{"kind": "person", "key": OLD_KEY, "display": NAME}]}
    )
    assert [(f.kind, f.key) for f in settings.follows] == [("person", NEW_KEY)]


@pytest.mark.usefixtures("postgres_server")
async def test_postgres_rows_with_old_keys_are_found_by_new_key() -> None:
    mine = next(m for m in migrate.available() if m.name == "person_key_apostrophes")
    async with fresh_database() as url:
        store = await open_store(url)
        try:
            await store.articles.add(_article(1), "g1")
            await store.articles.add(_article(2), "g1")
            await store.articles.add(art(3, persons=("Ana Pérez",)), "g1")
        finally:
            await store.close()
        # what the older newsbot left: its keys in every table, and no 0104 applied yet
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(
                "UPDATE articles SET persons = array_replace(persons, $1, $2)", NEW_KEY, OLD_KEY
            )
            for table in ("entity_rows", "entity_totals", "person_names"):
                await conn.execute(f"UPDATE {table} SET key = $2 WHERE key = $1", NEW_KEY, OLD_KEY)
            await conn.execute("DELETE FROM schema_version WHERE version = $1", mine.version)
            stored = await conn.fetch("SELECT doc -> 'developments' AS d FROM articles")
            assert sum(OLD_KEY in row["d"] for row in stored) == 2
            assert (
                await conn.fetchval("SELECT count(*) FROM entity_rows WHERE key = $1", OLD_KEY) == 2
            )
        finally:
            await conn.close()

        store = await open_store(url)  # applies what is behind
        try:
            found = await store.articles.by_person("g1", TYPED)
            assert [a.title for a in found] == ["Story number 2", "Story number 1"]
            counts = await store.articles.entity_counts("g1", "person")
            assert counts == {NEW_KEY: 2, person_key("Ana Pérez"): 1}
            assert (await store.articles.person_names("g1"))[NEW_KEY] == NAME
            for article in found:
                assert article.development_for("person", NEW_KEY).startswith(NAME)
        finally:
            await store.close()
        conn = await asyncpg.connect(url)
        try:
            for table in ("entity_rows", "entity_totals", "person_names"):
                left = await conn.fetchval(f"SELECT count(*) FROM {table} WHERE key = $1", OLD_KEY)
                assert left == 0, table
            persons = await conn.fetch(
                "SELECT persons FROM articles WHERE $1 = ANY(persons)", NEW_KEY
            )
            assert [row["persons"] for row in persons] == [[NEW_KEY], [NEW_KEY]]
            assert mine.version in await migrate.applied_versions(conn)
        finally:
            await conn.close()
