-- An article's doc (and often its search text) is longer than the ~2 kB past which
-- PostgreSQL compresses a row, so every add compressed it and every read decompressed
-- it with pglz; lz4 does both several times faster at about the same size. Applies to
-- rows written from now on; older rows keep pglz and read as before.
DO $$
BEGIN
    ALTER TABLE articles
        ALTER COLUMN doc SET COMPRESSION lz4,
        ALTER COLUMN search_text SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;  -- a server built without lz4 keeps pglz
END
$$;
