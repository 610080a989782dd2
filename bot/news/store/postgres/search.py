"""Search on PostgreSQL: folded substrings, found through the GIN index of stored words.

Search matches substrings of the folded title and summary ("cuador" finds "Ecuador"), but
a GIN index over a ``tsvector`` knows whole words. So each query word is first widened to
the stored words that contain it (``search_words``, through its trigram index), and the
article index is asked for any of those; the exact substrings are checked on each
candidate.

Then one of two reads (``search_articles``, migrations 0101 and 0103): the widened groups the
server's statistics call rare (``WordFrequencies.few_limit``) are fetched through
the GIN index and sorted by time; without such a group, the server's articles are read
newest first until enough match, which is fast because many do.

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
# Reading M matching articles through the GIN index costs about as much per article as
# walking one of the server's links (~10 us each); walking needs ~10 x N / M links to
# find ten of M matches among N. The two meet at M = sqrt(10 N): a group expected in
# fewer articles than that is read through the GIN index (``few_limit``).
_WALK_FACTOR = 10.0
_MIN_FEW = 200
# How long the word frequencies from the server's statistics are trusted.
STATS_TTL = 600.0
# Parts shorter than a trigram cannot use the trigram index; they are common anyway.
_MIN_PART = 3
_PARTS = regex.compile(r"[\p{L}\p{N}]+")

_STATS = """
SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples
FROM pg_class c LEFT JOIN pg_stats s
  ON s.schemaname = current_schema() AND s.tablename = 'articles' AND s.attname = 'search'
WHERE c.oid = 'articles'::regclass
"""


@dataclass
class WordFrequencies:
    """The share of articles holding each common word, from ``ANALYZE``'s statistics.

    A word missing from them is rarer than every word listed (ANALYZE keeps the most
    common ones), and counts as rare here: a wrong guess costs one capped GIN read."""

    rows: float = 0.0
    share: dict[str, float] = field(default_factory=dict)
    read_at: float = -STATS_TTL

    async def refresh(self, conn: Any) -> None:
        if time.monotonic() - self.read_at < STATS_TTL:
            return
        found = await conn.fetchrow(_STATS)
        words, shares, rows = found if found is not None else (None, None, 0.0)
        self.rows = max(float(rows or 0.0), 0.0)
        self.share = dict(zip(words or [], shares or [], strict=False))
        self.read_at = time.monotonic()

    def few_limit(self) -> int:
        """How many matching articles still make the GIN index the faster read."""
        return max(_MIN_FEW, int(math.sqrt(_WALK_FACTOR * self.rows)))

    def articles(self, words: list[str]) -> float:
        """How many articles hold any of ``words``, at most (common words only)."""
        return self.rows * min(1.0, sum(self.share.get(w, 0.0) for w in words))


@dataclass(frozen=True)
class Query:
    """The tsquery texts for one search: the whole one and its rare groups ('' = none)."""

    whole: str
    few: str


async def widened_query(conn: Any, words: list[str], freq: WordFrequencies) -> Query | None:
    """The tsqueries for articles that may contain every folded query word.

    Each run of letters and digits in a word must sit inside one stored word, so it is
    widened to the stored words containing it (``'ecuador' | 'ecuadorian'``); the caller
    checks the exact substrings. ``whole`` is empty when no part narrows anything; None
    when some part is in no stored word (nothing can match)."""
    parts = list(dict.fromkeys(p for w in words for p in _PARTS.findall(w) if len(p) >= _MIN_PART))
    if not parts:
        return Query("", "")
    # One statement with each pattern as a parameter: the planner sees every pattern and
    # uses the trigram index for each.
    union = " UNION ALL ".join(
        f"(SELECT {n}, word FROM search_words WHERE word LIKE ${n + 1} LIMIT {WIDEN_LIMIT + 1})"
        for n in range(len(parts))
    )
    widened: dict[int, list[str]] = {n: [] for n in range(len(parts))}
    for n, word in await conn.fetch(union, *(f"%{p}%" for p in parts)):
        widened[n].append(word)
    groups, few = [], []
    for found in widened.values():
        if not found:
            return None
        if len(found) <= WIDEN_LIMIT:
            group = "(" + " | ".join(_lexeme(w) for w in sorted(found)) + ")"
            groups.append(group)
            if freq.articles(found) <= freq.few_limit():
                few.append(group)
    return Query(" & ".join(groups), " & ".join(few))


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


async def search_rows(
    conn: Any, guild: str, query: Query, words: list[str], limit: int, freq: WordFrequencies
) -> list[Any]:
    """Rows ``(id, doc, linked_at)`` of the server's newest ``limit`` matching articles."""
    return await conn.fetch(
        "SELECT id, doc, linked_at FROM search_articles($1, $2, $3, $4, $5, $6)",
        guild,
        query.whole,
        query.few,
        words,
        limit,
        # a group guessed rare (words outside the statistics) may not be: past twice
        # the limit, walking is cheaper than reading the rest
        2 * freq.few_limit(),
    )
