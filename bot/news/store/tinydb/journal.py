"""The write-ahead journal: an add is durable once its line is appended and fsynced.

Rewriting a TinyDB file per add costs a whole-file write; appending one line and one
fsync is the physical minimum. Lines are ``<crc32 hex> <json>\\n`` so that a tail torn by
a crash (or power loss) is recognised and dropped, never the records before it.
Concurrent appends share one fsync (group commit). The journal is split into numbered
segments: the store folds a closed segment into the partition files, then deletes it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from bot.news.atomic import fsync_dir
from bot.news.store.migrations import ARTICLE_SCHEMA_VERSION

log = logging.getLogger(__name__)

SEGMENT_RE = re.compile(r"^journal-(\d{6})\.log$")
_sync = getattr(os, "fdatasync", os.fsync)  # the data and the length, not the mtime


def segment_path(directory: Path, number: int) -> Path:
    return directory / f"journal-{number:06d}.log"


def encode(record: dict[str, Any]) -> bytes:
    payload = orjson.dumps(record)  # orjson never emits a raw newline
    return b"%08x %s\n" % (zlib.crc32(payload), payload)


def _decode(line: bytes) -> dict[str, Any] | None:
    if len(line) < 10 or line[8:9] != b" ":
        return None
    payload = line[9:]
    try:
        if int(line[:8], 16) != zlib.crc32(payload):
            return None
        record = orjson.loads(payload)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def read_segment(path: Path) -> Iterator[dict[str, Any]]:
    """The valid records of one segment, in order; a torn tail is logged and dropped."""
    raw = path.read_bytes()
    pos = 0
    while pos < len(raw):
        end = raw.find(b"\n", pos)
        if end == -1:
            log.warning(
                "journal %s: dropped a torn tail of %d bytes at offset %d (a write cut by a crash)",
                path.name, len(raw) - pos, pos,
            )  # fmt: skip
            return
        record = _decode(raw[pos:end])
        if record is None:
            where = "tail" if end + 1 >= len(raw) else "record"
            log.error(
                "journal %s: skipped a damaged %s at offset %d (%d bytes)",
                path.name, where, pos, end - pos,
            )  # fmt: skip
        elif record.get("op") == "hdr":
            version = record.get("schema_version", 1)
            if version > ARTICLE_SCHEMA_VERSION:
                raise ValueError(f"{path.name}: schema_version {version} is newer than this code")
        else:
            yield record
        pos = end + 1


def segments(directory: Path) -> list[tuple[int, Path]]:
    found = []
    for path in directory.iterdir():
        match = SEGMENT_RE.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def _append_sync(fh: BinaryIO, data: bytes) -> None:
    fh.write(data)
    fh.flush()
    _sync(fh.fileno())


def _open_segment_sync(directory: Path, number: int) -> BinaryIO:
    path = segment_path(directory, number)
    fh = open(path, "ab")  # noqa: SIM115 - lives as long as the segment
    if fh.tell() == 0:
        fh.write(encode({"op": "hdr", "schema_version": ARTICLE_SCHEMA_VERSION}))
    return fh  # synced (file and directory entry) with its first records


class Journal:
    """Append-only, group-committed segments in ``directory``."""

    def __init__(self, directory: Path, number: int) -> None:
        self.directory = directory
        self.number = number  # the segment new records go to
        self.bytes = 0  # appended to the current segment since it was opened
        self.records = 0
        self.flushes = 0  # fsyncs: fewer than records when adds were grouped
        self._fh: BinaryIO | None = None
        self._lock = asyncio.Lock()  # one writer at a time; rotation waits for it
        self._buf: list[bytes] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._new_segment = True  # its directory entry is not synced yet

    @classmethod
    async def open(cls, directory: Path, number: int) -> Journal:
        journal = cls(directory, number)
        journal._fh = await asyncio.to_thread(_open_segment_sync, directory, number)
        return journal

    async def append(self, record: dict[str, Any]) -> None:
        """Append one record; return once it (and everything before it) is on disk."""
        line = encode(record)
        fut = asyncio.get_running_loop().create_future()
        self._buf.append(line)
        self._waiters.append(fut)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all())
        # Shielded: a cancelled caller does not cancel the write of a record already applied.
        await asyncio.shield(fut)

    async def sync(self) -> None:
        """Wait until every record appended so far is on disk."""
        while self._flusher is not None and not self._flusher.done():
            await asyncio.shield(self._flusher)

    async def _flush_all(self) -> None:
        while self._buf:
            async with self._lock:
                buf, waiters = self._buf, self._waiters
                self._buf, self._waiters = [], []
                data = b"".join(buf)
                try:
                    if self._fh is None:
                        raise RuntimeError("the journal is closed")
                    await asyncio.to_thread(_append_sync, self._fh, data)
                    if self._new_segment:  # the name must survive a crash with the records
                        await asyncio.to_thread(fsync_dir, self.directory)
                        self._new_segment = False
                except Exception as exc:
                    log.exception("journal %s: write failed", self.number)
                    for fut in waiters:
                        if not fut.done():
                            fut.set_exception(exc)
                    continue
                self.bytes += len(data)
                self.records += len(buf)
                self.flushes += 1
                for fut in waiters:
                    if not fut.done():
                        fut.set_result(None)

    async def rotate(self) -> int:
        """Start a new segment; return the number of the last closed one."""
        async with self._lock:
            old = self._fh
            closed = self.number
            self._fh = await asyncio.to_thread(_open_segment_sync, self.directory, closed + 1)
            self.number = closed + 1
            self._new_segment = True
            self.bytes = self.records = 0
            if old is not None:
                old.close()
            return closed

    def remove_through(self, number: int) -> None:
        """Delete the segments up to ``number``: their records are in the partition files."""
        for n, path in segments(self.directory):
            if n <= number:
                path.unlink(missing_ok=True)

    async def close(self) -> None:
        await self.sync()
        async with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None

    def size_on_disk(self) -> int:
        return sum(path.stat().st_size for _, path in segments(self.directory))
