"""``newsbot db copy``: TinyDB -> PostgreSQL -> TinyDB keeps every answer; resumable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.news.feeds.state import FeedRecord
from bot.news.guild_settings import DigestRecord
from bot.news.store import open_store
from tests.store.postgres_support import fresh_database
from tests.store.support import HOUR, art

ROOT = Path(__file__).resolve().parents[2]
NOW = time.time()


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with fresh_database() as url:
        yield url


def newsbot(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NEWSBOT_DATABASE_URL"}
    prefix = ["--data-dir", str(data_dir)] if data_dir else []
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *prefix, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def fill_source(folder: Path, articles: int = 40) -> None:
    store = await open_store(f"tinydb://{folder}")
    try:
        for n in range(articles):
            # recent enough for `newsbot country` (its default window is 7 days)
            article = art(
                n,
                at=NOW - (articles - n) * HOUR,
                countries=("EC", "PE") if n % 3 else ("EC",),
                persons=("Daniel Noboa",) if n % 2 else ("Andrés Castillo",),
            )
            await store.articles.add(article, "g1" if n % 4 else "g2")
            if n % 5 == 0:
                await store.articles.add(article, "cli")
        await store.guilds.update("g1", channel_id=42, digest_time="07:30", zone="Europe/Berlin")
        await store.guilds.follow("g1", "country", "EC", "Ecuador")
        await store.feeds.add(
            FeedRecord(guild_id="g1", url="https://news.example/feed.xml", title="News",
                       interval_minutes=15, added_at=NOW, seen=["a", "b"], etag='"x"')
        )  # fmt: skip
        day = DigestRecord("2026-11-20", "claimed", token="t", claimed_at=NOW)
        await store.claims.claim("g1", day, max_attempts=3)
        done = DigestRecord("2026-11-20", "posted", token="t", message_ids=(9,), attempts=1)
        await store.claims.finish("g1", done, token="t", states=("claimed",))
    finally:
        await store.close()


COUNTED = ("articles", "guilds", "countries", "persons")


def answers(folder: Path) -> dict[str, object]:
    """What the command line says about a TinyDB store."""
    out: dict[str, object] = {}
    for guild in (None, "g1", "g2", "cli"):
        args = ["stats", "--json"] + (["--guild", guild] if guild else [])
        result = newsbot(*args, data_dir=folder)
        assert result.returncode == 0, result.stderr
        stats = json.loads(result.stdout)
        out[f"stats {guild}"] = {k: stats[k] for k in COUNTED}
    for guild in ("g1", "g2", "cli"):
        for kind, name in (("country", "Ecuador"), ("country", "PE"), ("person", "Noboa")):
            result = newsbot(kind, name, "--guild", guild, "--json", data_dir=folder)
            if result.returncode == 0:
                out[f"{kind} {name} {guild}"] = json.loads(result.stdout)
            else:  # e.g. no such person in this server: the same refusal on both sides
                out[f"{kind} {name} {guild}"] = (result.returncode, result.stderr.splitlines()[-1])
    return out


async def records(folder: Path) -> tuple[object, ...]:
    store = await open_store(f"tinydb://{folder}", read_only=True)
    try:
        settings = [(g.guild_id, g.channel_id, g.digest_time, g.zone, g.follows)
                    for g in await store.guilds.all()]  # fmt: skip
        feeds = [(f.guild_id, f.url, f.seen, f.etag) for f in await store.feeds.all()]
        claims = await store.claims.get("g1")
        return settings, feeds, claims
    finally:
        await store.close()


async def test_round_trip_through_postgres_gives_the_same_answers(
    tmp_path: Path, pg_url: str
) -> None:
    source, back = tmp_path / "source", tmp_path / "back"
    await fill_source(source)
    there = newsbot("db", "copy", "--from", f"tinydb://{source}", "--to", pg_url)
    assert there.returncode == 0, there.stderr
    assert "Copied 40 new articles" in there.stdout
    assert "articles:" in there.stderr  # the progress, one line per tenth off a terminal
    home = newsbot("db", "copy", "--from", pg_url, "--to", f"tinydb://{back}")
    assert home.returncode == 0, home.stderr
    expected = answers(source)
    assert len(expected["country Ecuador g1"]["developments"]) == 20  # type: ignore[index]
    assert answers(back) == expected
    assert await records(back) == await records(source)
    again = newsbot("db", "copy", "--from", f"tinydb://{source}", "--to", pg_url)
    assert again.returncode == 0 and "Copied 0 new articles (40 were there" in again.stdout


async def test_an_interrupted_copy_resumes(tmp_path: Path, pg_url: str) -> None:
    source = tmp_path / "source"
    await fill_source(source, articles=120)
    args = ["db", "copy", "--from", f"tinydb://{source}", "--to", pg_url, "--batch", "5"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    while line and not line.startswith("articles: "):
        line = proc.stderr.readline()
    os.kill(proc.pid, signal.SIGKILL)  # mid-copy: some batches written, most not
    proc.communicate(timeout=60)
    partial = await open_store(pg_url)
    try:
        copied = (await partial.articles.stats()).articles
    finally:
        await partial.close()
    assert 0 < copied < 120
    resumed = newsbot(*args)
    assert resumed.returncode == 0, resumed.stderr
    assert f"Copied {120 - copied} new articles ({copied} were there already)" in resumed.stdout
    assert "fewer" not in resumed.stdout


def test_bad_urls_are_one_sentence_and_exit_2(tmp_path: Path) -> None:
    cases = [
        ("db", "copy", "--from", "mysql://x/y", "--to", f"tinydb://{tmp_path}"),
        ("db", "copy", "--from", f"tinydb://{tmp_path}", "--to", f"tinydb://{tmp_path}"),
        (
            "db",
            "copy",
            "--from",
            f"tinydb://{tmp_path}",
            "--to",
            "postgresql://postgres@127.0.0.1:9/x",
        ),
        ("db", "upgrade", "--url", f"tinydb://{tmp_path}"),
        ("db", "copy", "--from", f"tinydb://{tmp_path}/missing", "--to", f"tinydb://{tmp_path}"),
    ]
    for args in cases:
        result = newsbot(*args)
        assert result.returncode == 2, (args, result.stderr)
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("newsbot: ") and last.endswith((".", ")")), last
        assert "Traceback" not in result.stderr
