"""Bodies of the operator reads: a call's agent traces, the ingestion dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class SpanError(BaseModel):
    message: str
    data: dict[str, Any] | None = None


class Span(BaseModel):
    span_id: str
    parent_id: str | None
    kind: str
    """The SDK's span type: agent, handoff, function (a tool), guardrail, custom…"""
    name: str | None
    started_at: datetime | None
    duration_ms: float | None
    data: dict[str, Any]
    """The SDK's export of the span, phone numbers and emails redacted; a handoff's payload
    is the ``data`` of its ``handoff.payload`` custom span."""
    error: SpanError | None


class Trace(BaseModel):
    trace_id: str
    workflow: str
    started_at: datetime
    spans: list[Span]
    """In the order they started."""


class CallTraces(BaseModel):
    call_id: str
    traces: list[Trace]
    """Oldest first."""


class DeadLetter(BaseModel):
    """A call whose ingestion failed its last try."""

    call_id: str
    group_id: str
    job_id: str
    attempts: int
    error: str | None
    enqueued_at: datetime
    finished_at: datetime | None


class DeadLetters(BaseModel):
    failed: list[DeadLetter]
    """Newest first."""
