"""The agent traces ``backend.agents.tracing`` collects: written after each turn, read back
per call."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from backend.store.db import Database

HANDOFF_PAYLOAD = "handoff.payload"
"""The custom span that carries a handoff's payload (``backend.agents.handoffs``)."""


async def of_call(db: Database, call_id: str) -> list[dict[str, Any]]:
    """Every trace of a call, oldest first, each with its spans in order."""
    traces = await db.pool.fetch(
        "SELECT trace_id, workflow, started_at FROM traces WHERE call_id = $1 ORDER BY started_at",
        call_id,
    )
    spans = await db.pool.fetch(
        "SELECT trace_id, span_id, parent_id, kind, name, started_at, duration_ms, data, error"
        " FROM spans WHERE trace_id = ANY($1::text[]) ORDER BY started_at",
        [t["trace_id"] for t in traces],
    )
    out = {t["trace_id"]: {**dict(t), "spans": []} for t in traces}
    for s in spans:
        span = dict(s)
        span["data"] = json.loads(span["data"])
        span["error"] = json.loads(span["error"]) if span["error"] else None
        out[span.pop("trace_id")]["spans"].append(span)
    return list(out.values())


def handoffs(traces: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The handoff payloads recorded in ``traces``, in order."""
    return [
        span["data"].get("data", {})
        for trace in traces
        for span in trace["spans"]
        if span["name"] == HANDOFF_PAYLOAD
    ]


async def erase_of_calls(db: Database, call_ids: list[str]) -> tuple[int, int]:
    """Delete the traces of these calls and their spans (handoff reasons quote the caller);
    how many traces and spans."""
    async with db.pool.acquire() as conn, conn.transaction():
        spans = await conn.execute(
            "DELETE FROM spans WHERE trace_id IN"
            " (SELECT trace_id FROM traces WHERE call_id = ANY($1::text[]))",
            call_ids,
        )
        traces = await conn.execute("DELETE FROM traces WHERE call_id = ANY($1::text[])", call_ids)
    return int(traces.split()[-1]), int(spans.split()[-1])


async def insert(db: Database, traces: Sequence[tuple[Any, ...]], spans: Sequence[tuple[Any, ...]]) -> None:
    """Buffered traces ``(trace_id, group_id, call_id, workflow, metadata JSON)`` and spans
    ``(span_id, trace_id, parent_id, kind, name, started_at, ended_at, duration_ms, data JSON,
    error JSON)``; each written once (a flush repeated after a failure adds nothing)."""
    async with db.pool.acquire() as conn:
        await conn.executemany(
            "INSERT INTO traces (trace_id, group_id, call_id, workflow, metadata)"
            " VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (trace_id) DO NOTHING",
            traces,
        )
        await conn.executemany(
            "INSERT INTO spans (span_id, trace_id, parent_id, kind, name, started_at, ended_at,"
            " duration_ms, data, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb)"
            " ON CONFLICT (span_id) DO NOTHING",
            spans,
        )
