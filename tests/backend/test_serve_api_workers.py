"""``switchboard serve --api-workers 2`` as a user runs it: two API processes on one port over
one embedded stack, a call whose turns land on either, ingested once after it ends."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import psutil

from backend.embedded.stack import running_services
from tests.conftest import free_port

KEY = "sb_testkey_two-api-processes-serve"
TURNS = (
    "show me homes in Coogee",
    "what's the median price in Paddington",
    "how much would repayments be on 1.2 million over 30 years",
    "ok thanks, that's all for now",
)


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
        p
        for p in psutil.Process(proc.pid).children()
        if any("spawn_main" in part for part in p.cmdline())
    ]


async def _ledger(url: str, call_id: str) -> asyncpg.Record:
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow("SELECT state, attempts FROM ingestions WHERE call_id = $1", call_id)
    finally:
        await conn.close()
    assert row is not None
    return row


def test_two_api_processes_share_one_port_and_one_stack(data_dir: Path) -> None:
    port = free_port()
    env = {**os.environ, "SWITCHBOARD_API_KEY": KEY, "SWITCHBOARD_LOG_LEVEL": "warning"}
    argv = [sys.executable, "-m", "backend", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    log = data_dir.parent / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([*argv, "--api-workers", "2"], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, proc)
        assert len(_api_processes(proc)) == 2
        assert log.read_text().count("API key (shown once)") == 0, "the key was given, not made"
        headers = {"Authorization": f"Bearer {KEY}"}
        # A new connection per request: the kernel hands them to either process.
        call = httpx.post(base + "/v1/calls", json={"channel": "chat", "name": "Two Procs"}, headers=headers)
        assert call.status_code == 201, call.text
        call_id = call.json()["call_id"]
        for text in TURNS:
            turn = httpx.post(
                f"{base}/v1/calls/{call_id}/turns", json={"text": text}, headers=headers, timeout=60
            )
            assert turn.status_code == 200, turn.text
        ended = httpx.post(f"{base}/v1/calls/{call_id}/end", headers=headers, timeout=60)
        assert ended.status_code == 200, ended.text

        deadline = time.monotonic() + 120
        while True:
            record = httpx.get(f"{base}/v1/calls/{call_id}", headers=headers, timeout=60).json()
            if (record["ingestion"] or {}).get("state") == "done":
                break
            assert time.monotonic() < deadline, record["ingestion"]
            time.sleep(0.5)
        said = [t["text"] for t in record["transcript"] if t["speaker"] == "caller"]
        assert said == list(TURNS)
        ledger = asyncio.run(_ledger(running_services(data_dir.resolve())["database_url"], call_id))
        assert (ledger["state"], ledger["attempts"]) == ("done", 1), "ingested once"

        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
        _, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, f"left behind: {alive}"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        print(json.dumps(log.read_text()[-3000:]))
