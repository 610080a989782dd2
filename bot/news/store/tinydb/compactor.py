"""Rewriting week files: small jobs in a worker thread, big ones in a worker process.

TinyDB writes a database whole, so folding one change into a week rewrites that week. At
a million articles a week holds ~10k documents: parsing and writing them is tens of ms of
Python per week, and a compaction after links to old articles touches a hundred weeks.
In a thread that work holds the GIL away from the event loop (loop lag p99 of 100-200 ms
was measured); a worker process has a GIL of its own. Small jobs (the current week,
already in memory) stay in a thread: a process round trip would cost more than them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
from array import array
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain
from logging.handlers import QueueHandler, QueueListener
from multiprocessing.queues import Queue
from pathlib import Path

from bot.news.store.tinydb import partitions as parts
from bot.news.store.tinydb.partitions import Doc, Locations

log = logging.getLogger(__name__)

Job = tuple[str, dict[str, Doc] | None, dict[str, Doc | None]]
Packed = tuple[str, bytes, bool]  # ids joined by newlines, (offset, length) pairs, lost


def rewrite(weeks_dir: Path, jobs: list[Job]) -> dict[str, tuple[Locations, bool]]:
    """Apply each job's changes to its week (``base``, or the file when None) and write
    the week; returns where each document now is, and whether the old file was lost."""
    written = {}
    for week, base, changes in jobs:
        docs = base
        lost = False
        if docs is None:
            existed = parts.partition_path(weeks_dir, week).exists()
            docs = parts.read_partition(weeks_dir, week)
            lost = docs is None and existed
            docs = docs or {}
        for article_id, doc in changes.items():
            if doc is None:
                docs.pop(article_id, None)
            else:
                docs[article_id] = doc
        written[week] = (parts.write_week(weeks_dir, week, docs), lost)
    return written


def _pack(locs: Locations, lost: bool) -> Packed:
    return "\n".join(locs), array("q", chain.from_iterable(locs.values())).tobytes(), lost


def rewrite_packed(weeks_dir: Path, jobs: list[Job]) -> dict[str, Packed]:
    """``rewrite`` in the worker process, its answer packed in a few flat objects: a
    dict of a million tuples would take the parent's GIL for as long to unpickle."""
    return {week: _pack(locs, lost) for week, (locs, lost) in rewrite(weeks_dir, jobs).items()}


def repair_packed(weeks_dir: Path, week: str) -> Packed | None:
    """``partitions.repair_week`` in the worker process, its answer packed."""
    locs = parts.repair_week(weeks_dir, week)
    return None if locs is None else _pack(locs, False)


class _ToOwnLogger(logging.Handler):
    """Hands a record that came from the worker process to the logger it was logged on
    here, so the bot's own handlers (and levels) decide where it goes."""

    def emit(self, record: logging.LogRecord) -> None:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)


def unpack(packed: Packed) -> tuple[Locations, bool]:
    ids, pairs, lost = packed
    flat = array("q")
    flat.frombytes(pairs)
    pairs_of = zip(flat[0::2], flat[1::2], strict=True)
    return dict(zip(ids.split("\n") if ids else [], pairs_of, strict=True)), lost


def _worker_start(parent: int, records: Queue[logging.LogRecord]) -> None:
    # The worker has no log of its own: what it logs (a damaged week set aside, what was
    # recovered) goes through the queue to the bot's process.
    root = logging.getLogger()
    root.handlers[:] = [QueueHandler(records)]
    root.setLevel(logging.INFO)
    """The worker dies with the store's process: a rewrite finishing after a crash and a
    restart could replace a week file the new process has written since."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent check below still holds
        pass
    if os.getppid() != parent:
        os._exit(1)


class Compactor:
    """Runs rewrites for one store; ``process_bytes``: week files to rewrite above which
    a job goes to the worker process (None: never)."""

    def __init__(self, weeks_dir: Path, process_bytes: int | None) -> None:
        self.weeks_dir = weeks_dir
        self.process_bytes = process_bytes
        self._pool: ProcessPoolExecutor | None = None
        self._records: QueueListener | None = None
        self.in_process = 0  # jobs run in the worker process (tests, stats)

    def _size(self, jobs: list[Job]) -> int:
        """Bytes of the week files to rewrite (to read too, where not in memory)."""
        total = 0
        for week, _, _ in jobs:
            with contextlib.suppress(FileNotFoundError):
                total += parts.partition_path(self.weeks_dir, week).stat().st_size
        return total

    def _worker(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            if self._records is None:
                self._records = QueueListener(context.Queue(), _ToOwnLogger())
                self._records.start()
            self._pool = ProcessPoolExecutor(
                1,
                mp_context=context,
                initializer=_worker_start,
                initargs=(os.getpid(), self._records.queue),
            )
        return self._pool

    async def check(self, week: str) -> bool:
        """``partitions.check_week``: in the worker process when the week file is big
        (parsing it, and writing its copy and search file, would hold the GIL for tens
        of ms at a time: a thread stalled the event loop for up to half a second)."""
        limit = self.process_bytes
        if limit is None or self._size([(week, None, {})]) <= limit:
            return await asyncio.to_thread(parts.check_week, self.weeks_dir, week)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._worker(), parts.check_week, self.weeks_dir, week
            )
        except BrokenProcessPool:
            log.warning("article store: the compaction worker died; checking in a thread")
            self._pool = None
            return await asyncio.to_thread(parts.check_week, self.weeks_dir, week)

    async def repair(self, week: str) -> Locations | None:
        """``partitions.repair_week``, off the event loop as ``check`` is: in the worker
        process when the week file is big, else in a thread."""
        limit = self.process_bytes
        if limit is None or self._size([(week, None, {})]) <= limit:
            return await asyncio.to_thread(parts.repair_week, self.weeks_dir, week)
        loop = asyncio.get_running_loop()
        try:
            packed = await loop.run_in_executor(self._worker(), repair_packed, self.weeks_dir, week)
        except BrokenProcessPool:
            log.warning("article store: the compaction worker died; repairing in a thread")
            self._pool = None
            return await asyncio.to_thread(parts.repair_week, self.weeks_dir, week)
        self.in_process += 1
        return None if packed is None else unpack(packed)[0]

    async def run(self, jobs: list[Job]) -> AsyncIterator[tuple[str, tuple[Locations, bool]]]:
        """Rewrite the weeks; yields (week, (locations, lost)) one week at a time, so the
        caller applies a week while the worker writes the next ones."""
        limit = self.process_bytes
        if limit is None or self._size(jobs) <= limit:
            written = await asyncio.to_thread(rewrite, self.weeks_dir, jobs)
            for item in written.items():
                yield item
            return
        loop = asyncio.get_running_loop()
        # One call per week: each answer is small to unpickle (that holds the GIL), and
        # the worker reads every week from its file: what memory holds of a week is the
        # file plus the job's changes, and sending the documents would cost the pickling.
        pool = self._worker()
        calls = [
            loop.run_in_executor(pool, rewrite_packed, self.weeks_dir, [(week, None, changes)])
            for week, _, changes in jobs
        ]
        try:
            for n, call in enumerate(calls):
                try:
                    packed = await call
                except BrokenProcessPool:
                    log.warning("article store: the compaction worker died; rewriting in a thread")
                    self._pool = None
                    written = await asyncio.to_thread(rewrite, self.weeks_dir, jobs[n:])
                    for item in written.items():
                        yield item
                    return
                for week, p in packed.items():
                    yield week, unpack(p)
            self.in_process += 1
        finally:
            for call in calls:
                call.cancel()

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown)
        records, self._records = self._records, None
        if records is not None:
            await asyncio.to_thread(records.stop)  # after the worker: its last lines too
