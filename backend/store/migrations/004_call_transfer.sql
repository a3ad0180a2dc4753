-- A call handed to a person (issue 10): its status (active → transferred → ended), when it
-- was transferred and the warm-transfer brief (for a person's console; never logged).
-- The outcome a client gives at /end is kept apart from the one post-call ingestion derives.
ALTER TABLE calls
    ADD COLUMN status          text NOT NULL DEFAULT 'active'
                               CHECK (status IN ('active', 'transferred', 'ended')),
    ADD COLUMN transferred_at  timestamptz,
    ADD COLUMN brief           jsonb,
    ADD COLUMN client_outcome  text;
UPDATE calls SET status = 'ended' WHERE ended_at IS NOT NULL;
