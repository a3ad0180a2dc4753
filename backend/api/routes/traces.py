"""Agent traces of a call, and the ingestion dead letters: operator reads."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.deps import CurrentTenant, Db, Desk
from backend.api.errors import COMMON, responses
from backend.api.schemas.calls import CallId
from backend.api.schemas.traces import CallTraces, DeadLetters
from backend.calls import CallNotFound
from backend.store import audit, ingestions
from backend.store import calls as store
from backend.store import traces as store_traces

router = APIRouter(prefix="/v1", tags=["operations"], responses=COMMON)


@router.get("/traces/{call_id}", responses=responses(404))
async def traces(who: CurrentTenant, call_id: CallId, db: Db, desk: Desk) -> CallTraces:
    """Every trace of the call with its spans (agent, handoff + payload, tool, guardrail)."""
    if await store.get(db, who.tenant.group_id, call_id) is None:
        raise CallNotFound(call_id)
    await audit.record(db, who, "trace.read", f"call:{call_id}")
    await desk.settle()
    return CallTraces.model_validate({"call_id": call_id, "traces": await store_traces.of_call(db, call_id)})


@router.get("/ingest/failed")
async def failed_ingestions(who: CurrentTenant, db: Db) -> DeadLetters:
    """Calls whose ingestion went to the dead-letter list, with the reason."""
    return DeadLetters.model_validate({"failed": await ingestions.dead_letters(db, who.tenant.group_id)})
