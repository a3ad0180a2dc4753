"""What analysts read from Postgres (``backend/analytics``): calls, bookings, traces, the
ingestion ledger, erasures. Read-only: every query here is a SELECT, run as the reader role
(``backend/store/readers.py``) or in a read-only session.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.store.db import Database


async def calls(db: Database, group_id: str) -> list[dict[str, Any]]:
    """Every call of the tenant: who, when, how it went (no transcript, no contact details)."""
    rows = await db.pool.fetch(
        "SELECT call_id, caller_id, channel, started_at, ended_at, status, outcome, lead_score,"
        " sentiment, tool_calls, handoffs, transferred_at IS NOT NULL AS escalated,"
        " brief->>'trigger' AS trigger, brief->>'why' AS why"
        " FROM calls WHERE group_id = $1 ORDER BY started_at",
        group_id,
    )
    return [dict(r) for r in rows]


async def bookings(db: Database, group_id: str) -> list[dict[str, Any]]:
    rows = await db.pool.fetch(
        "SELECT booking_id, reference, property_id, starts_at, caller_id, call_id, status, created_at"
        " FROM bookings WHERE group_id = $1 ORDER BY starts_at",
        group_id,
    )
    return [dict(r) for r in rows]


async def spans(db: Database, group_id: str, kinds: list[str]) -> list[dict[str, Any]]:
    """Spans of the tenant's traces of these kinds, with their call, in time order."""
    rows = await db.pool.fetch(
        "SELECT t.call_id, t.trace_id, s.kind, s.name, s.started_at, s.duration_ms, s.data"
        " FROM spans s JOIN traces t USING (trace_id)"
        " WHERE t.group_id = $1 AND s.kind = ANY($2::text[]) ORDER BY s.started_at",
        group_id,
        kinds,
    )
    return [dict(r) for r in rows]


async def ingestions(db: Database, group_id: str) -> list[dict[str, Any]]:
    """The ledger of the tenant's calls: when each call's facts reached memory."""
    rows = await db.pool.fetch(
        "SELECT i.call_id, c.started_at AS call_started_at, i.state, i.attempts, i.facts,"
        " i.enqueued_at, i.started_at, i.finished_at"
        " FROM ingestions i JOIN calls c USING (call_id) WHERE i.group_id = $1 ORDER BY c.started_at",
        group_id,
    )
    return [dict(r) for r in rows]


async def first_ingestion_after(db: Database, group_id: str, moment: datetime) -> datetime | None:
    """When memory began to ingest the first call that started after ``moment``."""
    return await db.pool.fetchval(  # type: ignore[no-any-return]
        "SELECT min(i.started_at) FROM ingestions i JOIN calls c USING (call_id)"
        " WHERE i.group_id = $1 AND c.started_at > $2",
        group_id,
        moment,
    )


async def erasures(db: Database, tenant_id: str) -> list[dict[str, Any]]:
    """The audit log's erasures (ids only), each with the tombstones written since the entry
    before it (tombstones name no caller: erasures one after another are told apart by time;
    a second caller found by the same erasure shows none)."""
    rows = await db.pool.fetch(
        "WITH e AS (SELECT subject, at, detail, lag(at) OVER (ORDER BY at) AS prev FROM audit_log"
        "  WHERE tenant_id = $1 AND action = 'caller.erase')"
        " SELECT e.subject, e.at, e.detail, (SELECT count(*) FROM erasure_tombstones t"
        "  JOIN tenants n ON n.group_id = t.group_id WHERE n.tenant_id = $1"
        "  AND t.erased_at <= e.at AND (e.prev IS NULL OR t.erased_at > e.prev)) AS tombstones"
        " FROM e ORDER BY e.at",
        tenant_id,
    )
    return [dict(r) for r in rows]
