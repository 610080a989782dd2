-- Person keys write every apostrophe as "'" (bot.news.model.person_key: "O’Brien" and
-- "O'Brien" are one person). Keys stored before that keep the curly, grave or acute mark
-- they were folded with; this rewrites them, merging two keys of one person into one.
-- The marks rewritten: U+2019 U+2018 U+0060 U+02BC U+00B4.

CREATE FUNCTION newsbot_person_key_v2(key text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    RETURN translate(key, U&'\2019\2018\0060\02BC\00B4', repeat(chr(39), 5));

-- the article's own list: each key once, in the order first written
UPDATE articles SET persons = ARRAY(
    SELECT newsbot_person_key_v2(p) FROM unnest(persons) WITH ORDINALITY AS u(p, n)
    GROUP BY 1 ORDER BY min(n)
)
WHERE persons::text <> newsbot_person_key_v2(persons::text);

-- the document's person developments are looked up by key
UPDATE articles SET doc = jsonb_set(doc, '{developments}', (
    SELECT jsonb_agg(
        CASE WHEN d ->> 'kind' = 'person'
             THEN jsonb_set(d, '{key}', to_jsonb(newsbot_person_key_v2(d ->> 'key')))
             ELSE d END
        ORDER BY n)
    FROM jsonb_array_elements(doc -> 'developments') WITH ORDINALITY AS e(d, n)
))
WHERE jsonb_typeof(doc -> 'developments') = 'array'
  AND jsonb_array_length(doc -> 'developments') > 0
  AND (doc -> 'developments')::text <> newsbot_person_key_v2((doc -> 'developments')::text);

-- one row per (server, person, article): an article named under both spellings keeps one
INSERT INTO entity_rows (guild_id, kind, key, event_time, article_id)
SELECT guild_id, kind, newsbot_person_key_v2(key), event_time, article_id
FROM entity_rows
WHERE kind = 'person' AND key <> newsbot_person_key_v2(key)
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT DO NOTHING;
DELETE FROM entity_rows WHERE kind = 'person' AND key <> newsbot_person_key_v2(key);

-- totals of the rewritten keys counted again from the rows (merged keys must not add up
-- an article named under both spellings twice)
WITH moved AS (
    DELETE FROM entity_totals
    WHERE kind = 'person' AND key <> newsbot_person_key_v2(key)
    RETURNING guild_id, newsbot_person_key_v2(key) AS key
)
INSERT INTO entity_totals (guild_id, kind, key, articles)
SELECT r.guild_id, 'person', r.key, count(*)
FROM entity_rows r
JOIN (SELECT DISTINCT guild_id, key FROM moved) m
  ON m.guild_id = r.guild_id AND m.key = r.key
WHERE r.kind = 'person'
GROUP BY r.guild_id, r.key
ORDER BY 1, 3
ON CONFLICT (guild_id, kind, key) DO UPDATE SET articles = EXCLUDED.articles;

-- display names: a key already stored in the new form keeps its name
INSERT INTO person_names (key, name, folded)
SELECT newsbot_person_key_v2(key), name, folded
FROM person_names
WHERE key <> newsbot_person_key_v2(key)
ORDER BY 1
ON CONFLICT (key) DO NOTHING;
DELETE FROM person_names WHERE key <> newsbot_person_key_v2(key);

SELECT nextval('article_changes');

DROP FUNCTION newsbot_person_key_v2(text);
