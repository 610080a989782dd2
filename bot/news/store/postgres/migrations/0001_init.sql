-- newsbot's PostgreSQL schema, version 1.
--
-- Times are epoch seconds (double precision), as everywhere else in newsbot.
-- Every table is shaped for one read: the comments name it.

-- One row per stored article, whichever servers keep it. ``doc`` is the article's dict
-- form without its full text or its per-server links.
CREATE TABLE articles (
    id            text PRIMARY KEY,
    canonical_url text NOT NULL UNIQUE,
    fingerprint   text,            -- NULL when the page gave none
    ingested_at   double precision NOT NULL,
    event_time    double precision NOT NULL,
    doc           jsonb NOT NULL,
    countries     text[] NOT NULL DEFAULT '{}',  -- ISO codes, each once
    persons       text[] NOT NULL DEFAULT '{}',  -- person keys, each once
    -- title + summary, lower-cased with accents stripped (bot.news.model.fold)
    search_text   text NOT NULL,
    search        tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED
);
-- the same story under another URL is the same article (a NULL never conflicts)
CREATE UNIQUE INDEX articles_fingerprint_key ON articles (fingerprint);
-- search: words -> articles
CREATE INDEX articles_search_idx ON articles USING gin (search);

-- Every word the search index has ever held. Search matches substrings ("cuador" finds
-- "Ecuador"): a query word is first widened to the stored words containing it, found
-- through a trigram index on this small table, and those are looked up in the GIN
-- index above. Grows only; a word no article holds any more just finds nothing.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE search_words (
    word text PRIMARY KEY
);
CREATE INDEX search_words_trgm ON search_words USING gin (word gin_trgm_ops);

-- Which server keeps which article. ``event_time`` is the article's, copied here so that
-- a server's newest-N and time windows are read from this index alone.
CREATE TABLE article_links (
    guild_id   text NOT NULL,
    article_id text NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    linked_at  double precision NOT NULL,
    event_time double precision NOT NULL,
    PRIMARY KEY (guild_id, article_id)
);
-- a server's newest articles, and its articles in a time window
CREATE INDEX article_links_newest
    ON article_links (guild_id, event_time DESC, article_id DESC);
-- the servers keeping one article (forget, delete, copy)
CREATE INDEX article_links_article ON article_links (article_id);

-- One row per (server, entity, article): the primary key answers "newest N articles
-- about this country/person in this server" by walking one index range backwards.
-- Rows are written and removed with their link, in the same transaction.
CREATE TABLE entity_rows (
    guild_id   text NOT NULL,
    kind       text NOT NULL,  -- 'country' | 'person'
    key        text NOT NULL,  -- ISO code, or person key
    event_time double precision NOT NULL,
    article_id text NOT NULL,
    PRIMARY KEY (guild_id, kind, key, event_time, article_id)
);
-- trending: counts per key of one kind in a time window, read from the index only
CREATE INDEX entity_rows_trending ON entity_rows (guild_id, kind, event_time) INCLUDE (key);

-- How many of a server's articles name each entity: autocomplete ranking, all-time counts
-- and the server's entity list without counting rows. Writers change these rows in
-- (guild, kind, key) order, so two transactions never wait for each other in a cycle.
CREATE TABLE entity_totals (
    guild_id text NOT NULL,
    kind     text NOT NULL,
    key      text NOT NULL,
    articles integer NOT NULL,
    PRIMARY KEY (guild_id, kind, key)
);

-- A person's display name (the latest spelling stored) and its folded form for matching.
CREATE TABLE person_names (
    key    text PRIMARY KEY,
    name   text NOT NULL,
    folded text NOT NULL
);

-- Bumped by every change to articles or links: readers cache derived data against it.
CREATE SEQUENCE article_changes;

-- Per-server settings (GuildSettings.to_dict(): digest channel, time, zone, follows,
-- auto-ingest channels): one row per server, changed under its row lock.
CREATE TABLE guild_settings (
    guild_id   text PRIMARY KEY,
    doc        jsonb NOT NULL,
    updated_at double precision NOT NULL DEFAULT 0
);

-- Feed subscriptions with their fetch state (FeedRecord.to_doc(); its ``seen`` ids are
-- bounded by FeedRecord.mark_seen).
CREATE TABLE feeds (
    guild_id     text NOT NULL,
    url          text NOT NULL,
    added_at     double precision NOT NULL,
    next_poll_at double precision NOT NULL DEFAULT 0,
    doc          jsonb NOT NULL,
    PRIMARY KEY (guild_id, url)
);
-- the poller: which feeds are due
CREATE INDEX feeds_due ON feeds (next_poll_at);

-- One digest per server per local day: the primary key lets exactly one process claim
-- a day (INSERT ... ON CONFLICT DO NOTHING RETURNING); a retry of a failed day is an
-- UPDATE whose WHERE only one process can satisfy. A server's latest record is its
-- newest day; its last posted one the newest day in state 'posted'.
CREATE TABLE digest_claims (
    guild_id   text NOT NULL,
    local_date text NOT NULL,  -- YYYY-MM-DD in the server's zone
    state      text NOT NULL,
    token      text NOT NULL DEFAULT '',
    attempts   integer NOT NULL DEFAULT 1,
    sent       boolean NOT NULL DEFAULT false,  -- some message of it was posted
    doc        jsonb NOT NULL,  -- DigestRecord.to_dict()
    PRIMARY KEY (guild_id, local_date)
);
