"""The bookings ledger: the source of truth for viewing slots.

A unique index makes double-booking a slot impossible; the idempotency key
makes a retried booking return the first one instead of booking twice.
References look like ``RE-20260321-007`` (per tenant, per day of booking).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg

from backend.store.db import Database


class SlotTaken(Exception):
    """That property already has a viewing at that time."""


class BookingNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Booking:
    booking_id: str
    reference: str
    property_id: str
    starts_at: datetime
    caller_id: str | None
    """None once the caller is erased (the booking is kept for accounting)."""
    status: str
    made_at: datetime
    """When it was booked, on the booking call's clock: its episode's valid time, so a retried
    booking records the same episode again rather than a conflicting one."""


def _booking(row: asyncpg.Record) -> Booking:
    return Booking(
        booking_id=row["booking_id"],
        reference=row["reference"],
        property_id=row["property_id"],
        starts_at=row["starts_at"],
        caller_id=row["caller_id"],
        status=row["status"],
        made_at=row["created_at"],
    )


async def book(
    db: Database,
    *,
    group_id: str,
    property_id: str,
    starts_at: datetime,
    caller_id: str,
    idempotency_key: str,
    call_id: str | None = None,
    today: date | None = None,
    made_at: datetime | None = None,
) -> Booking:
    """Book a slot, or return the booking this key already made."""
    async with db.pool.acquire() as conn, conn.transaction():
        existing = await conn.fetchrow("SELECT * FROM bookings WHERE idempotency_key = $1", idempotency_key)
        if existing:
            return _booking(existing)
        day = today or datetime.now(UTC).date()
        n = await conn.fetchval(
            "INSERT INTO booking_counters (group_id, day, n) VALUES ($1, $2, 1)"
            " ON CONFLICT (group_id, day) DO UPDATE SET n = booking_counters.n + 1 RETURNING n",
            group_id,
            day,
        )
        reference = f"RE-{day:%Y%m%d}-{n:03d}"
        try:
            async with conn.transaction():
                row = await conn.fetchrow(
                    "INSERT INTO bookings (booking_id, group_id, reference, property_id, starts_at,"
                    " caller_id, call_id, idempotency_key, created_at)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, now())) RETURNING *",
                    f"{group_id}:{reference}",
                    group_id,
                    reference,
                    property_id,
                    starts_at,
                    caller_id,
                    call_id,
                    idempotency_key,
                    made_at,
                )
        except asyncpg.UniqueViolationError as exc:
            if "idempotency_key" in str(exc.constraint_name or ""):
                row = await conn.fetchrow(
                    "SELECT * FROM bookings WHERE idempotency_key = $1", idempotency_key
                )
            else:
                raise SlotTaken(
                    f"{property_id} already has a viewing at {starts_at:%a %d %b %H:%M}"
                ) from None
        return _booking(row)


async def set_status(db: Database, group_id: str, booking_id: str, status: str) -> Booking:
    row = await db.pool.fetchrow(
        "UPDATE bookings SET status = $3 WHERE group_id = $1 AND booking_id = $2 RETURNING *",
        group_id,
        booking_id,
        status,
    )
    if row is None:
        raise BookingNotFound(booking_id)
    return _booking(row)


async def reschedule(db: Database, group_id: str, booking_id: str, starts_at: datetime) -> Booking:
    try:
        row = await db.pool.fetchrow(
            "UPDATE bookings SET starts_at = $3 WHERE group_id = $1 AND booking_id = $2"
            " AND status = 'scheduled' RETURNING *",
            group_id,
            booking_id,
            starts_at,
        )
    except asyncpg.UniqueViolationError:
        raise SlotTaken(f"that slot is taken ({starts_at:%a %d %b %H:%M})") from None
    if row is None:
        raise BookingNotFound(booking_id)
    return _booking(row)


async def taken(
    db: Database, group_id: str, property_id: str, start: datetime, end: datetime
) -> set[datetime]:
    """Start times of the live viewings of a property in [start, end)."""
    rows = await db.pool.fetch(
        "SELECT starts_at FROM bookings WHERE group_id = $1 AND property_id = $2 AND status = 'scheduled'"
        " AND starts_at >= $3 AND starts_at < $4",
        group_id,
        property_id,
        start,
        end,
    )
    return {r["starts_at"] for r in rows}


async def of_caller(db: Database, group_id: str, caller_id: str) -> list[Booking]:
    rows = await db.pool.fetch(
        "SELECT * FROM bookings WHERE group_id = $1 AND caller_id = $2 ORDER BY starts_at",
        group_id,
        caller_id,
    )
    return [_booking(r) for r in rows]


async def of_call(db: Database, group_id: str, call_id: str) -> list[Booking]:
    """The bookings made in one call, whatever became of them since."""
    rows = await db.pool.fetch(
        "SELECT * FROM bookings WHERE group_id = $1 AND call_id = $2 ORDER BY created_at, booking_id",
        group_id,
        call_id,
    )
    return [_booking(r) for r in rows]


async def discard(db: Database, group_id: str, call_id: str, keep: set[str]) -> list[str]:
    """Delete the call's bookings not in ``keep`` (those of a turn that was not stored: the
    ledger must not hold what the transcript does not); the ids deleted."""
    rows = await db.pool.fetch(
        "DELETE FROM bookings WHERE group_id = $1 AND call_id = $2 AND NOT booking_id = ANY($3::text[])"
        " RETURNING booking_id",
        group_id,
        call_id,
        sorted(keep),
    )
    return [r["booking_id"] for r in rows]


async def anonymize(
    db: Database, group_id: str, caller_ids: list[str], call_ids: list[str], now: datetime
) -> tuple[int, int]:
    """An erased caller's bookings, kept for accounting without caller or call: those still
    to come are cancelled (their slots free again), past ones keep their status. Returns
    (cancelled, anonymized)."""
    rows = await db.pool.fetch(
        "WITH mine AS (SELECT booking_id, status = 'scheduled' AND starts_at > $4 AS upcoming FROM bookings"
        " WHERE group_id = $1 AND (caller_id = ANY($2::text[]) OR call_id = ANY($3::text[])) FOR UPDATE)"
        " UPDATE bookings b SET caller_id = NULL, call_id = NULL,"
        " status = CASE WHEN mine.upcoming THEN 'cancelled' ELSE b.status END"
        " FROM mine WHERE b.booking_id = mine.booking_id RETURNING mine.upcoming",
        group_id,
        caller_ids,
        call_ids,
        now,
    )
    return sum(1 for r in rows if r["upcoming"]), len(rows)
