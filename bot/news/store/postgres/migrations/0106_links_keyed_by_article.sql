-- article_links' primary key leads with the article. It still decides duplicate links
-- (server, article) and now also answers "the servers keeping one article" (forget,
-- delete, copy), so the separate index on article_id goes: one index fewer written per
-- link, on every add. A server's reads keep article_links_newest, which leads with the
-- server (and serves the distinct-servers count too).
CREATE UNIQUE INDEX article_links_by_article ON article_links (article_id, guild_id);
ALTER TABLE article_links
    DROP CONSTRAINT article_links_pkey,
    ADD CONSTRAINT article_links_pkey PRIMARY KEY USING INDEX article_links_by_article;
DROP INDEX article_links_article;
