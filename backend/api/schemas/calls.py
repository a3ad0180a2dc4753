"""Bodies of the /v1/calls routes: starting a call, its turns, ending it, reading it back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from backend.api import limits
from memory import Fact

_PRINTABLE = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
"""As published in OpenAPI: no control character, something besides whitespace."""


def _name(value: str) -> str:
    value = limits.printable(value, "name").strip()
    if not value:
        raise ValueError("name must hold more than whitespace")
    return value


def _phone(value: str) -> str:
    value = limits.printable(value, "from").strip()
    if not value:
        raise ValueError("from must be a phone number (omit it when there is none)")
    return value


def _label(value: str) -> str:
    value = limits.printable(value, "outcome")
    if not value.strip():
        raise ValueError("outcome must hold more than whitespace (omit it when there is none)")
    return value


def _spoken(value: Any) -> Any:
    return limits.spoken(value) if isinstance(value, str) else value


def _said(value: str) -> str:
    if not value.strip():
        raise ValueError("text must hold more than whitespace")
    return value


def _printable(max_length: int, check: Any) -> Any:
    """A printable string of at most ``max_length``, checked by ``check`` (which explains
    a refusal better than the published pattern would)."""
    return (
        StringConstraints(max_length=max_length),
        AfterValidator(check),
        WithJsonSchema({"type": "string", "minLength": 1, "maxLength": max_length, "pattern": _PRINTABLE}),
    )


Name = Annotated[str, *_printable(200, _name)]
"""A person's name: no control characters (NUL refused), not only whitespace, trimmed."""
Phone = Annotated[str, *_printable(40, _phone)]
Outcome = Annotated[str, *_printable(200, _label)]
SpokenText = Annotated[
    str,
    BeforeValidator(_spoken),
    StringConstraints(min_length=1),
    AfterValidator(_said),
    WithJsonSchema({"type": "string", "minLength": 1, "pattern": r"[^\s\x00]"}),
]
"""What a caller said: NULs dropped, then it must hold more than whitespace."""

CallId = Annotated[str, Path(pattern=limits.ID_PATTERN, description="A call id (``call-…``)")]
Seq = Annotated[int, Path(ge=0, le=1_000_000, description="A line of the transcript (0 is the greeting)")]


class StartCall(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    channel: Literal["chat", "voice"] = "chat"
    from_: Phone | None = Field(
        default=None,
        alias="from",
        description="The caller's phone (read with SWITCHBOARD_DEFAULT_REGION)",
    )
    name: Name | None = None
    email: EmailStr | None = None
    metadata: Annotated[
        dict[str, Any], AfterValidator(limits.metadata), WithJsonSchema(limits.METADATA_SCHEMA)
    ] = Field(default_factory=dict)


class CallerSummary(BaseModel):
    id: str | None
    name: str | None
    returning: bool
    """A verified match: greeted with what we know."""
    confidence: float | None
    matched_on: str | None = None
    """What the match rests on: phone (the telephony caller id), email, id; null for a new caller."""
    verified: bool = False
    possible_match: bool = False
    """The caller may be an existing one (by name, typed number or email): a new caller for now,
    told nothing on file until they pass a step-up check in the conversation."""


class CallStarted(BaseModel):
    call_id: str
    caller: CallerSummary
    agent: str
    greeting: str


class TurnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: SpokenText


class Handoff(BaseModel):
    """One agent handing the conversation to another, with the payload the next one got."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    intent: str
    slots: dict[str, str]
    """Values already heard, by name."""
    fact_ids: list[str]
    episode_ids: list[str]
    reason: str


class ToolCall(BaseModel):
    agent: str
    tool: str
    latency_ms: float
    from_memory: list[str]
    """Arguments defaulted from the turn context (e.g. ``suburb``, ``max_price``)."""
    failure: str | None
    """A typed failure's code (``unknown_property``), or null."""


class BriefRefs(BaseModel):
    """Ids for consoles and memory, never to be spoken."""

    call_id: str
    caller_id: str | None
    fact_ids: list[str]
    possible_caller_ids: list[str] = Field(default_factory=list)
    """Existing callers this one may be (not verified): for the person to check."""


class Brief(BaseModel):
    """The warm-transfer brief a person reads before picking up; all but ``refs`` may be read out."""

    who: str
    why: str
    trigger: Literal["request", "guardrail", "ceiling", "emergency"]
    facts: list[str]
    """What we know, as a person would say it."""
    tried: list[str]
    summary: str
    """One paragraph to read to whoever picks up."""
    refs: BriefRefs


class TurnOut(BaseModel):
    reply: str
    agent: str
    handoffs: list[Handoff]
    tool_calls: list[ToolCall]
    facts_used: list[str]
    latency_ms: float
    context_ms: float = 0.0
    """Of ``latency_ms``: assembling the turn context (facts, snippets, working set)."""
    escalated: bool = False
    brief: Brief | None = None


class EndCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome | None = None


class EndResult(BaseModel):
    call_id: str
    job_id: str


class OnCallAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    """Who takes the call: a person on the tenant's on-call ladder who was paged about it."""


class OnCallAnswered(BaseModel):
    call_id: str
    person: str
    rung: int
    """Their place on the ladder (1: the primary)."""
    answered_at: datetime


class TranscriptTurn(BaseModel):
    seq: int
    speaker: str
    text: str
    agent: str | None
    at: datetime


class Ingestion(BaseModel):
    job_id: str
    state: Literal["queued", "running", "done", "failed", "dead"]


class OnCallPage(BaseModel):
    rung: int
    person: str
    emergency: bool
    paged_at: datetime
    answered_at: datetime | None


class CallRecord(BaseModel):
    call_id: str
    channel: str
    caller_id: str | None
    started_at: datetime
    ended_at: datetime | None
    agent: str
    status: Literal["active", "transferred", "ended"] = "active"
    """``transferred``: handed to a person (turns get the holding reply until the call ends)."""
    brief: Brief | None = None
    """The warm-transfer brief of a transferred call (``refs`` holds ids; the rest may be read out)."""
    on_call: list[OnCallPage] = Field(default_factory=list)
    """Who on the tenant's on-call ladder was paged about it, in order, and who answered."""
    outcome: str | None
    """Derived by post-call ingestion: viewing_booked, viewing_changed, appraisal_requested,
    escalated, enquiry or no_answer (docs/ingest.md)."""
    client_outcome: str | None = None
    """What the client gave at ``POST /v1/calls/{id}/end``, kept as given."""
    transcript: list[TranscriptTurn]
    handoffs: list[Handoff]
    ingestion: Ingestion | None


class Snippet(BaseModel):
    """A line of an earlier call the turn context held."""

    id: str
    text: str
    call_id: str | None


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
    snippets: list[Snippet]
    working_set: dict[str, Any]
    """The call's working set as the turn began (its keys are the vertical's: results read
    out, shortlist, last booking, last search…)."""
