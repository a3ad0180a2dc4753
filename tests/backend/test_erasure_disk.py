"""Erasure reaches the disk: after ``DELETE /v1/callers?phone=…`` no file of the data dir
(FalkorDB's AOF and snapshot, Postgres's tables, WAL and statistics, the logs) nor this
process's own log output holds the caller's name, number or email.

A stack of its own in a tmp dir, so that no other test's data is in the files grepped.
"""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aredis
from pydantic import SecretStr

from backend.config import Settings, load_settings
from backend.connections import open_memory
from backend.embedded.stack import EmbeddedStack
from backend.store import Database, bookings, tenants
from backend.verticals.real_estate.demo import seed_demo
from ingest.worker import Limits, build_worker
from memory import Memory
from tests.conftest import serving

pytestmark = pytest.mark.integration  # starts its own servers

NAME = "Erin Erasure"
PHONE = "0412 999 888"
EMAIL = "erin.erasure@example.com"
ERASED = (NAME, PHONE, "+61412999888", "412999888", EMAIL)
"""Every form the erased values could take on disk."""
KEY = "sb_diskkey_erasure-disk-test-key"


@dataclass
class Server:
    settings: Settings
    base_url: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from backend.api.main import create_app

    settings = load_settings(data_dir=tmp_path_factory.mktemp("erasure-disk"))
    with EmbeddedStack(settings) as resolved:
        resolved = resolved.model_copy(update={"api_key": SecretStr(KEY)})
        with serving(create_app(resolved, replay_every_s=None)) as base_url:
            yield Server(resolved, base_url)


@pytest.fixture(scope="module")
async def stores(server: Server) -> AsyncIterator[tuple[Memory, Database, str]]:
    memory = await open_memory(server.settings)
    db = await Database.open(server.settings.database_url or "")
    who = await tenants.authenticate(db, KEY)
    assert who is not None
    await seed_demo(memory, who.tenant.group_id)
    yield memory, db, who.tenant.group_id
    await db.close()
    await memory.close()


def grep(data_dir: Path) -> dict[str, list[str]]:
    """Files of the data dir holding each value (bytes, case-sensitive)."""
    found = {}
    for value in ERASED:
        out = subprocess.run(["grep", "-rlaF", value, str(data_dir)], capture_output=True, text=True)
        found[value] = [str(Path(f).relative_to(data_dir)) for f in out.stdout.split()]
    return found


async def _start(client: httpx.AsyncClient, **body: object) -> dict:
    response = await client.post("/v1/calls", json={"channel": "chat", **body})
    assert response.status_code == 201, response.text
    return response.json()


async def _say(client: httpx.AsyncClient, call_id: str, text: str) -> dict:
    response = await client.post(f"/v1/calls/{call_id}/turns", json={"text": text})
    assert response.status_code == 200, response.text
    return response.json()


async def test_after_an_erasure_no_file_holds_the_callers_values(
    server: Server, stores: tuple[Memory, Database, str], capfd: pytest.CaptureFixture[str]
) -> None:
    memory, db, group = stores
    data_dir = server.settings.data_dir
    graph = aredis.from_url(server.settings.redis_url or "")
    # LZF would hide long strings of the snapshot from grep (present or not): store them plain,
    # so that a clean grep means the values are gone, not compressed.
    await graph.config_set("rdbcompression", "no")
    async with httpx.AsyncClient(
        base_url=server.base_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60
    ) as client:
        erin = await _start(client, channel="voice", name=NAME, email=EMAIL, **{"from": PHONE})
        await _say(client, erin["call_id"], f"Hi, my name is {NAME}. Show me homes in Coogee")
        booked = await _say(client, erin["call_id"], "book the first one for Saturday at 11am")
        assert "RE-" in booked["reply"], booked["reply"]
        await client.post(f"/v1/calls/{erin['call_id']}/end", json={})
        # The same person later, by name only: her line gives the number (another caller id).
        again = await _start(client, name="Erin")
        await _say(client, again["call_id"], f"Hi, it's Erin again, my number is {PHONE}, email {EMAIL}")
        await client.post(f"/v1/calls/{again['call_id']}/end", json={})
        # Someone else names her number: his call stays, that line goes.
        tom = await _start(client, name="Tom Other", **{"from": "0412 000 321"})
        await _say(client, tom["call_id"], f"my friend's number is {PHONE}, she said to call you")
        await client.post(f"/v1/calls/{tom['call_id']}/end", json={})
        worker = build_worker(server.settings, burst=True, limits=Limits(backoff_s=0.1, job_timeout_s=30))
        await worker.async_run()
        await worker.close()
        assert worker.jobs_complete == 3 and worker.jobs_failed == 0
        past = await bookings.book(  # an earlier viewing, for accounting
            db,
            group_id=group,
            property_id="P-erasure-past",
            starts_at=datetime.now(UTC) - timedelta(days=30),
            caller_id=erin["caller"]["id"],
            idempotency_key=f"{group}:erasure-past",
        )
        await db.pool.execute("ANALYZE")  # as autovacuum would: sample values go to pg_statistic
        await db.pool.execute("CHECKPOINT")
        before = grep(data_dir)
        assert all(before.values()), f"the grep must see the values before the erasure: {before}"

        response = await client.delete("/v1/callers", params={"phone": PHONE})
        assert response.status_code == 200, response.text
        receipt = response.json()
        assert set(receipt["callers"]) == {erin["caller"]["id"], again["caller"]["id"]}
        assert receipt["calls"] == 2 and receipt["turns_redacted"] == 1
        assert receipt["traces"]["spans"] > 0 and receipt["traces"]["traces"] > 0
        assert receipt["bookings"] == {"cancelled": 1, "anonymized": 2}
        assert receipt["tombstones"] == {"phone": 1, "email": 1}
        assert receipt["disk"]["graph"] is True
        assert receipt["disk"]["postgres"]["mode"] == "rewritten" and receipt["disk"]["postgres"]["wal_clean"]
        assert all(not any(r["recheck"].values()) for r in receipt["receipts"])

        kept = (await client.get(f"/v1/calls/{tom['call_id']}")).json()
        said = [t["text"] for t in kept["transcript"] if t["speaker"] == "caller"]
        assert said == ["[erased]"], said
        for gone in (erin, again):
            assert (await client.get(f"/v1/calls/{gone['call_id']}")).status_code == 404
            assert (await client.get(f"/v1/callers/{gone['caller']['id']}")).status_code == 404
        assert (await client.get(f"/v1/traces/{tom['call_id']}")).json()["traces"] == []

    rows = await db.pool.fetch(
        "SELECT booking_id, status, caller_id, call_id FROM bookings ORDER BY starts_at"
    )
    assert [(r["status"], r["caller_id"], r["call_id"]) for r in rows] == [
        ("scheduled", None, None),  # the past one: kept as it was, without her
        ("cancelled", None, None),  # the viewing to come: cancelled, its slot free
    ]
    assert rows[0]["booking_id"] == past.booking_id
    assert await memory.recall_caller(group, phone=PHONE) is None
    await graph.aclose()

    assert grep(data_dir) == {v: [] for v in ERASED}
    logged = capfd.readouterr()
    assert not [v for v in ERASED if v in logged.out + logged.err], "this process's log holds none"
