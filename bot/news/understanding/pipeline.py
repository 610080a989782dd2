"""One article's way: source -> fetch -> extract + enrich (worker process) -> dedupe -> store.

``Pipeline.analyze`` does it without storing; ``Pipeline.ingest`` stores the article for a
guild, once (known URLs are not even fetched again; a copy found by canonical URL or content
fingerprint is linked rather than stored twice). Work is bounded: a few articles at a time,
a short waiting line (``PipelineBusy`` past it), a time limit per article on the CPU work
(the worker is killed and restarted when it is exceeded) and on the fetch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.queues import SimpleQueue
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.config import Settings
from bot.news.errors import NewsError
from bot.news.model import Article
from bot.news.understanding import worker
from bot.news.understanding.canonical import normalize_url
from bot.news.understanding.fetch import FetchError, SafeFetcher, decode_body
from bot.news.understanding.textfile import LocalFileError, decode_text, looks_like_path, read_local

if TYPE_CHECKING:
    from bot.news.store.interface import Articles

log = logging.getLogger(__name__)

T = TypeVar("T")

# Spawning a worker imports trafilatura and loads the spaCy model: seconds, not counted
# against the per-article limit.
WORKER_START_TIMEOUT = 180.0


class IngestError(NewsError):
    """One article could not be analysed; ``message`` says why in plain words.

    ``kind``: the fetch kinds (bad_url, blocked, unreachable, timeout, too_large, not_html,
    http_error, empty) and not_article, not_found, bad_file, crashed, busy."""

    def __init__(self, kind: str, message: str, source: str = "") -> None:
        super().__init__(message, kind=kind)
        self.source = source


class PipelineBusy(IngestError):
    """Too many articles are already waiting; try again later."""

    def __init__(self, source: str = "") -> None:
        super().__init__(
            "busy", "The bot is busy with other articles; try again in a minute.", source
        )


class WorkerTimeout(Exception):
    pass


class WorkerCrashed(Exception):
    pass


@dataclass(slots=True)
class IngestResult:
    article: Article  # the stored article (the earlier copy when it was a duplicate)
    created: bool  # a new article was stored
    duplicate_of_url: bool = False  # known by its URL: not fetched again
    duplicate_by: str | None = None  # "url", "canonical_url" or "fingerprint"
    # seconds per step: fetch (or read), worker (round trip), work (inside it), store
    timings: dict[str, float] = field(default_factory=dict)


class WorkerPool:
    """A ``ProcessPoolExecutor`` that survives its workers: a crash recreates the pool and
    retries the call once; a call over its time limit kills the pool (the only way to stop
    a running task) and starts a fresh one."""

    def __init__(
        self,
        workers: int = 1,
        initializer: Callable[[], None] | None = worker.init_worker,
        start_timeout: float = WORKER_START_TIMEOUT,
    ) -> None:
        self.workers = workers
        self.initializer = initializer
        self.start_timeout = start_timeout
        self.restarts = 0
        self._pool: ProcessPoolExecutor | None = None
        self._starting: asyncio.Lock | None = None
        self._slots: asyncio.Semaphore | None = None
        self._reapers: set[asyncio.Task[None]] = set()
        # Each worker process puts its pid here when it starts: the executor has no public
        # way to name its processes, and killing them is the only way to stop a task.
        self._pids: dict[ProcessPoolExecutor, SimpleQueue[int]] = {}

    async def start(self) -> None:
        await self._ready()

    async def _ready(self) -> ProcessPoolExecutor:
        if self._starting is None:
            self._starting = asyncio.Lock()
            self._slots = asyncio.Semaphore(self.workers)
        async with self._starting:
            if self._pool is None:
                # spawn, not fork: forking a process with an event loop and threads copies
                # locks in unknown states.
                context = multiprocessing.get_context("spawn")
                pids: SimpleQueue[int] = context.SimpleQueue()
                pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=context,
                    initializer=_register_worker,
                    initargs=(pids, self.initializer),
                )
                self._pids[pool] = pids
                loop = asyncio.get_running_loop()
                try:
                    # Start every worker now so no article pays for a model load.
                    pings = [loop.run_in_executor(pool, worker.ping) for _ in range(self.workers)]
                    started = asyncio.gather(*pings)
                    # Cancelled while starting, the pool is killed below and the pings end
                    # cancelled: their gathered result is expected and must not be reported.
                    started.add_done_callback(_retrieve)
                    await asyncio.wait_for(started, self.start_timeout)
                except (BrokenProcessPool, TimeoutError, OSError) as exc:
                    self._reap(self._kill(pool))
                    log.error("worker: could not start: %r", exc)
                    raise WorkerCrashed() from exc
                except BaseException:
                    self._reap(self._kill(pool))
                    raise
                self._pool = pool
            return self._pool

    async def run(self, timeout: float, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker, within ``timeout`` seconds once it has a worker.

        Raises ``WorkerTimeout`` (the worker is killed and replaced) or ``WorkerCrashed``
        (it died twice). A caller cancelled while its call runs frees the worker slot only
        when the worker is really free again (or killed at the time limit), so the next
        call's time limit never counts someone else's leftover work."""
        await self._ready()
        assert self._slots is not None
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            await self._slots.acquire()
            slot = _Slot(self._slots)
            try:
                pool = await self._ready()
                future = loop.run_in_executor(pool, fn, *args)
                future.add_done_callback(_retrieve)  # a killed call's error is expected
            except BaseException:
                slot.release()
                raise
            try:
                result = await asyncio.wait_for(asyncio.shield(future), timeout)
            except TimeoutError:
                log.warning("worker: %s over %.1f s, restarting the worker", _name(fn), timeout)
                self._discard(pool)
                slot.release()
                raise WorkerTimeout() from None
            except BrokenProcessPool:
                log.warning("worker: died during %s (attempt %d)", _name(fn), attempt)
                self._discard(pool)
                slot.release()
                if attempt == 2:
                    raise WorkerCrashed() from None
                continue
            except asyncio.CancelledError:
                future.add_done_callback(slot.release)
                guard = loop.call_later(timeout, self._stop_if_running, pool, future)
                future.add_done_callback(lambda _f, guard=guard: guard.cancel())
                raise
            slot.release()
            return result
        raise AssertionError("unreachable")

    def _stop_if_running(self, pool: ProcessPoolExecutor, future: asyncio.Future[Any]) -> None:
        if not future.done():
            log.warning("worker: abandoned call still running at its time limit, restarting")
            self._discard(pool)

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        if self._pool is pool:
            self._pool = None
            self.restarts += 1
        self._reap(self._kill(pool))

    def _kill(self, pool: ProcessPoolExecutor) -> _Stopped:
        """Stop a pool now: SIGKILL its workers, cancel what waits. Returns it to reap."""
        # No shutdown(wait=False) here: it drops the executor's result queue while workers
        # may still be starting, and a starting worker then fails to open the queue's locks
        # (a traceback on stderr). The reaper shuts the pool down and waits for it instead,
        # killing each worker as soon as it reports its pid.
        stopped = _Stopped(pool, self._pids.pop(pool))
        stopped.kill_registered()
        return stopped

    def _reap(self, stopped: _Stopped) -> None:
        # Waiting for killed workers to be collected can take a moment: not on the loop.
        task = asyncio.get_running_loop().create_task(asyncio.to_thread(stopped.join))
        self._reapers.add(task)
        task.add_done_callback(self._reapers.discard)

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(self._kill(pool).join)
        if self._reapers:
            await asyncio.gather(*self._reapers, return_exceptions=True)


class _Slot:
    """A semaphore permit released exactly once, whichever path gets there first."""

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self._semaphore: asyncio.Semaphore | None = semaphore

    def release(self, *_: object) -> None:
        if self._semaphore is not None:
            self._semaphore.release()
            self._semaphore = None


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _register_worker(pids: SimpleQueue[int], initializer: Callable[[], None] | None) -> None:
    """Run first in every worker process: say its pid, then prepare it."""
    pids.put(os.getpid())
    if initializer is not None:
        initializer()


class _Stopped:
    """A pool being stopped, with the queue where its workers report their pids."""

    def __init__(self, pool: ProcessPoolExecutor, pids: SimpleQueue[int]) -> None:
        self.pool = pool
        self.pids = pids

    def kill_registered(self) -> None:
        while not self.pids.empty():
            with contextlib.suppress(ProcessLookupError):  # that worker had already ended
                os.kill(self.pids.get(), signal.SIGKILL)

    def join(self) -> None:
        """Wait until every process of the pool has ended and been collected, killing
        those that were still starting when the pool was stopped."""
        done = threading.Event()

        def shutdown() -> None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            done.set()

        waiter = threading.Thread(target=shutdown, name="worker-pool-join", daemon=True)
        waiter.start()
        while not done.wait(0.05):
            self.kill_registered()
        waiter.join()
        self.pids.close()


def _clean_source(source: str) -> str:
    # Discord users wrap links in <...> to stop the preview.
    source = source.strip()
    if source.startswith("<") and source.endswith(">"):
        source = source[1:-1].strip()
    return source


def _local_path(source: str) -> Path:
    return Path(source.strip().removeprefix("file://")).expanduser()


def _source_key(source: str) -> str:
    """The canonical URL a source would have if nothing better is found: the normalised
    URL, or the ``file:`` URI of a local file."""
    if looks_like_path(source):
        return _local_path(source).resolve().as_uri()
    return normalize_url(source)


def _duplicate_by(article: Article, stored: Article) -> str:
    """Which of the stores' duplicate checks matched ``stored`` to ``article``: the
    canonical URL is checked first, the fingerprint only when the URL differs."""
    if (
        article.fingerprint
        and stored.fingerprint == article.fingerprint
        and stored.canonical_url != article.canonical_url
    ):
        return "fingerprint"
    return "canonical_url"


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__name__", repr(fn))


class Pipeline:
    """Analyse and ingest articles. ``await start()`` before use, ``await close()`` after."""

    def __init__(
        self,
        settings: Settings,
        store: Articles | None = None,
        fetcher: SafeFetcher | None = None,
        *,
        workers: int = 1,
        pool: WorkerPool | None = None,
        allow_local_files: bool = False,
    ) -> None:
        """``allow_local_files``: sources may be paths on this machine (the command line);
        never for sources typed by Discord users. ``pool``: share a started ``WorkerPool``
        (tests, several pipelines); the pipeline then leaves it running on ``close()``."""
        self.settings = settings
        self.allow_local_files = allow_local_files
        self.store = store
        self._fetcher = fetcher
        self._own_fetcher = fetcher is None
        self._own_pool = pool is None
        self.pool = pool or WorkerPool(workers)
        self._slots = asyncio.Semaphore(settings.max_concurrent_ingests)
        self._waiting = 0

    async def start(self) -> None:
        if self._fetcher is None:
            self._fetcher = SafeFetcher(self.settings)
        await self.pool.start()

    async def close(self) -> None:
        if self._own_fetcher and self._fetcher is not None:
            await self._fetcher.close()
        if self._own_pool:
            await self.pool.close()

    async def __aenter__(self) -> Pipeline:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ admission

    async def _admit(self, source: str) -> None:
        if self._slots.locked() and self._waiting >= self.settings.ingest_queue_size:
            log.warning("pipeline busy: refused %s", source)
            raise PipelineBusy(source)
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1

    @property
    def waiting(self) -> int:
        return self._waiting

    # ------------------------------------------------------------------ public

    async def analyze(self, source: str) -> Article:
        """The analysed article at ``source`` (a URL or a local file), not stored."""
        source = _clean_source(source)
        await self._admit(source)
        try:
            return await self._analyze(source, {})
        finally:
            self._slots.release()

    async def ingest(self, source: str, guild_id: str) -> IngestResult:
        """Analyse ``source`` and store it for ``guild_id`` (once across URLs and copies)."""
        if self.store is None:
            raise RuntimeError("Pipeline.ingest needs a store")
        store = self.store
        source = _clean_source(source)
        await self._admit(source)
        try:
            self._check_source(source)
            known = await store.find(canonical_url=_source_key(source))
            if known is not None:
                stored, _ = await store.add(known, guild_id)
                log.info("ingest %s: known as %s, not fetched", source, stored.id)
                return IngestResult(stored, False, duplicate_of_url=True, duplicate_by="url")
            timings: dict[str, float] = {}
            article = await self._analyze(source, timings)
            # The store links a stored duplicate (same canonical URL, else fingerprint)
            # instead of adding: no look-up before, one round trip fewer each.
            started = time.perf_counter()
            stored, created = await store.add(article, guild_id)
            timings["store"] = time.perf_counter() - started
            duplicate_by = None if created else _duplicate_by(article, stored)
            log.info(
                "ingest %s: %s %s%s",
                source,
                "stored" if created else "known",
                stored.id,
                f" (same {duplicate_by})" if duplicate_by else "",
            )
            return IngestResult(stored, created, duplicate_by=duplicate_by, timings=timings)
        finally:
            self._slots.release()

    async def run_in_worker(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the worker under the per-article time limit (also for tests and
        benchmarks); worker failures become ``IngestError``."""
        try:
            return await self.pool.run(self.settings.extract_timeout, fn, *args)
        except WorkerTimeout:
            raise IngestError(
                "timeout",
                f"Reading the article took longer than {self.settings.extract_timeout:g} s.",
            ) from None
        except WorkerCrashed:
            raise IngestError("crashed", "The article made the reader crash twice.") from None

    # ------------------------------------------------------------------ steps

    def _check_source(self, source: str) -> None:
        if looks_like_path(source) and not self.allow_local_files:
            log.warning("refused %r: not an http(s) link", source[:200])
            raise IngestError("bad_url", "Links must start with http:// or https://.", source)

    async def _analyze(self, source: str, timings: dict[str, float]) -> Article:
        started = time.perf_counter()
        self._check_source(source)
        try:
            if looks_like_path(source):
                kind, content, url, page_url = await self._read_file(source)
            else:
                kind, content, url, page_url = await self._fetch(source)
            fetched = time.perf_counter()
            timings["fetch"] = fetched - started
            result, timings["work"] = await self.run_in_worker(
                worker.timed_analyze, kind, content, url, page_url
            )
            timings["worker"] = time.perf_counter() - fetched
        except IngestError as exc:
            exc.source = exc.source or source
            log.warning("analyze %s failed: %s (%s)", source, exc.message, exc.kind)
            raise
        if isinstance(result, worker.WorkerFailure):
            log.warning("analyze %s failed: %s", source, result.message)
            raise IngestError(result.kind, result.message, source)
        log.debug("analyzed %s in %.2f s", source, time.perf_counter() - started)
        return result

    async def _fetch(self, url: str) -> tuple[str, str, str, str]:
        assert self._fetcher is not None, "Pipeline.start() was not called"
        try:
            page = await self._fetcher.fetch(url)
        except FetchError as exc:
            raise IngestError(exc.kind, exc.message, url) from None
        kind = "text" if page.content_type == "text/plain" else "html"
        return kind, page.text, url, page.final_url

    async def _read_file(self, source: str) -> tuple[str, str, str, str]:
        path = _local_path(source)
        try:
            local = await asyncio.to_thread(read_local, path, self.settings.fetch_max_bytes)
        except LocalFileError as exc:
            raise IngestError(exc.kind, exc.message, source) from None
        uri = _source_key(source)
        if local.kind == "text":
            return "text", decode_text(local.content), str(path), uri
        # The fetcher's rules pick the charset (<meta>, then UTF-8, then Windows-1252).
        return "html", decode_body(local.content, None), str(path), uri
