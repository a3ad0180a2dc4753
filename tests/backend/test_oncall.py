"""The on-call ladder on the real stores, its deferred job run by hand: who is paged when,
what a caller on hold hears, and that a repeated job pages no one twice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from backend.oncall import EXHAUSTED, PAGING, Ladder
from backend.store import Database, oncall, tenants
from backend.store import calls as call_store
from memory import CallerIdentified, Memory


async def test_an_unanswered_ladder_climbs_to_the_end_once(db: Database, mem: Memory) -> None:
    tenant, _ = await tenants.create(db, f"ladder-{uuid.uuid4().hex[:6]}")
    await oncall.set_ladder(
        db,
        tenant.tenant_id,
        [oncall.Rung(1, "Pat Lee", "+61400000001", 30), oncall.Rung(2, "Sam Ng", "+61400000002", 30)],
    )
    group, call_id, caller = tenant.group_id, f"call-{uuid.uuid4().hex}", "caller-ladder"
    now = datetime.now(UTC)
    await mem.record(
        CallerIdentified(
            id=f"{call_id}:identified",
            group_id=group,
            valid_at=now,
            call_id=call_id,
            caller_id=caller,
            name="Jo Park",
        )
    )
    await call_store.create_ended(
        db, call_id=call_id, group_id=group, caller_id=caller, started_at=now, ended_at=now, turns=[]
    )
    ladder = Ladder(db, mem, None)  # no queue: the test runs the deferred job itself

    assert await ladder.holding_reply(tenant.tenant_id, call_id, now) is None, "nobody paged yet"
    first = await ladder.start(tenant.tenant_id, group, call_id, caller)
    assert first is not None and first.person == "Pat Lee"
    assert await ladder.holding_reply(tenant.tenant_id, call_id, datetime.now(UTC)) == PAGING
    assert await ladder.climb(call_id, 1) == "paged"
    assert await ladder.climb(call_id, 1) == "paged", "a retried job"
    assert [p.person for p in await oncall.pages(db, call_id)] == ["Pat Lee", "Sam Ng"]
    assert await ladder.climb(call_id, 2) == "exhausted"
    assert await ladder.climb(call_id, 2) == "exhausted"
    later = datetime.now(UTC) + timedelta(seconds=31)
    assert await ladder.holding_reply(tenant.tenant_id, call_id, later) == EXHAUSTED
    assert await ladder.accept(group, call_id, "Someone Else") is None

    facts = await mem.facts(group, caller, valid_at=later)  # the last page runs out 30 s after it went
    assert sorted(f.value for f in facts if f.name == "PAGED") == ["rung 1", "rung 2"], "each rung paged once"
    assert [f.name for f in facts].count("AWAITS_CALLBACK") == 1


async def test_a_tenant_without_a_ladder_pages_nobody(db: Database, mem: Memory) -> None:
    tenant, _ = await tenants.create(db, f"no-ladder-{uuid.uuid4().hex[:6]}")
    ladder = Ladder(db, mem, None)
    assert not await ladder.staffed(tenant.tenant_id)
    assert await ladder.start(tenant.tenant_id, tenant.group_id, "call-none", "caller-none") is None
