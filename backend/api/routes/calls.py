"""Calls: start, turns (JSON, SSE, WebSocket), end, read back."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response, StreamingResponse
from pydantic import ValidationError

from backend.api import limits
from backend.api.deps import Config, CurrentTenant, Db, Desk, Mem, current_tenant
from backend.api.errors import COMMON, ApiError, body, responses
from backend.api.schemas.calls import (
    CallId,
    CallRecord,
    CallStarted,
    EndCall,
    EndResult,
    OnCallAnswer,
    OnCallAnswered,
    Seq,
    StartCall,
    TurnContextRecord,
    TurnIn,
    TurnOut,
)
from backend.calls import CallDesk, CallEnded, CallNotFound
from backend.config import Settings
from backend.oncall import AlreadyAnswered
from backend.outages import OUTAGES
from backend.store import audit, oncall, recordings, traces
from backend.store import calls as store
from backend.store.tenants import Principal
from memory import Fact, Memory, UnknownEntity

router = APIRouter(prefix="/v1/calls", tags=["calls"], responses=COMMON)
EVENT_STREAM = {
    "type": "string",
    "description": "Server-sent events (`event: <type>`, `data: <JSON>`); see the operation.",
}


def _checked(settings: Settings, text: str) -> str:
    limit = settings.max_turn_chars
    if len(text) > limit:
        raise ApiError(413, "text_too_long", f"a turn holds at most {limit} characters")
    return text


@router.post("", status_code=201)
async def start_call(who: CurrentTenant, start: StartCall, desk: Desk) -> CallStarted:
    """Recognize the caller (phone, email or name) and greet them."""
    started = await desk.start(
        who, start.channel, phone=start.from_, name=start.name, email=start.email, metadata=start.metadata
    )
    return CallStarted.model_validate(started, from_attributes=True)


@router.post("/{call_id}/turns", responses=responses(404, 409, 413))
async def turn(who: CurrentTenant, call_id: CallId, turn: TurnIn, desk: Desk, settings: Config) -> TurnOut:
    result, latency = await desk.turn(who, call_id, _checked(settings, turn.text))
    return TurnOut.model_validate(
        {
            "reply": result.reply,
            "agent": result.agent,
            "handoffs": result.handoffs,
            "tool_calls": result.tool_calls,
            "facts_used": result.facts_used,
            "latency_ms": round(latency, 2),
            "context_ms": round(result.context_ms, 2),
            "escalated": result.escalated,
            "brief": result.brief,
        }
    )


@router.post("/{call_id}/end", responses=responses(404))
async def end_call(who: CurrentTenant, call_id: CallId, desk: Desk, end: EndCall | None = None) -> EndResult:
    """Close the call and enqueue its ingestion (once, however often this is called)."""
    job_id = await desk.end(who, call_id, end.outcome if end else None)
    return EndResult(call_id=call_id, job_id=job_id)


@router.post("/{call_id}/on-call", responses=responses(404, 409))
async def on_call_answered(
    who: CurrentTenant, call_id: CallId, answer: OnCallAnswer, desk: Desk
) -> OnCallAnswered:
    """A person paged about this transferred call takes it; the ladder stops climbing."""
    try:
        page = await desk.accept(who, call_id, answer.person)
    except AlreadyAnswered as exc:
        raise ApiError(409, "already_answered", str(exc)) from None
    if page is None or page.answered_at is None:
        raise ApiError(404, "not_paged", f"nobody of that name was paged about call {call_id}")
    return OnCallAnswered(call_id=call_id, person=page.person, rung=page.rung, answered_at=page.answered_at)


@router.get("/{call_id}", responses=responses(404))
async def get_call(who: CurrentTenant, call_id: CallId, db: Db, desk: Desk) -> CallRecord:
    call = await store.get(db, who.tenant.group_id, call_id)
    if call is None:
        raise CallNotFound(call_id)
    await audit.record(db, who, "call.read", f"call:{call_id}")
    await desk.settle()
    return CallRecord.model_validate(
        {
            "call_id": call_id,
            "channel": call["channel"],
            "caller_id": call["caller_id"],
            "started_at": call["started_at"],
            "ended_at": call["ended_at"],
            "agent": call["active_agent"],
            "status": call["status"],
            "brief": call["brief"],
            "on_call": [vars(p) for p in await oncall.pages(db, call_id)],
            "outcome": call["outcome"],
            "client_outcome": call["client_outcome"],
            "transcript": await store.turns(db, call_id),
            "handoffs": traces.handoffs(await traces.of_call(db, call_id)),
            "ingestion": {"job_id": call["job_id"], "state": call["ingestion"]} if call["job_id"] else None,
        }
    )


@router.get(
    "/{call_id}/recording",
    responses={
        **responses(404),
        200: {
            "content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The call's audio",
        },
    },
    response_class=Response,
)
async def recording(who: CurrentTenant, call_id: CallId, db: Db) -> Response:
    """The call's recording (WAV, 8 kHz stereo: the caller left, the agent right), while its
    tenant's retention period lasts; 404 ``no_recording`` otherwise."""
    audio = await recordings.get(db, who.tenant.group_id, call_id)
    if audio is None:
        raise ApiError(404, "no_recording", f"call {call_id} has no recording (not recorded, or expired)")
    await audit.record(db, who, "call.recording", f"call:{call_id}")
    return Response(audio, media_type="audio/wav")


@router.get("/{call_id}/turns/{seq}/context", responses=responses(404))
async def turn_context(
    who: CurrentTenant, call_id: CallId, seq: Seq, db: Db, memory: Mem
) -> TurnContextRecord:
    """The context the reply at ``seq`` (or to the caller's line ``seq``) was given: its facts
    read again bi-temporally at the record time the turn read them, so why the agent said
    what it said stays visible after later calls supersede those facts."""
    group = who.tenant.group_id
    call = await store.get(db, group, call_id)
    if call is None:
        raise CallNotFound(call_id)
    kept = await store.turn_context(db, call_id, seq)
    if kept is None:
        raise ApiError(404, "turn_not_found", f"call {call_id} has no agent turn at {seq}")
    known_at = datetime.fromisoformat(kept["known_at"])
    facts = await _facts_known(memory, group, call["caller_id"], known_at)
    ids = set(kept["fact_ids"])
    await audit.record(db, who, "call.context", f"call:{call_id}", seq=kept["seq"])
    return TurnContextRecord.model_validate(
        {
            "call_id": call_id,
            "seq": kept["seq"],
            "at": kept["at"],
            "known_at": known_at,
            "facts": [f for f in facts if f.uuid in ids],
            "missing_fact_ids": sorted(ids - {f.uuid for f in facts}),
            "snippets": kept["snippets"],
            "working_set": kept["working_set"],
        }
    )


async def _facts_known(memory: Memory, group: str, caller_id: str | None, known_at: datetime) -> list[Fact]:
    if caller_id is None:
        return []
    try:
        return await memory.facts(group, caller_id, valid_at=known_at, known_at=known_at)
    except UnknownEntity:  # erased since
        return []


@router.get(
    "/{call_id}/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": EVENT_STREAM}}}, **responses(404, 409)},
)
async def stream(who: CurrentTenant, call_id: CallId, desk: Desk) -> StreamingResponse:
    """Server-sent events of the call: agent_updated, handoff, tool_started, tool, text_delta,
    turn_done, transfer (with the brief), call_ended."""
    events = await desk.subscribe(who, call_id)

    async def sse() -> AsyncIterator[str]:
        yield ": subscribed\n\n"
        async for event in events:
            yield f"event: {event['type']}\ndata: {json.dumps(event, default=str)}\n\n"

    return StreamingResponse(sse(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


@router.websocket("/{call_id}/ws")
async def duplex(websocket: WebSocket, call_id: str, desk: Desk, settings: Config) -> None:
    """Send ``{"text": ...}``; receive the call's events (each turn ends with turn_done).
    The key goes in the Authorization header of the handshake."""
    try:
        who = await current_tenant(websocket)  # not a dependency: a refusal closes with 4401
        if not re.fullmatch(limits.ID_PATTERN, call_id):
            raise CallNotFound(call_id)
        events = await desk.subscribe(who, call_id)
    except (ApiError, CallNotFound) as exc:
        await websocket.close(code=4401 if isinstance(exc, ApiError) else 4404, reason=str(exc)[:120])
        return
    except OUTAGES:
        await websocket.close(code=1013, reason="a store is not reachable; retry shortly")
        return
    await websocket.accept()
    forward = asyncio.create_task(_forward(websocket, events))
    try:
        while True:
            await _turn_from(websocket, desk, settings, who, call_id)
    except WebSocketDisconnect:
        pass
    finally:
        forward.cancel()


async def _turn_from(
    websocket: WebSocket, desk: CallDesk, settings: Settings, who: Principal, call_id: str
) -> None:
    raw = await websocket.receive_text()
    try:
        text = TurnIn.model_validate_json(raw).text
        await desk.turn(who, call_id, _checked(settings, text))
    except ValidationError as exc:
        await websocket.send_json(body("invalid_request", str(exc.errors()[0]["msg"])))
    except ApiError as exc:
        await websocket.send_json(body(exc.code, exc.message))
    except CallEnded as exc:
        await websocket.send_json(body("call_ended", str(exc)))
    except OUTAGES:  # the socket stays open: the next turn may find the store back
        await websocket.send_json(body("unavailable", "a store is not reachable; retry shortly"))


async def _forward(websocket: WebSocket, events: AsyncIterator[dict[str, Any]]) -> None:
    async for event in events:
        await websocket.send_json(jsonable_encoder(event))
