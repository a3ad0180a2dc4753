"""The ingestion ledger (Postgres ``ingestions``): one row per ended call and the
state of its post-call job (``backend.queue`` enqueues it, ``ingest.jobs`` runs it).

States: ``queued`` → ``running`` → ``done``; a failed try that will be retried is
``failed``; a job that will not be retried (a poison transcript, or out of tries)
is ``dead`` with its reason — the dead-letter list. Only ids and reasons are kept
here, never transcript text or contact details.
"""

from __future__ import annotations

from typing import Any

from backend.store.db import Database

STATES = ("queued", "running", "done", "failed", "dead")
MAX_REASON = 500


async def open_row(db: Database, call_id: str, group_id: str, job_id: str) -> str:
    """Insert the call's row as ``queued`` unless it exists; the row's state either way."""
    state = await db.pool.fetchval(
        "INSERT INTO ingestions (call_id, group_id, job_id) VALUES ($1, $2, $3)"
        " ON CONFLICT (call_id) DO NOTHING RETURNING state",
        call_id,
        group_id,
        job_id,
    )
    if state is not None:
        return str(state)
    return str(await db.pool.fetchval("SELECT state FROM ingestions WHERE call_id = $1", call_id))


async def requeue(db: Database, call_id: str) -> bool:
    """Back to ``queued`` with a fresh try count (an operator's replay); False if no row."""
    status = await db.pool.execute(
        "UPDATE ingestions SET state = 'queued', attempts = 0, error = NULL, facts = NULL,"
        " enqueued_at = now(), started_at = NULL, finished_at = NULL WHERE call_id = $1",
        call_id,
    )
    return status.endswith(" 1")


async def start(db: Database, call_id: str) -> int:
    """Mark a try as running; returns the attempt number (1 on the first try)."""
    attempts = await db.pool.fetchval(
        "UPDATE ingestions SET state = 'running', attempts = attempts + 1, started_at = now(),"
        " finished_at = NULL WHERE call_id = $1 RETURNING attempts",
        call_id,
    )
    return int(attempts or 0)


async def done(db: Database, call_id: str, facts: int) -> None:
    await db.pool.execute(
        "UPDATE ingestions SET state = 'done', error = NULL, facts = $2, finished_at = now()"
        " WHERE call_id = $1",
        call_id,
        facts,
    )


async def failed(db: Database, call_id: str, reason: str) -> None:
    """A try failed and will be retried."""
    await _finish(db, call_id, "failed", reason)


async def dead(db: Database, call_id: str, reason: str) -> None:
    """No more tries: the call is on the dead-letter list until replayed."""
    await _finish(db, call_id, "dead", reason)


async def _finish(db: Database, call_id: str, state: str, reason: str) -> None:
    await db.pool.execute(
        "UPDATE ingestions SET state = $2, error = $3, finished_at = now() WHERE call_id = $1",
        call_id,
        state,
        reason[:MAX_REASON],
    )


async def row(db: Database, call_id: str) -> dict[str, Any] | None:
    found = await db.pool.fetchrow("SELECT * FROM ingestions WHERE call_id = $1", call_id)
    return dict(found) if found else None


async def counts(db: Database, group_id: str | None = None) -> dict[str, int]:
    """How many calls are in each state (every state listed, zeros included)."""
    rows = await db.pool.fetch(
        "SELECT state, count(*) AS n FROM ingestions WHERE ($1::text IS NULL OR group_id = $1)"
        " GROUP BY state",
        group_id,
    )
    found = {r["state"]: int(r["n"]) for r in rows}
    return {s: found.get(s, 0) for s in STATES}


async def oldest_queued_s(db: Database) -> float | None:
    """Seconds since the longest-waiting queued call was enqueued (None: nothing queued)."""
    age = await db.pool.fetchval(
        "SELECT extract(epoch FROM now() - min(enqueued_at)) FROM ingestions WHERE state = 'queued'"
    )
    return float(age) if age is not None else None


async def dead_letters(db: Database, group_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The dead-letter list, newest first: call, tenant, tries and the reason."""
    rows = await db.pool.fetch(
        "SELECT call_id, group_id, job_id, attempts, error, enqueued_at, finished_at FROM ingestions"
        " WHERE state = 'dead' AND ($1::text IS NULL OR group_id = $1)"
        " ORDER BY finished_at DESC NULLS LAST LIMIT $2",
        group_id,
        limit,
    )
    return [dict(r) for r in rows]


async def of_calls(db: Database, call_ids: list[str]) -> list[dict[str, Any]]:
    """State, tries and times of several calls' ingestions (for the benchmark and tests)."""
    rows = await db.pool.fetch(
        "SELECT call_id, state, attempts, enqueued_at, started_at, finished_at FROM ingestions"
        " WHERE call_id = ANY($1::text[])",
        call_ids,
    )
    return [dict(r) for r in rows]
