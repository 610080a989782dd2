"""The links in what a Discord user typed: a message's text, or a command's argument."""

from __future__ import annotations

import re

MAX_LINKS_PER_MESSAGE = 5
_URL = re.compile(r"https?://[^\s<>\"'`|]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}>*_~"


def find_links(text: str, limit: int = MAX_LINKS_PER_MESSAGE) -> list[str]:
    """The distinct http(s) links in a message, in order, at most ``limit``."""
    found: list[str] = []
    for match in _URL.finditer(text or ""):
        url = match.group(0).rstrip(_TRAILING)
        if url not in found:
            found.append(url)
        if len(found) >= limit:
            break
    return found


def is_web_link(text: str) -> bool:
    # Discord users give links, never paths on the bot's machine
    return bool(re.fullmatch(r"https?://\S+", text.strip(), re.IGNORECASE))
