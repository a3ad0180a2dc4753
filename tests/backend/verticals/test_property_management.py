"""The after-hours property-management line end to end over HTTP on the embedded stack: a
tenant of its own sharing the sales line's graph, a returning renter, a routine repair with a
PM- reference, an emergency that climbs the on-call ladder, and the repair's status timeline."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from backend.config import Settings
from backend.queue import dequeue, ladder_job_id
from backend.store import Database, oncall, tenants
from backend.verticals.property_management.episodes import RepairCompleted, RepairDispatched
from backend.verticals.real_estate.demo import demo_listings
from ingest.worker import Limits, build_worker
from memory import Memory
from tests.conftest import a_phone, say, serving, start_call

pytestmark = pytest.mark.integration

QUICK = Limits(max_tries=3, job_timeout_s=30, backoff_s=0.1, lock_timeout_s=5, lock_wait_s=5)
LADDER = [
    oncall.Rung(1, "Pat Primary", "+61400000001", 1),
    oncall.Rung(2, "Sam Second", "+61400000002", 60),  # answers within its minute
    oncall.Rung(3, "Alex Fallback", "+61400000003", 1),
]


@pytest.fixture
async def line(
    settings: Settings, db: Database, local_group: str
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A property-management tenant on the local tenant's graph (its homes are the demo
    listings) with a three-rung ladder, behind an API server on this test's own queue."""
    from backend.api.main import create_app

    name = f"after-hours-{uuid.uuid4().hex[:6]}"
    tenant, key = await tenants.create(db, name, vertical="property_management", graph_of=tenants.LOCAL)
    assert tenant.group_id == local_group and tenant.vertical == "property_management"
    await oncall.set_ladder(db, tenant.tenant_id, LADDER)
    with serving(create_app(settings, replay_every_s=None)) as url:
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
            yield client, tenant.group_id


async def _wait_for(predicate, timeout_s: float = 60):  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not (found := await predicate()):
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.2)
    return found


async def test_a_property_management_call_end_to_end(
    line: tuple[httpx.AsyncClient, str], settings: Settings, db: Database, mem: Memory, redis
) -> None:  # type: ignore[no-untyped-def]
    client, group = line
    home = demo_listings(group)[0]
    phone = a_phone()

    # A first call: the renter says where they live and reports a routine repair.
    first = await start_call(client, channel="voice", name="Dana Whitlock", **{"from": phone})
    assert first["agent"] == "Triage" and "after-hours" in first["greeting"]
    noted = await say(client, first["call_id"], f"I rent {home.address}")
    assert home.address in noted["reply"], noted
    routine = await say(client, first["call_id"], "the kitchen tap is dripping")
    assert [h["to"] for h in routine["handoffs"]] == ["Maintenance", "Routine Repairs"], routine
    reference = next(w.strip(".,") for w in routine["reply"].split() if w.startswith("PM-"))
    logged = datetime.now(UTC)
    assert reference.startswith(f"PM-{datetime.now(UTC):%Y%m%d}-") and not routine["escalated"]
    await client.post(f"/v1/calls/{first['call_id']}/end")

    # The next call from that number: recognized, greeted with the open job.
    second = await start_call(client, channel="voice", **{"from": phone})
    assert second["caller"]["returning"] and second["caller"]["id"] == first["caller"]["id"]
    assert second["greeting"] == f"Welcome back, Dana. Is this about job {reference}, or something new?"

    # An emergency goes straight up: job logged, brief made, the ladder's primary paged.
    urgent = await say(client, second["call_id"], "water is pouring through the ceiling")
    assert urgent["escalated"] and urgent["brief"]["trigger"] == "emergency", urgent
    assert "000" in urgent["reply"] and "PM-" in urgent["reply"]
    assert urgent["agent"] == "Urgent Repairs"
    assert [h["to"] for h in urgent["handoffs"]] == ["Maintenance", "Urgent Repairs"]
    call_id = second["call_id"]
    assert [p.rung for p in await oncall.pages(db, call_id)] == [1]

    # Rung 1 does not answer within its second: a worker pages rung 2, who takes the call.
    worker = build_worker(settings, limits=QUICK)
    running = asyncio.create_task(worker.async_run())
    try:
        waiting = await say(client, call_id, "hello?")
        assert waiting["reply"].startswith("I'm still getting hold of our on-call team"), waiting
        await _wait_for(lambda: _paged(db, call_id, 2))
        taken = await client.post(f"/v1/calls/{call_id}/on-call", json={"person": "sam second"})
        assert taken.status_code == 200, taken.text
        assert taken.json()["rung"] == 2
        late = await client.post(f"/v1/calls/{call_id}/on-call", json={"person": "Pat Primary"})
        assert late.status_code == 409 and late.json()["error"]["code"] == "already_answered"
        stranger = await client.post(f"/v1/calls/{call_id}/on-call", json={"person": "Nobody"})
        assert stranger.status_code == 404
        held = await say(client, call_id, "hello? is someone coming?")
        assert held["agent"] == "Urgent Repairs" and not held["tool_calls"], "a transferred call holds"
        assert held["reply"].startswith("Sam from our on-call team has your details"), held
        await client.post(f"/v1/calls/{call_id}/end")
        await _wait_for(lambda: _ingested(client, call_id))
        await _wait_for(lambda: _ingested(client, first["call_id"]))
    finally:
        await dequeue(redis, settings.queue_name, [ladder_job_id(call_id, 2)])
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await worker.close()
    assert [p.rung for p in await oncall.pages(db, call_id)] == [1, 2], "nobody after the one who answered"
    pages = (await client.get(f"/v1/calls/{call_id}")).json()["on_call"]
    assert [(p["person"], p["emergency"], bool(p["answered_at"])) for p in pages] == [
        ("Pat Primary", True, False),
        ("Sam Second", True, True),
    ]

    # The graph holds who was tried and when, for analysts.
    facts = await mem.facts(group, first["caller"]["id"])
    paged = sorted(f.fact for f in facts if f.name == "PAGED")
    assert paged == [
        "Pat Primary (on-call rung 1) was paged about the caller, an emergency",
        "Sam Second (on-call rung 2) was paged about the caller, an emergency",
    ]
    assert [f.fact for f in facts if f.name == "ANSWERED_BY"] == [
        "Sam Second (on-call rung 2) took the caller's call"
    ]
    assert any(f.name == "ESCALATED" and f.value == "emergency" for f in facts)
    assert {(f.value, f.fact) for f in facts if f.name == "RENTS"} == {
        (home.property_id, f"The caller rents {home.address}")
    }, "a fact's sentence names the home, not its id"
    # Post-call ingestion of both calls added nothing a sales line would read into them.
    kinds = {"HAS_NAME", "HAS_PHONE", "RENTS", "REPORTED_ISSUE", "REPAIR_OF", "REPAIR_STATUS"}
    assert {f.name for f in facts} == kinds | {"PAGED", "ANSWERED_BY", "ESCALATED"}

    # The trades system reports progress; the repair's status is a timeline over valid time.
    dispatched = datetime.now(UTC)
    completed = dispatched + timedelta(milliseconds=2)
    trade = RepairDispatched(
        id=f"{reference}:dispatched",
        group_id=group,
        valid_at=dispatched,
        repair_id=reference,
        trade="Harbour Plumbing",
    )
    done = RepairCompleted(
        id=f"{reference}:completed", group_id=group, valid_at=completed, repair_id=reference
    )
    await mem.record_many([trade, done])
    await asyncio.sleep(0.01)
    moments = (logged, dispatched + timedelta(milliseconds=1), datetime.now(UTC))
    statuses = [await _status(mem, group, reference, at) for at in moments]
    assert statuses == ["reported", "dispatched", "completed"]

    # And the caller hears it on the next call.
    third = await start_call(client, channel="voice", **{"from": phone})
    status = await say(client, third["call_id"], f"any update on job {reference}?")
    assert status["reply"].startswith(f"Job {reference} at {home.address} is marked as completed"), status


async def _paged(db: Database, call_id: str, rung: int) -> bool:
    return any(p.rung == rung for p in await oncall.pages(db, call_id))


async def _ingested(client: httpx.AsyncClient, call_id: str) -> bool:
    record = (await client.get(f"/v1/calls/{call_id}")).json()
    return (record.get("ingestion") or {}).get("state") == "done"


async def _status(mem: Memory, group: str, reference: str, at: datetime) -> str | None:
    jobs = await mem.entities(group, "Repair", ("REPAIR_STATUS",), valid_at=at)
    job = next(j for j in jobs if j.attributes.get("reference") == reference)
    return str(job.value("REPAIR_STATUS"))
