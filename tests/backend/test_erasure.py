"""Erasure by phone, email and id on the real stack: who it reaches, what it redacts, the
ledger and traces, and the tombstones that stop old calls bringing an erased person back."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from arq.connections import ArqRedis

from backend.config import Settings
from backend.erasure import erase_caller, erase_contact, tombstone_key
from backend.queue import enqueue_ingest
from backend.store import Database, bookings, ingestions
from backend.store.calls import ERASED_TEXT
from ingest.bench import make_call
from ingest.worker import Limits, build_worker
from memory import CallerIdentified, IdentityVerified, Memory
from tests.conftest import Api

FAST = Limits(max_tries=3, job_timeout_s=20, backoff_s=0.1, lock_timeout_s=5, lock_wait_s=5)
MON = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _contact() -> tuple[str, str]:
    """A fresh mobile number (as said) and email."""
    n = uuid.uuid4().int
    return f"0412 {n % 1000:03d} {n // 1000 % 1000:03d}", f"gone.{n % 10**8}@example.com"


def _e164(phone: str) -> str:
    return "+61" + phone.replace(" ", "")[1:]


async def _identified(mem: Memory, group: str, caller_id: str, call_id: str, **contact: Any) -> None:
    await mem.record(
        CallerIdentified(
            id=f"{call_id}:contact",
            group_id=group,
            valid_at=MON,
            call_id=call_id,
            caller_id=caller_id,
            **contact,
        )
    )


async def _drain(settings: Settings) -> None:
    worker = build_worker(settings, burst=True, limits=FAST)
    await worker.async_run()
    await worker.close()


async def _texts(db: Database, call_id: str) -> list[str]:
    rows = await db.pool.fetch("SELECT text FROM turns WHERE call_id = $1 ORDER BY seq", call_id)
    return [r["text"] for r in rows]


async def _graph_turns(mem: Memory, group: str, call_id: str) -> list[str]:
    store = await mem.store(group)
    rows = await store.query("MATCH (x:Episodic {call_id: $c}) RETURN x.content AS content", {"c": call_id})
    return [str(r["content"]) for r in rows]


async def _trace(db: Database, group: str, call_id: str) -> None:
    """A trace with one handoff span quoting the caller, as ``backend.agents.tracing`` writes."""
    trace_id = f"trace_{uuid.uuid4().hex}"
    await db.pool.execute(
        "INSERT INTO traces (trace_id, group_id, call_id, workflow) VALUES ($1, $2, $3, 'turn')",
        trace_id,
        group,
        call_id,
    )
    await db.pool.execute(
        "INSERT INTO spans (span_id, trace_id, kind, name, data)"
        " VALUES ($1, $2, 'custom', 'handoff.payload', $3)",
        f"span_{uuid.uuid4().hex}",
        trace_id,
        json.dumps({"data": {"reason": "The caller said: Hi, it's Ava"}}),
    )


async def test_erasure_by_phone_takes_the_person_and_redacts_the_rest(
    settings: Settings, redis: ArqRedis, db: Database, mem: Memory, group: str
) -> None:
    phone, email = _contact()
    ava, again, cy, hal = "caller-ava", "caller-ava2", "caller-cy", "caller-hal"
    await make_call(
        db, mem, group, f"{group}-a", ava, [("caller", "Hi, a unit in Bondi")], MON, name="Ava Gone"
    )
    await _identified(mem, group, ava, f"{group}-a", phone=phone, email=email)
    # Her name-only call, still queued: only her line says the number is hers.
    await make_call(db, mem, group, f"{group}-b", again, [("caller", f"It's Ava, my number is {phone}")], MON)
    await enqueue_ingest(redis, db, f"{group}-b", group, queue_name=settings.queue_name)
    # Someone naming her number, and the agent repeating it: those lines go, the call stays.
    talk = [("caller", f"my sister's number is {phone}"), ("agent", f"Noted, {phone}."), ("caller", "thanks")]
    await make_call(db, mem, group, f"{group}-c", cy, talk, MON, name="Cy Keeps")
    # A household member calling from her number keeps their record, without the number.
    await make_call(db, mem, group, f"{group}-h", hal, [("caller", "hello")], MON, name="Hal Home")
    await _identified(mem, group, hal, f"{group}-h", phone=phone, phone_shared=True)
    await db.pool.execute("UPDATE calls SET caller_phone = $2 WHERE call_id = $1", f"{group}-h", phone)
    for call in ("a", "c"):
        await _trace(db, group, f"{group}-{call}")
    now = datetime.now(UTC)
    for days in (-3, 3):
        await bookings.book(
            db,
            group_id=group,
            property_id=f"P-{days}",
            starts_at=now + timedelta(days=days),
            caller_id=ava,
            idempotency_key=f"{group}:{days}",
            call_id=f"{group}-a",
        )

    erased = await erase_contact(mem, db, redis, group, phone=phone, settings=settings)

    assert set(erased.callers) == {ava, again}
    assert (erased.calls, erased.jobs_dequeued) == (2, 1)
    assert (erased.turns_redacted, erased.calls_redacted) == (2, 1)
    assert (erased.traces, erased.spans) == (2, 2), "her call's trace, and the one of the call redacted"
    assert (erased.bookings_cancelled, erased.bookings_anonymized) == (1, 2)
    assert erased.tombstones == {"phone": 1, "email": 1}, "her email is tombstoned with her"
    assert (
        await db.pool.fetchval(
            "SELECT count(*) FROM calls WHERE call_id = ANY($1)", [f"{group}-a", f"{group}-b"]
        )
        == 0
    )
    assert await _texts(db, f"{group}-c") == [ERASED_TEXT, ERASED_TEXT, "thanks"]
    assert await db.pool.fetchval("SELECT caller_phone FROM calls WHERE call_id = $1", f"{group}-h") is None
    for gone in (ava, again):
        assert await mem.recall_caller(group, caller_id=gone) is None
    assert await mem.contact_holders(group, phone=phone, email=email) == {}
    assert await mem.recall_caller(group, caller_id=hal) is not None, "the household member stays"
    assert not [f for f in await mem.facts(group, hal) if f.name == "USES_PHONE"]
    ledger_rows = await db.pool.fetch(
        "SELECT status, caller_id, call_id FROM bookings WHERE group_id = $1 ORDER BY starts_at", group
    )
    assert [tuple(r) for r in ledger_rows] == [("scheduled", None, None), ("cancelled", None, None)]

    key = tombstone_key(settings)
    stored = {
        bytes(r["digest"])
        for r in await db.pool.fetch("SELECT digest FROM erasure_tombstones WHERE group_id = $1", group)
    }
    want = {
        hmac.new(key, v.encode(), hashlib.sha256).digest()
        for v in (f"phone:{_e164(phone)}", f"email:{email}")
    }
    assert stored == want, "keyed hashes of the normalized values, nothing else"


async def test_erasure_by_id_reaches_her_name_only_call_and_her_verified_self(
    settings: Settings, redis: ArqRedis, db: Database, mem: Memory, group: str
) -> None:
    phone, _ = _contact()
    await make_call(db, mem, group, f"{group}-1", "caller-erin", [("caller", "hi")], MON, name="Erin Gone")
    await _identified(mem, group, "caller-erin", f"{group}-1", phone=phone)
    said = [("caller", f"Erin here. You can reach me on {phone}")]
    await make_call(db, mem, group, f"{group}-2", "caller-erin2", said, MON, name="Erin")
    await make_call(db, mem, group, f"{group}-3", "caller-erin3", [("caller", "hi")], MON, name="Erin G")
    await mem.record(
        IdentityVerified(
            id=f"{group}-3:verified",
            group_id=group,
            valid_at=MON,
            caller_id="caller-erin3",
            verified_as="caller-erin",
            method="phone_digits",
        )
    )
    await make_call(db, mem, group, f"{group}-4", "caller-other", [("caller", "hi")], MON, name="Erin Other")

    erased = await erase_caller(mem, db, redis, group, "caller-erin", settings=settings)

    assert set(erased.callers) == {"caller-erin", "caller-erin2", "caller-erin3"}
    assert erased.receipt is not None and erased.receipt.caller_id == "caller-erin"
    assert erased.calls == 3
    assert await mem.recall_caller(group, caller_id="caller-other") is not None, "a namesake stays"


async def test_tombstones_refuse_an_old_call_but_not_a_new_one(
    settings: Settings, redis: ArqRedis, db: Database, mem: Memory, group: str
) -> None:
    phone, _ = _contact()
    await make_call(db, mem, group, f"{group}-a", "caller-ava", [("caller", "hi")], MON, name="Ava Gone")
    await _identified(mem, group, "caller-ava", f"{group}-a", phone=phone)
    await erase_contact(mem, db, redis, group, phone=phone, settings=settings)

    # Calls that began before the erasure, arriving after it (a replay, an import).
    mine = [("caller", f"Hi it's Ava, my number is {phone}"), ("caller", "a unit in Bondi please")]
    await make_call(db, mem, group, f"{group}-old", "caller-ava-old", mine, MON, name="Ava")
    theirs = [("caller", f"my wife's number is {phone}"), ("caller", "our budget is $900,000")]
    await make_call(db, mem, group, f"{group}-ed", "caller-ed", theirs, MON, name="Ed Stays")
    # A call after it: she called again, a new caller with the number.
    later = datetime.now(UTC) + timedelta(seconds=1)
    await make_call(
        db, mem, group, f"{group}-new", "caller-new", [("caller", f"my number is {phone}")], later
    )
    for call in ("old", "ed", "new"):
        await enqueue_ingest(redis, db, f"{group}-{call}", group, queue_name=settings.queue_name)
    await _drain(settings)

    assert await ingestions.row(db, f"{group}-old") is None and await _texts(db, f"{group}-old") == []
    assert await mem.recall_caller(group, caller_id="caller-ava-old") is None, "known only from that call"
    assert await _graph_turns(mem, group, f"{group}-old") == []
    ed = await ingestions.row(db, f"{group}-ed")
    assert ed is not None and ed["state"] == "done", ed
    assert await _texts(db, f"{group}-ed") == [ERASED_TEXT, "our budget is $900,000"]
    assert not [t for t in await _graph_turns(mem, group, f"{group}-ed") if phone in t]
    assert [f.value for f in await mem.facts(group, "caller-ed") if f.name == "HAS_BUDGET"] == [900_000]
    assert await mem.contact_holders(group, phone=phone) == {"caller-new": True}, "a new call is new consent"


@pytest.fixture
async def client(api: Api, local_group: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api.base_url, headers=api.headers, timeout=60) as c:
        yield c


async def test_delete_callers_by_email_and_its_refusals(client: httpx.AsyncClient) -> None:
    _, email = _contact()
    start = await client.post("/v1/calls", json={"channel": "chat", "name": "Em Gone", "email": email})
    assert start.status_code == 201, start.text
    caller_id = start.json()["caller"]["id"]

    erased = await client.delete("/v1/callers", params={"email": email.upper()})
    assert erased.status_code == 200, erased.text
    receipt = erased.json()
    assert receipt["callers"] == [caller_id] and receipt["calls"] == 1
    assert email not in erased.text, "the receipt never says the value"
    assert (await client.get(f"/v1/callers/{caller_id}")).status_code == 404

    for params, status in (
        ({}, 422),
        ({"phone": "12"}, 422),
        ({"email": "no"}, 422),
        ({"email": email}, 404),
    ):
        response = await client.delete("/v1/callers", params=params)
        assert response.status_code == status, (params, response.text)
        assert response.json()["error"]["code"] == (
            "caller_not_found" if status == 404 else "invalid_request"
        )
