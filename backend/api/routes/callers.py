"""Callers: context, bi-temporal timeline, erasure. Every read and write is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request

from backend.api.auth import Caller
from backend.api.errors import ApiError
from backend.store import audit
from ingest import erase_caller
from memory import CallerContext, Fact

router = APIRouter(prefix="/v1/callers", tags=["callers"])


@router.get("/{caller_id}")
async def caller(request: Request, who: Caller, caller_id: str) -> CallerContext:
    """What a greeting needs: who, current facts, upcoming viewings, last calls."""
    known = await request.app.state.memory.recall_caller(who.tenant.group_id, caller_id=caller_id)
    if known is None:
        raise ApiError(404, "caller_not_found", f"no caller {caller_id}")
    await audit.record(request.app.state.db, who, "caller.read", f"caller:{caller_id}")
    return known


@router.get("/{caller_id}/timeline")
async def timeline(
    request: Request,
    who: Caller,
    caller_id: str,
    valid_at: datetime | None = None,
    known_at: datetime | None = None,
) -> dict[str, Any]:
    """Facts true at ``valid_at`` as the graph knew them at ``known_at`` (both default: now)."""
    for name, at in (("valid_at", valid_at), ("known_at", known_at)):
        if at is not None and at.tzinfo is None:
            raise ApiError(422, "invalid_request", f"{name} needs a timezone, e.g. 2026-11-21T10:00:00Z")
    facts: list[Fact] = await request.app.state.memory.facts(
        who.tenant.group_id, caller_id, valid_at=valid_at, known_at=known_at
    )
    await audit.record(request.app.state.db, who, "caller.timeline", f"caller:{caller_id}")
    return {"caller_id": caller_id, "valid_at": valid_at, "known_at": known_at, "facts": facts}


@router.delete("/{caller_id}")
async def erase(request: Request, who: Caller, caller_id: str) -> dict[str, Any]:
    """Erase the caller: queued ingestions, calls and transcripts, and the graph, under the
    tenant's write lock; the receipt proves it."""
    state = request.app.state
    if state.conns.redis is None:
        raise ConnectionError("the queue is not reachable")
    erased = await erase_caller(
        state.memory,
        state.db,
        state.conns.redis,
        who.tenant.group_id,
        caller_id,
        queue_name=state.settings.queue_name,
    )
    if erased.receipt is None and not erased.calls:
        raise ApiError(404, "caller_not_found", f"no caller {caller_id}")
    await audit.record(state.db, who, "caller.erase", f"caller:{caller_id}", calls=erased.calls)
    return erased.as_dict()
