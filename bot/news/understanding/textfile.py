"""Local article files: ``.txt`` (optionally starting ``date YYYY-MM-DD``), ``.html``, ``.html.gz``.

Reading is I/O and happens in the main process (bounded in size, gzip bombs included);
parsing plain text is cheap and pure, so the worker and the tests call it directly.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.news.errors import NewsError
from bot.news.understanding.extract import Extracted, first_sentence

# "date 2025-06-09" as the first line, or as a prefix of the first line (the seed
# article has " date 2025-06-09 The Ecuadorian ...": the text follows on the same line).
_DATE_PREFIX = re.compile(r"\A\s*date[:\s]\s*(\d{4}-\d{2}-\d{2})\b[ \t]*(?:\r?\n)?", re.IGNORECASE)

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


class LocalFileError(NewsError):
    """A local file that cannot be used; ``kind`` is "not_found", "too_large" or "bad_file"."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message, kind=kind)


@dataclass(slots=True)
class LocalFile:
    path: Path
    kind: str  # "text" or "html"
    content: bytes


def looks_like_path(source: str) -> bool:
    """True for things that are not http(s) URLs (plain paths, ``file:`` names)."""
    lowered = source.strip().lower()
    return not (lowered.startswith("http://") or lowered.startswith("https://") or "://" in lowered)


def read_local(path: Path, max_bytes: int) -> LocalFile:
    """Read an article file, refusing anything larger than ``max_bytes`` (also once unzipped)."""
    name = path.name.lower()
    if name.endswith(TEXT_SUFFIXES):
        kind = "text"
    elif name.endswith(HTML_SUFFIXES):
        kind = "html"
    else:
        raise LocalFileError(
            "bad_file", f"{path.name}: only .txt, .html and .html.gz files can be read."
        )
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LocalFileError("too_large", f"{path.name} is larger than {max_bytes} bytes.")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LocalFileError("not_found", f"File not found: {path}.") from None
    except IsADirectoryError:
        raise LocalFileError("bad_file", f"{path} is a folder, not a file.") from None
    except OSError as exc:
        raise LocalFileError("bad_file", f"Cannot read {path}: {exc.strerror}.") from None
    if name.endswith(".gz"):
        raw = _gunzip(raw, max_bytes, path.name)
    return LocalFile(path=path, kind=kind, content=raw)


def _gunzip(raw: bytes, max_bytes: int, name: str) -> bytes:
    decomp = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = decomp.decompress(raw, max_bytes + 1)
    except zlib.error:
        raise LocalFileError("bad_file", f"{name} is not a valid gzip file.") from None
    if len(out) > max_bytes or decomp.unconsumed_tail:
        raise LocalFileError("too_large", f"{name} unzips to more than {max_bytes} bytes.")
    return out


def decode_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Latin-1 rather than an error."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_text_article(text: str) -> Extracted:
    """A plain-text article: optional ``date YYYY-MM-DD`` prefix, then the text.

    The title is the first line (or its first sentence when the line is a paragraph)."""
    published = None
    match = _DATE_PREFIX.match(text)
    if match:
        try:
            published = date.fromisoformat(match.group(1)).isoformat()
            text = text[match.end() :]
        except ValueError:  # "date 2025-13-40": not a date, keep it as text
            published = None
    lines = [" ".join(line.split()) for line in text.splitlines()]
    body = "\n".join(line for line in lines if line)
    return Extracted(
        title=first_sentence(body),
        text=body,
        published=published,
        site="",
        canonical_url=None,
        language=None,
        method="text",
    )
