"""SIGKILL a process that is adding articles; every acknowledged one must survive.

A fixed number of kills, not a time budget, so a busy machine changes only how long it
takes: 10 by default, NEWSBOT_CRASH_ROUNDS=30 (or more) for the full check.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import sys
from pathlib import Path

import orjson

from bot.news.atomic import DAMAGED_MARK
from bot.news.store import ArticleStore

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = int(os.environ.get("NEWSBOT_CRASH_ROUNDS", "10"))


async def _run_child(directory: Path, seed: int, rng: random.Random) -> list[tuple[str, str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.news.store_crash_child",
        str(directory),
        str(seed),
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdout is not None
    first = await asyncio.wait_for(proc.stdout.readline(), 30)
    assert first == b"ready\n", f"child did not start: {first!r}"
    await asyncio.sleep(rng.uniform(0.02, 0.3))
    proc.send_signal(signal.SIGKILL)
    out = await proc.stdout.read()
    await proc.wait()
    acked = []
    for line in out.split(b"\n")[:-1]:  # the last piece may be cut mid-line
        _, article_id, guild = line.decode().split()
        acked.append((article_id, guild))
    return acked


def _assert_no_damaged_file(directory: Path) -> None:
    for path in (directory / "weeks").glob("*.json"):
        orjson.loads(path.read_bytes())  # raises on a torn or truncated file
    assert not [p for p in directory.rglob("*") if DAMAGED_MARK in p.name]


async def test_sigkill_never_loses_an_acknowledged_article(tmp_path: Path) -> None:
    rng = random.Random(1234)
    directory = tmp_path / "store"
    must_have: dict[str, set[str]] = {}
    rounds = 0
    while rounds < ROUNDS:
        rounds += 1
        acked = await _run_child(directory, rounds, rng)
        for article_id, guild in acked:
            must_have.setdefault(article_id, set()).add(guild)
        _assert_no_damaged_file(directory)
        # Check a copy, so that the next child starts from the state the kill left.
        check = tmp_path / f"check{rounds}"
        shutil.copytree(directory, check)
        store = await ArticleStore.open(check, compact_every=3600)
        missing = [(i, g) for i, guilds in must_have.items() for g in guilds if not store.get(i, g)]
        assert not missing, f"round {rounds}: {len(missing)} acknowledged adds lost"
        _assert_no_damaged_file(check)
        await store.close(compact=False)
        shutil.rmtree(check)
    print(f"{rounds} kills, {len(must_have)} acknowledged articles")
    assert rounds == ROUNDS
    assert len(must_have) > 50, "too few acknowledged adds to mean anything"
