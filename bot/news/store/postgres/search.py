"""Search on PostgreSQL: folded substrings, found through the GIN index of stored words.

Search matches substrings of the folded title and summary ("cuador" finds "Ecuador"), but
a GIN index over a ``tsvector`` knows whole words. So each query word is first widened to
the stored words that contain it (``search_words``, through its trigram index), and the
article index is asked for any of those; the exact substrings are checked on each
candidate.

Then one of two reads (``search_articles``, migration 0105): when some widened group
matches few enough articles (by the server's statistics, ``WALK_K``), its GIN
matches are read a time window at a time, newest first, the window sized from the
expected number of matches; otherwise the server's articles are read newest first until
enough match, which is fast because many do.

A query made only of parts shorter than three letters ("G7", "EU") is widened too, by
reading the word list (the trigram index cannot help it).

Known weak spot: a query part found inside many stored words (more than ``WIDEN_LIMIT``,
e.g. a 3-digit number among a million numbered titles) narrows nothing, so the server's
articles are read newest first until enough contain it: slow when few do.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import regex

# A query part contained in more stored words than this is common: it narrows nothing,
# so it is left to the exact check on the newest articles. (A tsquery of 1,000 words
# costs the GIN index ~25 ms; of 300, ~7 ms.)
WIDEN_LIMIT = 1000
# Walking the server's newest articles tests ~10 / s of them to find ten matches of a
# group in a share s of the articles (~15 us each); the GIN index returns all s x N
# matches before a window is applied (~0.6 us each, at 1M articles). Walking is the
# cheaper read from s = sqrt(WALK_K / N): 1.7% at 1M articles, 5.5% at 100k.
WALK_K = 300.0
# How long the word frequencies from the server's statistics are trusted.
STATS_TTL = 600.0
# Parts shorter than a trigram cannot use the trigram index: with a longer part beside
# them they are left to the exact check.
_MIN_PART = 3
_PARTS = regex.compile(r"[\p{L}\p{N}]+")

_STATS = """
SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples,
       t.histogram_bounds::text::float8[]
FROM pg_class c
LEFT JOIN pg_stats s
  ON s.schemaname = current_schema() AND s.tablename = 'articles' AND s.attname = 'search'
LEFT JOIN pg_stats t
  ON t.schemaname = current_schema() AND t.tablename = 'articles' AND t.attname = 'event_time'
WHERE c.oid = 'articles'::regclass
"""


@dataclass
class WordFrequencies:
    """The share of articles holding each common word, from ``ANALYZE``'s statistics.

    A word missing from them is rarer than every word listed (ANALYZE keeps the most
    common ones), so it holds at most the least listed share (``floor``)."""

    rows: float = 0.0
    share: dict[str, float] = field(default_factory=dict)
    floor: float = 0.0
    # event_time at equal steps through the articles, oldest first (ANALYZE's histogram)
    times: list[float] = field(default_factory=list)
    read_at: float = -STATS_TTL

    async def refresh(self, conn: Any) -> None:
        if time.monotonic() - self.read_at < STATS_TTL:
            return
        found = await conn.fetchrow(_STATS)
        words, shares, rows, times = found if found is not None else (None, None, 0.0, None)
        self.rows = max(float(rows or 0.0), 0.0)
        self.times = list(times or [])
        self.share = dict(zip(words or [], shares or [], strict=False))
        self.floor = min(self.share.values(), default=0.0)
        self.read_at = time.monotonic()

    def common(self, words: list[str]) -> bool:
        """Whether the listed words alone put ``words`` in enough articles that walking
        the newest finds matches sooner than the GIN index (unlisted ones count 0: a
        number or a name is rarely common, and a wrong guess costs a few windows)."""
        listed = sum(self.share.get(w, 0.0) for w in words)
        return self.rows > 0 and listed >= math.sqrt(WALK_K / self.rows)

    def articles(self, words: list[str]) -> float:
        """How many articles hold any of ``words``, at most; 0 when none is listed (then
        they are rare, but how rare the statistics cannot say: the search counts)."""
        if not any(w in self.share for w in words):
            return 0.0
        return self.rows * min(1.0, sum(self.share.get(w, self.floor) for w in words))


@dataclass(frozen=True)
class Query:
    """The tsquery texts for one search: the whole one and its rare groups ('' = none),
    and how many articles the rare groups may match (at most; 0 = unknown, few)."""

    whole: str
    few: str
    expected: float = 0.0


async def widened_query(conn: Any, words: list[str], freq: WordFrequencies) -> Query | None:
    """The tsqueries for articles that may contain every folded query word.

    Each run of letters and digits in a word must sit inside one stored word, so it is
    widened to the stored words containing it (``'ecuador' | 'ecuadorian'``); the caller
    checks the exact substrings. ``whole`` is empty when no part narrows anything; None
    when some part is in no stored word (nothing can match)."""
    every = list(dict.fromkeys(p for w in words for p in _PARTS.findall(w)))
    parts = [p for p in every if len(p) >= _MIN_PART]
    if not parts:
        # Only short parts ("g7", "eu"): the trigram index cannot help them, so their LIKE
        # reads the word list itself, which stops at WIDEN_LIMIT words for a common part
        # and is far shorter than the server's articles for a rare one.
        parts = every
    if not parts:
        return Query("", "", 0.0)
    # One statement with each pattern as a parameter: the planner sees every pattern and
    # uses the trigram index for each.
    union = " UNION ALL ".join(
        f"(SELECT {n}, word FROM search_words WHERE word LIKE ${n + 1} LIMIT {WIDEN_LIMIT + 1})"
        for n in range(len(parts))
    )
    widened: dict[int, list[str]] = {n: [] for n in range(len(parts))}
    for n, word in await conn.fetch(union, *(f"%{p}%" for p in parts)):
        widened[n].append(word)
    groups, few, expected = [], [], []
    for found in widened.values():
        if not found:
            return None
        if len(found) <= WIDEN_LIMIT:
            group = "(" + " | ".join(_lexeme(w) for w in sorted(found)) + ")"
            groups.append(group)
            if not freq.common(found):
                few.append(group)
                expected.append(freq.articles(found))
    return Query(" & ".join(groups), " & ".join(few), min(expected, default=0.0))


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


async def search_rows(
    conn: Any, guild: str, query: Query, words: list[str], limit: int, freq: WordFrequencies
) -> list[Any]:
    """Rows ``(id, doc, linked_at)`` of the server's newest ``limit`` matching articles."""
    return await conn.fetch(
        "SELECT id, doc, linked_at FROM search_articles($1, $2, $3, $4, $5, $6, $7)",
        guild,
        query.whole,
        query.few,
        words,
        limit,
        query.expected,
        freq.times,
    )
