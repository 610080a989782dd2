"""The TinyDB backend's files: stock TinyDB reads every data file; damage is set aside,
logged, and what can be recovered is."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from tinydb import TinyDB

from bot.news.feeds.state import FeedRecord
from bot.news.store import open_store
from bot.news.store.interface import Store
from tests.store.support import HOUR, T0, art

OPTIONS = {"compact_every": 3600.0}


async def _filled(folder: Path, n: int = 12) -> Store:
    store = await open_store(f"tinydb://{folder}", **OPTIONS)
    for i in range(1, n + 1):  # all in one ISO week
        await store.articles.add(art(i, at=T0 + i * HOUR, title=f"Harbour story {i}"), "g1")
    await store.guilds.update("g1", channel_id=5)
    await store.feeds.add(
        FeedRecord("g1", "https://feeds.example/a.xml", "A", 15.0, T0, seen=["x1", "x2"])
    )
    await store.articles.engine.compact()  # type: ignore[attr-defined]
    return store


async def test_every_data_file_opens_with_stock_tinydb(tmp_path: Path) -> None:
    store = await _filled(tmp_path / "d")
    await store.close()
    folder = tmp_path / "d"
    files = sorted(p for p in folder.rglob("*.json"))
    names = {p.relative_to(folder).as_posix() for p in files}
    assert {"guilds.json", "feeds.json", "claims.json"} <= names
    assert any(n.endswith(".idx.json") for n in names)
    assert any(n.startswith("articles/weeks/") and n.count(".") == 1 for n in names)
    for path in files:
        db = TinyDB(path)  # stock TinyDB, its own JSONStorage
        documents = [doc for name in db.tables() for doc in db.table(name).all()]
        assert documents, path
        db.close()
    week = next(p for p in files if p.parent.name == "weeks" and p.name.count(".") == 1)
    titles = {d["title"] for d in TinyDB(week).table("articles").all()}
    assert titles == {f"Harbour story {i}" for i in range(1, 13)}
    settings = TinyDB(folder / "guilds.json").table("guilds").all()
    assert settings[0]["channel_id"] == 5
    feeds = TinyDB(folder / "feeds.json").table("feeds").all()
    assert feeds[0]["seen"] == ["x1", "x2"]


@pytest.mark.parametrize("copy", [True, False], ids=["with-copy", "without-copy"])
async def test_a_truncated_week_file_comes_back_from_its_copy_or_keeps_what_is_before_the_cut(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, copy: bool
) -> None:
    store = await _filled(tmp_path / "d")
    await store.close()
    weeks = tmp_path / "d" / "articles" / "weeks"
    (week,) = [p for p in weeks.glob("*.json") if p.name.count(".") == 1]
    raw = week.read_bytes()
    week.write_bytes(raw[: int(len(raw) * 0.6)])  # cut in the middle of a document
    (index,) = weeks.glob("*.idx.json")
    index.unlink()  # start-up must read the week file itself
    (tmp_path / "d" / "articles" / "index.snapshot").unlink()
    if not copy:
        (weeks / f"{week.stem}.copy.json.gz").unlink()
    caplog.set_level(logging.WARNING)
    again = await open_store(f"tinydb://{tmp_path / 'd'}", **OPTIONS)
    try:
        kept = await again.articles.recent("g1", limit=50)
        if copy:
            assert len(kept) == 12
        else:
            assert 4 <= len(kept) < 12
            assert art(1).id in {a.id for a in kept}  # the oldest come first in the file
        assert {a.title for a in kept} <= {f"Harbour story {i}" for i in range(1, 13)}
        assert any(".damaged-" in p.name for p in weeks.iterdir())
        assert "recovered" in caplog.text
    finally:
        await again.close()


async def test_a_truncated_search_file_is_noticed_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = await _filled(tmp_path / "d")
    await store.close()
    weeks = tmp_path / "d" / "articles" / "weeks"
    (search,) = weeks.glob("*.search.txt")
    lines = search.read_bytes().split(b"\n")
    search.write_bytes(b"\n".join(lines[:4]) + b"\n")  # header intact, most lines gone
    caplog.set_level(logging.WARNING)
    again = await open_store(f"tinydb://{tmp_path / 'd'}", **OPTIONS)
    try:
        found = await again.articles.search("g1", "harbour", limit=50)
        assert len(found) == 12
        assert ".search.txt is truncated or damaged" in caplog.text
        assert len(search.read_bytes().split(b"\n")) == len(lines)  # written again, whole
    finally:
        await again.close()


@pytest.mark.parametrize("name", ["guilds.json", "feeds.json", "claims.json"])
async def test_zero_bytes_is_damage_not_an_empty_file(
    tmp_path: Path, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = await _filled(tmp_path / "d")
    await store.guilds.update("g1", channel_id=6)  # the last change, to come back too
    await store.feeds.add(FeedRecord("g1", "https://feeds.example/b.xml", "B", 15.0, T0))
    await store.claims.claim("g1", _record("2026-06-01"), max_attempts=3)
    await store.claims.claim("g1", _record("2026-06-02"), max_attempts=3)
    await store.close()
    (tmp_path / "d" / name).write_bytes(b"")
    caplog.set_level(logging.WARNING)
    again = await open_store(f"tinydb://{tmp_path / 'd'}", **OPTIONS)
    try:
        assert any(p.name.startswith(f"{name}.damaged-") for p in (tmp_path / "d").iterdir())
        assert f"recovered from {name}.copy" in caplog.text
        # the newest version is back from the copy: nothing acknowledged is lost
        if name == "guilds.json":
            assert (await again.guilds.get("g1")).channel_id == 6
        elif name == "feeds.json":
            assert sorted(r.url for r in await again.feeds.all()) == [
                "https://feeds.example/a.xml",
                "https://feeds.example/b.xml",
            ]
        else:
            assert (await again.claims.get("g1")).latest.local_date == "2026-06-02"
    finally:
        await again.close()


def _record(day: str):
    from bot.news.guild_settings import DigestRecord

    return DigestRecord(local_date=day, state="skipped", token="t", claimed_at=T0)


async def test_digest_records_kept_in_old_settings_files_move_to_claims(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    posted = {"local_date": "2026-06-01", "state": "posted", "token": "t", "until": T0}
    old = {"guild_id": "7", "channel_id": 5, "last_digest": posted, "last_posted": posted}
    tables = {"guilds": {"1": old}, "meta": {"1": {"schema_version": 1}}}
    (folder / "guilds.json").write_text(json.dumps(tables))
    store = await open_store(f"tinydb://{folder}", **OPTIONS)
    try:
        digests = await store.claims.get("7")
        assert digests.latest is not None and digests.latest.local_date == "2026-06-01"
        assert digests.last_posted == digests.latest
        assert (await store.guilds.get("7")).channel_id == 5
    finally:
        await store.close()


def _rewrite_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Change a file's bytes keeping its inode, size and mtime: what another process's
    replace looks like when the inode number is recycled within one tick of the clock."""
    stat = path.stat()
    raw = path.read_bytes()
    assert old in raw and len(old) == len(new)
    with open(path, "r+b") as fh:
        fh.write(raw.replace(old, new))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_ino, path.stat().st_size) == (stat.st_ino, stat.st_size)


async def test_a_claim_reads_the_file_even_when_its_signature_did_not_change(
    tmp_path: Path,
) -> None:
    from bot.news.guild_settings import DigestRecord
    from bot.news.store.tinydb.claims import TinyDigestClaims

    path = tmp_path / "claims.json"
    first, other = TinyDigestClaims(path), TinyDigestClaims(path)
    try:
        day = DigestRecord("2026-11-28", "claimed", token="a")
        assert await other.claim("1", day, max_attempts=3)
        assert (await first.get("1")).latest.local_date == "2026-11-28"  # cached now
        # another process took the next day; the file's signature looks unchanged
        _rewrite_in_place(path, b'"2026-11-28"', b'"2026-11-29"')
        later = DigestRecord("2026-11-29", "claimed", token="b")
        assert await first.claim("1", later, max_attempts=3) is None
    finally:
        first.close()
        other.close()


async def test_a_settings_change_reads_the_file_even_when_its_signature_did_not_change(
    tmp_path: Path,
) -> None:
    from bot.news.store.tinydb.guilds import TinyGuilds

    path = tmp_path / "guilds.json"
    first, other = TinyGuilds(path), TinyGuilds(path)
    try:
        await other.update("1", digest_time="07:15")
        assert (await first.get("1")).digest_time == "07:15"  # cached now
        # another process moved the time; the file's signature looks unchanged
        _rewrite_in_place(path, b'"07:15"', b'"09:30"')
        changed = await first.update("1", quiet_mode="silent")
        assert (changed.digest_time, changed.quiet_mode) == ("09:30", "silent")
    finally:
        first.close()
        other.close()
