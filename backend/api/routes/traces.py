"""Agent traces of a call, and the ingestion dead letters: operator reads."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from backend.api.auth import Caller
from backend.api.errors import COMMON, responses
from backend.api.schemas import CallId
from backend.calls import CallNotFound
from backend.store import audit
from backend.store import calls as store
from backend.store import traces as store_traces
from ingest import ledger

router = APIRouter(prefix="/v1", tags=["operations"], responses=COMMON)


@router.get("/traces/{call_id}", responses=responses(404))
async def traces(request: Request, who: Caller, call_id: CallId) -> dict[str, Any]:
    """Every trace of the call with its spans (agent, handoff + payload, tool, guardrail)."""
    db = request.app.state.db
    if await store.get(db, who.tenant.group_id, call_id) is None:
        raise CallNotFound(call_id)
    await audit.record(db, who, "trace.read", f"call:{call_id}")
    await request.app.state.desk.runtime.settle()
    return {"call_id": call_id, "traces": await store_traces.of_call(db, call_id)}


@router.get("/ingest/failed")
async def failed_ingestions(request: Request, who: Caller) -> dict[str, Any]:
    """Calls whose ingestion went to the dead-letter list, with the reason."""
    return {"failed": await ledger.dead_letters(request.app.state.db, who.tenant.group_id)}
