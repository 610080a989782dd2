"""A file whose modification time says "this process is working", for container health
checks (``compose.yaml``): touched every few seconds while ``healthy()`` is true."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

EVERY = 10.0


async def beat(path: Path, healthy: Callable[[], bool], every: float = EVERY) -> None:
    """Run until cancelled."""
    while True:
        if healthy():
            try:
                path.touch()
            except OSError as exc:
                log.warning("heartbeat: cannot touch %s: %s", path, exc)
        await asyncio.sleep(every)


def start(path: Path | None, healthy: Callable[[], bool]) -> asyncio.Task[None] | None:
    if path is None:
        return None
    return asyncio.create_task(beat(path, healthy), name="heartbeat")


async def stop(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
