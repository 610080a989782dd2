"""Look-ups over one text that the finders repeat for every mention, each answered without
reading the whole text again: a long page has thousands of mentions, and spaCy rebuilds
``doc.text`` and ``doc.ents`` at every access."""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span


def covering(ents: Sequence[Span], start: int, end: int) -> list[Span]:
    """The entities (in text order, as spaCy keeps them: they never overlap) that overlap
    the characters ``start:end``."""
    at = bisect_right(ents, start, key=lambda e: e.end_char)  # the first ending after start
    over = []
    while at < len(ents) and ents[at].start_char < end:
        over.append(ents[at])
        at += 1
    return over


class _WordCounts(threading.local):
    """Per thread: how often words occur in the text being read (the finders ask about the
    same words for every mention, and a long page has thousands)."""

    text: str | None = None
    counts: dict[str, int]


_word_counts = _WordCounts()


def count_word(word: str, text: str) -> int:
    """How many times ``word`` is written in ``text`` as a whole word, case as given."""
    memo = _word_counts
    if memo.text is not text:
        memo.text, memo.counts = text, {}
    count = memo.counts.get(word)
    if count is None:
        count = memo.counts[word] = len(re.findall(r"\b" + re.escape(word) + r"\b", text))
    return count


@dataclass(frozen=True, slots=True)
class Spans:
    """Character spans sorted by start, with the furthest end reached up to each."""

    starts: list[int]
    reach: list[int]


def spans_by_start(spans: Iterable[tuple[int, int]]) -> Spans:
    """The spans ready for ``inside``."""
    ordered = sorted(spans)
    reach: list[int] = []
    for _, end in ordered:
        reach.append(max(end, reach[-1]) if reach else end)
    return Spans([start for start, _ in ordered], reach)


def inside(spans: Spans, start: int, end: int) -> bool:
    """Whether some span holds all of ``start:end``."""
    at = bisect_right(spans.starts, start)
    return at > 0 and spans.reach[at - 1] >= end
