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


class CallerContext(BaseModel):
    """Everything a greeting needs, in one read."""

    caller: Caller
    confidence: float
    """1.0 for an exact phone or email match; the fuzzy score for a name."""
    matched_on: Literal["phone", "email", "name", "id"]
    facts: list[Fact]
    upcoming_bookings: list[UpcomingBooking]
    last_calls: list[CallSummary]


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


class ErasureReceipt(BaseModel):
    caller_id: str
    group_id: str
    callers: int
    facts: int
    episodes: int
    entities: int
    recheck: dict[str, int]
    """A re-query after erasure: how many rows still mention the caller (all 0)."""
