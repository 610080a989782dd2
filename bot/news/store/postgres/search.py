"""Search on PostgreSQL: folded substrings, found through the GIN index of stored words.

Search matches substrings of the folded title and summary ("cuador" finds "Ecuador"), but
a GIN index over a ``tsvector`` knows whole words. So each query word is first widened to
the stored words that contain it (``search_words``, through its trigram index), and the
article index is asked for any of those; the exact substrings are checked on each
candidate.

Known weak spot: a query part found inside many stored words (more than ``WIDEN_LIMIT``,
e.g. a 3-digit number) narrows nothing, so the server's articles are read newest first
until enough contain it: slow when few do.
"""

from __future__ import annotations

from typing import Any

import regex

# A query part contained in more stored words than this is common: it narrows nothing,
# so it is left to the exact check on the newest articles.
WIDEN_LIMIT = 200
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


_SEARCH = """
SELECT a.id, a.doc, l.linked_at FROM article_links l JOIN articles a ON a.id = l.article_id
WHERE l.guild_id = $1 AND ($2 = '' OR a.search @@ $2::tsquery)
  AND NOT EXISTS (SELECT 1 FROM unnest($3::text[]) w WHERE strpos(a.search_text, w) = 0)
ORDER BY l.event_time DESC, l.article_id DESC LIMIT $4
"""


async def search_rows(
    conn: Any, guild: str, tsquery: str, words: list[str], limit: int
) -> list[Any]:
    """Rows ``(id, doc, linked_at)`` of the server's newest ``limit`` matching articles.

    The planner chooses between the GIN index (rare words) and the server's articles
    newest first (common ones), on custom plans (see ``pool.SERVER_SETTINGS``)."""
    return await conn.fetch(_SEARCH, guild, tsquery, words, limit)
