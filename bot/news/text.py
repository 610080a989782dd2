"""Text from the web made plain: one line, no control characters, a bounded length, and
links that are http(s) and cannot break out of whatever wraps them.

Nothing here knows Discord; its markdown and mention escaping is ``bot/ui/text.py``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

ELLIPSIS = "…"

_SPACE_RE = re.compile(r"\s+")
# Control characters and the bidi overrides that can make a line read backwards.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
# Characters that would end a markdown link or an autolink early, or split a URL.
_URL_UNSAFE = set(" ()<>[]{}\"'`|\\^") | {chr(c) for c in range(0x21)} | {"\x7f"}
MAX_URL_LENGTH = 512


def one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines included) into one space; drop controls."""
    return _SPACE_RE.sub(" ", _CONTROL_RE.sub("", text or "")).strip()


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis.

    Call it on raw text *before* ``escape_markdown``: cutting escaped text could split a
    backslash from the character it escapes.
    """
    text = one_line(text)
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-—") + ELLIPSIS


def safe_url(url: str | None) -> str | None:
    """An http(s) URL that is safe inside ``[text](url)``, or ``None`` if there is none.

    Unsafe characters are percent-encoded (so the URL still leads to the same page);
    other schemes (``javascript:``, ``data:``), missing hosts and URLs longer than
    ``MAX_URL_LENGTH`` give ``None`` and the item is shown without a link.
    """
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            host = parts.hostname.encode("idna").decode("ascii")
        except UnicodeError:
            return None
        netloc = host if parts.port is None else f"{host}:{parts.port}"
    if any(ch in _URL_UNSAFE for ch in netloc) or "@" in netloc:
        # A userinfo part ("user@host") is a classic way to disguise where a link goes.
        return None
    rebuilt = urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            _encode_unsafe(parts.path),
            _encode_unsafe(parts.query),
            _encode_unsafe(parts.fragment),
        )
    )
    return rebuilt if len(rebuilt) <= MAX_URL_LENGTH else None


def _encode_unsafe(part: str) -> str:
    out = []
    for ch in part:
        if ch in _URL_UNSAFE or not ch.isascii():
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)
