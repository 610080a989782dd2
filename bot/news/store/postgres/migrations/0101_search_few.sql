-- Search that does not depend on the planner guessing how many articles a tsquery finds.
--
-- A server's newest matching articles come one of two ways: walk the server's links
-- newest first and test each article (fast when many articles match), or ask the GIN
-- index for every matching article and sort those few by time (fast when few match).
-- The planner cannot tell them apart for words outside its most-common list: it guessed
-- ~1,300 matches for twenty rare numbers that matched 20, walked, and took 0.6-1.3 s at
-- 100k articles. The caller knows which query words are rare (search.py) and passes
-- their tsquery as ``few``: its matches are fetched through the GIN index, at most
-- ``cap`` of them; only when there are more does the search walk.
--
-- ``query``: the whole tsquery ('' = none); ``words``: the folded substrings every
-- result must contain. Returns the rows (id, doc, linked_at), newest first.
CREATE FUNCTION search_articles(
    guild text, query text, few text, words text[], max_rows integer, cap integer
) RETURNS TABLE (id text, doc jsonb, linked_at double precision)
LANGUAGE plpgsql STABLE
-- the candidate read must go through the GIN index whatever the planner's guess
SET enable_seqscan = off
AS $$
DECLARE
    candidates text[];
BEGIN
    IF few <> '' THEN
        SELECT array_agg(c.id) INTO candidates
        FROM (SELECT a.id FROM articles a WHERE a.search @@ few::tsquery LIMIT cap + 1) c;
        IF coalesce(cardinality(candidates), 0) <= cap THEN
            RETURN QUERY
            SELECT a.id, a.doc, c.linked_at
            FROM (SELECT l.article_id, l.linked_at, l.event_time FROM article_links l
                  WHERE l.guild_id = guild AND l.article_id = ANY (candidates)
                  ORDER BY l.event_time DESC, l.article_id DESC) c
            JOIN articles a ON a.id = c.article_id
            WHERE (query = few OR a.search @@ query::tsquery)
              AND NOT EXISTS (SELECT 1 FROM unnest(words) w WHERE strpos(a.search_text, w) = 0)
            ORDER BY c.event_time DESC, c.article_id DESC
            LIMIT max_rows;
            RETURN;
        END IF;
    END IF;
    -- Many matches: the newest links find enough of them soon. Planned with the actual
    -- values (EXECUTE), so a common word's frequency is known to the planner.
    RETURN QUERY EXECUTE
        'SELECT a.id, a.doc, l.linked_at FROM article_links l '
        'JOIN articles a ON a.id = l.article_id '
        'WHERE l.guild_id = $1 AND ($2 = '''' OR a.search @@ $2::tsquery) '
        '  AND NOT EXISTS (SELECT 1 FROM unnest($3) w WHERE strpos(a.search_text, w) = 0) '
        'ORDER BY l.event_time DESC, l.article_id DESC LIMIT $4'
        USING guild, query, words, max_rows;
END
$$;
