-- The Twilio account a tenant's numbers belong to: warm transfers update its calls through
-- Twilio's REST API (account SID + the sealed auth token of migration 010).
ALTER TABLE tenants ADD COLUMN twilio_account_sid text;
