"""Developments: for each entity, the sentence of the article that best says what happened.

The first body sentence that names the entity usually does, unless it is a quotation (a
voice, not an event), a byline or caption fragment; those are passed over when a plain
sentence exists."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from bot.news.model import Development
from bot.news.understanding.entities import Found

MAX_CHARS = 300
_QUOTES = '"“”«»'


def pick_development(found: Found, sentences: Sequence[tuple[int, int, str]]) -> Development:
    """The development of one entity from the text's (start, end, sentence) list."""
    # sentences are in text order and do not overlap: each mention finds its own by bisection
    ends = [end for _, end, _ in sentences]
    hit: set[int] = set()
    for s, e in found.spans:
        index = bisect_right(ends, s)  # the first sentence ending after the mention starts
        while index < len(sentences) and sentences[index][0] < e:
            hit.add(index)
            index += 1
    candidates = [(_penalty(sentences[i][2]) + i * 0.01, i, sentences[i][2]) for i in sorted(hit)]
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
