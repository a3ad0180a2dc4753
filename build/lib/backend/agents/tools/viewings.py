"""Viewing Scheduler: the Postgres ledger holds the slot, memory holds the fact."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agents import RunContextWrapper, function_tool

from backend.agents.context import CallContext
from backend.agents.policy import parse
from backend.agents.tools import resolve
from backend.store import bookings
from memory import BookingCancelled, BookingMade, BookingRescheduled


def _moment(call: CallContext, when: str) -> datetime:
    try:
        moment = datetime.fromisoformat(when)
    except ValueError:
        moment = parse.when(when, call.now)  # type: ignore[assignment]
    if moment is None:
        raise resolve.NotUnderstood("What day and time would suit you?")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=call.now.tzinfo)
    return moment


@function_tool
async def book_viewing(
    ctx: RunContextWrapper[CallContext], when: str, property: str | None = None
) -> dict[str, Any]:
    """Book a viewing of a property.

    Args:
        when: The day and time, e.g. "Saturday 10am" or an ISO time.
        property: The listing id, address or position in the last results (defaults to the one discussed).
    """
    call = ctx.context
    pid = resolve.property_id(call, property)
    moment = _moment(call, when)
    try:
        booking = await bookings.book(
            call.db,
            group_id=call.group_id,
            property_id=pid,
            starts_at=moment,
            caller_id=call.caller_id or "anonymous",
            call_id=call.call_id,
            idempotency_key=f"{call.group_id}:{call.call_id}:view:{pid}:{moment.isoformat()}",
        )
    except bookings.SlotTaken:
        return {
            "booked": False,
            "address": call.addresses.get(pid, pid),
            "starts_at": moment.isoformat(),
        }
    await call.memory.record(
        call.episode(
            BookingMade,
            f"{booking.booking_id}:made",
            booking_id=booking.booking_id,
            property_id=pid,
            starts_at=booking.starts_at,
            reference=booking.reference,
        )
    )
    call.state.last_property, call.state.last_booking = pid, booking.booking_id
    return {
        "booked": True,
        "reference": booking.reference,
        "address": call.addresses.get(pid, pid),
        "starts_at": booking.starts_at.isoformat(),
    }


def _when(iso: str) -> str:
    return f"{datetime.fromisoformat(iso):%A %d %B at %-I:%M %p}"


def reply_book(result: dict[str, Any]) -> str:
    if not result["booked"]:
        return f"That time is taken for {result['address']}. Could another time work?"
    return (
        f"You're booked to view {result['address']} on {_when(result['starts_at'])}. "
        f"Your reference is {result['reference']}."
    )


async def _booking_of(call: CallContext, reference: str | None) -> bookings.Booking:
    mine = [
        b
        for b in await bookings.of_caller(call.db, call.group_id, call.caller_id or "")
        if b.status == "scheduled"
    ]
    for b in mine:
        if reference and reference.upper() in {b.reference, b.booking_id}:
            return b
    chosen = next((b for b in mine if b.booking_id == call.state.last_booking), None)
    if chosen or len(mine) == 1:
        return chosen or mine[0]
    raise resolve.NotUnderstood("Which viewing do you mean? Your reference looks like RE-20260101-001.")


@function_tool
async def reschedule_viewing(
    ctx: RunContextWrapper[CallContext], when: str, reference: str | None = None
) -> dict[str, Any]:
    """Move a booked viewing to another time.

    Args:
        when: The new day and time.
        reference: The booking reference (defaults to the caller's only or latest viewing).
    """
    call = ctx.context
    booking = await _booking_of(call, reference)
    moment = _moment(call, when)
    try:
        moved = await bookings.reschedule(call.db, call.group_id, booking.booking_id, moment)
    except bookings.SlotTaken:
        return {"moved": False, "reference": booking.reference, "starts_at": moment.isoformat()}
    await call.memory.record(
        call.episode(
            BookingRescheduled,
            f"{booking.booking_id}:moved:{moment.isoformat()}",
            booking_id=booking.booking_id,
            starts_at=moment,
        )
    )
    call.state.last_booking = booking.booking_id
    return {"moved": True, "reference": moved.reference, "starts_at": moved.starts_at.isoformat()}


def reply_reschedule(result: dict[str, Any]) -> str:
    if not result["moved"]:
        return "That time is taken. Could another time work?"
    return f"Done: viewing {result['reference']} is now {_when(result['starts_at'])}."


@function_tool
async def cancel_viewing(ctx: RunContextWrapper[CallContext], reference: str | None = None) -> dict[str, Any]:
    """Cancel a booked viewing.

    Args:
        reference: The booking reference (defaults to the caller's only or latest viewing).
    """
    call = ctx.context
    booking = await _booking_of(call, reference)
    await bookings.set_status(call.db, call.group_id, booking.booking_id, "cancelled")
    await call.memory.record(
        call.episode(BookingCancelled, f"{booking.booking_id}:cancelled", booking_id=booking.booking_id)
    )
    return {"reference": booking.reference}


def reply_cancel(result: dict[str, Any]) -> str:
    return f"I've cancelled viewing {result['reference']}."
