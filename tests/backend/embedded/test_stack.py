"""The embedded stack: real FalkorDB, Redis (arq) and Postgres started by the project."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import asyncpg
import psutil
import pytest
from arq import create_pool
from arq.connections import RedisSettings

from backend.config import Settings, load_settings
from backend.embedded.process import reap_orphan
from backend.embedded.stack import DataDirLocked, EmbeddedStack, running_services
from ingest.worker import build_worker
from memory import connect_graph, graph_version


async def test_graph_answers_a_query(stack: Settings) -> None:
    driver = connect_graph(stack.graph_uri or "")
    try:
        await driver.execute_query("CREATE (:Probe {name: $name})", name="graph-ok")
        records, _, _ = await driver.execute_query(
            "MATCH (p:Probe {name: $name}) RETURN count(p) AS n", name="graph-ok"
        )
        assert records[0]["n"] >= 1
        assert (await graph_version(driver)).startswith("FalkorDB 4.")
    finally:
        await driver.close()


async def test_arq_job_runs_once_per_job_id(stack: Settings) -> None:
    stack = stack.model_copy(update={"queue_name": "test:ping-once"})  # other tests leave jobs on theirs
    pool = await create_pool(RedisSettings.from_dsn(stack.redis_url or ""))
    try:
        job = await pool.enqueue_job("ping", _job_id="ping:embedded", _queue_name=stack.queue_name)
        assert job is not None
        # The same job id while the first is queued is refused: ingestion relies on it.
        again = await pool.enqueue_job("ping", _job_id="ping:embedded", _queue_name=stack.queue_name)
        assert again is None
        worker = build_worker(stack, burst=True)
        await worker.async_run()
        await worker.close()
        assert await job.result(timeout=5) == "pong"
        assert worker.jobs_complete == 1
    finally:
        await pool.aclose()


async def test_postgres_answers_sql(stack: Settings) -> None:
    conn = await asyncpg.connect(stack.database_url)
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS probe (id int PRIMARY KEY, note text)")
        await conn.execute("INSERT INTO probe VALUES ($1, $2) ON CONFLICT DO NOTHING", 1, "sql-ok")
        assert await conn.fetchval("SELECT note FROM probe WHERE id = $1", 1) == "sql-ok"
    finally:
        await conn.close()


async def _write_both(settings: Settings) -> None:
    driver = connect_graph(settings.graph_uri or "")
    await driver.execute_query("CREATE (:Survivor {name: 'kept'})")
    await driver.close()
    conn = await asyncpg.connect(settings.database_url)
    await conn.execute("CREATE TABLE survivor (name text); INSERT INTO survivor VALUES ('kept')")
    await conn.close()


async def _read_both(settings: Settings) -> tuple[int, list[str]]:
    driver = connect_graph(settings.graph_uri or "")
    records, _, _ = await driver.execute_query("MATCH (s:Survivor) RETURN count(s) AS n")
    await driver.close()
    conn = await asyncpg.connect(settings.database_url)
    rows = [r["name"] for r in await conn.fetch("SELECT name FROM survivor")]
    await conn.close()
    return records[0]["n"], rows


async def test_restart_keeps_the_data(data_dir: Path) -> None:
    settings = load_settings(data_dir=data_dir)
    with EmbeddedStack(settings) as first:
        await _write_both(first)
    with EmbeddedStack(settings) as second:
        assert (await _read_both(second)) == (1, ["kept"])
        assert second.graph_uri != first.graph_uri or second.database_url == first.database_url


def test_second_stack_on_same_data_dir_is_refused(data_dir: Path) -> None:
    settings = load_settings(data_dir=data_dir)
    with EmbeddedStack(settings):
        second = EmbeddedStack(settings)
        with pytest.raises(DataDirLocked, match="another Switchboard"):
            second.start()
        second.stop()  # a refused stack must not tear down the running one
        assert running_services(data_dir.resolve())


def test_external_urls_start_nothing(stack: Settings, data_dir: Path) -> None:
    settings = load_settings(data_dir=data_dir, graph_uri=stack.graph_uri, database_url=stack.database_url)
    embedded = EmbeddedStack(settings)
    resolved = embedded.start()
    try:
        assert embedded.falkordb is None
        assert embedded.postgres is None
        assert resolved.graph_uri == stack.graph_uri
        assert resolved.database_url == stack.database_url
        # An external FalkorDB is a Redis server too: arq uses it.
        assert resolved.redis_url
        assert resolved.redis_url.startswith("redis://")
        assert not (data_dir / "falkordb").exists()
        assert not (data_dir / "postgres").exists()
    finally:
        embedded.stop()


_CHILD = textwrap.dedent(
    """
    import sys, time
    from backend.config import load_settings
    from backend.embedded.stack import EmbeddedStack
    EmbeddedStack(load_settings(data_dir=sys.argv[1])).start()
    print("ready", flush=True)
    time.sleep(600)
    """
)


def _server_pids(data_dir: Path) -> list[int]:
    pids = []
    for name in ("falkordb.pid", "postgres.pid"):
        pids.append(int((data_dir / "run" / name).read_text()))
    return pids


def test_sigkill_of_the_parent_leaves_no_server(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    parent = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(data_dir)], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    assert parent.stdout.readline().strip() == "ready"
    pids = _server_pids(data_dir)
    assert all(psutil.pid_exists(p) for p in pids)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    assert not any(_alive(p) for p in pids), "a server outlived its parent"
    # The next start finds the stale state and comes up cleanly on the same data.
    with EmbeddedStack(load_settings(data_dir=data_dir)) as again:
        assert again.graph_uri


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_next_start_reaps_a_survivor_but_never_a_stranger(tmp_path: Path) -> None:
    marker_dir = tmp_path / "falkordb"
    marker_dir.mkdir()
    survivor = subprocess.Popen(["sleep", "60"], cwd=marker_dir)
    stranger = subprocess.Popen(["sleep", "60"], cwd=tmp_path.parent)
    try:
        pidfile = tmp_path / "x.pid"
        pidfile.write_text(str(stranger.pid))
        assert reap_orphan(pidfile, str(marker_dir)) is False
        assert stranger.poll() is None
        pidfile.write_text(str(survivor.pid))
        assert reap_orphan(pidfile, str(marker_dir)) is True
        assert not _alive(survivor.pid)
        assert not pidfile.exists()
    finally:
        for p in (survivor, stranger):
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                p.wait()
