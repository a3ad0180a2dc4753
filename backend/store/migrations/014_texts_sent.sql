-- Texts sent to callers' phones (a step-up check's one-time code), kept to cap how often one
-- number is texted: anyone can type a number into a chat. The number is a keyed hash
-- (backend/vault.py ticket), never the number.
CREATE TABLE texts_sent (
    tenant_id   text NOT NULL REFERENCES tenants ON DELETE CASCADE,
    number_hash text NOT NULL,
    sent_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX texts_sent_by_number ON texts_sent (tenant_id, number_hash, sent_at);
