"""A worker climbing the on-call ladder tells the call's listeners, in any API process, who is
paged now (the event goes through Redis, as an API process's do)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

from arq.connections import ArqRedis

from backend.call_events import CallEvents
from backend.config import Settings
from backend.oncall import Ladder
from backend.store import Database, oncall, tenants
from backend.store import calls as call_store
from ingest.jobs import climb_ladder
from memory import CallerIdentified, Memory


async def test_the_next_rung_paged_by_a_worker_reaches_the_calls_listeners(
    db: Database, mem: Memory, redis: ArqRedis, settings: Settings
) -> None:
    tenant, _ = await tenants.create(db, f"paged-{uuid.uuid4().hex[:6]}")
    rungs = [oncall.Rung(1, "Pat Lee", "+61400000001", 30), oncall.Rung(2, "Sam Ng", "+61400000002", 30)]
    await oncall.set_ladder(db, tenant.tenant_id, rungs)
    group, call_id, caller, now = (
        tenant.group_id,
        f"call-{uuid.uuid4().hex}",
        "caller-paged",
        datetime.now(UTC),
    )
    identified = CallerIdentified(
        id=f"{call_id}:identified",
        group_id=group,
        valid_at=now,
        call_id=call_id,
        caller_id=caller,
        name="Jo Park",
    )
    await mem.record(identified)
    await call_store.create_ended(
        db, call_id=call_id, group_id=group, caller_id=caller, started_at=now, ended_at=now, turns=[]
    )
    await Ladder(db, mem, None).start(tenant.tenant_id, group, call_id, caller)

    api = CallEvents(redis)  # an API process's listener of the call
    heard = await api.listen(call_id)
    worker = {"deps": SimpleNamespace(db=db, memory=mem, settings=settings), "redis": redis}
    assert await climb_ladder(worker, call_id, 1) == "paged"
    event = await asyncio.wait_for(anext(heard), 30)
    assert event == {"type": "on_call_paged", "rung": 2, "person": "Sam Ng", "emergency": False}
    await heard.aclose()
    await api.close()
