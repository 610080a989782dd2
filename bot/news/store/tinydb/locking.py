"""One writer at a time for a small TinyDB file shared by coroutines and processes.

``FileMutex`` pairs an ``asyncio.Lock`` (coroutines of one store: ``filelock``'s locks
are re-entrant per object, so two coroutines would both "hold" it) with an exclusive
``flock`` on ``<file>.lock`` through ``filelock`` (another store instance, in this process
or another one on the same machine). Network file systems are not supported.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from filelock import AsyncFileLock, FileLock, Timeout

from bot.news.store.errors import StoreBusy

log = logging.getLogger(__name__)

LOCK_TIMEOUT = 10.0
POLL_SECONDS = 0.005


class FileMutex:
    """Exclusive access to ``path`` for a read-modify-write; ``StoreBusy(busy)`` when
    another process held it longer than ``timeout`` seconds."""

    def __init__(self, path: Path, *, busy: str, timeout: float = LOCK_TIMEOUT) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._busy = busy
        self._timeout = timeout
        self._tasks = asyncio.Lock()
        # run_in_executor=False: one non-blocking flock attempt per poll, on the loop.
        self._file = AsyncFileLock(
            self.lock_path, timeout=timeout, poll_interval=POLL_SECONDS, run_in_executor=False
        )

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        async with self._tasks:
            try:
                await self._file.acquire()
            except Timeout:
                log.error("%s stayed locked for %.0f s", self.path, self._timeout)
                raise StoreBusy(self._busy) from None
            try:
                yield
            finally:
                await self._file.release()

    @contextlib.contextmanager
    def held_blocking(self) -> Iterator[None]:
        """The same ``flock``, waited for without a loop (opening the file)."""
        with FileLock(self.lock_path):
            yield
