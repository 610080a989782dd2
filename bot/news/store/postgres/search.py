"""Search on PostgreSQL: folded substrings, found through the GIN index of stored words.

Search matches substrings of the folded title and summary ("cuador" finds "Ecuador"), but
a GIN index over a ``tsvector`` knows whole words. So each query word is first widened to
the stored words that contain it (``search_words``, through its trigram index), and the
article index is asked for any of those; the exact substrings are checked on each
candidate.

Which way to look is decided by trying, not by the planner's estimate (an OR of hundreds
of rare words looks common to it): first the server's newest articles (a common word has
its newest matches there), then every article the index names (a rare word has few),
and only when both fail, the server's articles newest first until enough match.
"""

from __future__ import annotations

from typing import Any

import regex

# A query part contained in more stored words than this is common: it narrows nothing,
# so it is left to the exact check on the newest articles.
WIDEN_LIMIT = 2000
# Parts shorter than a trigram cannot use the trigram index; they are common anyway.
_MIN_PART = 3
_PARTS = regex.compile(r"[\p{L}\p{N}]+")


async def widened_query(conn: Any, words: list[str]) -> str | None:
    """A tsquery text for articles that may contain every folded query word.

    Each run of letters and digits in a word must sit inside one stored word, so it is
    widened to the stored words containing it (``'ecuador' | 'ecuadorian'``); the caller
    checks the exact substrings. Empty when no part narrows anything; None when some part
    is in no stored word (nothing can match)."""
    parts = list(dict.fromkeys(p for w in words for p in _PARTS.findall(w) if len(p) >= _MIN_PART))
    if not parts:
        return ""
    # One statement with each pattern as a parameter: the planner sees every pattern and
    # uses the trigram index for each.
    union = " UNION ALL ".join(
        f"(SELECT {n}, word FROM search_words WHERE word LIKE ${n + 1} LIMIT {WIDEN_LIMIT + 1})"
        for n in range(len(parts))
    )
    widened: dict[int, list[str]] = {n: [] for n in range(len(parts))}
    for n, word in await conn.fetch(union, *(f"%{p}%" for p in parts)):
        widened[n].append(word)
    groups = []
    for found in widened.values():
        if not found:
            return None
        if len(found) <= WIDEN_LIMIT:
            groups.append("(" + " | ".join(_lexeme(w) for w in sorted(found)) + ")")
    return " & ".join(groups)


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


# How many of the server's newest articles the first, cheap look reads.
NEWEST_FIRST = 200
# How many index candidates the second look takes before calling the word common.
CANDIDATES = 5000

_MATCHES = (
    "($2 = '' OR a.search @@ $2::tsquery) AND NOT EXISTS "
    "(SELECT 1 FROM unnest($3::text[]) w WHERE strpos(a.search_text, w) = 0)"
)

_NEWEST = f"""
SELECT a.id, a.doc, l.linked_at FROM (
    SELECT article_id, event_time, linked_at FROM article_links WHERE guild_id = $1
    ORDER BY event_time DESC, article_id DESC LIMIT $5
) l JOIN articles a ON a.id = l.article_id
WHERE {_MATCHES}
ORDER BY l.event_time DESC, l.article_id DESC LIMIT $4
"""

# The candidates' links are ordered first (small rows); whole articles are read, and
# their exact substrings checked, only in that order until ``limit`` match.
_CANDIDATES = """
WITH candidates AS MATERIALIZED (
    SELECT id FROM articles WHERE search @@ $2::tsquery LIMIT $5
), linked AS MATERIALIZED (
    -- one primary-key probe per candidate (OFFSET 0 keeps it a probe, not a join
    -- reading every link of the server)
    SELECT l.* FROM candidates c CROSS JOIN LATERAL (
        SELECT article_id, event_time, linked_at FROM article_links
        WHERE guild_id = $1 AND article_id = c.id OFFSET 0
    ) l
)
SELECT a.id, a.doc, o.linked_at, (SELECT count(*) FROM candidates) AS found
FROM (SELECT * FROM linked ORDER BY event_time DESC, article_id DESC) o
CROSS JOIN LATERAL (
    SELECT a.id, a.doc FROM articles a
    WHERE a.id = o.article_id AND NOT EXISTS
        (SELECT 1 FROM unnest($3::text[]) w WHERE strpos(a.search_text, w) = 0)
) a
LIMIT $4
"""

_WALK = f"""
SELECT a.id, a.doc, l.linked_at FROM article_links l JOIN articles a ON a.id = l.article_id
WHERE l.guild_id = $1 AND {_MATCHES}
ORDER BY l.event_time DESC, l.article_id DESC LIMIT $4
"""


async def search_rows(
    conn: Any, guild: str, tsquery: str, words: list[str], limit: int
) -> list[Any]:
    """Rows ``(id, doc, linked_at)`` of the server's newest ``limit`` matching articles."""
    rows = await conn.fetch(_NEWEST, guild, tsquery, words, limit, NEWEST_FIRST)
    if len(rows) >= limit:
        return rows  # the newest matches are among the newest articles
    if tsquery and not rows:
        # Rarer than one in NEWEST_FIRST: ask the index.
        # Checked on every candidate of this server: complete unless the index named more
        # than CANDIDATES articles (counted over every server), then the word is common.
        async with conn.transaction():
            # the candidates come from the index, never from reading the whole table
            await conn.execute("SET LOCAL enable_seqscan = off")
            found = await conn.fetch(_CANDIDATES, guild, tsquery, words, limit, CANDIDATES)
        if not found or found[0]["found"] < CANDIDATES:
            return found
    # Common enough to be met while reading the server's articles newest first.
    return await conn.fetch(_WALK, guild, tsquery, words, limit)
