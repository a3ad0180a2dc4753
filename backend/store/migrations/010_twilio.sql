-- Twilio phone lines: the numbers a tenant answers, and its auth token (sealed by
-- backend/vault.py: it signs the webhooks we check, so it cannot be stored as a hash).
ALTER TABLE tenants ADD COLUMN twilio_auth_token bytea;
CREATE TABLE twilio_numbers (
    number    text PRIMARY KEY,          -- E.164, as Twilio sends "To"
    tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE
);
