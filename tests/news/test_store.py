"""The article store on real files: round trips, dedupe, scoping, indexes, damage."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import shutil
import threading
from pathlib import Path

import orjson
import pytest
from tinydb import TinyDB

from bot.news.atomic import TEMP_SUFFIX
from bot.news.model import Article, CountryMention, fold, person_key
from bot.news.store import ARTICLE_SCHEMA_VERSION, ArticleStore, StoreBusy, StoreReadOnly
from bot.news.store.tinydb import partitions as parts
from bot.news.store.tinydb.journal import segments
from tests.news.store_helpers import COUNTRIES, make_article

DAY = 86400.0
START = 1_780_000_000.0


async def open_store(path: Path, **options: object) -> ArticleStore:
    options.setdefault("compact_every", 3600.0)  # compaction only when a test asks
    return await ArticleStore.open(path, **options)


def article(n: int, **changes: object) -> Article:
    a = make_article(n, random.Random(n), start=START, span=30 * DAY)
    if not a.countries:
        a.countries = [CountryMention("EC")]
    for key, value in changes.items():
        setattr(a, key, value)
    if "published" in changes and "ingested_at" not in changes:
        a.ingested_at = a.published_time or 0.0  # arrived when published
    return a


def same_content(a: Article, b: Article) -> bool:
    left, right = a.to_dict(with_text=False), b.to_dict(with_text=False)
    for key in ("guilds", "ingested_at"):
        left.pop(key), right.pop(key)
    return left == right


async def test_round_trip_and_reopen(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s")
    original = article(1, ingested_at=0.0)
    stored, created = await store.add(original, "g1")
    assert created and stored.text == "" and stored.ingested_at > 0
    assert set(stored.guilds) == {"g1"}
    assert same_content(stored, original)
    assert store.get(stored.id, "g1") == stored
    await store.close()

    again = await open_store(tmp_path / "s")
    assert again.get(stored.id) == stored
    assert again.by_country("g1", stored.countries[0].code)[0] == stored
    await again.close()


async def test_reopen_without_close_replays_the_journal(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s")
    ids = [(await store.add(article(n), "g1"))[0].id for n in range(20)]
    # a crash: copy the files as they are now, with nothing compacted
    shutil.copytree(tmp_path / "s", tmp_path / "copy")
    await store.close()
    crashed = await open_store(tmp_path / "copy")
    assert [crashed.get(i, "g1") is not None for i in ids] == [True] * 20
    await crashed.compact()
    assert len(segments(tmp_path / "copy")) == 1  # the replayed ones are folded and gone
    await crashed.close()


async def test_dedupe_and_guild_linking(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s")
    first, created = await store.add(article(1), "g1")
    assert created
    again, created = await store.add(article(1), "g1")
    assert not created and again == first
    linked, created = await store.add(article(1), "g2")
    assert not created and set(linked.guilds) == {"g2"}  # as g2 sees it
    assert set(store.get(first.id).guilds) == {"g1", "g2"}
    # same fingerprint, other URL: the same story
    twin = article(2, fingerprint=first.fingerprint)
    same, created = await store.add(twin, "g3")
    assert not created and same.id == first.id and set(same.guilds) == {"g3"}
    assert set(store.get(first.id).guilds) == {"g1", "g2", "g3"}
    assert store.find(canonical_url=first.canonical_url).id == first.id
    assert store.find(fingerprint=first.fingerprint).id == first.id
    assert store.find(canonical_url="https://elsewhere.example/") is None
    assert store.stats()["articles"] == 1
    await store.close()
    again = await open_store(tmp_path / "s")
    assert set(again.get(first.id).guilds) == {"g1", "g2", "g3"}
    await again.close()


async def test_a_guild_never_sees_another_guilds_articles(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s")
    mine, _ = await store.add(article(1, title="Storm hits Quito"), "mine")
    await store.add(article(2, title="Storm hits Lima"), "theirs")
    assert store.get(mine.id, "theirs") is None
    assert [a.id for a in store.recent("theirs")] != [mine.id]
    for code in mine.country_codes:
        assert mine.id not in [a.id for a in store.by_country("theirs", code)]
    assert [a.id for a in store.search("mine", "storm")] == [mine.id]
    assert store.search("nobody", "storm") == []
    assert store.stats("mine")["articles"] == 1
    await store.close()


async def test_search_folds_accents_and_case_and_needs_every_word(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s")
    a, _ = await store.add(article(1, title="Élection à Quito", summary="Noboa wins."), "g")
    b, _ = await store.add(article(2, title="Election in Lima", summary="Nobody wins."), "g")
    assert {x.id for x in store.search("g", "ELECTION")} == {a.id, b.id}
    assert [x.id for x in store.search("g", "election noboa")] == [a.id]
    assert store.search("g", "election tokyo") == []
    await store.compact()  # now from the search file on disk
    assert [x.id for x in store.search("g", "élection quito")] == [a.id]
    assert [x.id for x in store.search("g", "NOBOA")] == [a.id]
    await store.close()


async def test_forget_and_delete_survive_reopen(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s")
    shared, _ = await store.add(article(1), "g1")
    await store.add(article(1), "g2")
    lonely, _ = await store.add(article(2), "g1")
    gone, _ = await store.add(article(3), "g1")
    await store.compact()
    assert await store.forget(shared.id, "g2")
    assert not await store.forget(shared.id, "g2")
    assert await store.forget(lonely.id, "g1")  # no guild left: deleted
    assert await store.delete(gone.id)
    assert not await store.delete(gone.id)
    await store.close()
    again = await open_store(tmp_path / "s")
    assert set(again.get(shared.id).guilds) == {"g1"}
    assert again.get(shared.id, "g2") is None
    assert again.get(lonely.id) is None and again.get(gone.id) is None
    assert again.recent("g2") == []
    assert again.stats()["articles"] == 1
    await again.close()


async def test_concurrent_adds_share_fsyncs(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s")
    results = await asyncio.gather(*(store.add(article(n), "g") for n in range(100)))
    assert all(created for _, created in results)
    journal = store._journal
    assert journal.records == 100 and journal.flushes < 100
    await store.close()


def brute(articles: dict[str, Article], guild: str, pred, since=None, until=None) -> list[str]:
    rows = [
        (a.event_time, a.id)
        for a in articles.values()
        if guild in a.guilds
        and pred(a)
        and (since is None or a.event_time >= since)
        and (until is None or a.event_time < until)
    ]
    return [i for _, i in sorted(rows, reverse=True)]


async def test_indexes_agree_with_a_brute_force_scan(tmp_path: Path) -> None:
    rng = random.Random(7)
    guilds = ["g1", "g2", "g3"]
    # few loaded weeks, so that queries load and evict partitions lazily
    store = await open_store(tmp_path / "s", max_loaded_weeks=2)
    truth: dict[str, Article] = {}
    for n in range(400):
        a = make_article(n, rng, start=START, span=120 * DAY)
        if n % 50 == 0:
            a.countries, a.persons, a.developments = [], [], []
        for guild in rng.sample(guilds, rng.randint(1, 2)):
            stored, _ = await store.add(a, guild)
            truth[stored.id] = store.get(stored.id)  # every guild's link
        if n == 200:
            await store.compact()
    for victim in rng.sample(sorted(truth), 30):
        guild = next(iter(truth[victim].guilds))
        assert await store.forget(victim, guild)
        truth[victim].guilds.pop(guild)
        if not truth[victim].guilds:
            del truth[victim]
    for victim in rng.sample(sorted(truth), 10):
        assert await store.delete(victim)
        del truth[victim]

    def check(s: ArticleStore) -> None:
        mid = START + 60 * DAY
        # bounds that fall exactly on event times: since is inclusive, until exclusive
        times = sorted(a.event_time for a in truth.values())
        for lo, hi in [(None, times[50]), (times[10], times[300]), (times[100], None)]:
            for guild in guilds:
                for code in ["EC", "US", "BR"]:
                    want = brute(truth, guild, lambda a, c=code: c in a.country_codes, lo, hi)
                    assert s.count_country(guild, code, since=lo, until=hi) == len(want)
                assert s.entity_counts(guild, "country", since=lo, until=hi) == {
                    k: n
                    for k in COUNTRIES
                    if (n := len(brute(truth, guild, lambda a, c=k: c in a.country_codes, lo, hi)))
                }
        for guild in [*guilds, "g4"]:
            for since in (None, mid):
                assert [a.id for a in s.recent(guild, since=since, limit=1000)] == brute(
                    truth, guild, lambda a: True, since
                )
                for code in ["EC", "US", "ZA", "XX"]:
                    want = brute(truth, guild, lambda a, c=code: c in a.country_codes, since)
                    got = s.by_country(guild, code.lower(), since=since, limit=1000)
                    assert [a.id for a in got] == want
                    assert [a.id for a in s.by_country(guild, code, limit=5, offset=3)] == brute(
                        truth, guild, lambda a, c=code: c in a.country_codes
                    )[3:8]
                    assert s.count_country(guild, code, since=since, until=mid + 20 * DAY) == len(
                        brute(
                            truth,
                            guild,
                            lambda a, c=code: c in a.country_codes,
                            since,
                            mid + 20 * DAY,
                        )
                    )
                for name in ["Daniel Noboa", "Andrés Castillo"]:
                    key = person_key(name)
                    want = brute(truth, guild, lambda a, k=key: k in a.person_keys, since)
                    assert [
                        a.id
                        for a in s.by_person(
                            guild,
                            "ANDRES castillo" if "Andr" in name else key,
                            since=since,
                            limit=1000,
                        )
                    ] == want
                    assert s.count_person(guild, key, since=since) == len(want)
            for kind in ("country", "person"):
                want_counts: dict[str, int] = {}
                for a in truth.values():
                    if guild in a.guilds and a.event_time >= mid:
                        for k in set(a.country_codes if kind == "country" else a.person_keys):
                            want_counts[k] = want_counts.get(k, 0) + 1
                assert s.entity_counts(guild, kind, since=mid) == want_counts
            names = {p.key: p.name for a in truth.values() if guild in a.guilds for p in a.persons}
            assert s.person_names(guild) == names
            for query in ["election", "storm noboa", "macron summit"]:
                words = fold(query).split()
                want = brute(
                    truth,
                    guild,
                    lambda a, w=words: all(x in fold(f"{a.title} {a.summary}") for x in w),
                )
                assert [a.id for a in s.search(guild, query, limit=1000)] == want
                assert [a.id for a in s.search(guild, query, limit=3)] == want[:3]
        for article_id, a in truth.items():
            assert s.get(article_id) == a

    check(store)
    await store.compact()
    check(store)
    await store.close()
    assert (tmp_path / "s" / "index.snapshot").exists()
    again = await open_store(tmp_path / "s", max_loaded_weeks=1)
    check(again)
    # more changes, compacted, then a crash: the snapshot is behind some week files
    for n in range(400, 460):
        stored, _ = await again.add(make_article(n, rng, start=START, span=120 * DAY), "g2")
        truth[stored.id] = stored
    for victim in rng.sample(sorted(truth), 10):
        assert await again.delete(victim)
        del truth[victim]
    await again.compact()
    for n in range(460, 480):  # and some only in the journal
        stored, _ = await again.add(make_article(n, rng, start=START, span=120 * DAY), "g1")
        truth[stored.id] = stored
    shutil.copytree(tmp_path / "s", tmp_path / "crashed")
    await again.close()
    crashed = await open_store(tmp_path / "crashed")
    check(crashed)
    await crashed.close()
    (tmp_path / "crashed" / "index.snapshot").unlink()  # no snapshot: from the week files
    rebuilt = await open_store(tmp_path / "crashed")
    check(rebuilt)
    await rebuilt.close()


async def test_schema_version_in_every_file(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s")
    a, _ = await store.add(article(1), "g")
    journal_head = segments(tmp_path / "s")[0][1].read_bytes().split(b"\n")[0]
    assert orjson.loads(journal_head.split(b" ", 1)[1])["schema_version"] == ARTICLE_SCHEMA_VERSION
    await store.close()
    weeks = tmp_path / "s" / "weeks"
    (partition,) = [p for p in weeks.glob("*.json") if not p.name.endswith(".idx.json")]
    db = TinyDB(partition)  # stock TinyDB (its own JSONStorage) reads the week file
    assert db.table("_meta").all()[0]["schema_version"] == ARTICLE_SCHEMA_VERSION
    assert db.table("articles").all()[0]["id"] == a.id
    assert "text" not in db.table("articles").all()[0]
    (idx,) = weeks.glob("*.idx.json")
    index = TinyDB(idx).table("index").get(doc_id=1)  # and the index file
    assert index["schema_version"] == ARTICLE_SCHEMA_VERSION and index["ids"] == [a.id]
    (search,) = weeks.glob("*.search.txt")
    header = f"# newsbot-search schema_version={ARTICLE_SCHEMA_VERSION}"
    assert search.read_text().startswith(header)


async def test_search_off_the_loop_answers_as_a_scan_while_weeks_are_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.news.store.tinydb import store as store_module

    # every week's search file scanned in a thread, and read from disk (no room to keep it)
    monkeypatch.setattr(store_module, "SCAN_IN_THREAD_CHARS", 0)
    rng = random.Random(11)
    store = await open_store(tmp_path / "s", max_loaded_weeks=1, search_cache_chars=1)
    truth: dict[str, Article] = {}

    async def add(n: int) -> None:
        stored, _ = await store.add(make_article(n, rng, start=START, span=60 * DAY), "g1")
        truth[stored.id] = stored

    queries = ["election", "storm noboa", "macron summit", "e", "nothing-like-this"]

    async def agrees() -> None:
        for query in queries:
            words = fold(query).split()
            want = brute(
                truth, "g1", lambda a, w=words: all(x in fold(f"{a.title} {a.summary}") for x in w)
            )
            got = await store.search_off_loop("g1", query, limit=1000)
            assert [a.id for a in got] == want, query
            assert [a.id for a in store.search("g1", query, limit=1000)] == want, query

    try:
        for n in range(150):
            await add(n)
        await agrees()  # unwritten changes only
        await store.compact()
        await agrees()  # from the week files
        for n in range(150, 200):
            await add(n)
        # a search whose scan is held while the unwritten changes are folded into the
        # week files: it still finds them (in the changes it took with the file it read)
        real_scan, scanning, release = store_module._scan_blob, threading.Event(), threading.Event()

        def held_scan(blob: str, words: list[str]) -> list[str]:
            scanning.set()
            release.wait(60)
            return real_scan(blob, words)

        monkeypatch.setattr(store_module, "_scan_blob", held_scan)
        search = asyncio.create_task(store.search_off_loop("g1", "e", limit=1000))
        assert await asyncio.to_thread(scanning.wait, 60)
        await store.compact()
        release.set()
        want = brute(truth, "g1", lambda a: "e" in fold(f"{a.title} {a.summary}"))
        assert [a.id for a in await search] == want
        await agrees()
    finally:
        release.set()
        await store.close()


async def _two_weeks(path: Path) -> tuple[Article, Article]:
    store = await open_store(path)
    old, _ = await store.add(article(1, published="2026-01-05"), "g")
    new, _ = await store.add(article(2, published="2026-03-02"), "g")
    await store.close()
    return old, new


async def test_corrupt_partition_is_set_aside_and_its_articles_come_back_from_its_copy(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old, new = await _two_weeks(tmp_path / "s")
    weeks = tmp_path / "s" / "weeks"
    bad = weeks / "2026-W02.json"
    bad.write_bytes(b'{"articles": {"1": {"id": ')
    caplog.set_level(logging.WARNING)
    store = await open_store(tmp_path / "s")
    assert store.get(new.id, "g") == new
    assert [a.id for a in store.recent("g", limit=10)] == [new.id, old.id]  # lazy load
    assert store.get(old.id, "g") == old
    aside = [p for p in weeks.iterdir() if p.name.startswith("2026-W02.json.damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes() == b'{"articles": {"1": {"id": '
    assert "2026-W02.json is damaged: recovered 1 of its articles (1 from its copy" in caplog.text
    assert bad.exists()  # written again from what was recovered
    again, created = await store.add(article(3), "g")  # still writable
    assert created
    await store.close()
    reopened = await open_store(tmp_path / "s")
    assert {a.id for a in reopened.recent("g")} == {new.id, old.id, again.id}
    await reopened.close()


async def test_corrupt_partition_without_its_copy_keeps_what_is_left_and_counts_the_rest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old, new = await _two_weeks(tmp_path / "s")
    weeks = tmp_path / "s" / "weeks"
    (weeks / "2026-W02.json").write_bytes(b'{"articles": {"1": {"id": ')
    (weeks / "2026-W02.copy.json.gz").write_bytes(b"\x1f\x8b\x08\x00 truncated")
    caplog.set_level(logging.WARNING)
    store = await open_store(tmp_path / "s")
    assert [a.id for a in store.recent("g", limit=10)] == [new.id]
    assert store.get(old.id) is None
    assert any(p.name.startswith("2026-W02.copy.json.gz.damaged-") for p in weeks.iterdir())
    assert "recovered 0 of its articles (0 from its copy damaged too" in caplog.text
    assert "1 articles of 2026-W02 are gone" in caplog.text
    await store.close()


async def test_a_week_file_gone_with_its_copy_left_is_written_again_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old, new = await _two_weeks(tmp_path / "s")
    weeks = tmp_path / "s" / "weeks"
    (weeks / "2026-W02.json").rename(weeks / "2026-W02.json.damaged-by-hand")
    caplog.set_level(logging.WARNING)
    store = await open_store(tmp_path / "s")
    assert [a.id for a in store.recent("g", limit=10)] == [new.id, old.id]
    assert (weeks / "2026-W02.json").exists()
    assert "2026-W02.json is missing: recovered 1 of its articles" in caplog.text
    await store.close()


async def test_older_weeks_copies_and_search_files_are_checked_in_the_background(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gzip

    from bot.news.store.tinydb import store as store_module

    await _two_weeks(tmp_path / "s")
    weeks = tmp_path / "s" / "weeks"
    copy, search = weeks / "2026-W02.copy.json.gz", weeks / "2026-W02.search.txt"
    whole_search = search.read_bytes()
    copy.write_bytes(copy.read_bytes()[:20])
    search.write_bytes(whole_search[: len(whole_search) - 5])
    monkeypatch.setattr(store_module, "SCRUB_PAUSE", 0.0)
    caplog.set_level(logging.INFO)
    store = await open_store(tmp_path / "s")
    try:
        for _ in range(200):  # at most 10 s
            if search.read_bytes() == whole_search:
                break
            await asyncio.sleep(0.05)
        assert search.read_bytes() == whole_search
        assert gzip.decompress(copy.read_bytes()) == (weeks / "2026-W02.json").read_bytes()
        assert any(p.name.startswith("2026-W02.copy.json.gz.damaged-") for p in weeks.iterdir())
        assert "2026-W02.search.txt is truncated or damaged" in caplog.text
    finally:
        await store.close()


@pytest.mark.parametrize("process_bytes", [None, 0], ids=["thread", "worker-process"])
async def test_a_damaged_older_week_is_repaired_off_the_loop_by_the_background_check(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    process_bytes: int | None,
) -> None:
    from bot.news.store.tinydb import store as store_module

    old, new = await _two_weeks(tmp_path / "s")
    weeks = tmp_path / "s" / "weeks"
    bad = weeks / "2026-W02.json"
    bad.write_bytes(b'{"articles": {"1": {"id": ')
    monkeypatch.setattr(store_module, "SCRUB_PAUSE", 0.0)
    caplog.set_level(logging.INFO)
    store = await open_store(tmp_path / "s", compact_process_bytes=process_bytes)
    try:
        assert store._scrub_task is not None
        await store._scrub_task  # the background check of the older weeks, to its end
        aside = [p for p in weeks.iterdir() if p.name.startswith("2026-W02.json.damaged-")]
        assert len(aside) == 1 and aside[0].read_bytes() == b'{"articles": {"1": {"id": '
        assert "2026-W02.json is damaged: recovered 1 of its articles (1 from its copy" in (
            caplog.text
        )
        # written again beside the loop, not loaded into memory by it
        assert "2026-W02" not in store._loaded
        assert store._compactor.in_process == (1 if process_bytes == 0 else 0)
        with TinyDB(bad) as written:
            assert [d["id"] for d in written.table("articles").all()] == [old.id]
        assert store.get(old.id, "g") == old  # read at its place in the new file
        assert "2026-W02" not in store._loaded
        assert [a.id for a in store.recent("g", limit=10)] == [new.id, old.id]
    finally:
        await store.close()
    reopened = await open_store(tmp_path / "s")
    assert [a.id for a in reopened.recent("g", limit=10)] == [new.id, old.id]
    await reopened.close()


async def test_corrupt_index_file_is_set_aside_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old, new = await _two_weeks(tmp_path / "s")
    weeks = tmp_path / "s" / "weeks"
    (weeks / "2026-W02.idx.json").write_bytes(b"\x00\x00garbage")
    (weeks / "2026-W10.search.txt").write_bytes(b"\xff\xfe not text")
    caplog.set_level(logging.INFO)
    store = await open_store(tmp_path / "s")
    assert [a.id for a in store.recent("g")] == [new.id, old.id]
    assert [a.id for a in store.by_country("g", old.countries[0].code)][-1:] == [old.id]
    assert [a.id for a in store.search("g", new.title)] == [new.id]
    assert any(p.name.startswith("2026-W02.idx.json.damaged-") for p in weeks.iterdir())
    assert "2026-W02.idx.json" in caplog.text
    await store.close()


async def test_torn_journal_tail_dropped_earlier_records_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = await open_store(tmp_path / "s")
    ids = [(await store.add(article(n), "g"))[0].id for n in range(5)]
    shutil.copytree(tmp_path / "s", tmp_path / "copy")
    await store.close()
    (_number, path), *_ = segments(tmp_path / "copy")
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) - 40])  # the last record cut short
    caplog.set_level(logging.WARNING)
    crashed = await open_store(tmp_path / "copy")
    assert [crashed.get(i) is not None for i in ids] == [True, True, True, True, False]
    assert "torn tail" in caplog.text
    # a damaged record in the middle costs that record only
    await crashed.close()


async def test_damaged_middle_record_costs_only_that_record(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s")
    ids = [(await store.add(article(n), "g"))[0].id for n in range(5)]
    shutil.copytree(tmp_path / "s", tmp_path / "copy")
    await store.close()
    (_, path), *_ = segments(tmp_path / "copy")
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"news.example", b"news.exampl3")  # record of ids[1]
    path.write_bytes(b"\n".join(lines))
    crashed = await open_store(tmp_path / "copy")
    assert [crashed.get(i) is not None for i in ids] == [True, False, True, True, True]
    await crashed.close()


async def test_leftover_temp_files_are_cleaned(tmp_path: Path) -> None:
    old, _new = await _two_weeks(tmp_path / "s")
    weeks = tmp_path / "s" / "weeks"
    (weeks / f"2026-W02.json.999{TEMP_SUFFIX}").write_text("half a file")
    (tmp_path / "s" / f"other.999{TEMP_SUFFIX}").write_text("half")
    store = await open_store(tmp_path / "s")
    assert not list((tmp_path / "s").rglob(f"*{TEMP_SUFFIX}"))
    assert store.get(old.id) == old
    await store.close()


async def test_closed_store_refuses_writes(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s")
    await store.close()
    with pytest.raises(RuntimeError, match="closed"):
        await store.add(article(1), "g")
    with pytest.raises(ValueError, match="canonical_url"):
        await (await open_store(tmp_path / "t")).add(
            Article(url="x", canonical_url="", title="t"), "g"
        )


async def test_writes_during_a_compaction_are_kept(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s", max_loaded_weeks=0)
    for n in range(300):
        await store.add(article(n), "g1")
    compaction = asyncio.create_task(store.compact())
    late = []
    while not compaction.done():
        n = 1000 + len(late)
        late.append((await store.add(article(n), "g1"))[0])
        await store.add(article(len(late) % 300), "g2")  # links old ones meanwhile
    await compaction
    assert late, "the compaction finished before any write: nothing was tested"
    for a in late:
        assert store.get(a.id, "g1") == a
    assert store.stats("g2")["articles"] == min(len(late), 300)
    await store.compact()
    for a in late:
        assert store.get(a.id, "g1") == a
    await store.close()
    again = await open_store(tmp_path / "s")
    assert all(again.get(a.id, "g1") == a for a in late)
    assert again.stats("g2")["articles"] == min(len(late), 300)
    await again.close()


async def test_stale_index_offsets_fall_back_to_reading_the_week(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s")
    late, _ = await store.add(article(1, published="2026-03-05T12:00:00+00:00"), "g")
    await store.compact()
    idx = tmp_path / "s" / "weeks" / "2026-W10.idx.json"
    old_idx = idx.read_bytes()
    await store.add(article(2, published="2026-03-02T08:00:00+00:00"), "g")
    await store.close()  # the partition now has the early article first: offsets moved
    idx.write_bytes(old_idx)  # as if the crash came between the partition and its index
    again = await open_store(tmp_path / "s")
    assert again.get(late.id) == late
    await again.close()


async def test_corrupt_snapshot_is_set_aside_and_the_week_files_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old, new = await _two_weeks(tmp_path / "s")
    path = tmp_path / "s" / "index.snapshot"
    raw = bytearray(path.read_bytes())
    raw[-5] ^= 0xFF  # one flipped byte in the body
    path.write_bytes(bytes(raw))
    caplog.set_level(logging.ERROR)
    store = await open_store(tmp_path / "s")
    assert [a.id for a in store.recent("g")] == [new.id, old.id]
    assert "index.snapshot" in caplog.text and "checksum" in caplog.text
    assert any(".damaged-" in p.name for p in (tmp_path / "s").iterdir())
    await store.close()
    assert path.exists()  # written again at close
    again = await open_store(tmp_path / "s")
    assert [a.id for a in again.recent("g")] == [new.id, old.id]
    await again.close()


async def test_one_writer_at_a_time_and_read_only_beside_it(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s")
    a, _ = await store.add(article(1), "g")
    before = sorted((p.name, p.stat().st_size) for p in (tmp_path / "s").rglob("*"))
    with pytest.raises(StoreBusy, match="another process"):
        await open_store(tmp_path / "s")
    reader = await ArticleStore.open(tmp_path / "s", read_only=True)
    assert reader.get(a.id, "g") == a  # from the journal, nothing compacted yet
    with pytest.raises(StoreReadOnly):
        await reader.add(article(2), "g")
    await reader.close()
    after = sorted((p.name, p.stat().st_size) for p in (tmp_path / "s").rglob("*"))
    assert after == before  # the reader changed nothing
    await store.close()
    again = await open_store(tmp_path / "s")  # the lock is released at close
    await again.close()
    empty = await ArticleStore.open(tmp_path / "nothing", read_only=True)
    assert empty.stats()["articles"] == 0 and not (tmp_path / "nothing").exists()
    await empty.close()


async def test_background_snapshot_in_a_child_process(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s")
    ids = [(await store.add(article(n), "g"))[0].id for n in range(30)]
    await store.compact()
    await store.write_snapshot()
    assert store.snapshot_behind == 0 and (tmp_path / "s" / "index.snapshot").exists()
    later, _ = await store.add(article(99), "g")
    shutil.copytree(tmp_path / "s", tmp_path / "copy")  # a crash: no snapshot at close
    await store.close()
    crashed = await open_store(tmp_path / "copy")
    assert all(crashed.get(i, "g") for i in [*ids, later.id])
    assert crashed.stats("g")["articles"] == 31
    await crashed.close()


async def test_a_guild_does_not_learn_which_other_guilds_stored_an_article(
    tmp_path: Path,
) -> None:
    store = await open_store(tmp_path / "s")
    a, _ = await store.add(article(1), "mine")
    await store.add(article(1), "theirs")
    assert set(store.get(a.id).guilds) == {"mine", "theirs"}  # unscoped: the bot itself
    assert set(store.get(a.id, "mine").guilds) == {"mine"}
    assert set(store.recent("mine")[0].guilds) == {"mine"}
    assert set(store.by_country("theirs", a.countries[0].code)[0].guilds) == {"theirs"}
    await store.close()


async def test_big_compactions_run_in_a_worker_process(tmp_path: Path) -> None:
    # every compaction counts as big: the week files are rewritten by the worker process
    store = await open_store(tmp_path / "s", compact_process_bytes=0, max_loaded_weeks=1)
    first = [(await store.add(article(n), "g1"))[0] for n in range(30)]
    await store.compact()  # nothing on disk yet: a thread
    assert store._compactor.in_process == 0
    for a in first[:10]:
        await store.add(a, "g2")  # links: their weeks are read from the files
    later = [(await store.add(article(n), "g1"))[0] for n in range(30, 40)]
    await store.delete(first[-1].id)
    await store.compact()
    assert store._compactor.in_process == 1
    for a in [*first[:-1], *later]:  # read at the places the worker reported
        got = store.get(a.id, "g1")
        assert got is not None and same_content(got, a)
    assert {a.id for a in store.recent("g2", limit=100)} == {a.id for a in first[:10]}
    assert store.get(first[-1].id) is None
    await store.close()
    again = await open_store(tmp_path / "s")
    assert len(again.recent("g1", limit=100)) == 39
    assert {a.id for a in again.recent("g2", limit=100)} == {a.id for a in first[:10]}
    await again.close()


async def test_what_the_worker_process_logs_reaches_the_bots_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.news.store.tinydb.compactor import Compactor

    caplog.set_level(logging.INFO)
    compactor = Compactor(tmp_path, process_bytes=0)
    try:
        loop = asyncio.get_running_loop()
        worker_logger = logging.getLogger("bot.news.store.tinydb.partitions")
        pid = await loop.run_in_executor(compactor._worker(), os.getpid)
        assert pid != os.getpid()
        await loop.run_in_executor(
            compactor._worker(), worker_logger.warning, "week %s set aside", "W"
        )
    finally:
        await compactor.close()  # stops forwarding only after the worker's last line
    forwarded = [r for r in caplog.records if r.getMessage() == "week W set aside"]
    assert [(r.name, r.levelno, r.process) for r in forwarded] == [
        ("bot.news.store.tinydb.partitions", logging.WARNING, pid)
    ]


async def test_an_article_in_two_weeks_is_taken_from_the_later_one_without_a_snapshot(
    tmp_path: Path,
) -> None:
    old, new = await _two_weeks(tmp_path / "s")
    weeks = tmp_path / "s" / "weeks"
    later = parts.read_partition(weeks, "2026-W10")
    assert later is not None
    (doc,) = [d for d in parts.read_partition(weeks, "2026-W02").values() if d["id"] == old.id]
    # a crash while the article moved to a later week: both week files hold it
    later[old.id] = {**doc, "title": "Moved", "event_time": new.event_time - 60}
    parts.write_week(weeks, "2026-W10", later)
    (tmp_path / "s" / "index.snapshot").unlink()
    reader = await ArticleStore.open(tmp_path / "s", read_only=True)
    store = await open_store(tmp_path / "s")
    for s in (reader, store):
        assert [a.id for a in s.recent("g")] == [new.id, old.id]
        assert [a.id for a in s.by_country("g", old.countries[0].code)].count(old.id) == 1
        assert s.get(old.id).title == "Moved"
        assert s.stats("g")["articles"] == 2
    await reader.close()
    await store.close()
    again = await open_store(tmp_path / "s")  # from the snapshot written at that start
    assert [a.id for a in again.recent("g")] == [new.id, old.id]
    assert again.get(old.id).title == "Moved" and again.stats("g")["articles"] == 2
    await again.close()
