"""Crash-safe whole-file writes, and setting damaged files aside.

Stock TinyDB ``JSONStorage`` rewrites its file in place and truncates afterwards: a
process killed while the file shrinks leaves it corrupt. Here every write goes to a
temp file in the same directory, is fsynced, ``os.replace``d over the target, and the
directory is fsynced, so the file on disk is always either the old or the new version.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import orjson

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".tmp-newsbot"
DAMAGED_MARK = ".damaged-"


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def writing_atomic(path: Path) -> Iterator[BinaryIO]:
    """A file to write that replaces ``path`` when the block ends without an error (then
    the bytes are durable); on an error ``path`` is left as it was."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        with open(tmp, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_atomic(path: Path, payload: bytes) -> None:
    """Replace ``path`` with ``payload``; after return the bytes are durable."""
    with writing_atomic(path) as fh:
        fh.write(payload)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's live process
        return True
    return True


def clean_temp_files(directory: Path, name: str | None = None) -> list[Path]:
    """Remove temp files left by a process killed mid-write; they are never the only copy.

    Only files of ``name`` (all files when None) whose writer is no longer running are
    removed, so that another live process writing beside us is left alone."""
    removed = []
    pattern = f"{name}.*{TEMP_SUFFIX}" if name else f"*{TEMP_SUFFIX}"
    for leftover in directory.glob(pattern):
        pid_text = leftover.name[: -len(TEMP_SUFFIX)].rsplit(".", 1)[-1]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and _pid_alive(int(pid_text)):
            continue
        try:
            leftover.unlink()
            removed.append(leftover)
        except OSError as exc:  # pragma: no cover - permissions
            log.warning("cannot remove leftover temp file %s: %s", leftover, exc)
    return removed


def set_aside(path: Path, reason: str) -> Path:
    """Rename a damaged file out of the way (never overwrite it) and say so in the log."""
    target = path.with_name(f"{path.name}{DAMAGED_MARK}{time.strftime('%Y%m%dT%H%M%S')}")
    n = 1
    while target.exists():
        target = target.with_name(f"{target.name}.{n}")
        n += 1
    os.replace(path, target)
    log.error("data file %s is unreadable (%s); set aside as %s", path, reason, target.name)
    return target


def read_json_file(path: Path) -> Any | None:
    """Parse a JSON file; a missing or empty file is ``None``; a corrupt one is set aside."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    if not raw.strip():
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        set_aside(path, f"invalid JSON: {exc}")
        return None
