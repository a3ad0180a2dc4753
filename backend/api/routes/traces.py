"""Agent traces of a call, and the ingestion dead letters: operator reads."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request

from backend.api.auth import Caller
from backend.calls import CallNotFound
from backend.store import audit
from backend.store import calls as store
from ingest import ledger

router = APIRouter(prefix="/v1", tags=["operations"])


@router.get("/traces/{call_id}")
async def traces(request: Request, who: Caller, call_id: str) -> dict[str, Any]:
    """Every trace of the call with its spans (agent, handoff + payload, tool, guardrail)."""
    db = request.app.state.db
    if await store.get(db, who.tenant.group_id, call_id) is None:
        raise CallNotFound(call_id)
    await audit.record(db, who, "trace.read", f"call:{call_id}")
    await request.app.state.desk.runtime.settle()
    rows = await db.pool.fetch(
        "SELECT t.trace_id, t.workflow, t.started_at AS trace_started, s.span_id, s.parent_id, s.kind,"
        " s.name, s.started_at, s.duration_ms, s.data, s.error FROM traces t"
        " LEFT JOIN spans s USING (trace_id) WHERE t.call_id = $1 ORDER BY t.started_at, s.started_at",
        call_id,
    )
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        trace = out.setdefault(
            r["trace_id"],
            {
                "trace_id": r["trace_id"],
                "workflow": r["workflow"],
                "started_at": r["trace_started"],
                "spans": [],
            },
        )
        if r["span_id"]:
            trace["spans"].append(
                {
                    "span_id": r["span_id"],
                    "parent_id": r["parent_id"],
                    "kind": r["kind"],
                    "name": r["name"],
                    "started_at": r["started_at"],
                    "duration_ms": r["duration_ms"],
                    "data": json.loads(r["data"]),
                    "error": json.loads(r["error"]) if r["error"] else None,
                }
            )
    return {"call_id": call_id, "traces": list(out.values())}


@router.get("/ingest/failed")
async def failed_ingestions(request: Request, who: Caller) -> dict[str, Any]:
    """Calls whose ingestion went to the dead-letter list, with the reason."""
    return {"failed": await ledger.dead_letters(request.app.state.db, who.tenant.group_id)}
