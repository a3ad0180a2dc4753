"""Structured episodes: the only way agents and workers write to memory.

Each episode is one thing that happened, at ``valid_at``, said or done in a
call, typed and validated. ``id`` is the caller's idempotency key: recording
the same episode twice changes nothing. This module holds the base, the field
types verticals build theirs from, and the episodes of callers and calls that
every vertical shares; a vertical's own live in its package.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from memory.errors import InvalidEpisode

MAX_TEXT = 10_000
"""Longest free text (names, reasons, turn text) the graph accepts, in characters."""

Id = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\w.:@#/+-]+$")]
GroupId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=40)]
Money = Annotated[Decimal, Field(gt=0, le=10**10, max_digits=14, decimal_places=2)]


class Episode(BaseModel):
    """What every episode has: its key, its tenant, when it happened, and where it came from.
    A vertical declares its own episode types as subclasses, each with a literal ``type``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    """What happened, e.g. ``caller_identified``: a literal in each subclass, its key in the
    ontology."""
    id: Id
    """Idempotency key, unique per group (e.g. ``call-17:turn-4:budget``)."""
    group_id: GroupId
    """The tenant: each group is its own graph."""
    valid_at: AwareDatetime
    """When it happened in the world (timezone required)."""
    call_id: Id | None = None
    turn_ids: list[Id] = Field(default_factory=list, max_length=100)
    """Transcript turns this episode was taken from (provenance)."""
    source: Literal["agent", "ingest", "api", "import"] = "agent"


class CallerIdentified(Episode):
    """A caller made themselves known; creates the caller if new. A phone is linked
    (numbers move between callers over time); an email or name is set."""

    type: Literal["caller_identified"] = "caller_identified"
    caller_id: Id
    name: Name | None = None
    phone: Phone | None = None
    email: EmailStr | None = None
    phone_shared: bool = False
    """The number is already another caller's (a household's phone): it is linked as one this
    caller also uses (``USES_PHONE``) and stays with its owner."""


class ContactChanged(Episode):
    """An existing caller's contact detail changed: a new phone replaces their
    current ones; a new email or name supersedes the old."""

    type: Literal["contact_changed"] = "contact_changed"
    caller_id: Id
    name: Name | None = None
    phone: Phone | None = None
    email: EmailStr | None = None

    @model_validator(mode="after")
    def _something_changed(self) -> ContactChanged:
        if self.name is None and self.phone is None and self.email is None:
            raise ValueError("contact_changed needs a name, phone or email")
        return self


class PossibleDuplicate(Episode):
    """A new caller whose name (or typed number, or email) matches an existing caller: they are
    kept apart, never merged on such evidence, and linked for analysts. It has no ``call_id``:
    erasing either caller must not take the other's calls with it."""

    type: Literal["possible_duplicate"] = "possible_duplicate"
    caller_id: Id
    other_id: Id
    matched_on: Literal["phone", "typed_phone", "email", "name"]
    confidence: Annotated[float, Field(ge=0, le=1)]

    @model_validator(mode="after")
    def _no_call(self) -> PossibleDuplicate:
        if self.call_id is not None:
            raise ValueError("possible_duplicate takes no call_id (erasure follows call ids)")
        return self


class IdentityVerified(Episode):
    """A caller (``caller_id``, the one the call started as) passed a step-up check as an
    existing caller (``verified_as``): the digits of the number on file, the email on file, or a
    one-time code texted to the number on file."""

    type: Literal["identity_verified"] = "identity_verified"
    caller_id: Id
    verified_as: Id
    method: Literal["phone_digits", "email", "text_code"]


class OptedOut(Episode):
    """The caller asked not to be contacted (on a channel, or at all)."""

    type: Literal["opted_out"] = "opted_out"
    caller_id: Id
    channel: Literal["all", "sms", "email", "phone"] = "all"


class Handoff(Episode):
    """One agent handed the conversation to another, with what it relied on."""

    type: Literal["handoff"] = "handoff"
    caller_id: Id | None = None
    from_agent: Name
    to_agent: Name
    intent: Annotated[str, StringConstraints(max_length=100)]
    reason: Annotated[str, StringConstraints(max_length=1000)] = ""
    fact_ids: list[Id] = Field(default_factory=list, max_length=100)
    episode_ids: list[Id] = Field(default_factory=list, max_length=100)


class Escalated(Episode):
    """The call was handed to a person: the caller asked, a guardrail tripped, or a ceiling
    was reached; with why and the facts the brief relied on."""

    type: Literal["escalated"] = "escalated"
    caller_id: Id
    agent: Name
    """The agent that had the conversation when it was handed over."""
    trigger: Literal["request", "guardrail", "ceiling", "emergency"]
    reason: Annotated[str, StringConstraints(max_length=1000)] = ""
    fact_ids: list[Id] = Field(default_factory=list, max_length=100)


class OnCallPaged(Episode):
    """A person on the tenant's on-call ladder was paged about a transferred call."""

    type: Literal["on_call_paged"] = "on_call_paged"
    caller_id: Id
    person: Name
    rung: int = Field(ge=1, le=100)
    """Their place on the ladder: 1 is the primary."""
    timeout_s: int = Field(ge=1)
    """How long they have to answer before the next rung is paged."""
    emergency: bool = False


class OnCallAnswered(Episode):
    """The paged person took the call."""

    type: Literal["on_call_answered"] = "on_call_answered"
    caller_id: Id
    person: Name
    rung: int = Field(ge=1, le=100)


class OnCallExhausted(Episode):
    """Nobody on the ladder answered: the call waits for a callback."""

    type: Literal["on_call_exhausted"] = "on_call_exhausted"
    caller_id: Id
    rungs: int = Field(ge=1, le=100)


class CallCompleted(Episode):
    """A call ended; its outcome is what the next greeting recalls."""

    type: Literal["call_completed"] = "call_completed"
    caller_id: Id
    channel: Literal["voice", "chat"] = "voice"
    outcome: Annotated[str, StringConstraints(max_length=200)]
    summary: Annotated[str, StringConstraints(max_length=2000)] = ""


class Turn(BaseModel):
    """One transcript turn, as ``ingest_transcript`` takes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id
    speaker: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT)]
    at: AwareDatetime


def utc(moment: datetime) -> datetime:
    """Aware datetimes only: a naive one is ambiguous and rejected."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidEpisode(f"naive datetime {moment.isoformat()}: give a timezone")
    return moment.astimezone(UTC)
