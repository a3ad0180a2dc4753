-- Call recordings, for tenants that opt in: record_days is how long a recording is kept
-- (NULL: calls are not recorded). A recording goes with its call (erasure deletes calls).
ALTER TABLE tenants ADD COLUMN record_days integer CHECK (record_days BETWEEN 1 AND 3650);

CREATE TABLE recordings (
    call_id     text PRIMARY KEY REFERENCES calls (call_id) ON DELETE CASCADE,
    audio       bytea NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX recordings_expiry ON recordings (expires_at);
