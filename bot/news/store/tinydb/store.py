"""``ArticleStore``: the article store behind one small interface.

Writes go to the journal first (durable on return, concurrent adds share one fsync)
and are folded into the week partitions by a background task, in a worker thread, so
neither a write nor a query ever rewrites or re-parses everything stored. Reads are
synchronous and answered from the in-memory index; a document whose week is not in
memory is loaded with its week (a few ms), the most recently used weeks stay loaded.

A server database could replace this class: callers use only the methods below.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import gc
import logging
import os
import sys
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import orjson

from bot.news.atomic import clean_temp_files
from bot.news.clock import Clock
from bot.news.model import (
    Article,
    EntityKind,
    fold,
    person_key,
)
from bot.news.store.errors import StoreBusy, StoreReadOnly
from bot.news.store.tinydb import partitions as parts
from bot.news.store.tinydb import snapshot
from bot.news.store.tinydb.compactor import Compactor
from bot.news.store.tinydb.documents import article_of as _article
from bot.news.store.tinydb.index import ArticleIndex, Entry, Postings
from bot.news.store.tinydb.journal import Journal, read_segment, segments
from bot.news.store.tinydb.partitions import Doc, week_of

log = logging.getLogger(__name__)

_MISSING: Any = object()
REBUILD_WEEKS = 24  # more weeks changed since the snapshot than this: read all week files
LOCK_FILE = "lock"
SNAPSHOT_AFTER_WEEKS = 16  # rewrite the snapshot in the background once this far behind
RELOCATE_SLICE = 1000  # entries given their new place between two yields to the loop
# A person's key as a query names it: person_key folds it character by character (3-10 µs,
# what a country's key costs in 0.1 µs), and the bot asks for the same few names again
# and again. Bounded: names typed by users are arbitrary.
query_person_key = functools.lru_cache(maxsize=8192)(person_key)
# A week's search file longer than this is scanned in a thread (the hand-off costs ~0.1 ms,
# about what scanning a million characters does)
SCAN_IN_THREAD_CHARS = 1 << 20
SCRUB_PAUSE = 2.0  # seconds between the background checks of two weeks' copies and sidecars


def _lock(directory: Path) -> int:
    fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StoreBusy(
            f"The article store in {directory} is open in another process: "
            "stop the bot, or use a read-only command."
        ) from None
    return fd


def _entry_of(doc: Doc, week: str) -> Entry:
    return Entry(
        doc["event_time"],
        week,
        doc.get("guilds") or {},
        [c["code"] for c in doc.get("countries", ())],
        [person_key(p["name"]) for p in doc.get("persons", ())],
        doc.get("fingerprint") or "",
        parts.url_key(doc.get("canonical_url") or ""),
    )


def _scan_blob(blob: str, words: list[str]) -> list[str]:
    """Ids of the lines of a search file whose text contains every word."""
    first = max(words, key=len)
    found = []
    pos = blob.find(first)
    while pos != -1:
        start = blob.rfind("\n", 0, pos) + 1
        end = blob.find("\n", pos)
        if end == -1:
            end = len(blob)
        tab = blob.find("\t", start, end)
        if tab != -1:
            text = blob[tab + 1 : end]
            if all(word in text for word in words):
                found.append(blob[start:tab])
        pos = blob.find(first, end)
    return found


class ArticleStore:
    """TinyDB week partitions + journal + in-memory index. Open with ``await open(dir)``."""

    def __init__(
        self,
        directory: Path,
        *,
        compact_every: float = 5.0,
        compact_bytes: int = 1 << 20,
        compact_process_bytes: int | None = 1 << 20,
        max_loaded_weeks: int = 4,
        max_open_files: int = 64,
        search_cache_chars: int = 48 << 20,
        doc_cache_size: int = 4096,
        scrub_pause: float | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.clock = clock or Clock()
        self.weeks_dir = self.directory / "weeks"
        self.compact_every = compact_every
        self.compact_bytes = compact_bytes
        # week files to rewrite in one compaction above which it runs in a worker process
        self._compactor = Compactor(self.weeks_dir, compact_process_bytes)
        self.max_loaded_weeks = max_loaded_weeks
        self.max_open_files = max_open_files
        self.search_cache_chars = search_cache_chars
        self.doc_cache_size = doc_cache_size
        self.scrub_pause = SCRUB_PAUSE if scrub_pause is None else scrub_pause
        self._doc_cache: OrderedDict[str, Doc] = OrderedDict()  # documents read by offset
        self.index = ArticleIndex()
        self._loaded: OrderedDict[str, dict[str, Doc]] = OrderedDict()  # LRU of whole weeks
        self._pending: dict[str, dict[str, Doc | None]] = {}  # not yet in the week files
        self._disk_weeks: set[str] = set()
        self._fds: OrderedDict[str, int] = OrderedDict()  # partition files open for pread
        self._relocated: dict[str, parts.Locations] = {}  # rewritten weeks, while applied
        self._repairing: dict[str, asyncio.Event] = {}  # damaged weeks being written again
        self._search_cache: OrderedDict[str, str] = OrderedDict()
        # counts rewrites of each week's search file: a file read in a thread while its
        # week was rewritten must not be cached
        self._search_rewrites: dict[str, int] = {}
        self._journal: Journal | None = None
        self._replayed_through = 0
        self._compact_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._scrub_task: asyncio.Task[None] | None = None
        self._closed = False
        self.compactions = 0
        self.snapshot_behind = 0  # week files written since the snapshot was
        self.read_only = False
        self._lock_fd: int | None = None
        self._snapshot_retry_at = 0.0

    # ---------------------------------------------------------------- life cycle

    @classmethod
    async def open(
        cls, directory: Path, *, read_only: bool = False, **options: Any
    ) -> ArticleStore:
        """Open (creating) the store in ``directory``: read the index files, replay the journal.

        One process at a time may open a store for writing (``StoreBusy`` otherwise).
        ``read_only`` (the CLI's queries) takes no lock and changes no file, so it can
        run beside the bot; it sees what was on disk when it opened.
        """
        store = cls(directory, **options)
        store.read_only = read_only
        if not read_only:
            store.directory.mkdir(parents=True, exist_ok=True)
            store._lock_fd = _lock(store.directory)
        try:
            replayed, last = await asyncio.to_thread(store._load_sync)
            if read_only:
                store._closed = True  # for writes
                return store
            store._journal = await Journal.open(store.directory, last + 1)
        except BaseException:
            store._close_files()
            store._unlock()
            raise
        store._task = asyncio.create_task(store._background(), name="article-store-compactor")
        store._scrub_task = asyncio.create_task(store._scrub(), name="article-store-scrub")
        if replayed:
            log.info("article store: replayed %d journal records", replayed)
            store._wake.set()
        return store

    def _load_sync(self) -> tuple[int, int]:
        # Parsing creates many containers at once: cyclic GC passes over them would cost
        # more than the parse itself, and none of them can form a cycle.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            loaded = self._load_files()
            # The index lives as long as the store, and a full GC pass over it (millions
            # of objects at 100k articles) stalled the event loop for 100-300 ms now and
            # then: move what exists now out of the collector's sight.
            gc.freeze()
            return loaded
        finally:
            if gc_was_enabled:
                gc.enable()

    def _load_files(self) -> tuple[int, int]:
        if not self.read_only:
            self.weeks_dir.mkdir(parents=True, exist_ok=True)
            for folder in (self.directory, self.weeks_dir):
                for path in clean_temp_files(folder):
                    log.info("article store: removed leftover temp file %s", path.name)
        elif not self.weeks_dir.is_dir():
            return 0, 0
        self._disk_weeks = parts.weeks_on_disk(self.weeks_dir)
        if not self.read_only:
            self._check_files()
        for stale in self.weeks_dir.glob("*.idx.json"):
            if stale.name[: -len(".idx.json")] not in self._disk_weeks and not self.read_only:
                stale.unlink()  # its partition is gone (emptied, or set aside)
        snap = snapshot.read(self.directory)
        changed: list[str] = []
        if snap is not None:
            changed = [
                week
                for week in sorted(self._disk_weeks)
                if snap.weeks.get(week) is None
                or snapshot.signature(parts.idx_path(self.weeks_dir, week)) != snap.weeks[week]
            ]
        if changed:
            log.info("article store: %d week files changed since the index snapshot", len(changed))
        if snap is None or len(changed) > REBUILD_WEEKS:  # cheaper to start from the week files
            snap = self._snapshot_from_weeks()
            changed = []
        self.index.load(snap)
        for week in sorted(set(snap.week_rows) - self._disk_weeks):
            self.index.drop_week(week)
        for week in changed:
            self.index.drop_week(week)
            data = self._week_index(week)
            if data is not None:
                self.index.add_week(week, data)
        self.snapshot_behind = len(changed)
        return self._replay()

    def _snapshot_from_weeks(self) -> snapshot.SnapCols:
        """A snapshot made from every week index file (rebuilding damaged ones), one
        week at a time, written for the next start (unless read-only) and mapped like
        one read from disk."""
        weeks = sorted(self._disk_weeks)
        spool_dir = None if self.read_only else self.directory
        with snapshot.Builder(spool_dir, weeks) as builder:
            for week in weeks:
                path = parts.idx_path(self.weeks_dir, week)
                data = self._week_index(week)
                if data is not None:  # (one writer: the file read is the file signed)
                    builder.add(week, data, snapshot.signature(path))
            if self.read_only:
                return snapshot.in_temp_file(builder)
            snapshot.write_file(self.directory, builder)
        found = snapshot.read(self.directory)
        if found is None:
            raise OSError("the index snapshot just written cannot be read back")
        return found

    def _check_files(self) -> None:
        """Bring back weeks whose file is gone but whose copy is there, and check the newest
        week's copy and sidecars now (the weeks being written; the older ones are checked
        in the background by ``_scrub``)."""
        for week in sorted(parts.weeks_with_copies(self.weeks_dir) - self._disk_weeks):
            if parts.restore_from_copy(self.weeks_dir, week):
                self._disk_weeks.add(week)
        if self._disk_weeks:
            newest = max(self._disk_weeks)
            if not parts.check_week(self.weeks_dir, newest) and (
                parts.read_partition(self.weeks_dir, newest, repair=True) is None
            ):
                self._disk_weeks.discard(newest)

    async def _scrub(self) -> None:
        """Once after start, check the older weeks' copies and search files against their
        week files, one week at a time, so that damage to a file read only in an emergency
        (or only by /search) is noticed, logged and repaired before it is needed."""
        for week in sorted(self._disk_weeks, reverse=True)[1:]:
            await asyncio.sleep(self.scrub_pause)
            async with self._compact_lock:  # no compaction rewrites the week meanwhile
                if week not in self._disk_weeks:
                    continue
                try:
                    whole = await self._compactor.check(week)
                except OSError as exc:
                    log.warning("article store: cannot check the files of %s: %s", week, exc)
                    continue
                if not whole and week not in self._loaded:  # loaded: memory holds it whole
                    await self._repair(week)

    async def _repair(self, week: str) -> None:
        """Set a damaged week file aside and write the week again from what can be
        recovered, off the event loop (a big week takes as long to parse and write as a
        compaction of it); called with the compaction lock held. Meanwhile a read that
        needs the whole week sees only its unwritten changes, and a write to one of its
        articles waits (``settled``): neither may touch the files being replaced."""
        done = self._repairing[week] = asyncio.Event()
        try:
            job = asyncio.ensure_future(self._compactor.repair(week))
            try:
                locs = await asyncio.shield(job)
            except asyncio.CancelledError:
                # closing: the files must be written before the lock lets a compaction
                # (or the next process) at them; the offsets are read again from them
                await asyncio.wait([job])
                if not job.cancelled() and job.exception() is not None:
                    log.warning("article store: cannot repair %s: %s", week, job.exception())
                self._close_file(week)
                raise
            except OSError as exc:
                log.warning("article store: cannot repair the files of %s: %s", week, exc)
                return
            self._forget_search(week)
            self._relocated[week] = locs or {}
            self._close_file(week)  # the next pread opens the new file
            for k, (article_id, (offset, length)) in enumerate((locs or {}).items()):
                if k % RELOCATE_SLICE == RELOCATE_SLICE - 1:
                    await asyncio.sleep(0)  # a big week must not stall the loop
                self.index.set_location(article_id, week, offset, length)
            del self._relocated[week]
            if locs is None:
                self._disk_weeks.discard(week)
            alive = set(locs or ())
            alive.update(i for i, d in self._pending.get(week, {}).items() if d)
            self._forget_lost(week, alive)
        finally:
            del self._repairing[week]
            done.set()

    async def settled(self, article_id: str | None) -> None:
        """Wait while the week of the article is being repaired."""
        entry = self.index.entry(article_id) if article_id else None
        while entry is not None and entry.week in self._repairing:
            await self._repairing[entry.week].wait()
            entry = self.index.entry(article_id)  # type: ignore[arg-type]

    def _week_index(self, week: str) -> dict[str, Any] | None:
        """A week's index file, rebuilt from its partition when missing or damaged."""
        found = parts.read_idx(self.weeks_dir, week)
        if found is None:
            docs = parts.read_partition(self.weeks_dir, week)
            if docs is None:  # set aside (logged), or vanished
                self._disk_weeks.discard(week)
                return None
            log.info("article store: rebuilding the index file of %s", week)
            if self.read_only:
                locs, ordered = parts.week_locations(week, docs)
                self._loaded[week] = docs  # the offsets are of the rebuilt file, not this one
                return parts.index_of(week, ordered, locs)
            parts.write_week(self.weeks_dir, week, docs)
            found = parts.read_idx(self.weeks_dir, week)
        return found

    def _replay(self) -> tuple[int, int]:
        replayed = 0
        last = 0
        for number, path in segments(self.directory):
            last = number
            for record in read_segment(path):
                self._apply(record)
                replayed += 1
        if not replayed and not self.read_only:  # the old segments are only headers
            for _, path in segments(self.directory):
                path.unlink()
        self._replayed_through = last
        return replayed, last

    async def close(self, *, compact: bool = True) -> None:
        """Stop the background task and fold the journal into the partitions (unless
        ``compact`` is false: then the journal is left to be replayed at the next open)."""
        if self.read_only or self._closed:
            self._close_files()
            return
        self._closed = True
        for task in (self._task, self._scrub_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        assert self._journal is not None
        await self._journal.sync()
        if compact:
            await self.compact()
            if self.snapshot_behind:
                await self.write_snapshot()
        await self._journal.close()
        await self._compactor.close()
        self._close_files()
        # The last segment holds nothing that is not in the partition files.
        if compact and not self._pending:
            self._journal.remove_through(self._journal.number)
        self._unlock()

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    async def __aenter__(self) -> ArticleStore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---------------------------------------------------------------- memory state

    def _apply(self, record: dict[str, Any]) -> None:
        op = record.get("op")
        if op == "put" and isinstance(record.get("a"), dict):
            self._put_mem(record["a"])
        elif op == "del" and isinstance(record.get("id"), str):
            self._del_mem(record["id"])
        else:
            log.warning("journal: ignored an unknown record %r", str(record)[:80])

    def _stage(self, week: str, article_id: str, doc: Doc | None) -> None:
        self._pending.setdefault(week, {})[article_id] = doc
        self._doc_cache.pop(article_id, None)
        loaded = self._loaded.get(week)
        if loaded is not None:
            if doc is None:
                loaded.pop(article_id, None)
            else:
                loaded[article_id] = doc

    def _put_mem(self, doc: Doc) -> None:
        # Documents are never changed in place once stored (copy on write), so a snapshot
        # taken for the compactor stays consistent while new writes go on.
        article_id = doc["id"]
        week = week_of(doc["event_time"])
        old = self.index.entry(article_id)
        if old is not None and old.week != week:
            self._stage(old.week, article_id, None)
        self._stage(week, article_id, doc)
        for person in doc.get("persons", ()):
            self.index.names[person_key(person["name"])] = person["name"]
        self.index.insert(article_id, _entry_of(doc, week))

    def _del_mem(self, article_id: str) -> bool:
        entry = self.index.remove(article_id)
        if entry is None:
            return False
        self._stage(entry.week, article_id, None)
        return True

    def _week_docs(self, week: str) -> dict[str, Doc]:
        """All documents of one week (loading the partition if needed)."""
        docs = self._loaded.get(week)
        if docs is not None:
            self._loaded.move_to_end(week)
            return docs
        if week in self._repairing:  # its files are being replaced: see ``_repair``
            return {i: d for i, d in self._pending.get(week, {}).items() if d is not None}
        docs = parts.read_partition(self.weeks_dir, week, repair=not self.read_only)
        self._close_file(week)  # a repaired week is a new file; offsets of the old one are stale
        if docs is None:
            docs = {}
            if week in self._disk_weeks:  # set aside just now
                self._disk_weeks.discard(week)
                self._close_file(week)
        for article_id, doc in self._pending.get(week, {}).items():
            if doc is None:
                docs.pop(article_id, None)
            else:
                docs[article_id] = doc
        self._forget_lost(week, docs)
        self._loaded[week] = docs
        while len(self._loaded) > self.max_loaded_weeks:
            self._loaded.popitem(last=False)
        return docs

    def _forget_lost(self, week: str, docs: dict[str, Doc] | set[str]) -> None:
        lost = [i for i in self.index.week_ids.get(week, ()) if i not in docs]
        if lost:
            log.error(
                "article store: %d articles of %s are gone with their partition file; "
                "dropped from the index",
                len(lost),
                week,
            )
            for article_id in lost:
                self.index.remove(article_id)

    def _doc(self, article_id: str, row: int | None = None) -> Doc | None:
        """The stored document (``row``: the article's index row, when the caller has it)."""
        place = self.index.locate(article_id, row)
        if place is None:
            return None
        week, offset, length = place
        pending = self._pending.get(week)
        if pending is not None:
            doc = pending.get(article_id, _MISSING)
            if doc is not _MISSING:
                return doc
        loaded = self._loaded.get(week)
        moved = self._relocated.get(week)
        if moved is not None:
            offset, length = moved.get(article_id, (offset, length))
        if loaded is None and offset >= 0:
            cache = self._doc_cache
            doc = cache.get(article_id)
            if doc is not None:
                cache.move_to_end(article_id)
                return doc
            fd = self._fd(week)
            if fd is not None:
                doc = parts.read_one(fd, article_id, offset, length)
                if doc is not None:
                    cache[article_id] = doc
                    if len(cache) > self.doc_cache_size:
                        cache.popitem(last=False)
                    return doc
            log.debug("article store: %s moved in its partition; reading the whole week", week)
        return self._week_docs(week).get(article_id)

    def _fd(self, week: str) -> int | None:
        fd = self._fds.get(week)
        if fd is not None:
            self._fds.move_to_end(week)
            return fd
        try:
            fd = os.open(parts.partition_path(self.weeks_dir, week), os.O_RDONLY)
        except OSError:
            return None
        self._fds[week] = fd
        while len(self._fds) > self.max_open_files:
            os.close(self._fds.popitem(last=False)[1])
        return fd

    def _close_file(self, week: str) -> None:
        fd = self._fds.pop(week, None)
        if fd is not None:
            os.close(fd)

    def _close_files(self) -> None:
        while self._fds:
            os.close(self._fds.popitem()[1])

    def _articles(self, ids: list[str], guild: str) -> list[Article]:
        out = []
        for article_id in ids:
            doc = self._doc(article_id)
            if doc is not None and guild in doc.get("guilds", ()):
                out.append(_article(doc, guild))
        return out

    def _articles_at(self, rows: list[int], guild: str) -> list[Article]:
        """``_articles`` of index rows (a postings slice): no id lookups."""
        out = []
        id_of = self.index.table.id_of
        for row in rows:
            article_id = id_of(row)
            doc = self._doc(article_id, row)
            if doc is not None and guild in doc.get("guilds", ()):
                out.append(_article(doc, guild))
        return out

    # ---------------------------------------------------------------- writes

    def _journal_or_fail(self) -> Journal:
        if self.read_only:
            raise StoreReadOnly("The article store was opened read-only.")
        if self._closed or self._journal is None:
            raise RuntimeError("the article store is closed")
        return self._journal

    async def _write(self, record: dict[str, Any]) -> None:
        journal = self._journal_or_fail()
        await journal.append(record)
        if journal.bytes >= self.compact_bytes:
            self._wake.set()

    def _existing_id(self, article: Article) -> str | None:
        found = self.index.id_for_url(parts.url_key(article.canonical_url))
        if found is None and article.fingerprint:
            found = self.index.by_fp.get(article.fingerprint)
        if found is None and article.id in self.index:
            found = article.id
        return found

    async def add(self, article: Article, guild_id: str) -> tuple[Article, bool]:
        """Store ``article`` for ``guild_id`` (or link the stored duplicate to it).

        Returns ``(stored article, created)``; the change is on disk when this returns.
        The stored copy has no ``text``; ``ingested_at`` is set if it was 0.
        """
        journal = self._journal_or_fail()
        if not article.canonical_url:
            raise ValueError("an article needs a canonical_url to be stored")
        guild_id = str(guild_id)
        now = self.clock.time()
        existing = self._existing_id(article)
        await self.settled(existing)
        existing = self._existing_id(article)  # the repair may have lost it
        doc = self._doc(existing) if existing else None
        if doc is not None:
            if guild_id in doc.get("guilds", {}):
                await journal.sync()  # it may still be on its way to disk
                return _article(doc, guild_id), False
            doc = {**doc, "guilds": {**doc.get("guilds", {}), guild_id: now}}
            self._put_mem(doc)
            await self._write({"op": "put", "a": doc})
            return _article(doc, guild_id), False
        # orjson walks the dataclasses like to_dict(), ~15x faster than dataclasses.asdict
        data = orjson.loads(orjson.dumps(article))
        data.pop("text", None)
        if not data["ingested_at"]:
            data["ingested_at"] = now
        # only this guild's link: another guild's entry in the input is never stored
        data["guilds"] = {guild_id: data["guilds"].get(guild_id, now)}
        stored = _article(data, guild_id)
        data["event_time"] = stored.event_time
        self._put_mem(data)
        await self._write({"op": "put", "a": data})
        return stored, True

    async def import_article(self, article: Article) -> bool:
        """Store an article copied from another store with every link in its ``guilds``
        at its own time (links already stored keep theirs); True when it was new."""
        self._journal_or_fail()
        links = {str(g): float(t) for g, t in article.guilds.items()}
        if not links or not article.canonical_url:
            return False
        existing = self._existing_id(article)
        await self.settled(existing)
        existing = self._existing_id(article)
        doc = self._doc(existing) if existing else None
        if doc is not None:
            missing = {g: t for g, t in links.items() if g not in doc.get("guilds", {})}
            if missing:
                doc = {**doc, "guilds": {**doc.get("guilds", {}), **missing}}
                self._put_mem(doc)
                await self._write({"op": "put", "a": doc})
            return False
        data = orjson.loads(orjson.dumps(article))
        data.pop("text", None)
        if not data["ingested_at"]:
            data["ingested_at"] = min(links.values())
        data["guilds"] = links
        data["event_time"] = _article(data).event_time
        self._put_mem(data)
        await self._write({"op": "put", "a": data})
        return True

    async def forget(self, article_id: str, guild_id: str) -> bool:
        """Unlink an article from one guild; an article no guild keeps is deleted."""
        await self.settled(article_id)
        entry = self.index.entry(article_id)
        if entry is None or guild_id not in entry.guilds:
            return False
        doc = self._doc(article_id)
        if doc is None:
            return False
        guilds = {g: t for g, t in doc.get("guilds", {}).items() if g != guild_id}
        if not guilds:
            return await self.delete(article_id)
        doc = {**doc, "guilds": guilds}
        self._put_mem(doc)
        await self._write({"op": "put", "a": doc})
        return True

    async def delete(self, article_id: str) -> bool:
        """Remove an article for every guild."""
        self._journal_or_fail()
        if not self._del_mem(article_id):
            return False
        await self._write({"op": "del", "id": article_id})
        return True

    # ---------------------------------------------------------------- compaction

    async def _background(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.compact_every)
            self._wake.clear()
            try:
                if self._pending:
                    await self.compact()
            except Exception:
                log.exception("article store: compaction failed (the journal keeps all); retrying")
            if (
                self.snapshot_behind >= SNAPSHOT_AFTER_WEEKS
                and time.monotonic() >= self._snapshot_retry_at
            ):
                try:
                    await self.write_snapshot()
                except Exception:
                    # only start-up speed depends on it: try again later, not every few seconds
                    log.exception("article store: index snapshot failed; retrying in 10 min")
                    self._snapshot_retry_at = time.monotonic() + 600

    async def write_snapshot(self) -> None:
        """Rewrite the index snapshot from the week files, in a child process: it is a
        few seconds of Python at 100k articles, which in a thread would hold the GIL
        away from the event loop for long stretches."""
        behind = self.snapshot_behind
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.news.store.tinydb.snapshot",
            str(self.directory),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, err = await proc.communicate()
        except asyncio.CancelledError:
            # Closing: a child left running would replace the snapshot that close() writes
            # with its older one (and the next start would rebuild from the week files).
            proc.kill()
            await proc.wait()
            raise
        if proc.returncode != 0:
            raise RuntimeError(f"index snapshot failed: {err.decode(errors='replace')[-500:]}")
        self.snapshot_behind = max(0, self.snapshot_behind - behind)

    async def compact(self) -> None:
        """Fold the journal into the week files (in a worker thread, or process when
        big: ``compactor.py``), then drop it."""
        async with self._compact_lock:
            journal = self._journal
            if journal is None or not self._pending:
                return
            closed = await journal.rotate()
            # Every record in segments <= closed is applied in memory by now.
            staged = {week: dict(changes) for week, changes in self._pending.items()}
            jobs = [
                (week, dict(self._loaded[week]) if week in self._loaded else None, changes)
                for week, changes in staged.items()
            ]
            n = 0
            async for week, (locs, base_lost) in self._compactor.run(jobs):
                if n:
                    await asyncio.sleep(0)  # a week at a time: many weeks must not stall the loop
                n += 1
                changes = staged[week]
                current = self._pending.get(week)
                if current is not None:
                    for article_id, doc in changes.items():
                        if current.get(article_id, _MISSING) is doc:
                            del current[article_id]
                    if not current:
                        del self._pending[week]
                self._forget_search(week)
                # Until every entry has its new place, reads of this week look here.
                self._relocated[week] = locs
                self._close_file(week)  # the next pread opens the new file
                set_location = self.index.set_location
                for k, (article_id, (offset, length)) in enumerate(locs.items()):
                    if k % RELOCATE_SLICE == RELOCATE_SLICE - 1:
                        await asyncio.sleep(0)  # a big week must not stall the loop
                    set_location(article_id, week, offset, length)
                del self._relocated[week]
                if locs:
                    self._disk_weeks.add(week)
                else:
                    self._disk_weeks.discard(week)
                if base_lost and week not in self._loaded:  # set aside while being read
                    alive = set(locs)
                    alive.update(i for i, d in self._pending.get(week, {}).items() if d)
                    self._forget_lost(week, alive)
            journal.remove_through(closed)
            self.compactions += 1
            self.snapshot_behind += len(staged)

    # ---------------------------------------------------------------- reads

    def get(self, article_id: str, guild_id: str | None = None) -> Article | None:
        """The article, or None if unknown (or not linked to ``guild_id`` when given)."""
        entry = self.index.entry(article_id)
        if entry is None or (guild_id is not None and str(guild_id) not in entry.guilds):
            return None
        doc = self._doc(article_id)
        if doc is None:
            return None
        return _article(doc, None if guild_id is None else str(guild_id))

    def find(
        self, *, canonical_url: str | None = None, fingerprint: str | None = None
    ) -> Article | None:
        """The stored article with this canonical URL or fingerprint (any guild)."""
        if canonical_url:
            found = self.index.id_for_url(parts.url_key(canonical_url))
            doc = self._doc(found) if found else None
            if doc is not None and doc.get("canonical_url") == canonical_url:
                return _article(doc)
        if fingerprint:
            found = self.index.by_fp.get(fingerprint)
            doc = self._doc(found) if found else None
            if doc is not None:
                return _article(doc)
        return None

    def _newest(
        self,
        guild: str,
        postings: Postings | None,
        since: float | None,
        limit: int,
        offset: int,
    ) -> list[Article]:
        if postings is None:
            return []
        return self._articles(postings.newest(since, None, limit, offset), guild)

    def by_country(
        self,
        guild_id: str,
        code: str,
        *,
        since: float | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[Article]:
        """The guild's articles about a country (ISO code), newest event_time first."""
        postings = self.index.postings(str(guild_id), "country", code.upper())
        return self._newest(str(guild_id), postings, since, limit, offset)

    def by_person(
        self,
        guild_id: str,
        key: str,
        *,
        since: float | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[Article]:
        """The guild's articles about a person (by key), newest event_time first."""
        postings = self.index.postings(str(guild_id), "person", query_person_key(key))
        return self._newest(str(guild_id), postings, since, limit, offset)

    def recent(
        self, guild_id: str, *, since: float | None = None, limit: int = 10, offset: int = 0
    ) -> list[Article]:
        """The guild's articles, newest event_time first."""
        postings = self.index.postings(str(guild_id), "all")
        return self._newest(str(guild_id), postings, since, limit, offset)

    def count_country(
        self, guild_id: str, code: str, *, since: float | None = None, until: float | None = None
    ) -> int:
        """How many of the guild's articles name a country, ``since <= event_time < until``."""
        postings = self.index.postings(str(guild_id), "country", code.upper())
        return 0 if postings is None else postings.count(since, until)

    def count_person(
        self, guild_id: str, key: str, *, since: float | None = None, until: float | None = None
    ) -> int:
        postings = self.index.postings(str(guild_id), "person", query_person_key(key))
        return 0 if postings is None else postings.count(since, until)

    def entity_counts(
        self,
        guild_id: str,
        kind: EntityKind,
        *,
        since: float | None = None,
        until: float | None = None,
    ) -> dict[str, int]:
        """Article counts per country code or person key in the guild (zero counts left out)."""
        counts = {}
        for key, postings in self.index.keys_of(str(guild_id), kind).items():
            n = postings.count(since, until)
            if n:
                counts[key] = n
        return counts

    @property
    def version(self) -> int:
        """Changes whenever an article is added, changed or removed (callers cache what
        they derive from the store, e.g. autocomplete name lists, against it)."""
        return self.index.version

    def person_names(self, guild_id: str) -> dict[str, str]:
        """Person key -> display name, for the persons in the guild's articles."""
        names = self.index.names
        return {key: names.get(key, key) for key in self.index.keys_of(str(guild_id), "person")}

    def _search_blob(self, week: str) -> str:
        blob = self._search_cache.get(week)
        if blob is not None:
            self._search_cache.move_to_end(week)
            return blob
        blob = parts.read_search(self.weeks_dir, week) if week in self._disk_weeks else ""
        if not blob and week in self._disk_weeks:
            docs = self._week_docs(week)
            pending = self._pending.get(week, {})
            base = [d for i, d in docs.items() if i not in pending]
            parts.write_search(self.weeks_dir, week, base)  # derived data, rebuilt once
            blob = parts.read_search(self.weeks_dir, week)
        self._cache_search(week, blob)
        return blob

    def _forget_search(self, week: str) -> None:
        self._search_cache.pop(week, None)
        self._search_rewrites[week] = self._search_rewrites.get(week, 0) + 1

    def _cache_search(self, week: str, blob: str) -> None:
        self._search_cache[week] = blob
        total = sum(len(b) for b in self._search_cache.values())
        while total > self.search_cache_chars and len(self._search_cache) > 1:
            total -= len(self._search_cache.popitem(last=False)[1])

    async def _search_blob_off_loop(self, week: str) -> str:
        """``_search_blob``, with a search file that is not in memory read in a thread."""
        if week in self._search_cache or week not in self._disk_weeks:
            return self._search_blob(week)
        rewrites = self._search_rewrites.get(week, 0)
        blob = await asyncio.to_thread(parts.read_search, self.weeks_dir, week)
        if not blob or self._search_rewrites.get(week, 0) != rewrites:
            return self._search_blob(week)  # to rebuild, or rewritten meanwhile: as before
        if week not in self._search_cache:
            self._cache_search(week, blob)
        return blob

    def _search_words(self, guild_id: str, query: str, limit: int) -> list[str]:
        """The folded words of ``query``; none when there is nothing to search."""
        if limit <= 0 or guild_id not in self.index.post:
            return []
        return fold(query).split()

    def _search_weeks(self, words: list[str]) -> list[str]:
        # Weeks partition event_time, so the newest weeks hold the newest matches.
        return sorted(self.index.week_ids, reverse=True) if words else []

    def search(self, guild_id: str, query: str, *, limit: int = 10) -> list[Article]:
        """The guild's articles whose title and summary contain every word of ``query``
        (accents and case folded), newest first."""
        guild_id = str(guild_id)
        words = self._search_words(guild_id, query, limit)
        found: list[str] = []
        for week in self._search_weeks(words):
            pending = self._pending.get(week, {})
            hits = _scan_blob(self._search_blob(week), words)
            found.extend(self._week_matches(week, guild_id, words, hits, pending))
            if len(found) >= limit:
                break
        return self._articles(found[:limit], guild_id)

    async def search_off_loop(self, guild_id: str, query: str, *, limit: int = 10) -> list[Article]:
        """``search``, with each big week's search file read and scanned in a thread: at a
        million articles a word that matches nothing scans ~1 s of text, which on the
        event loop would stall every other command (``str.find`` holds the GIL for one
        week's file at a time, tens of ms at most)."""
        guild_id = str(guild_id)
        words = self._search_words(guild_id, query, limit)
        found: list[str] = []
        for week in self._search_weeks(words):
            blob = await self._search_blob_off_loop(week)
            # the unwritten changes as they are now: a compaction during the scan moves
            # them into the file this blob predates
            pending = dict(self._pending.get(week, {}))
            if len(blob) > SCAN_IN_THREAD_CHARS:
                hits = await asyncio.to_thread(_scan_blob, blob, words)
            else:
                hits = _scan_blob(blob, words)
            found.extend(self._week_matches(week, guild_id, words, hits, pending))
            if len(found) >= limit:
                break
        return self._articles(found[:limit], guild_id)

    def _week_matches(
        self,
        week: str,
        guild_id: str,
        words: list[str],
        hits: list[str],
        pending: dict[str, Doc | None],
    ) -> list[str]:
        """The guild's matches in one week, newest first: the search file's ``hits`` that
        no unwritten change replaced, and the unwritten documents that match."""
        found = [i for i in hits if i not in pending]
        for article_id, doc in pending.items():
            if doc is not None:
                text = parts.search_text(doc)
                if all(word in text for word in words):
                    found.append(article_id)
        matched = []
        for article_id in found:
            entry = self.index.entry(article_id, keep=False)
            if entry is not None and entry.week == week and guild_id in entry.guilds:
                matched.append((entry.t, article_id))
        matched.sort(reverse=True)
        return [article_id for _, article_id in matched]

    def stats(self, guild_id: str | None = None) -> dict[str, Any]:
        """Counts for ``newsbot stats`` and the bot's status command."""
        index = self.index
        if guild_id is None:
            articles = len(index)
            countries = {c for g in index.post.values() for c in g.get("country", {})}
            persons = {p for g in index.post.values() for p in g.get("person", {})}
        else:
            all_postings = index.postings(str(guild_id), "all")
            articles = 0 if all_postings is None else len(all_postings)
            countries = set(index.keys_of(str(guild_id), "country"))
            persons = set(index.keys_of(str(guild_id), "person"))
        journal = self._journal
        return {
            "directory": str(self.directory),
            "guild": guild_id,
            "articles": articles,
            "guilds": len(index.post),
            "countries": len(countries),
            "persons": len(persons),
            "weeks": len(index.week_ids),
            "partitions": len(self._disk_weeks),
            "loaded_partitions": len(self._loaded),
            "pending_changes": sum(len(c) for c in self._pending.values()),
            "journal_bytes": journal.size_on_disk() if journal else 0,
            "journal_segment": journal.number if journal else None,
            "compactions": self.compactions,
        }
