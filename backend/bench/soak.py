"""``switchboard soak``: a chat-and-booking mix on loopback for a set time, then (optionally) the
API fuzzer with every check. It runs ``switchboard serve`` (one worker) on a fresh embedded stack
as its own process, stops by itself, and reports errors, latency and each process's memory
growth (API, worker, FalkorDB, Postgres), so a leak or a 500 under load shows."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import math
import os
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from backend.bench.chat import KEY, _ready, _seed
from backend.bench.report import percentiles
from backend.config import Settings
from backend.embedded.stack import running_services

SUBURBS = ("Bondi", "Coogee", "Paddington", "Glebe", "Newtown", "Manly")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
HOURS = ("9am", "10am", "11am", "12pm", "1pm", "2pm", "3pm", "4pm")
FUZZ_CASES_PER_EXAMPLE = 20
"""Requests schemathesis sends per ``--max-examples`` step over our 14 operations (measured)."""


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    calls: int = 0
    booked: int = 0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500) + self.transport_errors


def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SWITCHBOARD_API_KEY": KEY, "SWITCHBOARD_LOG_LEVEL": "warning"}
    argv = [sys.executable, "-m", "backend", "serve", "--data-dir", str(data_dir), "--port", str(port)]
    log = (data_dir / "soak-serve.log").open("wb")
    return subprocess.Popen([*argv, "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT)


def _label(proc: psutil.Process, root: int) -> str:
    try:
        line = " ".join(proc.cmdline())
    except psutil.Error:
        return "gone"
    if proc.pid == root:
        return "api"
    if "redis-server" in line:
        return "falkordb"
    if "postgres" in line:
        return "postgres"
    return "worker" if "worker" in line else "other"


def memory_by_process(root: int) -> dict[str, int]:
    """Proportional set size (bytes: shared pages split between their users, so Postgres's
    many processes add up honestly) of the server and its children, summed by kind."""
    parent = psutil.Process(root)
    sizes: Counter[str] = Counter()
    for proc in [parent, *parent.children(recursive=True)]:
        try:
            info = proc.memory_full_info()
            sizes[_label(proc, root)] += getattr(info, "pss", info.rss)
        except psutil.Error:
            continue
    return dict(sizes)


async def _post(client: httpx.AsyncClient, tally: Tally, path: str, body: dict[str, Any]) -> dict[str, Any]:
    began = time.perf_counter()
    try:
        response = await client.post(path, json=body)
    except httpx.TransportError:
        tally.transport_errors += 1
        return {}
    tally.latencies.append((time.perf_counter() - began) * 1000)
    tally.statuses[response.status_code] += 1
    return response.json() if response.status_code < 300 else {}


async def _caller(client: httpx.AsyncClient, n: int, deadline: float, tally: Tally) -> None:
    """One caller after another on this line until the deadline: search, book, ask, end."""
    pick = random.Random(n)
    i = 0
    while time.monotonic() < deadline:
        i += 1
        who = {"channel": "chat", "name": f"Soak Caller {n} {i}", "from": f"0412{pick.randrange(10**6):06d}"}
        call = await _post(client, tally, "/v1/calls", who)
        if not call:
            await asyncio.sleep(1)
            continue
        turns = (
            f"show me 3 bedroom houses in {pick.choice(SUBURBS)} under 3 million",
            f"book a viewing of the first one on {pick.choice(DAYS)} at {pick.choice(HOURS)}",
            "what would repayments be on 900k over 30 years at 6%",
        )
        for text in turns:
            reply = await _post(client, tally, f"/v1/calls/{call['call_id']}/turns", {"text": text})
            tally.booked += "RE-" in reply.get("reply", "")
        await _post(client, tally, f"/v1/calls/{call['call_id']}/end", {"outcome": "soak"})
        tally.calls += 1


async def _load(base: str, calls: int, minutes: float) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=calls, max_keepalive_connections=calls)
    headers = {"Authorization": f"Bearer {KEY}"}
    deadline = time.monotonic() + minutes * 60
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        await asyncio.gather(*(_caller(client, n, deadline, tally) for n in range(calls)))
    return tally


def fuzz(base: str, requests: int, report_dir: Path, rounds: int = 10) -> dict[str, Any]:
    """schemathesis with ``--checks all`` until about ``requests`` requests are sent (a round
    with a new seed each time: a small schema runs out of new cases before a large budget does):
    how many, the server errors among them, and its failures by code."""
    if importlib.util.find_spec("schemathesis") is None:
        raise RuntimeError("the fuzzer is a dev dependency: pip install -e '.[dev]'")
    statuses: Counter[int] = Counter()
    failures: Counter[str] = Counter()
    for n in range(rounds):
        if sum(statuses.values()) >= requests:
            break
        sent, failed = _fuzz_round(base, requests - sum(statuses.values()), report_dir, n)
        statuses, failures = statuses + sent, failures + failed
    return {
        "requests": sum(statuses.values()),
        "server_errors": sum(c for s, c in statuses.items() if s >= 500),
        "statuses": {str(s): c for s, c in sorted(statuses.items())},
        "failures": dict(failures),
        "output": str(report_dir / "fuzz-*.txt"),
    }


def _fuzz_round(base: str, requests: int, report_dir: Path, n: int) -> tuple[Counter[int], Counter[str]]:
    report, har = report_dir / f"fuzz-{n}.json", report_dir / f"fuzz-{n}.har"
    argv = [
        *(sys.executable, "-m", "schemathesis.cli", "run", f"{base}/openapi.json", "--checks", "all"),
        *("-H", f"Authorization: Bearer {KEY}", "--exclude-path-regex", "/stream$", "--no-color"),
        *("--max-examples", str(max(1, math.ceil(requests / FUZZ_CASES_PER_EXAMPLE)))),
        *("--seed", str(random.randrange(2**63))),
        *("--report", "json,har", "--report-json-path", str(report), "--report-har-path", str(har)),
    ]
    with (report_dir / f"fuzz-{n}.txt").open("wb") as out:
        # In the report dir: schemathesis keeps a cache in its working directory.
        subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, check=False, timeout=3600, cwd=report_dir)
    entries = json.loads(har.read_text())["log"]["entries"]
    summary = json.loads(report.read_text())
    return (
        Counter(e["response"]["status"] for e in entries),
        Counter({f["code"]: f["count"] for f in summary["failures"]}),
    )


def run(data_dir: Path, port: int, calls: int, minutes: float, fuzz_requests: int) -> dict[str, Any]:
    data_dir.mkdir(parents=True, exist_ok=True)
    server = _serve(data_dir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(_ready(base))
        settings = Settings(data_dir=data_dir).model_copy(update=running_services(data_dir))
        asyncio.run(_seed(settings))
        before = memory_by_process(server.pid)
        tally = asyncio.run(_load(base, calls, minutes))
        after_load = memory_by_process(server.pid)
        result: dict[str, Any] = {
            "calls": tally.calls,
            "concurrency": calls,
            "minutes": minutes,
            "requests": sum(tally.statuses.values()) + tally.transport_errors,
            "server_errors": tally.server_errors,
            "client_errors": sum(n for s, n in tally.statuses.items() if 400 <= s < 500),
            "bookings": tally.booked,
            "latency_ms": percentiles(tally.latencies),
            "memory_mb": _growth(before, after_load),
        }
        if fuzz_requests:
            result["fuzz"] = fuzz(base, fuzz_requests, data_dir)
            result["memory_mb_after_fuzz"] = _growth(before, memory_by_process(server.pid))
        return result
    finally:
        server.terminate()
        server.wait(60)


def _growth(before: dict[str, int], after: dict[str, int]) -> dict[str, dict[str, float]]:
    mb = 1024 * 1024
    return {
        kind: {
            "start": round(before.get(kind, 0) / mb, 1),
            "end": round(after.get(kind, 0) / mb, 1),
            "growth": round((after.get(kind, 0) - before.get(kind, 0)) / mb, 1),
        }
        for kind in sorted(set(before) | set(after))
    }
