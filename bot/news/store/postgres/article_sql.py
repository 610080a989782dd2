"""The statements of ``articles.py``, each with why it is shaped so."""

# A new article with everything derived from it, in one statement (one round trip, one
# transaction): the article, its new search words, its links, its entity rows and totals,
# person names, and the change counter. Nothing happens past ``added`` when the article
# is a duplicate (a unique constraint said so). Rows several writers share (words,
# totals) are written in key order, so two writers never wait for each other in a cycle.
ADD_NEW = """
WITH added AS (
    INSERT INTO articles (id, canonical_url, fingerprint, ingested_at, event_time, doc,
                          countries, persons, search_text)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT DO NOTHING
    RETURNING id, search
), words AS (
    INSERT INTO search_words (word)
    SELECT w.lexeme FROM added, unnest(added.search) AS w ORDER BY 1
    ON CONFLICT DO NOTHING
), links AS (
    INSERT INTO article_links (guild_id, article_id, linked_at, event_time)
    SELECT l.g, added.id, l.t, $5
    FROM added, unnest($10::text[], $11::float8[]) AS l(g, t) ORDER BY 1
    ON CONFLICT DO NOTHING
    RETURNING guild_id
), named AS (
    SELECT links.guild_id, e.kind, e.key
    FROM links, unnest($12::text[], $13::text[]) AS e(kind, key)
), rows AS (
    INSERT INTO entity_rows (guild_id, kind, key, event_time, article_id)
    SELECT guild_id, kind, key, $5, $1 FROM named
    ON CONFLICT DO NOTHING
), totals AS (
    INSERT INTO entity_totals (guild_id, kind, key, articles)
    SELECT guild_id, kind, key, 1 FROM named ORDER BY 1, 2, 3
    ON CONFLICT (guild_id, kind, key) DO UPDATE SET articles = entity_totals.articles + 1
), new_names AS (
    INSERT INTO person_names (key, name, folded)
    SELECT n.* FROM added, unnest($14::text[], $15::text[], $16::text[]) AS n ORDER BY 1
    ON CONFLICT DO NOTHING
), renamed AS (
    UPDATE person_names p SET name = n.name, folded = n.folded
    FROM added, unnest($14::text[], $15::text[], $16::text[]) AS n(key, name, folded)
    WHERE p.key = n.key AND p.name <> n.name
), bump AS (
    SELECT nextval('article_changes') FROM added
)
SELECT (SELECT id FROM added), (SELECT count(*) FROM bump)
"""

# The stored duplicate: same canonical URL, else same fingerprint, else same id.
FIND_EXISTING = """
SELECT id, doc, event_time, countries, persons FROM (
    SELECT 1 AS rank, * FROM articles WHERE canonical_url = $1
    UNION ALL SELECT 2, * FROM articles WHERE fingerprint = $2
    UNION ALL SELECT 3, * FROM articles WHERE id = $3
) found ORDER BY rank LIMIT 1
"""

INSERT_LINKS = """
INSERT INTO article_links (guild_id, article_id, linked_at, event_time)
SELECT g, $2, t, $3 FROM unnest($1::text[], $4::float8[]) AS l(g, t) ORDER BY g
ON CONFLICT DO NOTHING
RETURNING guild_id
"""

INSERT_ENTITY_ROWS = """
INSERT INTO entity_rows (guild_id, kind, key, event_time, article_id)
SELECT g, e.kind, e.key, $4, $5
FROM unnest($1::text[]) AS g, unnest($2::text[], $3::text[]) AS e(kind, key)
ON CONFLICT DO NOTHING
"""

ADD_TOTALS = """
INSERT INTO entity_totals (guild_id, kind, key, articles)
SELECT g, e.kind, e.key, 1
FROM unnest($1::text[]) AS g, unnest($2::text[], $3::text[]) AS e(kind, key)
ORDER BY 1, 2, 3
ON CONFLICT (guild_id, kind, key) DO UPDATE SET articles = entity_totals.articles + 1
"""

SUB_TOTALS = """
UPDATE entity_totals t SET articles = t.articles - 1
FROM (
    SELECT g, e.kind, e.key
    FROM unnest($1::text[]) AS g, unnest($2::text[], $3::text[]) AS e(kind, key)
    ORDER BY 1, 2, 3
) AS d
WHERE t.guild_id = d.g AND t.kind = d.kind AND t.key = d.key
"""

DELETE_ENTITY_ROWS = """
DELETE FROM entity_rows r
USING unnest($2::text[], $3::text[]) AS e(kind, key)
WHERE r.guild_id = $1 AND r.kind = e.kind AND r.key = e.key
  AND r.event_time = $4 AND r.article_id = $5
"""

# Insert new names; change a name only when its spelling changed (an UPDATE that matches
# nothing takes no row lock, so writers naming the same person do not queue).
NEW_NAMES = """
INSERT INTO person_names (key, name, folded)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
ON CONFLICT DO NOTHING
"""
RENAME = """
UPDATE person_names p SET name = n.name, folded = n.folded
FROM unnest($1::text[], $2::text[], $3::text[]) AS n(key, name, folded)
WHERE p.key = n.key AND p.name <> n.name
"""


# The distinct guilds of article_links, one index descent each (a "skip scan"), instead
# of reading every link.
COUNT_GUILDS = """
WITH RECURSIVE g AS (
    (SELECT guild_id FROM article_links ORDER BY guild_id LIMIT 1)
    UNION ALL
    SELECT (SELECT guild_id FROM article_links WHERE guild_id > g.guild_id
            ORDER BY guild_id LIMIT 1)
    FROM g WHERE g.guild_id IS NOT NULL
)
SELECT count(guild_id) FROM g
"""
