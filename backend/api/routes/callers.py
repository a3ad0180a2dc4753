"""Callers: context, bi-temporal timeline, erasure. Every read and write is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from backend.api import limits
from backend.api.deps import Config, CurrentTenant, Db, Desk, Mem, Queue
from backend.api.errors import COMMON, ApiError, responses
from backend.api.schemas.callers import CallerId, Erasure, Timeline
from backend.erasure import CallerErased, erase_caller, erase_contact
from backend.store import Database, audit
from backend.store.tenants import Principal
from memory import CallerContext, UnknownEntity

router = APIRouter(prefix="/v1/callers", tags=["callers"], responses=COMMON)


@router.get("/{caller_id}", responses=responses(404))
async def caller(who: CurrentTenant, caller_id: CallerId, memory: Mem, db: Db) -> CallerContext:
    """What a greeting needs: who, current facts, upcoming viewings, last calls."""
    try:
        known = await memory.recall_caller(who.tenant.group_id, caller_id=caller_id)
    except UnknownEntity:  # erased while this was read
        known = None
    if known is None:
        raise ApiError(404, "caller_not_found", f"no caller {caller_id}")
    await audit.record(db, who, "caller.read", f"caller:{caller_id}")
    return known


@router.get("/{caller_id}/timeline", responses=responses(404))
async def timeline(
    who: CurrentTenant,
    caller_id: CallerId,
    memory: Mem,
    db: Db,
    valid_at: datetime | None = None,
    known_at: datetime | None = None,
) -> Timeline:
    """Facts true at ``valid_at`` as the graph knew them at ``known_at`` (both default: now)."""
    try:
        valid_at, known_at = limits.moment(valid_at, "valid_at"), limits.moment(known_at, "known_at")
    except ValueError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None
    try:
        facts = await memory.facts(who.tenant.group_id, caller_id, valid_at=valid_at, known_at=known_at)
    except UnknownEntity:
        raise ApiError(404, "caller_not_found", f"no caller {caller_id}") from None
    await audit.record(db, who, "caller.timeline", f"caller:{caller_id}")
    return Timeline(caller_id=caller_id, valid_at=valid_at, known_at=known_at, facts=facts)


@router.delete("/{caller_id}", responses=responses(404))
async def erase(
    who: CurrentTenant,
    caller_id: CallerId,
    memory: Mem,
    db: Db,
    queue: Queue,
    desk: Desk,
    settings: Config,
) -> Erasure:
    """Erase the caller and whoever their numbers and emails lead to (docs/ingest.md, Erasure):
    queued ingestions, calls and transcripts, traces, bookings (upcoming ones cancelled, all
    kept without the caller), the graph, and the files on disk; the receipt says what went."""
    await desk.settle()  # the traces of a turn just taken are written first
    erased = await erase_caller(memory, db, queue, who.tenant.group_id, caller_id, settings=settings)
    if not erased.found:
        raise ApiError(404, "caller_not_found", f"no caller {caller_id}")
    await _audit(db, who, erased)
    return Erasure.model_validate(erased.as_dict())


@router.delete("", responses=responses(404))
async def erase_by_contact(
    who: CurrentTenant,
    memory: Mem,
    db: Db,
    queue: Queue,
    desk: Desk,
    settings: Config,
    phone: Annotated[
        str | None, Query(max_length=40, description="A phone number (read with SWITCHBOARD_DEFAULT_REGION)")
    ] = None,
    email: Annotated[str | None, Query(max_length=254, description="An email address")] = None,
) -> Erasure:
    """Erase everything under a phone number or email (or both): every caller who held it,
    every call that began with it or in which the caller gave it, every line naming it; the
    receipt says what went, never the values."""
    if phone is None and email is None:
        raise ApiError(422, "invalid_request", "give a phone or an email to erase")
    await desk.settle()
    try:
        erased = await erase_contact(
            memory, db, queue, who.tenant.group_id, phone=phone, email=email, settings=settings
        )
    except ValueError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None
    if not erased.found:
        raise ApiError(404, "caller_not_found", "nothing on file under that phone or email")
    await _audit(db, who, erased)
    return Erasure.model_validate(erased.as_dict())


async def _audit(db: Database, who: Principal, erased: CallerErased) -> None:
    """One entry per caller erased (ids only), or one for the contact when only lines went."""
    for caller_id in erased.callers or ("contact",):
        subject = f"caller:{caller_id}" if erased.callers else "contact"
        # The tombstones' count goes with the entry: a later erasure of the same number moves
        # their time on, so counting them by time afterwards would lose this one's.
        tombstones = sum(erased.tombstones.values())
        await audit.record(db, who, "caller.erase", subject, calls=erased.calls, tombstones=tombstones)
