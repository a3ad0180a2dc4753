"""One call's turns arriving at two API processes (two desks, each with its own pools, on the
one stack): serialized in arrival order, none lost, each desk's copy of the call kept current,
and the events of a turn reaching a listener of the other process."""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from redis.asyncio import Redis

from backend.agents.runner import AgentRuntime
from backend.call_events import CallEvents
from backend.calls import CallDesk
from backend.config import Settings
from backend.embedded.stack import free_port
from backend.queue import enqueue_ingest
from backend.store import Database, bookings, tenants, turn_locks
from backend.store import calls as store
from backend.store.tenants import Principal
from backend.verticals.real_estate.agents import REAL_ESTATE
from backend.verticals.real_estate.demo import seed_demo
from memory import Memory

Desks = tuple[CallDesk, CallDesk, Principal]


@pytest.fixture
async def desks(stack: Settings, mem: Memory) -> AsyncIterator[Desks]:
    """Two "API processes": each its own Postgres pools, Redis pool, agents and cache."""
    enqueue = functools.partial(enqueue_ingest, queue_name="test:" + uuid.uuid4().hex[:8])
    opened: list[tuple[Database, Any]] = []
    made = []
    for _ in range(2):
        db = await Database.open(stack.database_url or "")
        redis = await create_pool(RedisSettings.from_dsn(stack.redis_url or ""))
        opened.append((db, redis))
        made.append(CallDesk({"real_estate": AgentRuntime(REAL_ESTATE, mem, db)}, db, redis, enqueue))
    db = opened[0][0]
    tenant, key = await tenants.create(db, "procs-" + uuid.uuid4().hex[:6])
    group = "procs" + uuid.uuid4().hex[:8]
    await seed_demo(mem, group)
    await db.pool.execute("UPDATE tenants SET group_id = $1 WHERE tenant_id = $2", group, tenant.tenant_id)
    who = await tenants.authenticate(db, key)
    assert who is not None
    try:
        yield made[0], made[1], who
    finally:
        for desk, (db, redis) in zip(made, opened, strict=True):
            await desk.settle()
            await desk.events.close()
            await redis.aclose()
            await db.close()


async def _waiting_for_lock(db: Database, call_id: str, n: int) -> None:
    """Until ``n`` sessions wait for the call's turn lock (bounded: a hang fails, no timing)."""
    key = await db.pool.fetchval("SELECT hashtext($1)", call_id) & 0xFFFFFFFF
    deadline = time.monotonic() + 60
    while True:
        waiting = await db.pool.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1"
            " AND objid = $2 AND objsubid = 2 AND NOT granted",
            turn_locks.CALL_TURNS,
            key,
        )
        if waiting >= n:
            return
        assert time.monotonic() < deadline, f"{waiting} of {n} turns reached the lock"
        await asyncio.sleep(0.02)


async def test_turns_sent_to_two_processes_are_serialized_in_arrival_order(desks: Desks) -> None:
    a, b, who = desks
    call_id = (await a.start(who, "chat", name="Ada Twoproc")).call_id
    texts = [f"how much would repayments be on {n} hundred thousand over 30 years" for n in range(3, 9)]
    turns: list[asyncio.Task[Any]] = []
    # The test holds the call's lock (a third process mid-turn) while the turns arrive, A and B
    # in turn: the first two queue at Postgres, the rest on their own process's call lock.
    async with turn_locks.holding(a.db, call_id):
        for n, text in enumerate(texts):
            desk = (a, b)[n % 2]
            turns.append(asyncio.create_task(desk.turn(who, call_id, text)))
            if n < 2:
                await _waiting_for_lock(a.db, call_id, n + 1)
            else:  # a cached call's turn goes straight to its process's lock
                for _ in range(3):
                    await asyncio.sleep(0)
                assert desk.live[call_id].lock.locked()
    await asyncio.gather(*turns)

    transcript = await store.turns(a.db, call_id)
    assert [t["text"] for t in transcript if t["speaker"] == "caller"] == texts, "in arrival order"
    assert [t["speaker"] for t in transcript[1:]] == ["caller", "agent"] * len(texts), "replies follow"
    assert [t["seq"] for t in transcript] == list(range(len(transcript))), "no turn lost or doubled"

    # A search on A, then a booking on B: B's copy of the call is stale and is rebuilt.
    await a.turn(who, call_id, "show me homes in Coogee")
    shown = a.live[call_id].ctx.state.last_results
    assert len(shown) >= 2
    result, _ = await b.turn(who, call_id, "book the second one for Saturday at 11am")
    assert "RE-" in result.reply and shown[1].address in result.reply, result.reply
    booked = await bookings.of_call(a.db, who.tenant.group_id, call_id)
    assert len(booked) == 1, "booked once"
    row = await store.get(a.db, who.tenant.group_id, call_id)
    assert row is not None and row["version"] == b.live[call_id].version

    await b.end(who, call_id)
    with pytest.raises(Exception, match="has ended"):
        await a.turn(who, call_id, "one more thing")  # A learns it from Postgres, not its cache


async def test_a_listener_on_one_process_hears_a_turn_run_by_the_other(desks: Desks) -> None:
    a, b, who = desks
    call_id = (await a.start(who, "chat", name="Lu Listens")).call_id
    events = await a.subscribe(who, call_id)
    result, _ = await b.turn(who, call_id, "what's the median price in Paddington")
    seen: list[dict[str, Any]] = []
    while not seen or seen[-1]["type"] != "turn_done":
        seen.append(await asyncio.wait_for(anext(events), 30))
    kinds = [e["type"] for e in seen]
    assert {"agent_updated", "handoff", "tool", "text_delta"} <= set(kinds)
    assert "".join(e["delta"] for e in seen if e["type"] == "text_delta").strip() == result.reply
    assert seen[-1]["reply"] == result.reply

    job_id = await b.end(who, call_id)
    assert await asyncio.wait_for(anext(events), 30) == {"type": "call_ended", "job_id": job_id}


async def test_with_redis_unreachable_this_processes_listeners_still_hear_it() -> None:
    redis = Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=1)  # nobody listens
    events = CallEvents(redis)
    try:
        heard = await events.listen("call-x")
        events.emit("call-x", {"type": "text_delta", "delta": "Hello. "})
        events.emit("call-x", {"type": "turn_done", "reply": "Hello."})
        await events.flush()
        assert [await anext(heard), await anext(heard)] == [
            {"type": "text_delta", "delta": "Hello. "},
            {"type": "turn_done", "reply": "Hello."},
        ]
    finally:
        await events.close()
        await redis.aclose()
