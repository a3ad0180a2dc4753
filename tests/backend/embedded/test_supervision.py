"""``switchboard serve`` keeps its children up: one real serve, its children killed in turn.

The tests share one serve (starting one costs seconds) and run in file order; each
leaves every component healthy for the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import psutil
import pytest
import redis
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from backend.config import load_settings
from backend.connections import open_memory
from backend.embedded.stack import running_services
from backend.embedded.supervisor import Backoff
from backend.queue import enqueue_ingest
from backend.store import Database, ingestions
from backend.verticals.real_estate.demo import demo_listings
from ingest.bench import make_call, synthetic_turns
from memory import Memory
from tests.conftest import free_port

pytestmark = pytest.mark.integration  # starts its own servers

SWITCHBOARD = [sys.executable, "-m", "backend"]
HEALTH_BOUND_S = 2.0
"""The issue's bound: health tells the truth within 2 s."""
OUTAGE_S = 6.0
"""Longer than redis-py's own retries (10, at most ~4 s in all): the worker must wait it out."""
BACK_WITHIN_S = 90.0
"""Generous: a restarted worker loads its models again on a loaded machine."""
TRANSCRIPT_TURNS = "MATCH (x:Episodic) WHERE x.call_id = $call AND x.source = 'message' RETURN count(x) AS n"
EPISODES = "MATCH (x:Episodic) WHERE x.call_id = $call RETURN count(x) AS n"


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    base: str
    data_dir: Path
    log: Path

    def pid(self, child: str) -> int:
        return int((self.data_dir / "run" / f"{child}.pid").read_text())

    def health(self, path: str = "/healthz") -> tuple[int, dict, float]:
        """Status, body and seconds taken."""
        began = time.monotonic()
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                status, body = response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            status, body = exc.code, json.loads(exc.read())
        return status, body, time.monotonic() - began

    def wait_healthy(self, timeout: float = BACK_WITHIN_S) -> float:
        """Seconds until every component is ok (the API must stay up meanwhile)."""
        began = time.monotonic()
        body: dict = {}
        while time.monotonic() - began < timeout:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                _, body, _ = self.health()
                if body["status"] == "ok":
                    return time.monotonic() - began
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"not healthy after {timeout:.0f}s: {body}")

    def wait_for_new_pid(self, child: str, old: int, timeout: float = BACK_WITHIN_S) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                pid = self.pid(child)
            except (FileNotFoundError, ValueError):
                pid = old
            if pid != old:
                return pid
            time.sleep(0.05)
        raise AssertionError(f"{child} was not restarted within {timeout:.0f}s")


def _an_older_build_left(data_dir: Path) -> Path:
    """A data dir as earlier builds left it: 0755, with a world-readable log."""
    (data_dir / "logs").mkdir(parents=True)
    data_dir.chmod(0o755)
    old = data_dir / "logs" / "old.log"
    old.write_text("earlier\n")
    old.chmod(0o644)
    return old


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir = tmp_path_factory.mktemp("supervised") / "data"
    _an_older_build_left(data_dir)
    port = free_port()
    log = data_dir.parent / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*SWITCHBOARD, "serve", "--port", str(port), "--data-dir", str(data_dir)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Served(proc, f"http://127.0.0.1:{port}", data_dir, log)
    try:
        served.wait_healthy(120)
        yield served
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _modes(root: Path) -> dict[str, int]:
    found = {}
    for top, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(top) / name
            found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def test_every_file_under_the_data_dir_is_private(served: Served) -> None:
    urls = running_services(served.data_dir)
    client = redis.Redis.from_url(urls["redis_url"])
    try:
        client.save()  # a snapshot now, so dump.rdb is on disk beside the append-only file
    finally:
        client.close()
    modes = _modes(served.data_dir)
    for wanted in (
        "falkordb/dump.rdb",
        "falkordb/appendonlydir",
        "postgres/PG_VERSION",
        "postgres/base",
        "logs/falkordb.log",
        "logs/postgres.log",
        "logs/worker-0.log",
        "logs/old.log",
        "secret",
        "switchboard.lock",
        "run/services.json",
        "run/falkordb.conf",
        "run/falkordb.pid",
        "run/postgres.pid",
        "run/worker-0.pid",
    ):
        assert wanted in modes, f"{wanted} not written"
    aof = [p for p in modes if p.startswith("falkordb/appendonlydir/")]
    assert aof, "no append-only file"
    loose = {
        path: oct(mode)
        for path, mode in modes.items()
        if mode != (0o700 if (served.data_dir / path).is_dir() else 0o600)
    }
    assert not loose, f"readable by others: {loose}"
    top = served.data_dir.stat()
    if os.geteuid() == 0:  # Postgres runs as its own user: it may enter (not list) the data dir
        import grp

        assert stat.S_IMODE(top.st_mode) == 0o710
        assert grp.getgrgid(top.st_gid).gr_name == "pgserver"
    else:
        assert stat.S_IMODE(top.st_mode) == 0o700


@pytest.fixture(scope="module")
async def stores(served: Served) -> AsyncIterator[tuple[Database, Memory, ArqRedis]]:
    """Clients of the served stack's own stores, as another process on the machine has."""
    settings = load_settings(data_dir=served.data_dir).model_copy(update=running_services(served.data_dir))
    db = await Database.open(settings.database_url or "")
    mem = await open_memory(settings)
    queue = await create_pool(
        RedisSettings.from_dsn(settings.redis_url or ""), default_queue_name=settings.queue_name
    )
    yield db, mem, queue
    await queue.aclose()
    await mem.close()
    await db.close()


async def _ended_calls(db: Database, mem: Memory, group: str, first: int, n: int) -> dict[str, int]:
    """``n`` ended calls with their number of turns."""
    rng, listings = random.Random(first), demo_listings(group)
    calls = {}
    for i in range(first, first + n):
        turns = synthetic_turns(rng, listings, f"buyer{i}@example.com")
        call_id = f"{group}-{i:02d}"
        at = datetime(2026, 11, 2, 9, tzinfo=UTC) + timedelta(hours=i)
        await make_call(db, mem, group, call_id, f"caller-{i}", turns, at, name="Ava Chen")
        calls[call_id] = len(turns)
    return calls


async def _ingested(db: Database, calls: list[str]) -> list[dict]:
    async with asyncio.timeout(BACK_WITHIN_S):
        while True:
            rows = await ingestions.of_calls(db, calls)
            if len(rows) == len(calls) and all(r["state"] == "done" for r in rows):
                return rows
            await asyncio.sleep(0.1)


async def _count(mem: Memory, group: str, statement: str, call_id: str) -> int:
    store = await mem.store(group)
    rows = await store.query(statement, {"call": call_id})
    return int(rows[0]["n"])


def _kill(served: Served, child: str, shows_as: str) -> tuple[int, float, float]:
    """SIGKILL a child; returns its new pid, the seconds until /healthz said component
    ``shows_as`` was down, and until every component was ok again."""
    old = served.pid(child)
    os.kill(old, signal.SIGKILL)
    killed_at = time.monotonic()
    while True:
        _, body, _ = served.health()
        if not body["components"][shows_as]["ok"]:
            break
        assert time.monotonic() - killed_at < BACK_WITHIN_S, f"{shows_as} never reported down"
        time.sleep(0.05)
    told_s = time.monotonic() - killed_at
    new = served.wait_for_new_pid(child, old)
    served.wait_healthy()
    return new, told_s, time.monotonic() - killed_at


@contextmanager
def _port_taken(port: int) -> Iterator[None]:
    """Hold a dead server's port, closing every connection (as a server that is not up yet):
    its restarts fail until we let go, so the outage outlasts redis-py's own retries."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    deadline = time.monotonic() + 0.3
    while True:
        try:
            sock.bind(("127.0.0.1", port))
            break
        except OSError:  # the killed server's socket is not gone yet
            assert time.monotonic() < deadline, "the supervisor got the port first"
            time.sleep(0.005)
    sock.listen(64)
    sock.settimeout(0.05)
    done = threading.Event()

    def hang_up() -> None:
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                sock.accept()[0].close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        sock.close()


def _falkordb_outage(served: Served, hold_s: float) -> tuple[float, float]:
    """SIGKILL FalkorDB and keep it from coming back for ``hold_s``; returns the seconds until
    /healthz said so, and until everything was ok again."""
    port = urlsplit(running_services(served.data_dir)["redis_url"]).port or 0
    os.kill(served.pid("falkordb"), signal.SIGKILL)
    killed_at = time.monotonic()
    with _port_taken(port):
        while True:
            _, body, took = served.health()
            assert took < HEALTH_BOUND_S, f"/healthz took {took:.2f}s"
            components = body["components"]
            if not components["graph"]["ok"] and not components["queue"]["ok"]:
                break
            assert time.monotonic() - killed_at < HEALTH_BOUND_S, f"still ok: {components}"
        told_s = time.monotonic() - killed_at
        with urllib.request.urlopen(served.base + "/metrics", timeout=10) as metrics:
            assert metrics.status == 200, "metrics fail with the queue away"
        time.sleep(max(0.0, hold_s - (time.monotonic() - killed_at)))
    served.wait_healthy()
    return told_s, time.monotonic() - killed_at


async def test_a_worker_rides_out_a_falkordb_outage_and_ingests_what_comes_after(
    served: Served, stores: tuple[Database, Memory, ArqRedis]
) -> None:
    db, mem, queue = stores
    group = "sv" + uuid.uuid4().hex[:10]
    before = await _ended_calls(db, mem, group, 0, 3)
    for call_id in before:
        await enqueue_ingest(queue, db, call_id, group)
    await _ingested(db, list(before))
    episodes = {c: await _count(mem, group, EPISODES, c) for c in before}
    worker = served.pid("worker-0")

    told_s, back_s = await asyncio.to_thread(_falkordb_outage, served, OUTAGE_S)

    assert served.pid("worker-0") == worker, "the worker died with its queue (restarted, not reconnected)"
    after = await _ended_calls(db, mem, group, 3, 3)
    for call_id in after:
        await enqueue_ingest(queue, db, call_id, group)
    rows = {r["call_id"]: r for r in await _ingested(db, list(after))}
    assert all(r["attempts"] == 1 for r in rows.values()), rows
    calls = {**before, **after}
    states = {r["call_id"]: r["state"] for r in await ingestions.of_calls(db, list(calls))}
    assert states == dict.fromkeys(calls, "done"), "a call was lost"
    for call_id, turns in calls.items():  # neither lost nor written twice by the restart
        assert await _count(mem, group, TRANSCRIPT_TURNS, call_id) == turns, call_id
    assert {c: await _count(mem, group, EPISODES, c) for c in before} == episodes, "the kill lost graph data"
    worker_log = (served.data_dir / "logs" / "worker-0.log").read_text()
    assert "queue unreachable, waiting" in worker_log and "queue back" in worker_log
    print(f"falkordb down reported in {told_s:.2f}s; back and healthy {back_s:.1f}s after SIGKILL")


async def test_health_tells_a_postgres_in_smart_shutdown_within_2s(
    served: Served, stores: tuple[Database, Memory, ArqRedis]
) -> None:
    # Smart shutdown waits for sessions to end: ours (and the API's pool) keep it shutting down.
    held = await asyncpg.connect(running_services(served.data_dir)["database_url"])
    postmaster = served.pid("postgres")
    try:
        os.kill(postmaster, signal.SIGTERM)
        signalled = time.monotonic()
        while True:
            status, body, took = await asyncio.to_thread(served.health)
            assert took < HEALTH_BOUND_S, f"/healthz took {took:.2f}s"
            if not body["components"]["postgres"]["ok"]:
                break
            assert time.monotonic() - signalled < HEALTH_BOUND_S, "postgres still reported ok"
        told_s = time.monotonic() - signalled
        assert body["status"] == "degraded"
        assert "shutting down" in body["components"]["postgres"]["detail"]
        status, body, took = await asyncio.to_thread(served.health, "/readyz")
        assert status == 503 and took < HEALTH_BOUND_S
        assert await held.fetchval("SELECT 1") == 1, "a smart shutdown keeps serving open sessions"
    finally:
        await held.close()
    # A fast shutdown ends it for good: the supervisor starts it again.
    os.kill(postmaster, signal.SIGINT)
    stopped = time.monotonic()
    await asyncio.to_thread(served.wait_for_new_pid, "postgres", postmaster)
    await asyncio.to_thread(served.wait_healthy)
    print(f"shutdown reported in {told_s:.2f}s; postgres back {time.monotonic() - stopped:.1f}s after SIGINT")


@pytest.mark.parametrize("child", ["postgres", "worker-0"])
async def test_a_killed_child_is_restarted_without_a_hand(
    served: Served, stores: tuple[Database, Memory, ArqRedis], child: str
) -> None:
    db, mem, queue = stores
    old = served.pid(child)
    # A dead worker's heartbeat outlives it by 2 s at most; a new one takes longer to start.
    shows_as = "worker" if child.startswith("worker") else "postgres"
    new, told_s, back_s = await asyncio.to_thread(_kill, served, child, shows_as)
    assert new != old
    # Back for real: a call that ends now is ingested, once.
    group = "sv" + uuid.uuid4().hex[:10]
    calls = await _ended_calls(db, mem, group, 0, 1)
    began = time.monotonic()
    for call_id in calls:
        await enqueue_ingest(queue, db, call_id, group)
    await _ingested(db, list(calls))
    for call_id, turns in calls.items():
        assert await _count(mem, group, TRANSCRIPT_TURNS, call_id) == turns
    took = time.monotonic() - began
    print(
        f"{child} down reported in {told_s:.2f}s, ok {back_s:.1f}s after SIGKILL; ingested {took:.1f}s later"
    )


def test_each_restart_is_logged_and_serve_still_stops_cleanly(served: Served) -> None:
    lines = [json.loads(line) for line in served.log.read_text().splitlines() if line.startswith("{")]
    restarted = {e["child"] for e in lines if e.get("event") == "child restarted"}
    assert {"falkordb", "postgres", "worker-0"} <= restarted, restarted
    exits = [e for e in lines if e.get("event") == "child exited"]
    assert any(e["exit_code"] == -signal.SIGKILL for e in exits)
    # FalkorDB could not have its port for a while: each failed start waited longer.
    falkordb_waits = [e["restart_in_s"] for e in exits if e["child"] == "falkordb"]
    assert falkordb_waits[:3] == [0.5, 1, 2], falkordb_waits
    assert any(e.get("event") == "child restart failed" and e["child"] == "falkordb" for e in lines)
    secret = (served.data_dir / "secret").read_text().strip()
    assert secret not in served.log.read_text()
    children = [psutil.Process(served.pid(c)) for c in ("falkordb", "postgres", "worker-0")]
    served.proc.send_signal(signal.SIGTERM)
    assert served.proc.wait(60) == 0
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"left running: {alive}"
    assert not list((served.data_dir / "run").glob("*.pid"))


def test_backoff_doubles_to_its_cap_and_resets_after_a_minute_up() -> None:
    b = Backoff()
    delays = [b.after(None, 0.0)]
    for _ in range(8):
        delays.append(b.after(delays[-1], 1.0))
    assert delays == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    assert b.after(30, 61.0) == 0.5
