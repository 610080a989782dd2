"""TinyDB ``Storage`` classes of ours: orjson, atomic replace, damage set aside.

Stock ``JSONStorage`` rewrites its file in place and truncates afterwards (a process
killed while the file shrinks leaves it corrupt), re-parses it on every read, and takes
an empty file for an empty database. ``AtomicJSONStorage`` writes a temp file, fsyncs
it, ``os.replace``s it over the target and fsyncs the folder, and keeps the same bytes
in ``<name>.copy``. On open, a file that is empty, not JSON or not a TinyDB database is
damage: it is set aside (``<name>.damaged-<time>``), logged, and the copy is used; a
damaged copy is set aside, logged and rewritten from the file.

The files stay plain TinyDB databases: stock ``TinyDB(path)`` shows their documents.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from bot.news.atomic import (
    TEMP_SUFFIX,
    clean_temp_files,
    fsync_dir,
    set_aside,
    write_atomic,
)

log = logging.getLogger(__name__)

COPY_SUFFIX = ".copy"
LEGACY_PREV_SUFFIX = ".prev"  # older versions kept the replaced version under this name
Data = dict[str, dict[str, Any]]


class Damaged(ValueError):
    """A data file that cannot be read as a TinyDB database."""


def parse_database(raw: bytes) -> Data:
    """A TinyDB file's tables; ``Damaged`` when it is empty, not JSON or not tables."""
    if not raw.strip():
        raise Damaged("the file is empty")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Damaged(f"invalid JSON ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise Damaged("not a TinyDB database (tables of documents)")
    return data


def copy_path(path: Path) -> Path:
    return path.with_name(path.name + COPY_SUFFIX)


def _legacy_prev_path(path: Path) -> Path:
    return path.with_name(path.name + LEGACY_PREV_SUFFIX)


def _write_synced(path: Path, payload: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(payload)
        fh.flush()
        os.fsync(fh.fileno())


def write_with_copy(path: Path, payload: bytes) -> None:
    """Replace ``path`` and its copy (``<name>.copy``) atomically and durably.

    The atomic replace only protects against a crash mid-write; a file damaged later (a
    disk, a hand edit, a truncating tool) would take the last acknowledged change with it
    if the only other version were the one before. So the newest bytes are kept twice.
    ``path`` is replaced first: a crash between the two replaces leaves ``path`` newest and
    whole, and the copy is brought up to date at the next start."""
    pid = os.getpid()
    tmp = path.with_name(f"{path.name}.{pid}{TEMP_SUFFIX}")
    tmp_copy = path.with_name(f"{path.name}{COPY_SUFFIX}.{pid}{TEMP_SUFFIX}")
    _write_synced(tmp, payload)
    _write_synced(tmp_copy, payload)
    os.replace(tmp, path)
    os.replace(tmp_copy, copy_path(path))
    fsync_dir(path.parent)


class _Version:
    """One version of a settings file as found on disk."""

    def __init__(self, path: Path) -> None:
        self.data: Data | None = None
        self.raw = b""
        self.damaged = False
        try:
            self.raw = path.read_bytes()
        except FileNotFoundError:
            return
        try:
            self.data = parse_database(self.raw)
        except Damaged as exc:
            self.damaged = True
            set_aside(path, str(exc))


def check_copy(path: Path, raw: bytes) -> None:
    """At start-up: make ``<name>.copy`` hold what ``path`` holds (``raw``). A damaged copy
    is set aside and logged; a missing or older one (a crash between the two replaces) is
    rewritten. Only the copy is written, never ``path``: another process may be writing
    beside this one, and the file it replaced last is the newest."""
    copy = copy_path(path)
    kept = _Version(copy)
    if kept.raw != raw:
        if not kept.damaged:
            log.info("%s: bringing its copy %s up to date", path.name, copy.name)
        write_atomic(copy, raw)
    _legacy_prev_path(path).unlink(missing_ok=True)  # superseded by the copy


def load_database(path: Path, *, startup: bool = False) -> Data | None:
    """The file's tables; None when neither it nor its copy exists. A damaged file is set
    aside and its copy (the same newest version) read instead; ``startup`` also checks the
    copy and repairs it."""
    found = _Version(path)
    if found.data is not None:
        if startup:
            check_copy(path, found.raw)
        return found.data
    for other, what in (
        (copy_path(path), "its copy (nothing lost)"),
        (_legacy_prev_path(path), "the previous version (the last change is lost)"),
    ):
        kept = _Version(other)
        if kept.data is not None:
            state = "is damaged" if found.damaged else "is missing"
            log.warning("%s %s: recovered from %s, %s", path.name, state, other.name, what)
            write_with_copy(path, kept.raw)
            _legacy_prev_path(path).unlink(missing_ok=True)  # superseded by the copy
            return kept.data
    if found.damaged:
        log.warning("%s: no copy to recover from; starting empty", path.name)
    return None


class AtomicJSONStorage(Storage):
    """TinyDB storage for small files (settings, feeds, claims): each write rewrites the
    whole file, durable when ``write`` returns.

    The last written bytes are kept in memory, so a read never touches the disk, and a
    failed write never leaves a half-changed copy behind (TinyDB mutates what ``read``
    returns).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        clean_temp_files(self.path.parent, self.path.name)
        data = load_database(self.path, startup=True)
        self._raw: bytes | None = None if data is None else orjson.dumps(data)

    def read(self) -> dict[str, Any] | None:
        return None if self._raw is None else orjson.loads(self._raw)

    def write(self, data: dict[str, Any]) -> None:
        raw = orjson.dumps(data)
        write_with_copy(self.path, raw)
        self._raw = raw

    def close(self) -> None:
        pass


class SharedFileStorage(AtomicJSONStorage):
    """``AtomicJSONStorage`` that notices when another process replaced the file.

    Every write is an ``os.replace``, so a changed (inode, mtime, size) means new content;
    a read re-loads the file only then. The converse does not hold: a freed inode number is
    soon handed out again, the clock behind mtime ticks every few milliseconds, and two
    versions can have one size. So a read-modify-write, under the lock, reads the file
    whatever its signature (``refresh(force=True)``). ``generation`` counts the versions
    seen, for parsed caches.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path)
        self._signature = self._stat()
        self.generation = 0

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def refresh(self, *, force: bool = False) -> bool:
        """Re-load the file when another process replaced it (``force``: read it even when
        its signature is unchanged); whether what it holds changed."""
        # the signature from before the read: a replace during the read changes it again,
        # so the next refresh reads the newer version rather than trusting this one
        signature = self._stat()
        if signature == self._signature and not force:
            return False
        data = load_database(self.path)
        raw = None if data is None else orjson.dumps(data)
        self._signature = signature
        if raw == self._raw:
            return False
        self._raw = raw
        self.generation += 1
        return True

    def read(self) -> dict[str, Any] | None:
        self.refresh()
        return super().read()

    def write(self, data: dict[str, Any]) -> None:
        super().write(data)
        self._signature = self._stat()
        self.generation += 1


class LineStorage(Storage):
    """TinyDB storage for the article store's week files: written whole (atomic, durable),
    one document per line, each document's byte range recorded.

    ``locations[table][doc_id] = (offset, length)`` after a write lets the store read one
    document with a ``pread`` instead of parsing its week (``read_document``). With
    ``fresh=True`` the file is being replaced whole: ``read`` does not parse the old one.
    Reads parse the whole file; a damaged file raises ``Damaged`` (the caller sets it aside
    and salvages what it can with ``salvage``).
    """

    def __init__(self, path: str | os.PathLike[str], *, fresh: bool = False) -> None:
        self.path = Path(path)
        self.fresh = fresh
        self.locations: dict[str, dict[str, tuple[int, int]]] = {}
        self.written = b""  # the bytes of the last write (the week's copy is made from them)

    def read(self) -> dict[str, Any] | None:
        if self.fresh:
            return None
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        return parse_database(raw)

    def write(self, data: dict[str, Any]) -> None:
        payload, self.locations = encode_lines(data)
        write_atomic(self.path, payload)
        self.written = payload

    def close(self) -> None:
        pass


def encode_lines(data: dict[str, Any]) -> tuple[bytes, dict[str, dict[str, tuple[int, int]]]]:
    """TinyDB's tables as JSON with one document per line, and where each document is."""
    chunks = [b"{"]
    pos = 1
    locations: dict[str, dict[str, tuple[int, int]]] = {}
    for t, (table, docs) in enumerate(data.items()):
        head = b"%s\n%s: {" % (b"," if t else b"", orjson.dumps(table))
        chunks.append(head)
        pos += len(head)
        where = locations[table] = {}
        for d, (doc_id, doc) in enumerate(docs.items()):
            key = b"%s\n%s: " % (b"," if d else b"", orjson.dumps(str(doc_id)))
            raw = orjson.dumps(doc)
            where[str(doc_id)] = (pos + len(key), len(raw))
            chunks += (key, raw)
            pos += len(key) + len(raw)
        chunks.append(b"\n}")
        pos += 2
    chunks.append(b"}\n")
    return b"".join(chunks), locations


def read_document(fd: int, offset: int, length: int) -> dict[str, Any] | None:
    """One document of a ``LineStorage`` file at its recorded place; None when the file
    no longer holds a document there."""
    try:
        doc = orjson.loads(os.pread(fd, length, offset))
    except (OSError, orjson.JSONDecodeError):
        return None
    return doc if isinstance(doc, dict) else None


def salvage(raw: bytes) -> list[dict[str, Any]]:
    """The documents still readable in a damaged ``LineStorage`` file (truncated, or with
    damaged lines): each line holds one whole document, so the others are kept."""
    found = []
    for line in raw.split(b"\n"):
        start = line.find(b'": {')
        if not line.startswith(b'"') or start == -1:
            continue
        body = line[start + 3 :].rstrip(b",")
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError:
            continue
        if isinstance(doc, dict):
            found.append(doc)
    return found
