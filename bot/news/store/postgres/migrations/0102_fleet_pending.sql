-- An interaction's jobs are recorded before the interaction is acknowledged, so that a
-- gateway dying at any point after that leaves a row its successor finds: the job is sent
-- again if it may not have reached RabbitMQ (sent_at still empty; a copy is harmless), and the interaction is
-- answered once the outcome is there. Several rows share one token for the "Ingest links"
-- menu (one job per link, ``position`` orders them in the answer).
ALTER TABLE fleet_replies ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'ingest';
ALTER TABLE fleet_replies ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT '';
ALTER TABLE fleet_replies ADD COLUMN IF NOT EXISTS position integer NOT NULL DEFAULT 0;
ALTER TABLE fleet_replies ADD COLUMN IF NOT EXISTS sent_at timestamptz;
-- 'answered' or 'gave_up' (the token no longer works), and the shards of the answerer:
-- an answer must come from the process owning the server's shard.
ALTER TABLE fleet_replies ADD COLUMN IF NOT EXISTS answer text;
ALTER TABLE fleet_replies ADD COLUMN IF NOT EXISTS answered_shards text;
CREATE INDEX IF NOT EXISTS fleet_replies_token ON fleet_replies (token);
