"""SIGKILL at the worst moments: no acknowledged data lost, no process left behind."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox.web import ArticleServer
from tests.e2e.conftest import story
from tests.hostile.processes import alive, command_line, descendants, wait_gone

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _env(data_dir: Path, server: ArticleServer) -> dict[str, str]:
    return {
        **os.environ,
        "NEWSBOT_DATA_DIR": str(data_dir),
        "NEWSBOT_FETCH_ALLOW": f"127.0.0.1:{server.port}",
        "NEWSBOT_ALLOW_LOOPBACK": "false",
    }


async def _kill_parent_mid_ingest(data_dir: Path, server: ArticleServer) -> tuple[str, set[int]]:
    """``newsbot ingest first gated``: killed once ``first`` is acknowledged and ``gated``
    is being fetched (the worker started). Returns the output and the orphans.

    Output goes to a file, not a pipe: an orphan would hold a pipe open forever."""
    out = data_dir.parent / "ingest.out"
    with out.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "ingest",
             server.url("/page/first"), server.url("/gated/second")],
            cwd=ROOT, env=_env(data_dir, server), stdout=sink, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        for _ in range(4800):
            if "/gated/second" in server.requests or process.poll() is not None:
                break
            await asyncio.sleep(0.05)
        assert "/gated/second" in server.requests, out.read_text()
        family = descendants(process.pid)
        assert family, "the ingest runs no worker process"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        await asyncio.to_thread(process.wait)
    left = await asyncio.to_thread(wait_gone, family, 15.0)
    return out.read_text(), left


async def test_sigkill_during_ingest_leaves_no_worker_and_keeps_what_was_stored(
    tmp_path,
) -> None:
    data_dir = tmp_path / "data"
    async with ArticleServer() as server:
        server.pages["first"] = story(
            "Quito council approves a transport budget",
            "The city council of Quito met on Monday to approve a new transport budget.",
        )
        server.pages["second"] = story(
            "Lima council debates water rates",
            "The city council of Lima met on Tuesday to debate new water rates.",
        )
        acknowledged, left = await _kill_parent_mid_ingest(data_dir, server)
        try:
            assert acknowledged.startswith("stored "), acknowledged
            assert left == set(), [command_line(pid) for pid in left]
        finally:
            for pid in alive(left):
                os.kill(pid, signal.SIGKILL)
        # Acknowledged means kept: a new process finds the first article.
        server.gate.set()
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot.cli", "ingest", server.url("/page/first")],
            cwd=ROOT, env=_env(data_dir, server), capture_output=True, timeout=240,
        )  # fmt: skip
    article_id = acknowledged.split()[1]
    assert done.stdout.decode().startswith(f"already known {article_id}"), done.stdout


async def test_sigkill_during_settings_writes_loses_no_acknowledged_change(tmp_path) -> None:
    """Server settings rewritten as fast as they go, SIGKILLed at random moments: each
    server keeps its last acknowledged settings (or the one write after it)."""
    import random

    from bot.news.store.tinydb.guilds import TinyGuilds

    rng = random.Random(14)
    path = tmp_path / "guilds.json"
    for kill in range(8):
        out = tmp_path / f"settings-{kill}.out"
        with out.open("wb") as sink:
            child = subprocess.Popen(
                [sys.executable, "-m", "tests.hostile.settings_writer_child", str(path)],
                cwd=ROOT, stdout=sink, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        for _ in range(600):
            if out.read_text().count("\n") > 3:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(rng.uniform(0.0, 0.3))
        os.kill(child.pid, signal.SIGKILL)
        await asyncio.to_thread(child.wait)
        acknowledged: dict[str, int] = {}
        for line in out.read_text().splitlines():
            if line.startswith("S "):
                _, guild, _, channel = line.split()
                acknowledged[guild] = int(channel)
        assert acknowledged, out.read_text()
        store = TinyGuilds(path)
        try:
            for guild, channel in acknowledged.items():
                kept = (await store.get(guild)).channel_id
                # the write in flight when the kill came may have landed too (7 later)
                assert kept in (channel, channel + 7), (guild, channel, kept)
        finally:
            store.close()
    assert not list(tmp_path.glob("guilds.json.corrupt-*"))
