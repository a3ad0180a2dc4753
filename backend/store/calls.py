"""Calls and their turns: the transcript of record, and who owns each conversation."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from backend.store.db import Database


async def create(
    db: Database,
    *,
    call_id: str,
    group_id: str,
    channel: str,
    caller_id: str | None,
    agent: str,
    started_at: datetime,
    metadata: dict[str, Any],
    greeting: str,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> None:
    """The call and its greeting (turn 0), together or not at all."""
    async with db.pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO calls (call_id, group_id, channel, caller_id, active_agent, started_at, metadata,"
            " caller_name, caller_phone, caller_email) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            call_id,
            group_id,
            channel,
            caller_id,
            agent,
            started_at,
            json.dumps(metadata),
            name,
            phone,
            email,
        )
        await conn.execute(
            "INSERT INTO turns (call_id, seq, speaker, text, agent, at) VALUES ($1, 0, 'agent', $2, $3, $4)",
            call_id,
            greeting,
            agent,
            started_at,
        )


async def get(db: Database, group_id: str, call_id: str) -> dict[str, Any] | None:
    """The call if it belongs to ``group_id`` (another tenant's call does not exist)."""
    row = await db.pool.fetchrow(
        "SELECT c.*, i.job_id, i.state AS ingestion FROM calls c LEFT JOIN ingestions i USING (call_id)"
        " WHERE c.call_id = $1 AND c.group_id = $2",
        call_id,
        group_id,
    )
    if row is None:
        return None
    call = dict(row)
    call["metadata"] = json.loads(call["metadata"])
    call["working_set"] = json.loads(call["working_set"])
    if call["lead_reasons"] is not None:
        call["lead_reasons"] = json.loads(call["lead_reasons"])
    if call["brief"] is not None:
        call["brief"] = json.loads(call["brief"])
    return call


async def add_turn(
    db: Database,
    call_id: str,
    *,
    caller_text: str,
    reply: str,
    agent: str,
    at: datetime,
    handoffs: int,
    tool_calls: int,
    working_set: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> bool:
    """The caller's words and the reply (with the context it was given), in order, the agent
    that owns the call now and its working set, in one statement; False (nothing written)
    if the call has ended meanwhile."""
    row = await db.pool.fetchval(
        """
        WITH open AS (
            SELECT call_id FROM calls WHERE call_id = $1 AND ended_at IS NULL FOR UPDATE
        ), live AS (
            SELECT open.call_id, (SELECT coalesce(max(seq), 0) FROM turns WHERE call_id = $1) AS s FROM open
        ), said AS (
            INSERT INTO turns (call_id, seq, speaker, text, agent, at, context)
            SELECT call_id, s + 1, 'caller', $2::text, NULL, $5::timestamptz, NULL FROM live
            UNION ALL SELECT call_id, s + 2, 'agent', $3::text, $4::text, $5::timestamptz, $9::jsonb FROM live
        )
        UPDATE calls SET active_agent = $4, handoffs = handoffs + $6, tool_calls = tool_calls + $7,
            working_set = coalesce($8::jsonb, working_set)
        FROM live WHERE calls.call_id = live.call_id RETURNING calls.call_id
        """,
        call_id,
        caller_text,
        reply,
        agent,
        at,
        handoffs,
        tool_calls,
        json.dumps(working_set, default=str) if working_set is not None else None,
        json.dumps(context, default=str) if context is not None else None,
    )
    return row is not None


async def turns(db: Database, call_id: str) -> list[dict[str, Any]]:
    rows = await db.pool.fetch(
        "SELECT seq, speaker, text, agent, at FROM turns WHERE call_id = $1 ORDER BY seq", call_id
    )
    return [dict(r) for r in rows]


async def turn_context(db: Database, call_id: str, seq: int) -> dict[str, Any] | None:
    """The context the agent's reply at ``seq`` was given (``seq`` may be the caller's line
    of that turn): its record, with the turn's time."""
    row = await db.pool.fetchrow(
        "SELECT seq, at, context FROM turns WHERE call_id = $1 AND seq IN ($2, $2 + 1)"
        " AND context IS NOT NULL ORDER BY seq LIMIT 1",
        call_id,
        seq,
    )
    if row is None:
        return None
    return {"seq": row["seq"], "at": row["at"], **json.loads(row["context"])}


async def end(db: Database, call_id: str, outcome: str | None) -> bool:
    """Close the call; False if it was already closed. A client's ``outcome`` is kept as
    ``client_outcome``: ``outcome`` is the label post-call ingestion derives."""
    status = await db.pool.execute(
        "UPDATE calls SET ended_at = now(), status = 'ended', client_outcome = coalesce($2, client_outcome)"
        " WHERE call_id = $1 AND ended_at IS NULL",
        call_id,
        outcome,
    )
    return status.endswith(" 1")


async def transfer(db: Database, call_id: str, brief: dict[str, Any], at: datetime) -> bool:
    """Mark a live call as handed to a person, with the brief; False (nothing written) if it
    has ended or was transferred already (the first transfer's brief is kept)."""
    status = await db.pool.execute(
        "UPDATE calls SET status = 'transferred', transferred_at = $3, brief = $2::jsonb"
        " WHERE call_id = $1 AND status = 'active' AND ended_at IS NULL",
        call_id,
        json.dumps(brief, default=str),
        at,
    )
    return status.endswith(" 1")


async def was_transferred(db: Database, call_id: str) -> bool:
    """Whether the call was ever handed to a person (it stays so after it ends)."""
    return bool(
        await db.pool.fetchval("SELECT transferred_at IS NOT NULL FROM calls WHERE call_id = $1", call_id)
    )


async def erase_caller(db: Database, group_id: str, caller_id: str) -> int:
    """Delete the caller's calls (turns and ingestion rows go with them); how many."""
    status = await db.pool.execute(
        "DELETE FROM calls WHERE group_id = $1 AND caller_id = $2", group_id, caller_id
    )
    return int(status.split()[-1])


async def unqueued(db: Database, older_than_s: float) -> list[dict[str, Any]]:
    """Calls ended a while ago whose ingestion is not known to have reached the queue."""
    rows = await db.pool.fetch(
        "SELECT c.call_id, c.group_id FROM calls c LEFT JOIN ingestions i USING (call_id)"
        " WHERE c.ended_at < now() - make_interval(secs => $1) AND (i.call_id IS NULL"
        " OR (i.state = 'queued' AND i.enqueued_at < now() - make_interval(secs => $1))) LIMIT 500",
        older_than_s,
    )
    return [dict(r) for r in rows]
