"""What memory reads return."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class Fact(BaseModel):
    """One fact row: a typed statement with its valid and record intervals."""

    uuid: str
    name: str
    """The fact type, e.g. ``HAS_BUDGET``."""
    fact: str
    """A readable sentence."""
    value: str | float | int | bool | None = None
    subject: str
    object: str
    subject_name: str | None = None
    object_name: str | None = None
    valid_at: datetime
    invalid_at: datetime | None = None
    created_at: datetime
    expired_at: datetime | None = None
    episodes: list[str] = Field(default_factory=list)
    turn_ids: list[str] = Field(default_factory=list)


class Caller(BaseModel):
    id: str
    """The caller id given when the caller was identified."""
    uuid: str
    name: str


class UpcomingBooking(BaseModel):
    booking_id: str
    reference: str | None = None
    starts_at: datetime
    property_id: str | None = None
    address: str | None = None


class CallSummary(BaseModel):
    call_id: str | None
    at: datetime
    channel: str | None = None
    outcome: str | None = None
    summary: str | None = None


MatchedOn = Literal["phone", "typed_phone", "email", "name", "id"]
"""What a match rests on: ``phone`` is a telephony-verified number (the voice channel's caller
id), ``typed_phone`` a number the caller typed or said, ``email`` an email they gave, ``name``
a name (exact or fuzzy), ``id`` a caller id the application vouches for."""


class CallerContext(BaseModel):
    """Everything a greeting needs, in one read."""

    caller: Caller
    confidence: float
    """How strongly the evidence points at this caller: 1.0 for an id or a verified number that
    no other caller shares, 0.8 for a typed number or an email, 0.5 for a verified number several
    callers share (no name to tell them apart), at most 0.6 for a name (0.6 x its fuzzy score)."""
    matched_on: MatchedOn
    verified: bool = False
    """The evidence alone identifies the caller (an id, or a verified number with no other name
    given and no one else on it): their facts may be said and their bookings changed. Anything
    else is a *possible* match, to be confirmed by a step-up check before either."""
    facts: list[Fact]
    upcoming_bookings: list[UpcomingBooking]
    last_calls: list[CallSummary]


class Identification(BaseModel):
    """Who the evidence given at a call's start points at."""

    caller: CallerContext | None = None
    """A verified match, or None."""
    possible: list[CallerContext] = Field(default_factory=list)
    """Possible matches (by name, typed number or email), best first; empty with a verified match."""
    phone_held: bool = False
    """The number given is on file for some caller (a new caller must not take it from them)."""
    email_held: bool = False
    """The email given is on file for some caller."""


class Hit(BaseModel):
    text: str
    kind: Literal["fact", "episode"]
    score: float
    uuid: str
    fact_type: str | None = None
    valid_at: datetime | None = None
    invalid_at: datetime | None = None
    episode_ids: list[str] = Field(default_factory=list)
    turn_ids: list[str] = Field(default_factory=list)
    call_id: str | None = None


class Current(BaseModel):
    """A fact's current value as an entity read gives it."""

    value: str | float | int | bool | None = None
    object: str | None = None
    """The key of the entity it points at (itself for a literal fact)."""
    object_name: str | None = None


class EntityState(BaseModel):
    """An entity with the current values of the facts asked for."""

    key: str
    name: str
    attributes: dict[str, str | float | int | bool | None] = Field(default_factory=dict)
    facts: dict[str, list[Current]] = Field(default_factory=dict)

    def value(self, fact: str) -> str | float | int | bool | None:
        """The one current value of a functional fact (None when it has none)."""
        rows = self.facts.get(fact)
        return rows[0].value if rows else None


class ErasureReceipt(BaseModel):
    caller_id: str
    group_id: str
    callers: int
    facts: int
    episodes: int
    entities: int
    recheck: dict[str, int]
    """A re-query after erasure: how many rows still mention the caller (all 0)."""
