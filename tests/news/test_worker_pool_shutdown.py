"""A worker pool stopped while its workers are still starting ends quietly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import asyncio, sys
from bot.news.understanding.pipeline import WorkerPool

async def main(delay):
    pool = WorkerPool(workers=2)
    start = asyncio.create_task(pool.start())
    await asyncio.sleep(delay)
    start.cancel()
    try:
        await start
    except asyncio.CancelledError:
        pass
    await pool.close()
    print("closed")

if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1])))
"""


@pytest.mark.parametrize("delay", [0.05, 0.5])
def test_cancelled_start_leaves_no_traceback(tmp_path: Path, delay: float) -> None:
    script = tmp_path / "stop_while_starting.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), str(delay)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "closed"
    assert "Traceback" not in done.stderr
