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
