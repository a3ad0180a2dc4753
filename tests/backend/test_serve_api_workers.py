"""``switchboard serve --api-workers 2 --workers 2`` as a user runs it: two API processes on one
port and two ingestion workers over one embedded stack; calls whose turns land on either process,
under load, lose no turn, are ingested once each and never double-book a viewing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
import pytest

from backend.embedded.stack import running_services
from tests.conftest import free_port

pytestmark = pytest.mark.integration
KEY = "sb_testkey_two-api-processes-serve"
HEADERS = {"Authorization": f"Bearer {KEY}"}
TURNS = (
    "show me homes in Coogee",
    "what's the median price in Paddington",
    "how much would repayments be on 1.2 million over 30 years",
    "ok thanks, that's all for now",
)
BOOKING = ("show me homes in Coogee", "book the first one for Saturday at 11am", "thanks, bye")
LOAD_CALLS = 8


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    data_dir = tmp_path_factory.mktemp("api-workers") / "data"
    port = free_port()
    env = {**os.environ, "SWITCHBOARD_API_KEY": KEY, "SWITCHBOARD_LOG_LEVEL": "warning"}
    argv = [sys.executable, "-m", "backend", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    log = data_dir.parent / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*argv, "--api-workers", "2", "--workers", "2"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, proc)
        yield proc, base, data_dir
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()


def _wait(base: str, proc: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "serve stopped"
        try:
            if httpx.get(base + "/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"not ready in {timeout}s")


def _api_processes(proc: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """uvicorn's worker processes (spawned by multiprocessing)."""
    return [
        p for p in psutil.Process(proc.pid).children() if any("spawn_main" in part for part in p.cmdline())
    ]


def _query(data_dir: Path, sql: str, *args: Any) -> list[asyncpg.Record]:
    """``sql``'s rows from the stack's Postgres."""
    return asyncio.run(_fetch(running_services(data_dir.resolve())["database_url"], sql, *args))


async def _fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


def _ingested(base: str, call_id: str, timeout: float = 180) -> dict[str, Any]:
    """The call's record once its ingestion is done (bounded: a stuck job fails the test)."""
    deadline = time.monotonic() + timeout
    while True:
        record = httpx.get(f"{base}/v1/calls/{call_id}", headers=HEADERS, timeout=60).json()
        if (record["ingestion"] or {}).get("state") == "done":
            return record
        assert time.monotonic() < deadline, record["ingestion"]
        time.sleep(0.5)


async def _call(client: httpx.AsyncClient, n: int, lines: tuple[str, ...]) -> str:
    started = await client.post("/v1/calls", json={"channel": "chat", "name": f"Load Caller {n}"})
    assert started.status_code == 201, started.text
    call_id = str(started.json()["call_id"])
    for text in lines:
        turn = await client.post(f"/v1/calls/{call_id}/turns", json={"text": text})
        assert turn.status_code == 200, turn.text
    assert (await client.post(f"/v1/calls/{call_id}/end")).status_code == 200
    return call_id


async def _load(base: str) -> list[str]:
    """``LOAD_CALLS`` calls at once, each viewing the same first home at the same time."""
    async with httpx.AsyncClient(base_url=base, headers=HEADERS, timeout=120) as client:
        return list(await asyncio.gather(*(_call(client, n, BOOKING) for n in range(LOAD_CALLS))))


def test_two_api_processes_share_one_port_and_one_stack(served: tuple) -> None:
    proc, base, data_dir = served
    assert len(_api_processes(proc)) == 2
    assert "API key (shown once)" not in (data_dir.parent / "serve.log").read_text(), "given, not made"
    # A new connection per request: the kernel hands them to either process.
    call = httpx.post(base + "/v1/calls", json={"channel": "chat", "name": "Two Procs"}, headers=HEADERS)
    assert call.status_code == 201, call.text
    call_id = call.json()["call_id"]
    for text in TURNS:
        turn = httpx.post(
            f"{base}/v1/calls/{call_id}/turns", json={"text": text}, headers=HEADERS, timeout=60
        )
        assert turn.status_code == 200, turn.text
    assert httpx.post(f"{base}/v1/calls/{call_id}/end", headers=HEADERS, timeout=60).status_code == 200
    record = _ingested(base, call_id)
    assert [t["text"] for t in record["transcript"] if t["speaker"] == "caller"] == list(TURNS)
    ledger = _query(data_dir, "SELECT state, attempts FROM ingestions WHERE call_id = $1", call_id)
    assert [(r["state"], r["attempts"]) for r in ledger] == [("done", 1)], "ingested once"


def test_under_load_no_turn_is_lost_each_call_is_ingested_once_none_double_books(served: tuple) -> None:
    _, base, data_dir = served
    call_ids = asyncio.run(_load(base))
    for call_id in call_ids:
        record = _ingested(base, call_id)
        assert [t["text"] for t in record["transcript"] if t["speaker"] == "caller"] == list(BOOKING)
        assert [t["seq"] for t in record["transcript"]] == list(range(1 + 2 * len(BOOKING)))
    ledger = _query(
        data_dir, "SELECT state, attempts FROM ingestions WHERE call_id = ANY($1::text[])", call_ids
    )
    assert sorted((r["state"], r["attempts"]) for r in ledger) == [("done", 1)] * LOAD_CALLS
    booked = _query(
        data_dir,
        "SELECT property_id, starts_at, count(*) AS n FROM bookings WHERE call_id = ANY($1::text[])"
        " AND status = 'scheduled' GROUP BY property_id, starts_at",
        call_ids,
    )
    assert booked and all(r["n"] == 1 for r in booked), "one booking per home and time"


def test_serve_stops_every_process(served: tuple) -> None:
    proc, _, _ = served
    children = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0
    _, alive = psutil.wait_procs(children, timeout=15)
    assert not alive, f"left behind: {alive}"
