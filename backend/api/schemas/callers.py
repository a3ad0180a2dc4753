"""Bodies of the /v1/callers routes: the bi-temporal timeline and the erasure receipt (the
caller's context is memory's ``CallerContext``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel

from backend.api import limits
from backend.store.tombstones import Kind
from memory import ErasureReceipt, Fact

CallerId = Annotated[str, Path(pattern=limits.ID_PATTERN, description="A caller id (``caller-…``)")]


class Timeline(BaseModel):
    """The caller's facts true at ``valid_at`` as the graph knew them at ``known_at``."""

    caller_id: str
    valid_at: datetime | None
    """As asked, in UTC; null: now."""
    known_at: datetime | None
    """As asked, in UTC; null: now."""
    facts: list[Fact]


class TraceCounts(BaseModel):
    traces: int
    spans: int


class BookingCounts(BaseModel):
    cancelled: int
    """Viewings still to come, cancelled (their slots are free again)."""
    anonymized: int
    """Bookings kept for accounting without caller or call (the cancelled ones included)."""


class PostgresPurge(BaseModel):
    mode: Literal["rewritten", "vacuumed"]
    """``rewritten``: tables rewritten and old WAL removed (our own server); ``vacuumed``: a
    plain VACUUM (a server whose files are not ours)."""
    tables: list[str]
    wal_clean: bool
    """Every WAL segment written before the erasure is gone from the server's disk."""


class DiskPurge(BaseModel):
    graph: bool
    """The graph server's files were rewritten (false: the engine has no such step)."""
    postgres: PostgresPurge


class Erasure(BaseModel):
    """The receipt of an erasure: counts and ids, never a value erased (docs/ingest.md, Erasure)."""

    caller_id: str | None
    """The caller asked for; null for an erasure by phone or email."""
    group_id: str
    graph: ErasureReceipt | None
    """Memory's receipt for ``caller_id``, with its ``recheck``."""
    callers: list[str]
    """Every caller erased (the one asked and those their numbers and emails led to)."""
    receipts: list[ErasureReceipt]
    calls: int
    """Calls deleted (their turns and ledger rows with them)."""
    jobs_dequeued: int
    turns_redacted: int
    """Lines of calls that stay which named an erased number or email."""
    calls_redacted: int
    transcript_turns: int
    """Transcript turns taken out of the graph beside those of the callers' own calls."""
    traces: TraceCounts
    bookings: BookingCounts
    tombstones: dict[Kind, int]
    """Keyed hashes written, per kind of contact."""
    disk: DiskPurge
