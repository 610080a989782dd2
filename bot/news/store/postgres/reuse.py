"""A pool in front of asyncpg's that hands a just-released connection straight back.

asyncpg's ``Pool`` does bookkeeping on every acquire and release (a shielded task, an
inactivity timer, a connection proxy): ~0.1-0.2 ms of client CPU, a fifth of a durable
add's. A process doing one query after another (a worker adding articles) pays it on
every query. Here a connection released cleanly (no transaction left open, no listener)
is kept on a free list while nobody waits on asyncpg's pool, and the next ``acquire``
takes it from there; anything unusual goes back through asyncpg's release, which rolls
back, resets or discards the connection as it always did. Connections never exceed the
inner pool's ``max_size``: the free list holds connections acquired from it. A connection
left on the free list for ``idle_after`` seconds goes back to asyncpg's pool, whose own
inactivity limit then closes it, so a burst does not keep its connections open for good.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

# How long a released connection waits on the free list for the next query before it goes
# back to asyncpg's pool (a busy process reuses one within milliseconds).
IDLE_AFTER = 10.0


class ReusingPool:
    """``acquire()`` and ``close()`` of an asyncpg pool, with a free list in front."""

    def __init__(self, inner: Any, *, idle_after: float = IDLE_AFTER) -> None:
        self.inner = inner
        self.idle_after = idle_after
        # (connection, when it was released), the most recently released last
        self._free: list[tuple[Any, float]] = []
        self._waiting = 0  # callers inside the inner pool's acquire
        self._closing = False
        self._sweep: asyncio.TimerHandle | None = None
        self._sweeping: set[asyncio.Task[None]] = set()

    @property
    def kept(self) -> int:
        """How many released connections wait on the free list."""
        return len(self._free)

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        conn = await self._take()
        try:
            yield conn
        except BaseException:
            await self.inner.release(conn)
            raise
        if self._reusable(conn):
            self._free.append((conn, time.monotonic()))
            self._schedule_sweep()
        else:
            await self.inner.release(conn)

    async def _take(self) -> Any:
        while self._free:
            conn, _ = self._free.pop()
            if not conn.is_closed():
                return conn
            await self.inner.release(conn)  # the holder notices and reconnects later
        self._waiting += 1
        try:
            return await self.inner.acquire()
        finally:
            self._waiting -= 1

    def _reusable(self, conn: Any) -> bool:
        # someone queued on the inner pool must get a connection: hand this one back
        return (
            not self._closing
            and self._waiting == 0
            and not conn.is_closed()
            and not conn.is_in_transaction()
        )

    def _schedule_sweep(self) -> None:
        if self._sweep is None and not self._closing:
            loop = asyncio.get_running_loop()
            self._sweep = loop.call_later(self.idle_after, self._start_sweep)

    def _start_sweep(self) -> None:
        self._sweep = None
        task = asyncio.get_running_loop().create_task(self._release_idle())
        self._sweeping.add(task)
        task.add_done_callback(self._sweeping.discard)

    async def _release_idle(self) -> None:
        """Hand connections idle on the free list since before ``idle_after`` back to
        asyncpg's pool (the oldest sit at the front: acquire takes from the back)."""
        cutoff = time.monotonic() - self.idle_after
        stale = 0
        while stale < len(self._free) and self._free[stale][1] <= cutoff:
            stale += 1
        idle, self._free = self._free[:stale], self._free[stale:]
        for conn, _ in idle:
            await self.inner.release(conn)
        if self._free:
            self._schedule_sweep()

    def _stop_sweeping(self) -> None:
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None

    async def close(self) -> None:
        self._closing = True
        self._stop_sweeping()
        if self._sweeping:
            await asyncio.gather(*self._sweeping, return_exceptions=True)
        free, self._free = self._free, []
        for conn, _ in free:
            await self.inner.release(conn)
        await self.inner.close()

    def terminate(self) -> None:
        self._stop_sweeping()
        for task in self._sweeping:
            task.cancel()
        self._free.clear()
        self.inner.terminate()
