"""One poll of one feed: conditional GET, parse, hand new items to ingest, keep state.

Restart safety: an item is marked seen (and the state saved) right after its ingest
succeeded or failed for good, and the feed's ETag / Last-Modified are stored only once
every new item of that document has been handled. A process killed mid-poll therefore
re-reads the full feed next time and resumes with exactly the items not yet handled.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.news.clock import Clock
from bot.news.errors import NewsError
from bot.news.feeds.fetching import (
    FEED_ACCEPT,
    Fetch,
    Fetched,
    Ingest,
    describe_error,
    header,
    http_status,
    is_transient,
)
from bot.news.feeds.parse import FeedItem, ParsedFeed, parse_feed
from bot.news.feeds.state import FeedRecord

if TYPE_CHECKING:  # the store imports this package
    from bot.news.store.interface import Feeds

log = logging.getLogger(__name__)

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class PollLimits:
    max_items_per_poll: int = 10
    first_poll_items: int = 5
    poll_timeout: float = 30.0  # fetch + parse of one feed
    ingest_timeout: float = 120.0  # one item through the pipeline
    max_item_attempts: int = 3  # transient ingest failures before an item is given up
    max_backoff_minutes: float = 360.0
    pause_after_days: float = 3.0  # failing continuously this long pauses the feed
    pause_min_failures: int = 3
    jitter: float = 0.1  # +/- fraction of the delay, so feeds added together spread out


class PollFailed(NewsError):
    """One poll of a feed failed; ``status`` is the HTTP status when the site answered one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message, kind="poll_failed")
        self.status = status


class FeedPoller:
    def __init__(
        self,
        store: Feeds,
        *,
        fetch: Fetch,
        ingest: Ingest,
        semaphore: asyncio.Semaphore,
        limits: PollLimits,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        transient: Callable[[BaseException], bool] = is_transient,
    ) -> None:
        self.store = store
        self.fetch = fetch
        self.ingest = ingest
        self.semaphore = semaphore
        self.limits = limits
        self.clock = clock or Clock()
        self.rng = rng or random.Random()
        self.transient = transient
        # One parse at a time: parsing threads hold the GIL; several at once starved the
        # event loop for 0.4-0.6 s in bench/bench_feeds.py, one at a time for 30-60 ms.
        self._parse_slot = asyncio.Semaphore(1)

    async def parse(self, result: Fetched, url: str) -> ParsedFeed:
        """Parse a fetched feed off the event loop (feedparser is pure Python, and slow)."""
        source = result.final_url or url
        async with self._parse_slot:
            return await asyncio.to_thread(parse_feed, result.body, source, result.content_type)

    def _delay(self, minutes: float) -> float:
        spread = self.limits.jitter
        return minutes * 60.0 * (1.0 + self.rng.uniform(-spread, spread))

    async def _fetch_and_parse(
        self, record: FeedRecord
    ) -> tuple[ParsedFeed | None, tuple[str | None, str | None]]:
        """The parsed feed (None for 304 Not Modified) and its validators; raises PollFailed."""
        headers: dict[str, str] = {}
        if record.etag:
            headers["If-None-Match"] = record.etag
        if record.last_modified:
            headers["If-Modified-Since"] = record.last_modified
        try:
            async with asyncio.timeout(self.limits.poll_timeout):
                async with self.semaphore:
                    result = await self.fetch(record.url, accept=FEED_ACCEPT, headers=headers)
                if result.status == 304:
                    return None, (record.etag, record.last_modified)
                if result.status >= 400:
                    raise PollFailed(f"the server answered HTTP {result.status}", result.status)
                parsed = await self.parse(result, record.url)
        except PollFailed:
            raise
        except TimeoutError:
            raise PollFailed(f"no answer within {self.limits.poll_timeout:g} s") from None
        except Exception as exc:
            raise PollFailed(describe_error(exc), http_status(exc)) from exc
        return parsed, (header(result.headers, "ETag"), header(result.headers, "Last-Modified"))

    async def poll(self, record: FeedRecord) -> int:
        """Poll ``record`` once; returns the number of items ingested."""
        now = self.clock.time()
        record.last_poll_at = now
        try:
            parsed, validators = await self._fetch_and_parse(record)
        except PollFailed as exc:
            await self._failed(record, exc, now)
            return 0
        record.failures = 0
        record.failing_since = None
        record.last_error = None
        record.last_success = now
        record.next_poll_at = now + self._delay(record.interval_minutes)
        if parsed is None:
            log.debug("feed %s (guild %s): not modified", record.url, record.guild_id)
            await self.store.save(record)
            return 0
        if parsed.title and parsed.title != record.title:
            record.title = parsed.title
        return await self._handle_items(record, parsed, validators)

    async def _handle_items(
        self, record: FeedRecord, parsed: ParsedFeed, validators: tuple[str | None, str | None]
    ) -> int:
        in_feed = {item.id for item in parsed.items}
        record.retries = {k: v for k, v in record.retries.items() if k in in_feed}
        if not record.primed:
            # A new subscription: announce only the newest few, the back catalogue is old news.
            for item in reversed(parsed.items[self.limits.first_poll_items :]):
                record.mark_seen(item.id, in_feed)
            record.primed = True
        seen = set(record.seen)
        unseen = [item for item in reversed(parsed.items) if item.id not in seen]  # oldest first
        batch = unseen[: self.limits.max_items_per_poll]
        if not await self.store.save(record):
            return 0
        ingested = 0
        left = len(unseen) - len(batch)
        for item in batch:
            outcome = await self._ingest_one(record, item, in_feed)
            if outcome is None:  # removed while polling
                return ingested
            ingested += outcome == "ok"
            left += outcome == "retry"
        if left == 0:
            # Only now may the server tell us "not modified": nothing of this version is pending.
            record.etag, record.last_modified = validators
            await self.store.save(record)
        if ingested:
            log.info(
                "feed %s (guild %s): %d new items ingested", record.url, record.guild_id, ingested
            )
        return ingested

    async def _ingest_one(
        self, record: FeedRecord, item: FeedItem, in_feed: set[str]
    ) -> str | None:
        try:
            async with asyncio.timeout(self.limits.ingest_timeout):
                await self.ingest(item.link, record.guild_id)
            outcome = "ok"
            record.items_ingested += 1
            record.mark_seen(item.id, in_feed)
        except Exception as exc:
            attempts = record.retries.get(item.id, 0) + 1
            if self.transient(exc) and attempts < self.limits.max_item_attempts:
                outcome = "retry"
                record.retries[item.id] = attempts
                log.warning(
                    "feed %s (guild %s): ingest of %s failed (attempt %d, will retry): %s",
                    record.url,
                    record.guild_id,
                    item.link,
                    attempts,
                    describe_error(exc),
                )
            else:
                outcome = "given_up"
                record.mark_seen(item.id, in_feed)
                log.warning(
                    "feed %s (guild %s): ingest of %s failed, skipped: %s",
                    record.url,
                    record.guild_id,
                    item.link,
                    describe_error(exc),
                )
        # Saved after every item: a restart neither repeats nor loses one.
        if not await self.store.save(record):
            return None
        return outcome

    async def _failed(self, record: FeedRecord, exc: PollFailed, now: float) -> None:
        limits = self.limits
        record.failures += 1
        if record.failing_since is None:
            record.failing_since = now
        record.last_error = exc.message
        failing_for = now - record.failing_since
        if exc.status == 410:
            record.paused = True
            record.paused_reason = "the feed is gone (the server answered HTTP 410)"
        elif failing_for >= limits.pause_after_days * DAY and (
            record.failures >= limits.pause_min_failures
        ):
            since = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(record.failing_since))
            record.paused = True
            record.paused_reason = f"failing since {since}: {exc.message}"
        if record.paused:
            log.warning(
                "feed %s (guild %s) paused: %s", record.url, record.guild_id, record.paused_reason
            )
        else:
            backoff = min(record.interval_minutes * 2**record.failures, limits.max_backoff_minutes)
            backoff = max(backoff, record.interval_minutes)
            record.next_poll_at = now + self._delay(backoff)
            log.info(
                "feed %s (guild %s) failed (%d in a row): %s; next try in %.0f min",
                record.url,
                record.guild_id,
                record.failures,
                exc.message,
                (record.next_poll_at - now) / 60,
            )
        await self.store.save(record)
