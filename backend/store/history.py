"""Calls that happened before now, written as the API leaves a call at its end.

The API stamps a call with the server's clock, so a history (``switchboard seed demo``) cannot
go through it; these rows are what ``POST /v1/calls`` … ``/end`` would have left, with the
times of the past, for post-call ingestion to read like any other ended call.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from backend.store.bookings import Booking, _booking
from backend.store.db import Database


async def write_ended_call(
    db: Database,
    *,
    call_id: str,
    group_id: str,
    channel: str,
    caller_id: str,
    started_at: datetime,
    ended_at: datetime,
    phone: str | None,
    name: str | None,
    turns: Sequence[tuple[int, str, str, str | None, datetime]],
) -> bool:
    """The call (``ended``) and its ``(seq, speaker, text, agent, at)`` turns in one
    transaction; False (nothing written) when the call is already there."""
    async with db.pool.acquire() as conn, conn.transaction():
        status = await conn.execute(
            "INSERT INTO calls (call_id, group_id, channel, caller_id, started_at, ended_at, status,"
            " caller_phone, caller_name) VALUES ($1, $2, $3, $4, $5, $6, 'ended', $7, $8)"
            " ON CONFLICT (call_id) DO NOTHING",
            call_id,
            group_id,
            channel,
            caller_id,
            started_at,
            ended_at,
            phone,
            name,
        )
        if status.endswith(" 0"):
            return False
        await conn.executemany(
            "INSERT INTO turns (call_id, seq, speaker, text, agent, at) VALUES ($1, $2, $3, $4, $5, $6)",
            [(call_id, *turn) for turn in turns],
        )
    return True


async def booking_of_key(db: Database, idempotency_key: str) -> Booking | None:
    """The booking an idempotency key made, if any."""
    row = await db.pool.fetchrow("SELECT * FROM bookings WHERE idempotency_key = $1", idempotency_key)
    return _booking(row) if row else None


async def facts_of(db: Database, call_ids: list[str]) -> int:
    """New facts the ingestion of these calls wrote (the ledger's count)."""
    return int(
        await db.pool.fetchval(
            "SELECT coalesce(sum(facts), 0) FROM ingestions WHERE call_id = ANY($1::text[])", call_ids
        )
    )
