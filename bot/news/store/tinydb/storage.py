"""TinyDB ``Storage`` classes of ours: orjson, atomic replace, damage set aside.

Stock ``JSONStorage`` rewrites its file in place and truncates afterwards (a process
killed while the file shrinks leaves it corrupt), re-parses it on every read, and takes
an empty file for an empty database. ``AtomicJSONStorage`` writes a temp file, fsyncs
it, ``os.replace``s it over the target and fsyncs the folder; before that it keeps the
version it replaces as ``<name>.prev`` (a hard link, no copy). On open, a file that is
empty, not JSON or not a TinyDB database is damage: it is set aside
(``<name>.damaged-<time>``), logged, and the previous version is used when it reads.

The files stay plain TinyDB databases: stock ``TinyDB(path)`` shows their documents.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from bot.news.atomic import clean_temp_files, fsync_dir, set_aside, write_atomic

log = logging.getLogger(__name__)

PREV_SUFFIX = ".prev"
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


def prev_path(path: Path) -> Path:
    return path.with_name(path.name + PREV_SUFFIX)


def write_keeping_previous(path: Path, payload: bytes) -> None:
    """Replace ``path`` atomically and durably, keeping the replaced version as ``.prev``."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp-newsbot")
    with open(tmp, "wb") as fh:
        fh.write(payload)
        fh.flush()
        os.fsync(fh.fileno())
    if path.exists():
        link = path.with_name(f"{path.name}.prev.{os.getpid()}.tmp-newsbot")
        link.unlink(missing_ok=True)
        os.link(path, link)  # the same inode: the old bytes, untouched by the replace
        os.replace(link, prev_path(path))
    os.replace(tmp, path)
    fsync_dir(path.parent)


def load_database(path: Path) -> Data | None:
    """The file's tables; None when it does not exist. A damaged file is set aside and
    the previous version (``.prev``) read instead, when there is a good one."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return parse_database(raw)
    except Damaged as exc:
        set_aside(path, str(exc))
    prev = prev_path(path)
    try:
        data = parse_database(prev.read_bytes())
    except FileNotFoundError:
        log.warning("%s: no previous version to recover from; starting empty", path.name)
        return None
    except Damaged as exc:
        log.warning("%s: the previous version is damaged too (%s); starting empty", path.name, exc)
        return None
    log.warning(
        "%s: recovered the previous version (%s); the last change before the damage is lost",
        path.name,
        prev.name,
    )
    write_keeping_previous(path, orjson.dumps(data))
    return data


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
        data = load_database(self.path)
        self._raw: bytes | None = None if data is None else orjson.dumps(data)

    def read(self) -> dict[str, Any] | None:
        return None if self._raw is None else orjson.loads(self._raw)

    def write(self, data: dict[str, Any]) -> None:
        raw = orjson.dumps(data)
        write_keeping_previous(self.path, raw)
        self._raw = raw

    def close(self) -> None:
        pass


class SharedFileStorage(AtomicJSONStorage):
    """``AtomicJSONStorage`` that notices when another process replaced the file.

    Every write is an ``os.replace``, so a new inode means new content; a read re-loads
    the file only then. ``generation`` counts the versions seen, for parsed caches.
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

    def refresh(self) -> bool:
        signature = self._stat()
        if signature == self._signature:
            return False
        data = load_database(self.path)
        self._raw = None if data is None else orjson.dumps(data)
        self._signature = self._stat()
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
