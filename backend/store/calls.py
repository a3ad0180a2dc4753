"""Calls and their turns: the transcript of record, and who owns each conversation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg

from backend.store.db import Database


@asynccontextmanager
async def creating(
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
    vertical: str = "real_estate",
) -> AsyncIterator[asyncpg.Connection]:
    """The call and its greeting (turn 0), in a transaction that commits when the block ends
    without an error: a call start writes the rest of itself inside it (all or nothing)."""
    async with db.pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO calls (call_id, group_id, channel, caller_id, active_agent, started_at, metadata,"
            " caller_name, caller_phone, caller_email, vertical)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
            vertical,
        )
        await conn.execute(
            "INSERT INTO turns (call_id, seq, speaker, text, agent, at) VALUES ($1, 0, 'agent', $2, $3, $4)",
            call_id,
            greeting,
            agent,
            started_at,
        )
        yield conn


async def create(db: Database, **call: Any) -> None:
    """The call and its greeting (turn 0), together or not at all (``creating``'s fields)."""
    async with creating(db, **call):
        pass


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


async def read_out_last(db: Database, group_id: str, caller_id: str, call_id: str) -> list[dict[str, Any]]:
    """What the caller's latest other call read out last (its working set's results): a
    returning caller's "that Bronte one", "the second one" still points somewhere."""
    found = await db.pool.fetchval(
        "SELECT working_set->'results' FROM calls WHERE group_id = $1 AND caller_id = $2 AND call_id <> $3"
        " AND jsonb_array_length(coalesce(working_set->'results', '[]'::jsonb)) > 0"
        " ORDER BY started_at DESC LIMIT 1",
        group_id,
        caller_id,
        call_id,
    )
    return list(json.loads(found)) if found else []


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
) -> int | None:
    """The caller's words and the reply (with the context it was given), in order, the agent
    that owns the call now and its working set, in one statement; the call's new version, or
    None (nothing written) if the call has ended meanwhile."""
    version = await db.pool.fetchval(
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
            working_set = coalesce($8::jsonb, working_set), version = version + 1
        FROM live WHERE calls.call_id = live.call_id RETURNING calls.version
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
    return None if version is None else int(version)


async def amend_last_reply(db: Database, call_id: str, text: str) -> int | None:
    """The call's last reply becomes ``text`` (what was played of it before the caller spoke
    over it); the call's new version, or None if the call has ended or has no reply yet."""
    version = await db.pool.fetchval(
        """
        WITH amended AS (
            UPDATE turns SET text = $2
            WHERE call_id = $1 AND speaker = 'agent'
              AND seq = (SELECT max(seq) FROM turns WHERE call_id = $1)
              AND EXISTS (SELECT 1 FROM calls WHERE call_id = $1 AND ended_at IS NULL)
            RETURNING call_id
        )
        UPDATE calls SET version = version + 1 FROM amended
        WHERE calls.call_id = amended.call_id RETURNING calls.version
        """,
        call_id,
        text,
    )
    return None if version is None else int(version)


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


async def transfer(db: Database, call_id: str, brief: dict[str, Any], at: datetime) -> int | None:
    """Mark a live call as handed to a person, with the brief; the call's new version, or None
    (nothing written) if it has ended or was transferred already (the first brief is kept)."""
    version = await db.pool.fetchval(
        "UPDATE calls SET status = 'transferred', transferred_at = $3, brief = $2::jsonb,"
        " version = version + 1 WHERE call_id = $1 AND status = 'active' AND ended_at IS NULL"
        " RETURNING version",
        call_id,
        json.dumps(brief, default=str),
        at,
    )
    return None if version is None else int(version)


async def set_caller(db: Database, call_id: str, caller_id: str) -> bool:
    """The caller a live call is about, after a step-up check showed who it is. Written by a
    tool inside a turn: the turn's stored lines bump the call's version (not this, or a
    realtime session, which runs tools between its stored turns, would rebuild its own call)."""
    status = await db.pool.execute(
        "UPDATE calls SET caller_id = $2 WHERE call_id = $1 AND ended_at IS NULL", call_id, caller_id
    )
    return status.endswith(" 1")


async def has_ended(db: Database, call_id: str) -> bool:
    return bool(await db.pool.fetchval("SELECT ended_at IS NOT NULL FROM calls WHERE call_id = $1", call_id))


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


# -- erasure ----------------------------------------------------------------------------

ERASED_TEXT = "[erased]"
"""What a turn that named an erased person's number or email says afterwards."""


async def of_callers(db: Database, group_id: str, caller_ids: list[str]) -> list[str]:
    """The calls of these callers."""
    rows = await db.pool.fetch(
        "SELECT call_id FROM calls WHERE group_id = $1 AND caller_id = ANY($2::text[]) ORDER BY call_id",
        group_id,
        caller_ids,
    )
    return [r["call_id"] for r in rows]


async def contacts_of_calls(db: Database, group_id: str, caller_ids: list[str]) -> list[dict[str, Any]]:
    """The number and email each of these callers' calls began with (where given)."""
    rows = await db.pool.fetch(
        "SELECT caller_phone, caller_email FROM calls WHERE group_id = $1 AND caller_id = ANY($2::text[])"
        " AND (caller_phone IS NOT NULL OR caller_email IS NOT NULL)",
        group_id,
        caller_ids,
    )
    return [dict(r) for r in rows]


async def identity_of(db: Database, call_id: str) -> dict[str, Any] | None:
    """Whose the call is and what it began with: tenant, caller, start, number, email."""
    row = await db.pool.fetchrow(
        "SELECT call_id, group_id, caller_id, started_at, caller_phone, caller_email FROM calls"
        " WHERE call_id = $1",
        call_id,
    )
    return dict(row) if row else None


async def with_contact(
    db: Database, group_id: str, *, national_digits: str | None, email: str | None
) -> list[dict[str, Any]]:
    """Calls started with this number (its national digits end the digits given, however
    written: the caller checks the full number) or email."""
    rows = await db.pool.fetch(
        "SELECT call_id, caller_id, caller_phone, caller_email FROM calls WHERE group_id = $1 AND ("
        " ($2::text IS NOT NULL AND regexp_replace(coalesce(caller_phone, ''), '[^0-9]', '', 'g')"
        " LIKE '%' || $2::text) OR ($3::text IS NOT NULL AND lower(caller_email) = $3::text))",
        group_id,
        national_digits,
        email,
    )
    return [dict(r) for r in rows]


async def texts(db: Database, group_id: str, batch: int = 1000) -> AsyncIterator[list[dict[str, Any]]]:
    """Every turn of the tenant's calls (``call_id, caller_id, seq, speaker, text``), and each
    call's metadata, brief and working set as text (``seq`` None: a question pending holds what
    was said), in batches: what an erasure by contact reads for mentions."""
    async with db.pool.acquire() as conn, conn.transaction():
        cursor = conn.cursor(
            "SELECT c.call_id, c.caller_id, t.seq, t.speaker, t.text"
            " FROM turns t JOIN calls c USING (call_id) WHERE c.group_id = $1"
            " UNION ALL SELECT call_id, caller_id, NULL, NULL,"
            " metadata::text || coalesce(brief::text, '') || coalesce(working_set::text, '')"
            " FROM calls WHERE group_id = $1"
            " AND (metadata <> '{}'::jsonb OR brief IS NOT NULL OR working_set <> '{}'::jsonb)",
            group_id,
            prefetch=batch,
        )
        rows: list[dict[str, Any]] = []
        async for r in cursor:
            rows.append(dict(r))
            if len(rows) >= batch:
                yield rows
                rows = []
        if rows:
            yield rows


async def redact_turns(db: Database, call_id: str, seqs: list[int]) -> int:
    """Replace the text of these turns (the line stays, so the transcript keeps its shape)."""
    status = await db.pool.execute(
        "UPDATE turns SET text = $3 WHERE call_id = $1 AND seq = ANY($2::int[]) AND text <> $3",
        call_id,
        seqs,
        ERASED_TEXT,
    )
    return int(status.split()[-1])


async def redact_call(db: Database, call_id: str, *, phone: bool, email: bool, details: bool) -> None:
    """Clear the call's number or email given at its start, and (``details``) its metadata,
    transfer brief and working set: another person's call that held an erased contact detail."""
    await db.pool.execute(
        "UPDATE calls SET caller_phone = CASE WHEN $2 THEN NULL ELSE caller_phone END,"
        " caller_email = CASE WHEN $3 THEN NULL ELSE caller_email END,"
        " metadata = CASE WHEN $4 THEN '{}'::jsonb ELSE metadata END,"
        " brief = CASE WHEN $4 THEN NULL ELSE brief END,"
        " working_set = CASE WHEN $4 THEN '{}'::jsonb ELSE working_set END WHERE call_id = $1",
        call_id,
        phone,
        email,
        details,
    )


async def erase_calls(db: Database, group_id: str, call_ids: list[str]) -> int:
    """Delete these calls (turns and ingestion rows go with them); how many."""
    status = await db.pool.execute(
        "DELETE FROM calls WHERE group_id = $1 AND call_id = ANY($2::text[])", group_id, call_ids
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


# -- post-call ingestion ------------------------------------------------------------------


async def for_ingestion(db: Database, call_id: str) -> dict[str, Any] | None:
    """What ingestion reads of a call besides its turns: tenant, caller, channel, start, end,
    outcome and the vertical that answered it."""
    row = await db.pool.fetchrow(
        "SELECT call_id, group_id, caller_id, channel, started_at, ended_at, outcome, vertical FROM calls"
        " WHERE call_id = $1",
        call_id,
    )
    return dict(row) if row else None


async def exists(db: Database, call_id: str) -> bool:
    return bool(await db.pool.fetchval("SELECT 1 FROM calls WHERE call_id = $1", call_id))


async def set_analytics(
    db: Database,
    call_id: str,
    *,
    summary: str,
    sentiment: float,
    lead_score: int,
    lead_reasons: list[dict[str, Any]],
    outcome: str,
) -> None:
    """Post-call analytics onto the call's row. ``outcome`` is the derived label (a client's
    outcome at ``/end`` is kept apart, in ``client_outcome``)."""
    await db.pool.execute(
        "UPDATE calls SET summary = $2, sentiment = $3, lead_score = $4, lead_reasons = $5,"
        " outcome = $6 WHERE call_id = $1",
        call_id,
        summary,
        sentiment,
        lead_score,
        json.dumps(lead_reasons),
        outcome,
    )


async def create_ended(
    db: Database,
    *,
    call_id: str,
    group_id: str,
    caller_id: str | None,
    started_at: datetime,
    ended_at: datetime,
    turns: Sequence[tuple[int, str, str, str | None, datetime]],
    vertical: str = "real_estate",
) -> None:
    """A voice call as the API leaves it at its end, with its ``(seq, speaker, text, agent,
    at)`` turns, in one transaction: the input of benchmarks and tests of post-call work."""
    async with db.pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO calls (call_id, group_id, channel, caller_id, started_at, ended_at, vertical)"
            " VALUES ($1, $2, 'voice', $3, $4, $5, $6)",
            call_id,
            group_id,
            caller_id,
            started_at,
            ended_at,
            vertical,
        )
        await conn.executemany(
            "INSERT INTO turns (call_id, seq, speaker, text, agent, at) VALUES ($1, $2, $3, $4, $5, $6)",
            [(call_id, *turn) for turn in turns],
        )


async def caller_lines(db: Database, phone: str) -> list[str]:
    """What callers from ``phone`` (as given at the call's start) said, call after call, in
    order: what benchmarks compare speech recognition against."""
    rows = await db.pool.fetch(
        "SELECT t.text FROM turns t JOIN calls c USING (call_id) WHERE c.caller_phone = $1"
        " AND t.speaker = 'caller' ORDER BY c.started_at, t.seq",
        phone,
    )
    return [r["text"] for r in rows]
