-- Tenants own a graph group; their API keys are stored hashed (sha256 of a
-- 256-bit random secret: a slow hash adds nothing for keys nobody chose).
CREATE TABLE tenants (
    tenant_id   text PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    group_id    text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    key_id      text PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    key_hash    bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- Every read and write of caller data: who (key), what (action, subject), when.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    tenant_id   text NOT NULL,
    key_id      text,
    action      text NOT NULL,
    subject     text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);

ALTER TABLE calls
    ADD COLUMN metadata      jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN caller_name   text,
    ADD COLUMN caller_phone  text,
    ADD COLUMN caller_email  text,
    ADD COLUMN summary       text,
    ADD COLUMN sentiment     real,
    ADD COLUMN lead_score    integer,
    ADD COLUMN lead_reasons  jsonb;

-- The ingestion ledger: one row per ended call, its post-call job's state.
CREATE TABLE ingestions (
    call_id      text PRIMARY KEY REFERENCES calls (call_id) ON DELETE CASCADE,
    group_id     text NOT NULL,
    job_id       text NOT NULL UNIQUE,
    state        text NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'running', 'done', 'failed', 'dead')),
    attempts     integer NOT NULL DEFAULT 0,
    error        text,
    facts        integer,
    enqueued_at  timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz
);
CREATE INDEX ingestions_state ON ingestions (state);
