-- Search reads a server's newest matches a time window at a time.
--
-- Reading every article a word matches through the GIN index, then sorting them by time,
-- costs one article read per match: 154 ms at 1M articles for a surname in a few
-- thousand of them. Here the GIN index's matches are intersected with a range of
-- ``event_time`` first (a bitmap AND with the BRIN index below, before any article is
-- read), starting with the window expected to hold a few times ``max_rows`` matches and
-- widening it fourfold until it holds ``max_rows`` of them in the server, or covers all
-- time. Every match in the window is found, and any match outside it is older, so the
-- newest ``max_rows`` in the window are the newest overall.
--
-- BRIN: one (min, max) event_time per 128 heap pages, a few pages for the whole table,
-- nearly free to keep up to date on insert (articles arrive roughly in time order, so a
-- range's min and max stay close). Ranges not yet summarised are always read, and those
-- are the newest rows; ``autosummarize`` summarises them soon after they fill.
CREATE INDEX articles_event_time_brin ON articles USING brin (event_time)
    WITH (autosummarize = on);

DROP FUNCTION search_articles(text, text, text, text[], integer, integer);

-- ``query``: the whole tsquery ('' = none); ``few``: the part of it matching few enough
-- articles (search.py, WALK_K; '' = none: then the server's newest links are walked and
-- each article tested, which soon finds enough when many match); ``words``: the folded
-- substrings every result must contain; ``expected``: how many articles ``few`` may
-- match (from the statistics; 0 = fewer than any word they list, then counted here
-- through the GIN index alone), which sizes the first window; ``bounds``: the
-- statistics' event_time histogram (equal numbers of articles between bounds, oldest
-- first; '{}' = none), which turns "the newest tenth of the articles" into a time.
-- Returns the rows (id, doc, linked_at), newest first.
CREATE FUNCTION search_articles(
    guild text, query text, few text, words text[], max_rows integer,
    expected double precision, bounds double precision[]
) RETURNS TABLE (id text, doc jsonb, linked_at double precision)
LANGUAGE plpgsql STABLE
-- the matches must come from the GIN index whatever the planner's guess
SET enable_seqscan = off
-- room for a bitmap of ~100k matches that stays exact: past work_mem it turns lossy,
-- which costs time to build and rechecks every row of a matching page
SET work_mem = '16MB'
-- starting parallel workers takes longer (~20 ms) than any of these reads should
SET max_parallel_workers_per_gather = 0
AS $$
DECLARE
    -- parsed once here: a cast inside a cached plan is redone for every row it tests
    whole tsquery := CASE WHEN query = '' THEN NULL ELSE query::tsquery END;
    rare tsquery := CASE WHEN few = '' THEN NULL ELSE few::tsquery END;
    -- the share of all articles, newest first, that the window covers
    share double precision;
    at double precision;
    below integer;
    since double precision;
    found text[];
BEGIN
    IF rare IS NULL THEN
        RETURN QUERY
        SELECT a.id, a.doc, l.linked_at FROM article_links l
        JOIN articles a ON a.id = l.article_id
        WHERE l.guild_id = guild AND (whole IS NULL OR a.search @@ whole)
          AND NOT EXISTS (SELECT 1 FROM unnest(words) w WHERE strpos(a.search_text, w) = 0)
        ORDER BY l.event_time DESC, l.article_id DESC
        LIMIT max_rows;
        RETURN;
    END IF;
    IF expected <= 0 THEN
        -- a few postings: counted from the index and the visibility map, without
        -- reading the articles (ANALYZE lists every word in more than ~0.15% of them)
        SELECT count(*) INTO expected FROM articles a WHERE a.search @@ rare;
        IF expected = 0 THEN
            RETURN;
        END IF;
    END IF;
    share := 3.0 * max_rows / greatest(expected, 1.0);
    IF coalesce(cardinality(bounds), 0) < 2 THEN
        -- no statistics yet: the server's oldest and newest links, articles taken as
        -- spread evenly between them (two descents of article_links_newest)
        bounds := ARRAY[
            (SELECT l.event_time FROM article_links l
             WHERE l.guild_id = guild ORDER BY l.event_time LIMIT 1),
            (SELECT l.event_time FROM article_links l
             WHERE l.guild_id = guild ORDER BY l.event_time DESC LIMIT 1)];
        IF bounds[1] IS NULL THEN
            RETURN;
        END IF;
    END IF;
    LOOP
        IF share >= 0.25 THEN
            -- a window this wide saves little over all the matches
            since := '-Infinity'::float8;
        ELSE
            -- where the newest ``share`` of the articles starts, between two bounds
            at := (1 - share) * (cardinality(bounds) - 1) + 1;
            below := least(floor(at)::integer, cardinality(bounds) - 1);
            since := bounds[below] + (bounds[below + 1] - bounds[below]) * (at - below);
        END IF;
        -- EXECUTE: planned with these values, so the planner sees how narrow the window
        -- is and ANDs the two indexes. ts_match_vq is the @@ test without the index: the
        -- whole query (common words too) is only checked on the matches of ``rare``.
        EXECUTE
            'SELECT array_agg(m.id ORDER BY m.event_time DESC, m.id DESC) FROM ('
            '  SELECT a.id, a.event_time FROM articles a'
            '  WHERE a.search @@ $1 AND a.event_time >= $2'
            '    AND ($3::tsquery IS NULL OR ts_match_vq(a.search, $3))'
            '    AND NOT EXISTS (SELECT 1 FROM unnest($4::text[]) w'
            '                    WHERE strpos(a.search_text, w) = 0)'
            '    AND EXISTS (SELECT 1 FROM article_links l'
            '                WHERE l.guild_id = $5 AND l.article_id = a.id)'
            '  ORDER BY a.event_time DESC, a.id DESC LIMIT $6) m'
            INTO found
            USING rare, since, whole, words, guild, max_rows;
        EXIT WHEN coalesce(cardinality(found), 0) >= max_rows OR since = '-Infinity'::float8;
        share := share * 4;
    END LOOP;
    RETURN QUERY
    SELECT a.id, a.doc, l.linked_at
    FROM unnest(coalesce(found, '{}')) WITH ORDINALITY AS f(article_id, n)
    JOIN articles a ON a.id = f.article_id
    JOIN article_links l ON l.guild_id = guild AND l.article_id = f.article_id
    ORDER BY f.n;
END
$$;
