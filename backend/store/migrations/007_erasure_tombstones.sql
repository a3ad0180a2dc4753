-- Erased contact details (issue 11): a keyed hash (HMAC-SHA256 under the erasure key) of each
-- normalized phone number (E.164) and email, never the value, with the time of the erasure.
-- Post-call ingestion refuses what a call that began before it says about them.
CREATE TABLE erasure_tombstones (
    group_id   text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('phone', 'email')),
    digest     bytea NOT NULL,
    erased_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, kind, digest)
);

-- A booking kept for accounting after its caller is erased keeps no caller and no call.
ALTER TABLE bookings ALTER COLUMN caller_id DROP NOT NULL;
