"""``switchboard bench chat``: end-to-end turn latency over HTTP with the policy model.

Each caller pauses between turns (``think_ms``, jittered ±50%), as people do; the closed
loop then sends each call's turns back to back (no think time): the turns/s the API
saturates at. The API runs as its own processes (``switchboard serve --api-workers N``, no
ingestion worker) on a fresh embedded stack per N, as in production; the clients run here,
each holding one chat call."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from backend.bench.report import percentiles
from backend.config import Settings
from backend.embedded.stack import running_services

KEY = "sb_bench_local-key-for-the-chat-benchmark"
TURNS = (
    "Hi, I'm looking for a 3 bedroom house in Coogee",
    "what about something under 2.5 million",
    "what's the median price in Paddington",
    "how much would repayments be on 1.2 million over 30 years",
    "we'd also consider Bondi",
    "tell me more about the first one",
    "is it close to the beach",
    "ok thanks, that's all for now",
)


def _serve(data_dir: Path, port: int, api_workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SWITCHBOARD_API_KEY": KEY, "SWITCHBOARD_LOG_LEVEL": "warning"}
    argv = [sys.executable, "-m", "backend", "serve", "--data-dir", str(data_dir), "--port", str(port)]
    log = (data_dir / "bench-serve.log").open("wb")
    extra = ["--workers", "0", "--api-workers", str(api_workers)]
    return subprocess.Popen([*argv, *extra], env=env, stdout=log, stderr=subprocess.STDOUT)


async def _ready(base: str, timeout_s: float = 900) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            try:
                body = (await client.get("/healthz")).json()
                if all(body["components"][c]["ok"] for c in ("graph", "postgres")):
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)
    raise TimeoutError("the API did not come up")


async def _seed(settings: Settings) -> None:
    """The demo listings in the local tenant's graph."""
    from backend.connections import open_memory
    from backend.store import Database, tenants
    from backend.verticals.real_estate.demo import seed_demo

    db = await Database.open(settings.database_url or "")
    who = await tenants.authenticate(db, KEY)
    await db.close()
    assert who is not None
    memory = await open_memory(settings)
    try:
        await seed_demo(memory, who.tenant.group_id)
    finally:
        await memory.close()


async def _caller(
    client: httpx.AsyncClient,
    n: int,
    turns: int,
    think_s: float,
    latencies: list[float],
    context: list[float],
) -> None:
    """One chat call; each turn's latency, and of it the turn context's assembly."""
    pause = random.Random(n)
    await asyncio.sleep(pause.uniform(0, think_s))  # callers arrive spread out, not in lockstep
    call = (await client.post("/v1/calls", json={"channel": "chat", "name": f"Bench Caller {n}"})).json()
    for i in range(turns):
        if i:
            await asyncio.sleep(pause.uniform(0.5, 1.5) * think_s)
        began = time.perf_counter()
        text = TURNS[i % len(TURNS)]
        response = await client.post(f"/v1/calls/{call['call_id']}/turns", json={"text": text})
        latencies.append((time.perf_counter() - began) * 1000)
        response.raise_for_status()
        context.append(response.json()["context_ms"])


async def _level(base: str, concurrency: int, turns: int, think_s: float, warm: int) -> dict[str, Any]:
    """``warm``: calls to warm up with first, at once (each API process loads code and caches
    on its first calls; connections land on any process)."""
    latencies: list[float] = []
    context: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        await asyncio.gather(*(_caller(client, -1 - n, len(TURNS), 0, [], []) for n in range(warm)))
        began = time.perf_counter()
        callers = (_caller(client, n, turns, think_s, latencies, context) for n in range(concurrency))
        await asyncio.gather(*callers)
        elapsed = time.perf_counter() - began
    assembly = percentiles(context)
    return {
        **percentiles(latencies),
        "turns_per_s": round(len(latencies) / elapsed, 1),
        "context_p50": assembly["p50"],
        "context_p95": assembly["p95"],
    }


def run(
    data_dir: Path,
    port: int,
    api_workers: tuple[int, ...],
    levels: tuple[int, ...],
    turns: int,
    think_ms: int,
    closed_loop: bool = True,
) -> dict[str, Any]:
    """For each API process count, on a stack of its own under ``data_dir``: each level of
    concurrent calls with ``think_ms`` (each caller's mean pause between turns), then, with
    ``closed_loop``, the same back to back. ``runs[N][mode][level]``: p50, p95, turns/s."""
    result: dict[str, Any] = {"turns_per_call": turns, "think_ms": think_ms, "runs": {}}
    modes = {"think": think_ms / 1000, **({"closed_loop": 0.0} if closed_loop else {})}
    for n in api_workers:
        where = data_dir / f"api-workers-{n}"
        where.mkdir(parents=True, exist_ok=True)
        result["runs"][str(n)] = _run(where, port, n, levels, turns, modes)
    return result


def _run(
    data_dir: Path, port: int, api_workers: int, levels: tuple[int, ...], turns: int, modes: dict[str, float]
) -> dict[str, Any]:
    server = _serve(data_dir, port, api_workers)
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(_ready(base))
        settings = Settings(data_dir=data_dir).model_copy(update=running_services(data_dir))
        asyncio.run(_seed(settings))
        runs: dict[str, Any] = {}
        for mode, think_s in modes.items():
            runs[mode] = {}
            for level in levels:
                stats = asyncio.run(_level(base, level, turns, think_s, warm=2 * api_workers))
                runs[mode][str(level)] = {
                    "p50_ms": stats["p50"],
                    "p95_ms": stats["p95"],
                    "turns": stats["n"],
                    "turns_per_s": stats["turns_per_s"],
                    "context_p50_ms": stats["context_p50"],
                    "context_p95_ms": stats["context_p95"],
                }
        return runs
    finally:
        server.terminate()
        server.wait(60)
