"""``switchboard eval calls``: conversation scenarios, written from the caller's side, over HTTP.

The API runs as its own process (``switchboard serve`` with one worker) on a fresh
embedded stack whose default tenant holds the demo listings; the scenarios talk to it
with httpx, as a caller's channel would. Every wait (start-up, ingestion, events) is a
bounded poll."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from backend.embedded.stack import free_port
from backend.evals import checks, tenants, verdicts
from backend.evals.phones import Phones, ringing
from backend.evals.scenario import AfterCheck, Call, Persona, Scenario, Turn, load_scenarios
from backend.evals.verdicts import Heard, Verdict
from backend.speech.contacts import e164

KEY = tenants.KEY
READY_WAIT_S = 600.0
INGEST_WAIT_S = 60.0
EVENT_WAIT_S = 20.0
POLL_S = 0.5
CONCURRENCY = 4
RETRIES_503 = 3
REGION = "AU"
"""Where the scenarios' phone numbers are (the server's default region)."""
SETS = {"dev": "scenarios", "heldout": "heldout"}
"""Scenario sets by name → their folder in backend/evals: ``dev`` is what the product is fixed
against; ``heldout`` is sealed (never tuned on, run only to measure; docs/evals.md)."""
# Where a scenario's server would otherwise be pointed at other stores.
_ISOLATE = ("GRAPH_URI", "REDIS_URL", "DATABASE_URL", "DATA_DIR", "HOST", "PORT", "API_KEY")


class ServerError(RuntimeError):
    pass


class HttpProblem(Exception):
    """A request answered 5xx, or not what a scenario needs to go on."""


# --- the server ----------------------------------------------------------------------------


def _env(twilio_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.removeprefix("SWITCHBOARD_") not in _ISOLATE}
    texts = {"SWITCHBOARD_TWILIO_API_URL": twilio_url} if twilio_url else {}
    return env | {"SWITCHBOARD_API_KEY": KEY, "SWITCHBOARD_LOG_LEVEL": "warning"} | texts


def _serve(data_dir: Path, port: int, twilio_url: str | None) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "backend", "serve", "--data-dir", str(data_dir), "--port", str(port)]
    log = (data_dir / "serve.log").open("wb")
    env = _env(twilio_url)
    return subprocess.Popen([*argv, "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT)


def _make_tenants(data_dir: Path, count: int) -> None:
    """A tenant per scenario (``tenants.key(n)``), made before the server starts."""
    argv = [sys.executable, "-m", "backend.evals.tenants", str(data_dir), str(count)]
    with (data_dir / "tenants.log").open("wb") as log:
        done = subprocess.run(argv, env=_env(), stdout=log, stderr=subprocess.STDOUT, timeout=READY_WAIT_S)
    if done.returncode:
        raise ServerError(f"making the scenarios' tenants failed:\n{_log_tail(data_dir, name='tenants.log')}")


def _log_tail(data_dir: Path, lines: int = 20, name: str = "serve.log") -> str:
    try:
        return "\n".join((data_dir / name).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_ready(server: subprocess.Popen[bytes], base: str, data_dir: Path) -> None:
    deadline = time.monotonic() + READY_WAIT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerError(f"switchboard serve exited ({server.returncode}):\n{_log_tail(data_dir)}")
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(POLL_S)
    raise ServerError(f"not ready after {READY_WAIT_S:.0f} s:\n{_log_tail(data_dir)}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)


@contextmanager
def served(
    data_dir: Path | None = None, own_tenants: int = 0, twilio_url: str | None = None
) -> Iterator[str]:
    """``switchboard serve`` on a fresh data dir (removed after, unless given), with ``own_tenants``
    of the scenarios' own besides the local one, texting through ``twilio_url``; yields its URL."""
    where = data_dir or Path(tempfile.mkdtemp(prefix="switchboard-eval-calls-"))
    where.mkdir(parents=True, exist_ok=True)
    if own_tenants:
        _make_tenants(where, own_tenants)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(where, port, twilio_url)
    try:
        _wait_ready(server, base, where)
        yield base
    finally:
        _stop(server)
        for line in _errors(where):  # a reply can hide a bug ("something went wrong"): show it
            print(f"server: {line}", file=sys.stderr)
        if data_dir is None:
            shutil.rmtree(where, ignore_errors=True)


def _errors(data_dir: Path, most: int = 10) -> list[str]:
    """The server's error lines (structlog JSON at level error), at most ``most``."""
    try:
        lines = (data_dir / "serve.log").read_text(errors="replace").splitlines()
    except OSError:
        return []
    return [line for line in lines if '"level": "error"' in line][:most]


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    scenario: str
    turn: str
    assertion: str
    reply: str
    said: str = ""


@dataclass
class ScenarioResult:
    name: str
    kind: str
    small: bool
    checks: int = 0
    invariant_checks: int = 0
    failures: list[Failure] = field(default_factory=list)
    transcript: list[dict[str, str]] = field(default_factory=list)
    """What was said and heard, in order: {where, said, reply}."""
    seconds: float = 0.0

    @property
    def replies(self) -> int:
        return len(self.transcript)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class Report:
    results: list[ScenarioResult]
    seconds: float = 0.0
    startup_seconds: float = 0.0

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def pass_rate(self) -> float:
        return self.passed / len(self.results) if self.results else 1.0

    def by_kind(self) -> dict[str, dict[str, int]]:
        kinds: dict[str, dict[str, int]] = {}
        for r in self.results:
            row = kinds.setdefault(r.kind, {"scenarios": 0, "passed": 0})
            row["scenarios"] += 1
            row["passed"] += r.passed
        return dict(sorted(kinds.items()))

    def as_json(self) -> dict[str, Any]:
        return {
            "scenarios": len(self.results),
            "passed": self.passed,
            "pass_rate": round(self.pass_rate, 4),
            "by_kind": self.by_kind(),
            "failures": [
                {
                    "scenario": f.scenario,
                    "turn": f.turn,
                    "assertion": f.assertion,
                    "reply": f.reply,
                    "said": f.said,
                }
                for r in self.results
                for f in r.failures[:1]
            ],
            "replies": sum(r.replies for r in self.results),
            "invariant_checks": sum(r.invariant_checks for r in self.results),
            "checks": sum(r.checks for r in self.results),
            "seconds": round(self.seconds, 1),
            "startup_seconds": round(self.startup_seconds, 1),
            "results": [
                {
                    "name": r.name,
                    "kind": r.kind,
                    "small": r.small,
                    "passed": r.passed,
                    "checks": r.checks,
                    "failed": [f"{f.turn}: {f.assertion}" for f in r.failures],
                    "seconds": round(r.seconds, 2),
                    "transcript": r.transcript,
                }
                for r in self.results
            ],
        }


# --- one scenario --------------------------------------------------------------------------


class Api:
    """The HTTP API as a caller's channel sees it; every status ≥ 500 is a problem."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def request(self, method: str, path: str, *, ok: Iterable[int] = (200, 201), **kw: Any) -> Any:
        response = await self.client.request(method, path, **kw)
        for _ in range(RETRIES_503):  # as the docs tell a client: a busy store, wait and retry
            if response.status_code != 503:
                break
            await asyncio.sleep(min(float(response.headers.get("Retry-After") or 1), 5.0))
            response = await self.client.request(method, path, **kw)
        if response.status_code >= 500 or response.status_code not in set(ok):
            raise HttpProblem(f"{method} {path} answered {response.status_code}: {response.text[:300]}")
        return response.json() if response.content else None


def start_body(call: Call, persona: Persona) -> dict[str, Any]:
    """What the channel passes to ``POST /v1/calls``: what ``sends`` names (``[]``: nothing),
    else all the persona has."""
    sends = (
        call.sends
        if call.sends is not None
        else [k for k in ("phone", "name", "email") if getattr(persona, k)]
    )
    return {"channel": call.channel} | {("from" if k == "phone" else k): getattr(persona, k) for k in sends}


class ScenarioRun:
    """Plays one scenario: its calls in order, judging each answer as it comes."""

    def __init__(self, api: Api, scenario: Scenario, texted: Phones) -> None:
        self.api, self.scenario, self.texted = api, scenario, texted
        self.result = ScenarioResult(scenario.name, scenario.kind, scenario.small)
        self.ids: dict[str, list[str | None]] = {}
        """Each persona's caller id, call by call; any earlier one counts as "the same caller as an
        earlier call"."""
        self.unproven: set[str | None] = set()
        """The callers new with a possible match's call whose check never passed: the persona is
        still the one on file, so their facts are checked (or erased) there."""

    def judge(self, where: str, found: Iterable[Verdict], reply: str, said: str = "") -> None:
        for v in found:
            self.result.checks += 1
            if not v.ok:
                self.result.failures.append(Failure(self.scenario.name, where, v.assertion, reply, said))

    def heard(self, where: str, reply: str, said: str = "", tools: Iterable[str] = ()) -> None:
        """Every reply a caller hears is kept (with the tools that made it, for whoever reads a
        miss) and obeys the global invariants."""
        entry = {"where": where, "said": said, "reply": reply, "tools": " ".join(tools)}
        self.result.transcript.append(entry)
        self.result.invariant_checks += 1
        problems = checks.invariant_violations(reply)
        self.judge(
            where, [Verdict(f"invariant: {p}", False) for p in problems] or [Verdict("", True)], reply, said
        )

    async def play(self) -> ScenarioResult:
        began = time.perf_counter()
        for n, call in enumerate(self.scenario.calls, 1):
            try:
                await self.call(n, call, last=n == len(self.scenario.calls))
            except (HttpProblem, httpx.HTTPError) as exc:
                self.judge(f"call {n}", [Verdict(f"HTTP: {exc or type(exc).__name__}", False)], "")
        self.result.seconds = time.perf_counter() - began
        return self.result

    def _got(self, alias: str, caller_id: str | None) -> None:
        self.ids.setdefault(alias, []).append(caller_id)

    def latest(self, alias: str) -> str | None:
        """The persona's record: the latest caller they were known as (a check that never passed
        leaves them on file as they were), else the latest."""
        ids = self.ids.get(alias, [None])
        return next((i for i in reversed(ids) if i not in self.unproven), ids[-1])

    async def call(self, n: int, call: Call, *, last: bool) -> None:
        persona = self.scenario.callers[call.caller]
        if call.erase_first:
            await self.api.request("DELETE", f"/v1/callers/{self.latest(call.caller)}")
        started = await self.api.request("POST", "/v1/calls", json=start_body(call, persona))
        call_id = started["call_id"]
        self.heard(f"call {n} greeting", started.get("greeting") or "")
        self.judge(
            f"call {n} greeting",
            verdicts.greeting_verdicts(call.greeting, started, persona, self.ids),
            started.get("greeting") or "",
        )
        caller = started.get("caller") or {}
        self._got(call.caller, caller.get("id"))
        if caller.get("possible_match"):
            self.unproven.add(caller.get("id"))
        heard, turn_times = Heard(), []
        for t, turn in enumerate(call.turns, 1):
            await self.turn(f"call {n} turn {t}", call_id, turn, heard, persona)
            turn_times.append(datetime.now(UTC))
        if call.end:
            await self.api.request("POST", f"/v1/calls/{call_id}/end")
            if call.after or not last:  # a later call may rely on this one's memory
                await self.after(n, call, call_id, turn_times)

    def line(self, where: str, turn: Turn, persona: Persona) -> str:
        """What the caller says: ``{code}`` is the code last texted to their phone."""
        if "{code}" not in turn.say:
            return turn.say
        number = e164(persona.phone or "", REGION)
        code = self.texted.code(number) if number else None
        self.judge(
            where, [Verdict("a code was texted to the caller's phone", code is not None)], "", turn.say
        )
        return turn.say.replace("{code}", code or "000000")

    async def turn(self, where: str, call_id: str, turn: Turn, heard: Heard, persona: Persona) -> None:
        watcher = await self.watch(call_id) if turn.expect.event else None
        said = self.line(where, turn, persona)
        try:
            out = await self.api.request("POST", f"/v1/calls/{call_id}/turns", json={"text": said})
        except HttpProblem as exc:
            self.judge(where, [Verdict(f"HTTP: {exc}", False)], "", said)
            return
        finally:
            events = await watcher if watcher else []
        reply = out.get("reply") or ""
        self.heard(where, reply, said, (str(c.get("tool")) for c in out.get("tool_calls") or []))
        found = list(verdicts.turn_verdicts(turn.expect, out, heard))
        found.append(verdicts.tool_call_shape(out))
        if turn.expect.call:
            record = await self.api.request("GET", f"/v1/calls/{call_id}")
            found += verdicts.call_state_verdicts(turn.expect.call, record)
        if turn.expect.event:
            want = turn.expect.event
            seen = [e for e in events if e.get("type") == want.type]
            label = f"SSE event {want.type!r}{' with a brief' if want.with_brief else ''}"
            ok = bool(seen) and (not want.with_brief or any(verdicts.has_brief(e) for e in seen))
            found.append(Verdict(f"{label} (saw {list(dict.fromkeys(e.get('type') for e in events))})", ok))
        self.judge(where, found, reply, said)
        if checks.is_listing(reply) or turn.expect.listings:
            heard.last_listing = checks.named_homes(reply) or heard.last_listing

    async def watch(self, call_id: str) -> asyncio.Task[list[dict[str, Any]]]:
        """The call's SSE stream until the turn is done (bounded); subscribed before the turn."""
        subscribed = asyncio.Event()
        task = asyncio.create_task(_events(self.api.client, call_id, subscribed))
        with suppress(TimeoutError):
            await asyncio.wait_for(subscribed.wait(), EVENT_WAIT_S)
        return task

    async def after(self, n: int, call: Call, call_id: str, turn_times: list[datetime]) -> None:
        record = await self.ingested(call_id)
        if record.get("caller_id"):  # a step-up check moves the call to the verified caller
            self._got(call.caller, record["caller_id"])
        where = f"call {n} after end"
        state = (record.get("ingestion") or {}).get("state")
        shown = json.dumps({k: record.get(k) for k in ("outcome", "status", "ingestion")}, default=str)
        if call.after:
            self.judge(
                where,
                [Verdict(f"ingestion done within {INGEST_WAIT_S:.0f} s (state {state!r})", state == "done")],
                shown,
            )
        for check in call.after:
            await self.after_check(where, check, call.caller, record, turn_times, shown)

    async def after_check(
        self,
        where: str,
        check: AfterCheck,
        own: str,
        record: dict[str, Any],
        times: list[datetime],
        shown: str,
    ) -> None:
        if check.outcome_in:
            got = record.get("outcome")
            self.judge(
                where,
                [Verdict(f"outcome in {check.outcome_in} (got {got!r})", got in check.outcome_in)],
                shown,
            )
        alias = check.caller or own
        caller_id, label = self.latest(alias), f"{alias}'s facts"
        if caller_id is None:
            self.judge(where, [Verdict(f"{alias} has a caller id", False)], shown)
            return
        context = await self.api.request("GET", f"/v1/callers/{caller_id}", ok=(200, 404))
        known = context is not None and "caller" in context
        if check.caller_known is not None:
            self.judge(
                where,
                [Verdict(f"{alias} known: {check.caller_known} (got {known})", known == check.caller_known)],
                shown,
            )
        facts = context.get("facts", []) if known else []
        self.judge(where, verdicts.fact_verdicts(facts, check, label=label), _facts_text(facts))
        if known:
            self.judge(
                where,
                verdicts.viewing_verdicts(context, check, label=alias),
                json.dumps(context.get("upcoming_bookings"), default=str),
            )
        if check.facts_after_turn:
            at = times[check.facts_after_turn - 1].isoformat()
            line = await self.api.request("GET", f"/v1/callers/{caller_id}/timeline", params={"valid_at": at})
            then = line.get("facts", [])
            self.judge(where, verdicts.timeline_verdicts(then, check, label=label), _facts_text(then))

    async def ingested(self, call_id: str) -> dict[str, Any]:
        """GET /v1/calls/{id} once ingestion is done or dead, or when the wait runs out."""
        deadline = time.monotonic() + INGEST_WAIT_S
        while True:
            record = await self.api.request("GET", f"/v1/calls/{call_id}")
            state = (record.get("ingestion") or {}).get("state")
            if state in ("done", "dead") or time.monotonic() > deadline:
                return record
            await asyncio.sleep(POLL_S)


async def _events(client: httpx.AsyncClient, call_id: str, subscribed: asyncio.Event) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []

    async def read() -> None:
        async with client.stream("GET", f"/v1/calls/{call_id}/stream") as response:
            async for line in response.aiter_lines():
                if line.startswith(":"):
                    subscribed.set()
                elif line.startswith("data:"):
                    events.append(json.loads(line[5:]))
                    if events[-1].get("type") in ("turn_done", "call_ended"):
                        return

    try:
        await asyncio.wait_for(read(), EVENT_WAIT_S)
    except (TimeoutError, httpx.HTTPError, json.JSONDecodeError):
        pass
    finally:
        subscribed.set()
    return events


def _facts_text(facts: list[dict[str, Any]]) -> str:
    return (
        "; ".join(f"{f.get('name')}={f.get('value')!r} ({f.get('object_name')})" for f in facts) or "(none)"
    )


# --- the suite -----------------------------------------------------------------------------


async def run_suite(
    base_url: str, scenarios: list[Scenario], concurrency: int = CONCURRENCY, texted: Phones | None = None
) -> Report:
    """Play the scenarios against a running API, scenario ``n`` on the tenant ``served`` made
    for it (key ``tenants.key(n)``); ``texted``: where the product's texts arrive."""
    began = time.perf_counter()
    gate = asyncio.Semaphore(concurrency)

    async def one(n: int, scenario: Scenario) -> ScenarioResult:
        headers = {"Authorization": f"Bearer {tenants.key(n)}"}
        async with gate, httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as client:
            return await ScenarioRun(Api(client), scenario, texted or Phones()).play()

    results = await asyncio.gather(*(one(n, s) for n, s in enumerate(scenarios)))
    return Report(list(results), seconds=time.perf_counter() - began)


def run(scenarios: list[Scenario], data_dir: Path | None = None, concurrency: int = CONCURRENCY) -> Report:
    """Start a fresh server, play the scenarios, stop it."""
    began = time.perf_counter()
    with ringing() as texted, served(data_dir, len(scenarios), texted.url) as base:
        startup = time.perf_counter() - began
        report = asyncio.run(run_suite(base, scenarios, concurrency, texted))
    report.startup_seconds, report.seconds = startup, time.perf_counter() - began
    return report


def show(report: Report, console: Console) -> None:
    table = Table(
        title=f"call scenarios — {report.passed}/{len(report.results)} passed, {report.seconds:.0f} s"
    )
    for column in ("kind", "scenarios", "passed"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind, row in report.by_kind().items():
        colour = "green" if row["passed"] == row["scenarios"] else "red"
        table.add_row(kind, str(row["scenarios"]), f"[{colour}]{row['passed']}[/]")
    console.print(table)
    for r in report.results:
        if r.failures:
            f = r.failures[0]
            console.print(f"[bold red]✗ {r.name}[/] ({r.kind}) {f.turn}: {f.assertion}", highlight=False)
            if f.said:
                console.print(f"    caller: {f.said}", highlight=False, markup=False)
            console.print(f"    heard:  {f.reply[:600]}", highlight=False, markup=False)


def scenario_dir(name: str = "dev") -> Path:
    """The folder of a scenario set (``SETS``)."""
    if name not in SETS:
        raise ValueError(f"unknown scenario set {name!r} (sets: {', '.join(SETS)})")
    return Path(str(resources.files("backend.evals") / SETS[name]))


def main(
    *,
    small: bool,
    json_path: Path | None,
    only: str | None,
    require: float | None,
    console: Console,
    scenario_set: str = "dev",
) -> int:
    """The CLI's work; returns the exit code (1 only when ``require`` is not met)."""
    scenarios = load_scenarios(scenario_dir(scenario_set), small=small, only=only)
    if not scenarios:
        console.print(f"no {scenario_set} scenarios match {only!r}{' (small)' if small else ''}")
        return 2
    with console.status(f"Serving a fresh stack; {len(scenarios)} scenarios…"):
        report = run(scenarios)
    show(report, Console())
    if json_path:
        json_path.write_text(json.dumps(report.as_json(), indent=2) + "\n")
    if require is not None and report.pass_rate < require:
        console.print(f"[bold red]pass rate {report.pass_rate:.1%} is below {require:.1%}[/]")
        return 1
    return 0
