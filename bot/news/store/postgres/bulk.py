"""Many articles at once, through COPY: ``newsbot db copy`` and the benchmark's fill.

A batch is one transaction: its articles and links are copied into temporary tables,
then moved into the real ones with ``ON CONFLICT DO NOTHING``, and the derived rows
(entity rows, totals, search words, names) are made from what was really inserted.
Loading a batch twice therefore changes nothing the second time: an interrupted copy
can simply start again.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import orjson

from bot.news.model import Article, fold

_STAGE = """
CREATE TEMP TABLE IF NOT EXISTS stage_articles (
    id text, canonical_url text, fingerprint text, ingested_at float8, event_time float8,
    doc text, countries text[], persons text[], search_text text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_links (
    guild_id text, article_id text, linked_at float8
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_names (
    key text, name text, folded text
) ON COMMIT DELETE ROWS;
"""

_MOVE = """
WITH new_articles AS (
    INSERT INTO articles (id, canonical_url, fingerprint, ingested_at, event_time, doc,
                          countries, persons, search_text)
    SELECT id, canonical_url, fingerprint, ingested_at, event_time, doc::jsonb,
           countries, persons, search_text
    FROM stage_articles
    ON CONFLICT DO NOTHING
    RETURNING id, search
), words AS (
    INSERT INTO search_words (word)
    SELECT DISTINCT w.lexeme FROM new_articles, unnest(new_articles.search) AS w ORDER BY 1
    ON CONFLICT DO NOTHING
)
SELECT count(*) FROM new_articles
"""

# Links whose article exists (already stored, or just inserted by this transaction).
_LINKS = """
WITH new_links AS (
    INSERT INTO article_links (guild_id, article_id, linked_at, event_time)
    SELECT s.guild_id, a.id, s.linked_at, a.event_time
    FROM stage_links s JOIN articles a ON a.id = s.article_id
    ORDER BY 1, 2
    ON CONFLICT DO NOTHING
    RETURNING guild_id, article_id, event_time
), named AS (
    SELECT l.guild_id, 'country' AS kind, c AS key, l.event_time, l.article_id
    FROM new_links l JOIN articles a ON a.id = l.article_id, unnest(a.countries) AS c
    UNION ALL
    SELECT l.guild_id, 'person', p, l.event_time, l.article_id
    FROM new_links l JOIN articles a ON a.id = l.article_id, unnest(a.persons) AS p
), rows AS (
    INSERT INTO entity_rows (guild_id, kind, key, event_time, article_id)
    SELECT * FROM named
    ON CONFLICT DO NOTHING
), totals AS (
    INSERT INTO entity_totals (guild_id, kind, key, articles)
    SELECT guild_id, kind, key, count(*) FROM named GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (guild_id, kind, key)
    DO UPDATE SET articles = entity_totals.articles + EXCLUDED.articles
)
SELECT count(*) FROM new_links
"""

_NAMES = """
INSERT INTO person_names (key, name, folded)
SELECT DISTINCT ON (key) key, name, folded FROM stage_names ORDER BY key
ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, folded = EXCLUDED.folded
WHERE person_names.name <> EXCLUDED.name
"""


def search_text(article: Article) -> str:
    """What search matches: the folded title and summary (``model.fold``'s result).

    Faster than ``fold`` on a long summary, which tests every character for an accent:
    this looks only at the distinct characters, and not at all when they are ASCII."""
    decomposed = unicodedata.normalize("NFKD", f"{article.title}\n{article.summary}")
    if not decomposed.isascii():
        marks = {ord(ch): None for ch in set(decomposed) if unicodedata.combining(ch)}
        decomposed = decomposed.translate(marks)
    return " ".join(decomposed.casefold().split())


def _rows(articles: Sequence[Article], now: float) -> tuple[list[tuple], list[tuple], list[tuple]]:
    arts, links, names = [], [], []
    for article in articles:
        if not article.canonical_url:
            raise ValueError("an article needs a canonical_url to be stored")
        data = orjson.loads(orjson.dumps(article))
        data.pop("text", None)
        guilds = data.pop("guilds") or {}
        if not data["ingested_at"]:
            data["ingested_at"] = now
        stored = Article.from_dict(data)
        countries = list(dict.fromkeys(c.code.upper() for c in stored.countries))
        persons = list(dict.fromkeys(p.key for p in stored.persons))
        arts.append(
            (
                stored.id,
                stored.canonical_url,
                stored.fingerprint or None,
                data["ingested_at"],
                stored.event_time,
                orjson.dumps(data).decode(),
                countries,
                persons,
                search_text(stored),
            )
        )
        links.extend((str(g), stored.id, float(t)) for g, t in guilds.items())
        names.extend((p.key, p.name, fold(p.name)) for p in stored.persons)
    return arts, links, names


async def load(conn: Any, articles: Sequence[Article], *, now: float) -> tuple[int, int]:
    """Store ``articles`` with all the links in their ``guilds``, in one transaction
    (``now`` is the ``ingested_at`` of those that have none).

    Returns (articles inserted, links inserted); those already stored are skipped."""
    arts, links, names = _rows(articles, now)
    async with conn.transaction():
        await conn.execute(_STAGE)
        await conn.copy_records_to_table(
            "stage_articles",
            records=arts,
            columns=[
                "id", "canonical_url", "fingerprint", "ingested_at", "event_time",
                "doc", "countries", "persons", "search_text",
            ],
        )  # fmt: skip
        await conn.copy_records_to_table("stage_links", records=links)
        await conn.copy_records_to_table("stage_names", records=names)
        inserted = await conn.fetchval(_MOVE)
        linked = await conn.fetchval(_LINKS)
        await conn.execute(_NAMES)
        if inserted or linked:
            await conn.execute("SELECT nextval('article_changes')")
    return inserted, linked
