"""Developments: for each entity, the sentence of the article that best says what happened.

The first body sentence that names the entity usually does, unless it is a quotation (a
voice, not an event), a byline or caption fragment; those are passed over when a plain
sentence exists."""

from __future__ import annotations

from collections.abc import Sequence

from bot.news.model import Development
from bot.news.understanding.entities import Found

MAX_CHARS = 300
_QUOTES = '"“”«»'


def pick_development(found: Found, sentences: Sequence[tuple[int, int, str]]) -> Development:
    """The development of one entity from the text's (start, end, sentence) list."""
    candidates: list[tuple[float, int, str]] = []
    for index, (start, end, sentence) in enumerate(sentences):
        if not any(s < end and start < e for s, e in found.spans):
            continue
        candidates.append((_penalty(sentence) + index * 0.01, index, sentence))
    if not candidates:
        return Development(found.kind, found.key, "")
    candidates.sort()
    return Development(found.kind, found.key, trim(candidates[0][2]))


def _penalty(sentence: str) -> float:
    words = sentence.split()
    penalty = 0.0
    if len(words) < 6:
        penalty += 2  # a heading, caption or byline fragment
    quoted = _quoted_share(sentence)
    if quoted > 0.6:
        penalty += 1.5  # mostly somebody talking
    elif quoted > 0.3:
        penalty += 0.5
    if not sentence.rstrip(_QUOTES + "'’)").endswith((".", "!", "?", "…")):
        penalty += 0.5
    return penalty


def _quoted_share(sentence: str) -> float:
    inside = False
    count = 0
    for ch in sentence:
        if ch in "“«" or (ch == '"' and not inside):
            inside = True
        elif ch in "”»" or (ch == '"' and inside):
            inside = False
        elif inside:
            count += 1
    return count / max(1, len(sentence))


def trim(sentence: str, max_chars: int = MAX_CHARS) -> str:
    sentence = " ".join(sentence.split())
    if len(sentence) <= max_chars:
        return sentence
    cut = sentence[: max_chars - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"
