-- The fleet's coordination rows: job outcomes, feed leases and per-host request budgets.

-- One row per ingestion job, written by the worker in the transaction that ends the job;
-- its commit sends NOTIFY newsbot_jobs so the gateway that waits for it answers at once.
CREATE TABLE IF NOT EXISTS fleet_jobs (
    job_id      text PRIMARY KEY,
    kind        text NOT NULL,
    guild_id    text NOT NULL,
    source      text NOT NULL,
    ok          boolean NOT NULL,
    outcome     jsonb NOT NULL,
    worker      text NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS fleet_jobs_finished ON fleet_jobs (finished_at);

-- Who fetches a feed URL in a given cycle: one row per URL, taken for a cycle by one
-- worker; another may take it over only once the lease has expired unfinished.
CREATE TABLE IF NOT EXISTS fleet_feed_leases (
    feed_url     text PRIMARY KEY,
    cycle        bigint NOT NULL,
    holder       text NOT NULL,
    leased_until timestamptz NOT NULL,
    done         boolean NOT NULL DEFAULT false,
    fetches      bigint NOT NULL DEFAULT 0
);

-- Requests made to one host in one minute, across every process of the fleet.
CREATE TABLE IF NOT EXISTS fleet_host_budget (
    host     text NOT NULL,
    minute   bigint NOT NULL,
    requests integer NOT NULL,
    PRIMARY KEY (host, minute)
);

-- Where to answer a job's interaction (its follow-up webhook, valid 15 minutes) and who
-- answered it: a gateway restarted after a crash answers the jobs its predecessor sent.
CREATE TABLE IF NOT EXISTS fleet_replies (
    job_id         text PRIMARY KEY,
    guild_id       text NOT NULL,
    gateway        text NOT NULL,
    application_id text NOT NULL,
    token          text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    answered_by    text,
    answered_at    timestamptz
);
CREATE INDEX IF NOT EXISTS fleet_replies_open ON fleet_replies (created_at)
    WHERE answered_by IS NULL;
