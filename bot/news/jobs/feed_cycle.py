"""Feeds in the fleet: each feed URL fetched once per cycle, whatever its subscribers.

Every worker runs the same cycle; for each feed URL with a due subscription, the one that
takes the URL's lease row for this cycle fetches the feed once and hands the document to
the usual per-subscription poller of every subscribed server (fan-out: new items are
ingested for each, and the store keeps one article linked to all of them). The others
skip the URL. A worker killed mid-fetch leaves its lease to expire; the next cycle pass
of another worker takes it over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.news.clock import Clock
from bot.news.feeds.fetching import Fetch
from bot.news.feeds.state import FeedRecord

log = logging.getLogger(__name__)


class Leases(Protocol):
    async def take(self, url: str, cycle: int, holder: str, lease_seconds: float) -> bool: ...

    async def finish(self, url: str, cycle: int, holder: str) -> bool: ...


class Poller(Protocol):
    async def poll(self, record: FeedRecord) -> int: ...


class FetchOnce:
    """The first call fetches; every later call (another subscriber of the same URL in
    this cycle) gets the same answer. Conditional headers are sent only when every
    subscriber holds the same validators: a 304 must be true for all of them."""

    def __init__(self, fetch: Fetch, records: list[FeedRecord]) -> None:
        self._fetch = fetch
        validators = {(r.etag, r.last_modified) for r in records}
        self._headers: dict[str, str] = {}
        if len(validators) == 1:
            etag, modified = next(iter(validators))
            if etag:
                self._headers["If-None-Match"] = etag
            if modified:
                self._headers["If-Modified-Since"] = modified
        self._result: asyncio.Future[Any] | None = None
        self.fetches = 0

    async def fetch(self, url: str, *, accept: Any = None, headers: Any = None) -> Any:
        if self._result is None:
            self._result = asyncio.get_running_loop().create_future()
            self.fetches += 1
            try:
                result = await self._fetch(url, accept=accept, headers=self._headers or None)
            except BaseException as exc:
                self._result.set_exception(exc)
                self._result.exception()  # retrieved here; re-raised to every caller
                raise
            self._result.set_result(result)
            return result
        return await asyncio.shield(self._result)


class FeedCycle:
    """One worker's share of the fleet's feed polling."""

    def __init__(
        self,
        *,
        records: Callable[[], Awaitable[list[FeedRecord]]],
        poller_for: Callable[[Fetch], Poller],
        fetch: Fetch,
        leases: Leases,
        holder: str,
        cycle_seconds: float,
        lease_seconds: float = 300.0,
        max_concurrent: int = 4,
        clock: Clock | None = None,
    ) -> None:
        self.records = records
        self.poller_for = poller_for
        self.fetch = fetch
        self.leases = leases
        self.holder = holder
        self.cycle_seconds = cycle_seconds
        self.lease_seconds = lease_seconds
        self.clock = clock or Clock()
        self._slots = asyncio.Semaphore(max_concurrent)
        self.fetched: list[tuple[int, str]] = []  # (cycle, url) this worker fetched

    def cycle(self, now: float | None = None) -> int:
        return int((self.clock.time() if now is None else now) // self.cycle_seconds)

    async def run_once(self) -> int:
        """Poll this cycle's due feed URLs that no other worker has taken; returns how many
        URLs this worker fetched."""
        now = self.clock.time()
        cycle = self.cycle(now)
        by_url: dict[str, list[FeedRecord]] = defaultdict(list)
        for record in await self.records():
            if not record.paused and record.next_poll_at <= now:
                by_url[record.url].append(record)
        results = await asyncio.gather(
            *(self._one_url(url, recs, cycle) for url, recs in by_url.items()),
            return_exceptions=True,
        )
        for url, result in zip(by_url, results, strict=True):
            if isinstance(result, BaseException):
                log.error("feed %s: cycle %d failed", url, cycle, exc_info=result)
        return sum(1 for r in results if r is True)

    async def _one_url(self, url: str, records: list[FeedRecord], cycle: int) -> bool:
        async with self._slots:
            if not await self.leases.take(url, cycle, self.holder, self.lease_seconds):
                return False
            once = FetchOnce(self.fetch, records)
            poller = self.poller_for(once.fetch)
            ingested = 0
            for record in records:
                ingested += await poller.poll(record)
            await self.leases.finish(url, cycle, self.holder)
            self.fetched.append((cycle, url))
            log.info(
                "feed %s: cycle %d fetched %d time(s) for %d servers, %d items ingested",
                url,
                cycle,
                once.fetches,
                len(records),
                ingested,
            )
            return True

    async def run_forever(self, stop: asyncio.Event, every: float = 5.0) -> None:
        """A pass every ``every`` seconds until ``stop``: cheap when nothing is due."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("feed cycle pass failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
