"""Files sent with a message as Discord takes them: multipart parts ``files[n]`` beside a
``payload_json`` whose ``attachments`` name each upload by ``id: n``.

The bytes are kept so the bot (or a person, with ``--save-attachments``) can read them back;
a PNG's width and height come from its header, as Discord reports them for images.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

FILE_PART = re.compile(r"^files\[(\d+)\]$")
MAX_FILES = 10
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class Upload:
    """One ``files[n]`` part of a multipart request."""

    part: str
    index: int | None  # n of files[n]; None when the part is named otherwise
    filename: str
    data: bytes
    content_type: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)


def part_index(name: str | None) -> int | None:
    match = FILE_PART.match(name or "")
    return int(match.group(1)) if match else None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, read from its IHDR chunk; None for anything else."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def content_type_of(upload: Upload) -> str | None:
    if image_size(upload.data) is not None:
        return "image/png"
    return upload.content_type


def free_name(folder: Path, filename: str) -> Path:
    """``folder/filename``, or ``name-2.ext``, ``name-3.ext``… when taken."""
    safe = Path(filename).name or "file"
    target = folder / safe
    stem, suffix = Path(safe).stem, Path(safe).suffix
    number = 2
    while target.exists():
        target = folder / f"{stem}-{number}{suffix}"
        number += 1
    return target
