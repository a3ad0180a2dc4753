"""Request and response bodies of the /v1 API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from memory import Fact


class StartCall(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    channel: Literal["chat", "voice"] = "chat"
    from_: str | None = Field(
        default=None,
        alias="from",
        max_length=40,
        description="The caller's phone (read with SWITCHBOARD_DEFAULT_REGION)",
    )
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class CallerSummary(BaseModel):
    id: str | None
    name: str | None
    returning: bool
    confidence: float | None


class CallStarted(BaseModel):
    call_id: str
    caller: CallerSummary
    agent: str
    greeting: str


class TurnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)


class TurnOut(BaseModel):
    reply: str
    agent: str
    handoffs: list[dict[str, Any]]
    tool_calls: list[dict[str, Any]]
    """Each: agent, tool, latency_ms, from_memory (arguments defaulted from the turn context),
    failure (a typed failure's code, or null)."""
    facts_used: list[str]
    latency_ms: float
    context_ms: float = 0.0
    """Of ``latency_ms``: assembling the turn context (facts, snippets, working set)."""
    escalated: bool = False
    brief: dict[str, Any] | None = None


class EndCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str | None = Field(default=None, max_length=200)


class EndResult(BaseModel):
    call_id: str
    job_id: str


class TranscriptTurn(BaseModel):
    seq: int
    speaker: str
    text: str
    agent: str | None
    at: datetime


class CallRecord(BaseModel):
    call_id: str
    channel: str
    caller_id: str | None
    started_at: datetime
    ended_at: datetime | None
    agent: str
    status: Literal["active", "transferred", "ended"] = "active"
    """``transferred``: handed to a person (turns get the holding reply until the call ends)."""
    brief: dict[str, Any] | None = None
    """The warm-transfer brief of a transferred call (``refs`` holds ids; the rest may be read out)."""
    outcome: str | None
    """Derived by post-call ingestion: viewing_booked, viewing_changed, appraisal_requested,
    escalated, enquiry or no_answer (docs/ingest.md)."""
    client_outcome: str | None = None
    """What the client gave at ``POST /v1/calls/{id}/end``, kept as given."""
    transcript: list[TranscriptTurn]
    handoffs: list[dict[str, Any]]
    ingestion: dict[str, Any] | None


class TurnContextRecord(BaseModel):
    """What the agent's reply at ``seq`` relied on, read again as known at ``known_at``."""

    call_id: str
    seq: int
    at: datetime
    known_at: datetime
    facts: list[Fact]
    """The facts the context held, from a bi-temporal read at ``known_at`` (later calls that
    superseded them do not change this)."""
    missing_fact_ids: list[str]
    """Ids the context held that the read no longer finds (the caller was erased)."""
    snippets: list[dict[str, Any]]
    working_set: dict[str, Any]
