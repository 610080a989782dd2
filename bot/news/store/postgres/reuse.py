"""A pool in front of asyncpg's that hands a just-released connection straight back.

asyncpg's ``Pool`` does bookkeeping on every acquire and release (a shielded task, an
inactivity timer, a connection proxy): ~0.1-0.2 ms of client CPU, a fifth of a durable
add's. A process doing one query after another (a worker adding articles) pays it on
every query. Here a connection released cleanly (no transaction left open, no listener)
is kept on a free list while nobody waits on asyncpg's pool, and the next ``acquire``
takes it from there; anything unusual goes back through asyncpg's release, which rolls
back, resets or discards the connection as it always did. Connections never exceed the
inner pool's ``max_size``: the free list holds connections acquired from it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any


class ReusingPool:
    """``acquire()`` and ``close()`` of an asyncpg pool, with a free list in front."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self._free: list[Any] = []
        self._waiting = 0  # callers inside the inner pool's acquire
        self._closing = False

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        conn = await self._take()
        try:
            yield conn
        except BaseException:
            await self.inner.release(conn)
            raise
        if self._reusable(conn):
            self._free.append(conn)
        else:
            await self.inner.release(conn)

    async def _take(self) -> Any:
        while self._free:
            conn = self._free.pop()
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

    async def close(self) -> None:
        self._closing = True
        free, self._free = self._free, []
        for conn in free:
            await self.inner.release(conn)
        await self.inner.close()

    def terminate(self) -> None:
        self._free.clear()
        self.inner.terminate()
