"""The ``switchboard`` command as a user runs it: real processes, real servers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from memory import Memory
from tests.conftest import free_port

SWITCHBOARD = [sys.executable, "-m", "backend"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SWITCHBOARD, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_console_script_and_help() -> None:
    script = Path(sys.executable).parent / "switchboard"
    assert script.exists(), "the distribution installs a `switchboard` console script"
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    for command in ("serve", "worker", "doctor"):
        assert command in out.stdout


def test_bad_setting_is_one_clear_message() -> None:
    result = run("doctor", env={"SWITCHBOARD_GRAPH_URI": "mysql://db:3306"})
    assert result.returncode == 2
    assert "SWITCHBOARD_GRAPH_URI" in result.stderr
    assert "Traceback" not in result.stderr


def test_bench_chat_refuses_counts_that_are_not_positive_integers() -> None:
    for option, value in (("--concurrency", "8,lots"), ("--api-workers", "0")):
        result = run("bench", "chat", option, value)
        assert result.returncode == 2, result.stderr
        assert option in result.stderr and "Traceback" not in result.stderr


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


@pytest.fixture
def served(data_dir: Path) -> Iterator[tuple[subprocess.Popen[str], str, Path]]:
    port = free_port()
    proc = subprocess.Popen(
        [*SWITCHBOARD, "serve", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        yield proc, base, data_dir
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()


def _wait_healthy(base: str, proc: subprocess.Popen[str], timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            body = _get_json(base + "/healthz")
            if body["status"] == "ok":
                return body
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"not healthy in {timeout}s: {body}")


def test_serve_health_doctor_and_clean_stop(served: tuple) -> None:
    proc, base, data_dir = served
    body = _wait_healthy(base, proc)
    components = body["components"]
    assert set(components) == {"graph", "queue", "postgres", "worker"}
    assert components["graph"]["version"].startswith("FalkorDB")
    assert components["postgres"]["version"].startswith("PostgreSQL")
    assert components["graph"]["location"] == f"embedded, {data_dir.resolve() / 'falkordb'}"
    for component in components.values():
        assert "secret" not in json.dumps(component)
        assert ":" + (data_dir / "secret").read_text() not in json.dumps(component)

    doctor = run("doctor", "--json", "--data-dir", str(data_dir))
    assert doctor.returncode == 0, doctor.stderr
    assert all(c["ok"] for c in json.loads(doctor.stdout))

    second = run("serve", "--port", str(free_port()), "--data-dir", str(data_dir))
    assert second.returncode == 1
    assert "another Switchboard" in second.stderr
    assert _get_json(base + "/healthz")["status"] == "ok", "the refused serve broke the first"

    children = psutil.Process(proc.pid).children(recursive=True)
    assert len(children) >= 3  # falkordb, postgres (+ its backends), worker
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"left behind: {alive}"

    stopped = run("doctor", "--json", "--data-dir", str(data_dir))
    assert stopped.returncode == 1
    report = {c["name"]: c for c in json.loads(stopped.stdout)}
    assert report["graph"]["ok"] is False
    assert report["graph"]["detail"] == "not running"
    assert "switchboard serve" in report["graph"]["fix"]
    assert report["postgres"]["version"].startswith("postgres (PostgreSQL)")


def _tenants(data_dir: str) -> dict[str, dict]:
    listed = run("tenants", "list", "--json", "--data-dir", data_dir)
    return {t["name"]: t for t in json.loads(listed.stdout)}


def test_tenants_create_list_revoke(stack) -> None:  # type: ignore[no-untyped-def]
    data_dir = str(stack.data_dir)
    name = f"agency-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    created = run("tenants", "create", name, "--data-dir", data_dir)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("sb_") and len(key) > 40
    again = run("tenants", "create", name, "--data-dir", data_dir)
    assert again.returncode == 2 and "exists" in again.stderr
    listed = _tenants(data_dir)
    key_id = key.split("_")[1]
    assert listed[name]["keys"] == [key_id] and key not in json.dumps(listed)
    revoked = run("tenants", "revoke", name, "--data-dir", data_dir)
    assert revoked.returncode == 0 and "revoked 1" in revoked.stderr
    listed = _tenants(data_dir)
    assert listed[name]["keys"] == []


def test_a_property_management_tenant_shares_a_graph_and_has_a_ladder(stack) -> None:  # type: ignore[no-untyped-def]
    data_dir = str(stack.data_dir)
    sales = f"sales-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    assert run("tenants", "create", sales, "--data-dir", data_dir).returncode == 0
    wrong = run("tenants", "create", sales + "-x", "--vertical", "plumbing", "--data-dir", data_dir)
    assert wrong.returncode == 2 and "real_estate, property_management" in wrong.stderr
    nobody = run("tenants", "create", sales + "-y", "--share-graph-with", "no-such", "--data-dir", data_dir)
    assert nobody.returncode == 2 and "no tenant named 'no-such'" in nobody.stderr
    line = sales + "-after-hours"
    made = run(
        "tenants", "create", line, "--vertical", "property_management", "--share-graph-with", sales,
        "--data-dir", data_dir,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    listed = _tenants(data_dir)
    assert listed[line]["vertical"] == "property_management" and listed[sales]["vertical"] == "real_estate"
    assert listed[line]["group_id"] == listed[sales]["group_id"]

    bad = run("tenants", "on-call", line, "--rung", "Pat Lee:+61400111222:soon", "--data-dir", data_dir)
    assert bad.returncode == 2 and "NAME:CONTACT:TIMEOUT_S" in bad.stderr
    rungs = ("--rung", "Pat Lee:+61400111222:120", "--rung", "Sam Ng:sam@example.com:300")
    ladder = run("tenants", "on-call", line, *rungs, "--data-dir", data_dir)
    assert ladder.returncode == 0, ladder.stderr
    shown = run("tenants", "on-call", line, "--data-dir", data_dir).stdout
    assert "Pat Lee" in shown and "Sam Ng" in shown and shown.index("Pat Lee") < shown.index("Sam Ng")
    assert "300 s" in shown


def test_twilio_numbers_and_an_unsigned_trial_that_doctor_flags(stack) -> None:  # type: ignore[no-untyped-def]
    data_dir = str(stack.data_dir)
    name = f"phones-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    assert run("tenants", "create", name, "--data-dir", data_dir).returncode == 0
    bad = run("tenants", "twilio", name, "--number", "not a number", "--data-dir", data_dir)
    assert bad.returncode == 2 and "is not a phone number" in bad.stderr
    token = {"TWILIO_AUTH_TOKEN": "secret-token-value"}
    pointed = run("tenants", "twilio", name, "--number", "02 9999 0001", "--data-dir", data_dir, env=token)
    assert pointed.returncode == 0 and "+61299990001" in pointed.stderr, pointed.stderr
    assert "secret-token-value" not in pointed.stdout + pointed.stderr

    trial = run("doctor", "--json", "--data-dir", data_dir, env={"SWITCHBOARD_TWILIO_UNSIGNED": "true"})
    assert trial.returncode == 1
    flagged = {c["name"]: c for c in json.loads(trial.stdout)}["twilio signatures"]
    assert flagged["ok"] is False and "SWITCHBOARD_TWILIO_UNSIGNED" in flagged["fix"]


async def test_bench_memory_reads_the_graph_servers_resident_memory(mem: Memory) -> None:
    from backend.bench.memory import server_rss_mb

    rss = await server_rss_mb(mem)
    assert rss is not None and 1 < rss < 24 * 1024, rss
