-- A tenant's vertical: which agent tree answers its calls (backend/verticals/registry.py).
ALTER TABLE tenants ADD COLUMN vertical text NOT NULL DEFAULT 'real_estate';
-- An agency's lines may share one graph (its property-management line knows the callers and
-- homes its sales line knows): group_id is no longer one per tenant.
ALTER TABLE tenants DROP CONSTRAINT IF EXISTS tenants_group_id_key;
CREATE INDEX IF NOT EXISTS tenants_group ON tenants (group_id);

-- Job references such as PM-20261201-001: numbered per graph, prefix and day, each issued
-- once per idempotency key (a retried tool call gets the reference it got before).
CREATE TABLE reference_counters (
    group_id text NOT NULL,
    prefix   text NOT NULL,
    day      date NOT NULL,
    n        integer NOT NULL,
    PRIMARY KEY (group_id, prefix, day)
);
CREATE TABLE references_issued (
    idempotency_key text PRIMARY KEY,
    group_id        text NOT NULL,
    reference       text NOT NULL,
    issued_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (group_id, reference)
);

-- The on-call ladder: who a tenant's transferred calls page, in order, each with the time
-- they have to answer before the next is paged; and each call's pages.
CREATE TABLE on_call_rungs (
    tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
    rung      integer NOT NULL CHECK (rung >= 1),
    person    text NOT NULL,
    contact   text NOT NULL,
    timeout_s integer NOT NULL CHECK (timeout_s >= 1),
    PRIMARY KEY (tenant_id, rung)
);
CREATE TABLE on_call_pages (
    call_id     text NOT NULL REFERENCES calls ON DELETE CASCADE,
    rung        integer NOT NULL,
    tenant_id   text NOT NULL,
    group_id    text NOT NULL,
    caller_id   text NOT NULL,
    person      text NOT NULL,
    emergency   boolean NOT NULL DEFAULT false,
    paged_at    timestamptz NOT NULL,
    answered_at timestamptz,
    PRIMARY KEY (call_id, rung)
);
