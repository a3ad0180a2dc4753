-- Calls, their turns and the agent that owns each call's conversation.
CREATE TABLE calls (
    call_id       text PRIMARY KEY,
    group_id      text NOT NULL,
    channel       text NOT NULL CHECK (channel IN ('chat', 'voice')),
    caller_id     text,
    started_at    timestamptz NOT NULL DEFAULT now(),
    ended_at      timestamptz,
    active_agent  text NOT NULL DEFAULT 'Triage',
    outcome       text,
    tool_calls    integer NOT NULL DEFAULT 0,
    handoffs      integer NOT NULL DEFAULT 0
);
CREATE INDEX calls_group_caller ON calls (group_id, caller_id);

CREATE TABLE turns (
    call_id   text NOT NULL REFERENCES calls (call_id) ON DELETE CASCADE,
    seq       integer NOT NULL,
    speaker   text NOT NULL,
    text      text NOT NULL,
    agent     text,
    at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (call_id, seq)
);

-- The bookings ledger: a slot (property, start) can be held by one live booking only.
CREATE TABLE bookings (
    booking_id       text PRIMARY KEY,
    group_id         text NOT NULL,
    reference        text NOT NULL UNIQUE,
    property_id      text NOT NULL,
    starts_at        timestamptz NOT NULL,
    caller_id        text NOT NULL,
    call_id          text,
    status           text NOT NULL DEFAULT 'scheduled'
                     CHECK (status IN ('scheduled', 'cancelled', 'attended')),
    idempotency_key  text NOT NULL UNIQUE,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX bookings_one_per_slot
    ON bookings (group_id, property_id, starts_at) WHERE status = 'scheduled';

CREATE TABLE booking_counters (
    group_id  text NOT NULL,
    day       date NOT NULL,
    n         integer NOT NULL,
    PRIMARY KEY (group_id, day)
);

-- Side-effecting tool calls by idempotency key: a retry returns the first result.
CREATE TABLE tool_invocations (
    idempotency_key  text PRIMARY KEY,
    group_id         text NOT NULL,
    tool             text NOT NULL,
    result           jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- Agent traces (the SDK's traces and spans), kept here instead of uploaded.
CREATE TABLE traces (
    trace_id    text PRIMARY KEY,
    group_id    text,
    call_id     text,
    workflow    text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz,
    metadata    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX traces_call ON traces (call_id);

CREATE TABLE spans (
    span_id     text PRIMARY KEY,
    trace_id    text NOT NULL,
    parent_id   text,
    kind        text NOT NULL,
    name        text,
    started_at  timestamptz,
    ended_at    timestamptz,
    duration_ms double precision,
    data        jsonb NOT NULL DEFAULT '{}',
    error       jsonb
);
CREATE INDEX spans_trace ON spans (trace_id);
