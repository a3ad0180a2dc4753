"""Request and response bodies of the /v1 API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field


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
    facts_used: list[str]
    latency_ms: float
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
    outcome: str | None
    transcript: list[TranscriptTurn]
    handoffs: list[dict[str, Any]]
    ingestion: dict[str, Any] | None
