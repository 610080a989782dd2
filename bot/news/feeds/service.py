"""The feed subscriptions of every server, for the ``/feed`` cog and the poller loop.

A cog calls ``add`` / ``remove`` / ``list`` / ``resume`` and shows ``FeedError.message`` to
the user as it is. ``start`` runs the poller as a task; ``poll_due`` is one pass of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from bot.config import Settings
from bot.news.clock import Clock
from bot.news.errors import NewsError
from bot.news.feeds.discover import discover_feeds, looks_like_html
from bot.news.feeds.fetching import (
    FEED_ACCEPT,
    Fetch,
    Fetched,
    Ingest,
    describe_error,
    is_transient,
)
from bot.news.feeds.parse import NotAFeed, ParsedFeed
from bot.news.feeds.poller import FeedPoller, PollLimits
from bot.news.feeds.state import FeedRecord, GuildFull
from bot.news.text import as_clause

if TYPE_CHECKING:  # the store imports this package
    from bot.news.store.interface import Feeds

log = logging.getLogger(__name__)

MIN_INTERVAL_MINUTES = 5.0
MAX_DISCOVERED_TRIED = 3
IDLE_SLEEP_SECONDS = 60.0  # the loop looks again at least this often


class FeedError(NewsError):
    """A feed request that cannot be done; ``message`` is one sentence for the user."""

    default_kind = "feed_refused"


@dataclass(frozen=True, slots=True)
class FeedInfo:
    guild_id: str
    url: str
    title: str
    interval_minutes: float
    last_success: float | None  # epoch seconds; None before the first good poll
    last_error: str | None  # the last poll's failure, None once a poll succeeds
    items_ingested: int
    paused: bool
    paused_reason: str | None
    next_poll_at: float  # epoch seconds
    added_by: str | None = None
    added_at: float = 0.0
    consecutive_failures: int = 0


def _info(record: FeedRecord) -> FeedInfo:
    return FeedInfo(
        guild_id=record.guild_id,
        url=record.url,
        title=record.title,
        interval_minutes=record.interval_minutes,
        last_success=record.last_success,
        last_error=record.last_error,
        items_ingested=record.items_ingested,
        paused=record.paused,
        paused_reason=record.paused_reason,
        next_poll_at=record.next_poll_at,
        added_by=record.added_by,
        added_at=record.added_at,
        consecutive_failures=record.failures,
    )


def feed_address(text: str) -> str:
    """``https://host/path?query`` with scheme and host lower-cased; FeedError if unusable."""
    raw = (text or "").strip().strip("<>")
    if not raw:
        raise FeedError("Give the address of a feed or of a news site.")
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise FeedError(f"{text.strip()} is not a valid web address.") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FeedError(f"{text.strip()} is not an http or https address.")
    netloc = parts.hostname.lower() if ":" not in parts.hostname else f"[{parts.hostname}]"
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def _lasting_url(result: Fetched, asked: str) -> str:
    """The address to keep for a feed: where permanent redirects led (a 302 moves nothing);
    a fetcher that does not tell falls back to where the fetch ended."""
    return getattr(result, "permanent_url", None) or result.final_url or asked


class FeedService:
    def __init__(
        self,
        settings: Settings,
        feeds: Feeds,
        *,
        fetch: Fetch,
        ingest: Ingest,
        clock: Clock | None = None,
        max_feeds_per_guild: int = 20,
        max_items_per_poll: int = 10,
        first_poll_items: int = 5,
        max_concurrent_fetches: int = 4,
        poll_timeout: float | None = None,
        ingest_timeout: float | None = None,
        pause_after_days: float = 3.0,
        max_backoff_minutes: float = 360.0,
        rng: random.Random | None = None,
        transient: Callable[[BaseException], bool] = is_transient,
    ) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self.max_feeds_per_guild = max_feeds_per_guild
        self.default_interval = max(MIN_INTERVAL_MINUTES, settings.feed_interval_minutes)
        self._fetch = fetch
        self._poll_timeout = poll_timeout or settings.fetch_timeout + 10.0
        self._store = feeds
        self._poller = FeedPoller(
            self._store,
            fetch=fetch,
            ingest=ingest,
            semaphore=asyncio.Semaphore(max_concurrent_fetches),
            limits=PollLimits(
                max_items_per_poll=max_items_per_poll,
                first_poll_items=first_poll_items,
                poll_timeout=self._poll_timeout,
                ingest_timeout=ingest_timeout
                or settings.fetch_timeout + settings.extract_timeout + 60.0,
                pause_after_days=pause_after_days,
                max_backoff_minutes=max_backoff_minutes,
            ),
            clock=self.clock,
            rng=rng,
            transient=transient,
        )
        self._polls: dict[tuple[str, str], asyncio.Task[int]] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    # ---- the cog's interface -------------------------------------------------------------

    async def add(
        self,
        guild_id: str,
        url: str,
        added_by: str | None = None,
        *,
        interval_minutes: float | None = None,
    ) -> FeedInfo:
        """Subscribe ``guild_id`` to the feed at ``url`` (or the feed its page links to).

        Re-adding a paused feed resumes it. Raises FeedError when the address is not a
        feed, is already followed, or the server is at its feed limit.
        """
        guild_id = str(guild_id)
        try:
            return await self._add(guild_id, url, added_by, interval_minutes)
        except FeedError as exc:
            log.info(
                "guild %s: feed add %r by %s refused: %s", guild_id, url, added_by, exc.message
            )
            raise

    async def _add(
        self, guild_id: str, url: str, added_by: str | None, interval_minutes: float | None
    ) -> FeedInfo:
        wanted = feed_address(url)
        existing = await self._find(guild_id, wanted)
        if existing is not None:
            if existing.paused:
                return await self.resume(guild_id, existing.url)
            raise FeedError(f"This server already follows {existing.url}.")
        await self._check_limit(guild_id)
        feed_url, parsed = await self._resolve(wanted)
        existing = await self._find(guild_id, feed_url)
        if existing is not None:
            if existing.paused:
                return await self.resume(guild_id, existing.url)
            raise FeedError(f"This server already follows {existing.url}.")
        interval = max(MIN_INTERVAL_MINUTES, interval_minutes or self.default_interval)
        now = self.clock.time()
        record = FeedRecord(
            guild_id=guild_id,
            url=feed_url,
            title=parsed.title,
            interval_minutes=interval,
            added_at=now,
            added_by=added_by,
            added_url=wanted if wanted != feed_url else None,
            next_poll_at=now,  # the first poll (newest few items) happens right away
        )
        try:
            await self._store.add(record, max_per_guild=self.max_feeds_per_guild)
        except KeyError:
            raise FeedError(f"This server already follows {feed_url}.") from None
        except GuildFull:
            raise self._full() from None
        log.info(
            "guild %s follows feed %s (%s, %d items now) added by %s",
            guild_id,
            feed_url,
            parsed.version,
            len(parsed.items),
            added_by,
        )
        self._wake.set()
        return _info(record)

    async def remove(self, guild_id: str, url: str) -> bool:
        """Unsubscribe; False when the server did not follow that feed."""
        guild_id = str(guild_id)
        try:
            record = await self._find(guild_id, feed_address(url))
        except FeedError:
            return False
        if record is None:
            return False
        task = self._polls.get(record.key)
        removed = await self._store.remove(guild_id, record.url)
        if task is not None:
            task.cancel()  # its state writes are refused anyway; stop ingesting for nobody
        if removed:
            log.info("guild %s no longer follows feed %s", guild_id, record.url)
        return removed

    async def list(self, guild_id: str) -> list[FeedInfo]:
        records = sorted(await self._store.for_guild(str(guild_id)), key=lambda r: r.added_at)
        return [_info(r) for r in records]

    async def resume(self, guild_id: str, url: str) -> FeedInfo:
        """Un-pause a feed and poll it again soon (its seen items are kept)."""
        guild_id = str(guild_id)
        record = await self._find(guild_id, feed_address(url))
        if record is None:
            raise FeedError(f"This server does not follow {url.strip()}.")
        record.paused = False
        record.paused_reason = None
        record.failures = 0
        record.failing_since = None
        record.next_poll_at = self.clock.time()
        await self._store.save(record)
        log.info("guild %s resumed feed %s", guild_id, record.url)
        self._wake.set()
        return _info(record)

    # ---- polling -------------------------------------------------------------------------

    async def poll_due(self) -> int:
        """Poll every feed that is due, concurrently; returns how many were polled."""
        tasks = await self._launch_due()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        return len(tasks)

    async def start(self) -> None:
        if self._loop_task is None or self._loop_task.done():
            self._loop_task = asyncio.create_task(self._run(), name="feed-poller")

    async def close(self) -> None:
        tasks = [t for t in (self._loop_task, *self._polls.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._loop_task = None

    async def _launch_due(self) -> list[asyncio.Task[int]]:
        now = self.clock.time()
        launched = []
        for record in await self._store.all():
            if record.paused or record.next_poll_at > now or record.key in self._polls:
                continue
            task = asyncio.create_task(self._poll_one(record), name=f"feed-poll {record.url}")
            self._polls[record.key] = task
            launched.append(task)
        return launched

    async def _poll_one(self, record: FeedRecord) -> int:
        try:
            return await self._poller.poll(record)
        except Exception:
            # The poller records ordinary failures itself; this is a bug, not a bad feed.
            log.exception("feed %s (guild %s): poll crashed", record.url, record.guild_id)
            return 0
        finally:
            self._polls.pop(record.key, None)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._launch_due()
            except Exception:
                log.exception("feed poller pass failed")
            await self._sleep_until_due()

    async def _sleep_until_due(self) -> None:
        now = self.clock.time()
        upcoming = [
            r.next_poll_at
            for r in await self._store.all()
            if not r.paused and r.key not in self._polls
        ]
        delay = min([IDLE_SLEEP_SECONDS, *(t - now for t in upcoming)])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), max(delay, 1.0))

    # ---- helpers -------------------------------------------------------------------------

    async def _find(self, guild_id: str, url: str) -> FeedRecord | None:
        record = await self._store.get(guild_id, url)
        if record is not None:
            return record
        mine = await self._store.for_guild(guild_id)
        return next((r for r in mine if r.added_url == url), None)

    async def _check_limit(self, guild_id: str) -> None:
        if len(await self._store.for_guild(guild_id)) >= self.max_feeds_per_guild:
            raise self._full()

    def _full(self) -> FeedError:
        return FeedError(
            f"This server already follows {self.max_feeds_per_guild} feeds, the limit; "
            "remove one first."
        )

    async def _get(self, url: str) -> Fetched:
        try:
            async with asyncio.timeout(self._poll_timeout):
                result = await self._fetch(url, accept=FEED_ACCEPT, headers=None)
        except TimeoutError:
            log.info("feed add: %s timed out", url)
            raise FeedError(f"{url} did not answer in time.") from None
        except Exception as exc:
            log.info("feed add: cannot fetch %s: %s", url, describe_error(exc))
            if getattr(exc, "kind", None) == "not_html":  # the fetcher's words are about pages
                raise FeedError(
                    f"{url} is neither a feed (RSS, Atom or JSON Feed) nor a web page that "
                    "links one."
                ) from None
            raise FeedError(f"Could not read {url}: {as_clause(describe_error(exc))}") from None
        if result.status >= 400:
            log.info("feed add: %s answered HTTP %s", url, result.status)
            raise FeedError(f"{url} answered HTTP {result.status}.")
        return result

    async def _resolve(self, url: str) -> tuple[str, ParsedFeed]:
        """The feed's URL and content for what the user gave: a feed or a page linking one."""
        result = await self._get(url)
        page_url = feed_address(_lasting_url(result, url))
        if not looks_like_html(result.body, result.content_type):
            try:
                return page_url, await self._poller.parse(result, url)
            except NotAFeed:
                kind = (result.content_type or "").split(";")[0].strip() or "of no stated type"
                log.info("feed add: %s is not a feed (%s)", url, kind)
                raise FeedError(f"{url} is not an RSS, Atom or JSON feed (it is {kind}).") from None
        text = getattr(result, "text", None) or result.body.decode("utf-8", "replace")
        candidates = discover_feeds(text, page_url)
        if not candidates:
            log.info("feed add: %s is a page without feed links", url)
            raise FeedError(
                f"{url} is a web page, not a feed, and it links no feed; "
                "give the feed's own address."
            )
        problem = ""
        for candidate in candidates[:MAX_DISCOVERED_TRIED]:
            try:
                found = await self._get(candidate)
                return feed_address(_lasting_url(found, candidate)), await self._poller.parse(
                    found, candidate
                )
            except FeedError as exc:
                problem = exc.message
            except NotAFeed as exc:
                problem = exc.message
        log.info("feed add: %s links feeds %s, none readable: %s", url, candidates, problem)
        raise FeedError(f"{url} links a feed, but it could not be read: {as_clause(problem)}")
