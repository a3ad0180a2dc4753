"""The ``switchboard`` command: the program's composition root.

It is the one backend module that imports ``ingest`` (an exception the import-linter
contracts in pyproject name): ``switchboard`` is one program whose ingest commands (``worker``,
``ingest …``, ``import …``, ``bench ingest``, ``bench extract``) live in ``ingest.cli`` and are
mounted here. Nothing in backend imports this module, so the rest of backend stays free of
ingest; ``serve`` starts workers as child processes (``python -m backend worker``), not imports.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from backend.config import ENV_PREFIX, Settings, SettingsError, check_timezone, load_settings
from backend.embedded.process import ChildServer, ServerStartError
from backend.embedded.stack import DataDirLocked, EmbeddedStack, free_port, running_services
from backend.embedded.supervisor import Supervisor
from backend.logs import configure_logging
from ingest import cli as ingest_cli

if TYPE_CHECKING:  # imported where used: the command line starts without them
    from rich.progress import Progress

    from backend.seed.demo import SeedReport, Size

app = typer.Typer(
    name="switchboard",
    help="Memory and orchestration backend for AI voice and chat agents.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where embedded data lives [env SWITCHBOARD_DATA_DIR]."),
]


def _fail(message: str, code: int = 2) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except SettingsError as exc:
        _fail(str(exc))


def _exit_on_sigterm(*_: object) -> NoReturn:
    raise SystemExit(0)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    data_dir: DataDir = None,
    workers: Annotated[int, typer.Option(min=0, help="Ingestion workers to run as children.")] = 1,
    api_workers: Annotated[int, typer.Option(min=1, help="API processes sharing the port.")] = 1,
) -> None:
    """Start the embedded stack, the API and one worker; stop them all on Ctrl-C."""
    import uvicorn

    from backend.api.main import API_MODEL_THREADS, EMBEDDED_ENV, create_app, prepare
    from memory.embedder import set_threads

    settings = _settings(host=host, port=port, data_dir=data_dir)
    configure_logging(settings.log_level)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    stack = EmbeddedStack(settings)
    supervisor = Supervisor()
    children: list[ChildServer] = []
    try:
        with console.status("Starting the embedded stack…"):
            resolved = stack.start()
            children = [_start_worker(resolved, n) for n in range(workers)]
        _supervise(supervisor, stack, children)
        _print_started(resolved, settings)
        if api_workers == 1:
            set_threads(API_MODEL_THREADS)  # this process is the API (workers are children)
            config = uvicorn.Config(
                create_app(resolved, settings.embedded),
                host=settings.host,
                port=settings.port,
                log_level=settings.log_level,
            )
            uvicorn.Server(config).run()
        else:  # N processes on one socket, each connecting to the one stack started above
            asyncio.run(prepare(resolved, settings.embedded))
            os.environ.update(
                {
                    **_env_of(resolved),
                    f"{ENV_PREFIX}DATA_DIR": str(resolved.data_dir),
                    EMBEDDED_ENV: json.dumps(settings.embedded),
                }
            )
            uvicorn.run(
                "backend.api.main:from_environment",
                factory=True,
                workers=api_workers,
                host=settings.host,
                port=settings.port,
                log_level=settings.log_level,
            )
    except DataDirLocked as exc:
        _fail(str(exc), 1)
    except ServerStartError as exc:
        _fail(str(exc), 1)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        supervisor.stop()  # nothing is restarted while we stop it on purpose
        if stack.running:
            with console.status("Stopping…"):
                for child in children:
                    child.stop()
                stack.stop()
            console.print("Stopped.")
        supervisor.close()


def _supervise(supervisor: Supervisor, stack: EmbeddedStack, workers: list[ChildServer]) -> None:
    """Restart any embedded server or worker that dies (``backend/embedded/supervisor.py``)."""
    for server, start in stack.servers():
        supervisor.watch(server.name, server, start)
    for n, worker in enumerate(workers):
        supervisor.watch(f"worker-{n}", worker, worker.start)


def _start_worker(settings: Settings, n: int) -> ChildServer:
    """One worker as a child process, pointed at the stack's concrete URLs."""
    env = {**os.environ, **_env_of(settings)}
    data_dir = str(settings.data_dir)
    worker = ChildServer(
        name="worker",
        argv=[sys.executable, "-m", "backend", "worker", "--data-dir", data_dir],
        pidfile=settings.data_dir / "run" / f"worker-{n}.pid",
        log=settings.data_dir / "logs" / f"worker-{n}.log",
        env=env,
    )
    worker.start()
    return worker


def _env_of(settings: Settings) -> dict[str, str]:
    urls = {
        "graph_uri": settings.graph_uri,
        "redis_url": settings.redis_url,
        "database_url": settings.database_url,
    }
    return {f"{ENV_PREFIX}{k.upper()}": v for k, v in urls.items() if v}


def _print_started(resolved: Settings, configured: Settings) -> None:
    where = {k: "embedded" if v else "external" for k, v in configured.embedded.items()}
    console.print(
        f"[bold green]Switchboard[/] on http://{configured.host}:{configured.port}  "
        f"(graph: {where['graph']}, queue: {where['redis']}, postgres: {where['postgres']}, "
        f"data: {resolved.data_dir})",
        highlight=False,
    )


app.command("worker")(ingest_cli.worker)


@app.command()
def doctor(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Check each component: version, where its data lives, reachable or not, the fix."""
    from backend.connections import Connections
    from backend.health import check_components, settings_checks

    settings = _settings(data_dir=data_dir)
    resolved = settings.model_copy(update=running_services(settings.data_dir))

    async def check() -> list:
        conns = await Connections.open(resolved, settings.embedded)
        try:
            return await check_components(conns)
        finally:
            await conns.close()

    with console.status("Checking components…"):
        components = asyncio.run(check()) + settings_checks(settings)
    if as_json:
        print(json.dumps([c.as_dict() for c in components], indent=2))
    else:
        table = Table(title=f"Switchboard doctor — data dir {settings.data_dir.resolve()}")
        for column in ("component", "status", "version", "data", "detail"):
            table.add_column(column, overflow="fold")
        for c in components:
            status = "[green]ok[/]" if c.ok else "[red]down[/]"
            detail = c.detail if c.ok else f"{c.detail}\n[yellow]fix:[/] {c.fix}"
            table.add_row(c.name, status, c.version or "?", c.location, detail)
        Console().print(table)
    raise typer.Exit(0 if all(c.ok for c in components) else 1)


tenants_app = typer.Typer(help="Tenants and their API keys.", no_args_is_help=True)
app.add_typer(tenants_app, name="tenants")


def _with_db(data_dir: Path | None, work):  # type: ignore[no-untyped-def]
    """Run ``work(db)`` against the configured (or running embedded) Postgres."""
    from backend.store import Database

    settings = _settings(data_dir=data_dir)
    resolved = settings.model_copy(update=running_services(settings.data_dir))
    if not resolved.database_url:
        _fail(f"no Postgres: start `switchboard serve` or set {ENV_PREFIX}DATABASE_URL")

    async def go():  # type: ignore[no-untyped-def]
        db = await Database.open(resolved.database_url or "")
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(go())


@tenants_app.command("create")
def tenants_create(
    name: str,
    data_dir: DataDir = None,
    timezone: Annotated[
        str | None,
        typer.Option(help="Its IANA time zone [default: SWITCHBOARD_TIMEZONE, else the region's]."),
    ] = None,
    vertical: Annotated[
        str, typer.Option(help="Which agents answer its calls: real_estate or property_management.")
    ] = "real_estate",
    share_graph_with: Annotated[
        str | None,
        typer.Option(help="Another tenant (the agency's other line) whose callers and homes it shares."),
    ] = None,
) -> None:
    """A new tenant with its own graph (or another's); prints its API key once."""
    from backend.store import tenants
    from backend.verticals.registry import VERTICALS

    if vertical not in VERTICALS:
        _fail(f"--vertical: {vertical!r} is not one of {', '.join(VERTICALS)}")
    zone = timezone or _settings(data_dir=data_dir).business_timezone
    try:
        check_timezone(zone)
    except ValueError as exc:
        _fail(f"--timezone: {exc}")

    def create(db):  # type: ignore[no-untyped-def]
        return tenants.create(db, name, timezone=zone, vertical=vertical, graph_of=share_graph_with)

    try:
        tenant, key = _with_db(data_dir, create)
    except (tenants.TenantExists, tenants.UnknownTenant) as exc:
        _fail(str(exc))
    line = f"tenant {tenant.name} ({tenant.vertical}, graph {tenant.group_id}, {tenant.timezone})"
    console.print(line, highlight=False)
    print(key)


@tenants_app.command("list")
def tenants_list(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Tenants, their graphs and live key ids (keys themselves are never stored)."""
    from backend.store import tenants

    zone = _settings(data_dir=data_dir).business_timezone  # for tenants made before they had zones
    rows = _with_db(data_dir, lambda db: tenants.listing(db, zone))
    if as_json:
        print(json.dumps(rows, default=str, indent=2))
        return
    table = Table(title="tenants")
    for column in ("name", "tenant id", "vertical", "graph", "time zone", "created", "live keys"):
        table.add_column(column)
    for r in rows:
        created = f"{r['created_at']:%Y-%m-%d}"
        keys = ", ".join(r["keys"])
        table.add_row(r["name"], r["tenant_id"], r["vertical"], r["group_id"], r["timezone"], created, keys)
    Console().print(table)


@tenants_app.command("revoke")
def tenants_revoke(
    which: Annotated[str, typer.Argument(help="A key id, or a tenant name (revokes all its keys).")],
    data_dir: DataDir = None,
) -> None:
    """Revoke keys; requests with them are refused within seconds."""
    from backend.store import tenants

    n = _with_db(data_dir, lambda db: tenants.revoke(db, which))
    if not n:
        _fail(f"no live key or tenant {which!r}", 1)
    console.print(f"revoked {n} key(s)")


@tenants_app.command("on-call")
def tenants_on_call(
    name: Annotated[str, typer.Argument(help="The tenant.")],
    rung: Annotated[
        list[str] | None,
        typer.Option(
            help='One rung, in order: "NAME:CONTACT:TIMEOUT_S" (e.g. "Pat Lee:+61400111222:120"). '
            "Given: replaces the ladder; none: prints it.",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """The people a tenant's transferred calls page, in turn, each with the seconds they have
    to answer before the next is paged."""
    from backend.store import oncall, tenants

    rungs = [_rung(i, text) for i, text in enumerate(rung or [], start=1)]

    async def work(db):  # type: ignore[no-untyped-def]
        tenant = await tenants.named(db, name)
        if tenant is None:
            return None
        if rungs:
            await oncall.set_ladder(db, tenant.tenant_id, rungs)
        return await oncall.ladder(db, tenant.tenant_id)

    ladder = _with_db(data_dir, work)
    if ladder is None:
        _fail(f"no tenant {name!r}")
    table = Table(title=f"on-call ladder of {name}")
    for column in ("rung", "person", "contact", "answers within"):
        table.add_column(column)
    for r in ladder:
        table.add_row(str(r.rung), r.person, r.contact, f"{r.timeout_s} s")
    Console().print(table)


@tenants_app.command("twilio")
def tenants_twilio(
    name: Annotated[str, typer.Argument(help="The tenant.")],
    number: Annotated[list[str], typer.Option(help="A Twilio number it answers (E.164 or local); repeat.")],
    auth_token: Annotated[
        str | None,
        typer.Option(
            envvar="TWILIO_AUTH_TOKEN",
            show_envvar=True,
            help="Its Twilio account's auth token (signs the webhooks); stored encrypted.",
        ),
    ] = None,
    account_sid: Annotated[
        str | None,
        typer.Option(help="Its Twilio account SID (AC…): warm transfers and step-up codes go through it."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Point Twilio numbers at a tenant: their calls are answered by its agents."""
    from backend import vault
    from backend.speech.contacts import e164
    from backend.store import telephony, tenants

    settings = _settings(data_dir=data_dir)
    numbers = [e164(n, settings.default_region) for n in number]
    if None in numbers:
        _fail(f"--number: {number[numbers.index(None)]!r} is not a phone number")
    sealed = vault.seal(settings, auth_token) if auth_token else None

    async def work(db):  # type: ignore[no-untyped-def]
        tenant = await tenants.named(db, name)
        if tenant is None:
            return None
        await telephony.set_line(db, tenant.tenant_id, [n for n in numbers if n], sealed, account_sid)
        return await telephony.numbers(db, tenant.tenant_id)

    answered = _with_db(data_dir, work)
    if answered is None:
        _fail(f"no tenant {name!r}")
    console.print(f"{name} answers {', '.join(answered)}", highlight=False)
    if not auth_token:
        console.print("auth token unchanged (without one, its webhooks are refused)", highlight=False)


@tenants_app.command("recording")
def tenants_recording(
    name: Annotated[str, typer.Argument(help="The tenant.")],
    days: Annotated[
        int | None, typer.Option(min=1, max=3650, help="Record its phone calls and keep each this many days.")
    ] = None,
    off: Annotated[
        bool, typer.Option("--off", help="Stop recording (recordings made keep their expiry).")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Whether a tenant's phone calls are recorded, and for how long recordings are kept
    (callers hear "This call is recorded." first; erasure deletes them)."""
    from backend.store import recordings, tenants

    if days is not None and off:
        _fail("give --days or --off, not both")

    async def work(db):  # type: ignore[no-untyped-def]
        tenant = await tenants.named(db, name)
        if tenant is None:
            return False, None
        if days is not None or off:
            await recordings.set_retention(db, tenant.tenant_id, None if off else days)
        return True, (await tenants.named(db, name) or tenant).record_days

    found, kept = _with_db(data_dir, work)
    if not found:
        _fail(f"no tenant {name!r}")
    said = f"records its phone calls, kept {kept} days" if kept else "does not record its calls"
    console.print(f"{name} {said}", highlight=False)


def _rung(position: int, text: str):  # type: ignore[no-untyped-def]
    from backend.store.oncall import Rung

    person, _, rest = text.partition(":")
    contact, _, timeout = rest.rpartition(":")
    if not (person.strip() and contact.strip() and timeout.isdigit() and int(timeout) >= 1):
        _fail(f'--rung {text!r}: expected "NAME:CONTACT:TIMEOUT_S", e.g. "Pat Lee:+61400111222:120"')
    return Rung(position, person.strip(), contact.strip(), int(timeout))


bench = typer.Typer(help="Benchmarks: print a table, write JSON with --json.", no_args_is_help=True)
app.add_typer(bench, name="bench")
app.add_typer(ingest_cli.ingest_app, name="ingest")
app.add_typer(ingest_cli.import_app, name="import")
bench.command("ingest")(ingest_cli.bench_ingest)
bench.command("extract")(ingest_cli.bench_extract)


@bench.command("memory")
def bench_memory(
    facts: Annotated[int, typer.Option(min=100, help="Facts in the synthetic graph.")] = 10_000,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write results here.")] = None,
    samples: Annotated[int, typer.Option(help="Timed calls per measure.")] = 200,
    stock_samples: Annotated[int, typer.Option(help="Timed stock Graphiti searches.")] = 20,
    data_dir: DataDir = None,
) -> None:
    """Record throughput and recall/search latency against stock Graphiti search."""
    from rich.progress import Progress

    from backend.bench import memory as bench_mem
    from backend.bench.report import show, write_json
    from backend.connections import open_memory

    settings = _settings(data_dir=data_dir or load_settings().data_dir / "bench")
    with EmbeddedStack(settings) as resolved, Progress(console=console) as bar:
        task = bar.add_task("recording facts", total=facts)

        async def go() -> dict:
            mem = await open_memory(resolved)
            try:
                return await bench_mem.run(
                    mem,
                    facts,
                    samples=samples,
                    stock_samples=stock_samples,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            finally:
                await mem.close()

        result = asyncio.run(go())
    show(
        f"memory benchmark — {result['facts']:,} facts, {result['callers']:,} callers",
        [
            ("record (facts/s, batched)", f"{result['record_facts_per_s']:,.0f}"),
            *[
                (f"{name} {p} (ms)", f"{result[key][p]:.2f}")
                for name, key in (
                    ("recall_caller", "recall_caller_ms"),
                    ("search", "search_ms"),
                    ("stock Graphiti search", "graphiti_search_ms"),
                )
                for p in ("p50", "p95")
            ],
            ("search speed-up at p95 (×)", f"{result['search_speedup_p95']:,.1f}"),
        ],
    )
    marks = result["record_growth"]
    show(
        "record growth (facts/s): since the previous mark, and from 0; graph server RSS",
        [
            (
                f"{before['facts'] if before else 0:,.0f} → {m['facts']:,.0f} facts",
                f"{m['since_previous_facts_per_s']:,.0f} ({m['facts_per_s']:,.0f} from 0)"
                f" · {m.get('server_rss_mb') or '?'} MB",
            )
            for before, m in zip([None, *marks], marks, strict=False)
        ],
    )
    write_json(json_path, result)


HELDOUT = Path(__file__).with_name("evals") / "data" / "routing_test.jsonl"
"""Package data, so an installed ``switchboard`` has it (``routing_dev.jsonl`` beside it)."""


@bench.command("routing")
def bench_routing(
    heldout: Annotated[Path, typer.Option("--file", help="Held-out utterances (JSON lines).")] = HELDOUT,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write results here.")] = None,
    show_misses: Annotated[bool, typer.Option("--misses", help="List the misrouted utterances.")] = False,
) -> None:
    """Routing and slot accuracy of the policy model on the held-out utterances."""
    from backend.agents.policy.router import Router
    from backend.bench.report import show, write_json
    from backend.evals.routing import evaluate
    from backend.verticals.real_estate.agents import REAL_ESTATE
    from memory.embedder import minilm_embedder

    choice = load_settings().embedder  # the MiniLM runtime the API would route with
    with console.status("Embedding the routing examples…"):
        router = Router(REAL_ESTATE, minilm_embedder(choice) if choice != "openai" else None)
    result = evaluate(heldout, router, REAL_ESTATE)
    rows = [
        ("utterances", str(result["utterances"])),
        ("routing accuracy", f"{result['routing_accuracy']:.1%}"),
        ("slot accuracy", f"{result['slot_accuracy']:.1%} of {result['slots']}"),
        *[(f"  tool {k}", f"{v:.0%}") for k, v in result["per_tool"].items()],
        *[(f"  slot {k}", f"{v:.0%}") for k, v in result["per_slot"].items()],
    ]
    show("policy model — held-out routing", rows)
    if show_misses:
        for miss in result["misses"]:
            console.print(f"{miss['expected']:>20} ← {miss['got']!s:<20} {miss['text']}", highlight=False)
    write_json(json_path, result)


@bench.command("chat")
def bench_chat(
    concurrency: Annotated[
        list[str] | None, typer.Option(help="Concurrent calls: 1,8,32,64 (or repeat the option).")
    ] = None,
    api_workers: Annotated[str, typer.Option(help="API process counts to run: 1,2.")] = "1,2",
    turns: Annotated[int, typer.Option(min=1, help="Turns per call.")] = 16,
    think_ms: Annotated[
        int, typer.Option(min=0, help="Mean pause between a caller's turns (0: back to back).")
    ] = 1000,
    closed_loop: Annotated[
        bool, typer.Option(help="Also run each level back to back: saturation turns/s.")
    ] = True,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write results here.")] = None,
    data_dir: DataDir = None,
) -> None:
    """p50/p95 end-to-end turn latency and turns/s over HTTP (policy model) at 1, 8, 32 and 64
    concurrent calls, with 1 and 2 API processes, with think time and closed loop."""
    import shutil
    import tempfile

    from backend.bench import chat

    levels = _counts(",".join(concurrency or ["1,8,32,64"]), "--concurrency")
    processes = _counts(api_workers, "--api-workers")
    where = data_dir or Path(tempfile.mkdtemp(prefix="switchboard-bench-chat-"))
    try:
        with console.status(f"Serving on fresh stacks in {where}; {processes} API processes…"):
            result = chat.run(where, free_port(), processes, levels, turns, think_ms, closed_loop)
    finally:
        if data_dir is None:
            shutil.rmtree(where, ignore_errors=True)
    _show_chat(result, json_path)


def _counts(text: str, option: str) -> tuple[int, ...]:
    """``1,8,32`` as positive integers, or a usage error naming the option."""
    try:
        counts = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        counts = ()
    if not counts or min(counts) < 1:
        _fail(f"{option} takes positive integers separated by commas, e.g. 1,8,32")
    return counts


def _show_chat(result: dict[str, Any], json_path: Path | None = None) -> None:
    from backend.bench.report import write_json

    table = Table(
        title=f"chat benchmark — {result['turns_per_call']} turns per call, policy model, HTTP "
        f"(think: {result['think_ms']} ms mean pause; closed loop: back to back)"
    )
    for column in (
        "API processes",
        "mode",
        "concurrent calls",
        "p50 ms",
        "p95 ms",
        "turns/s",
        "context p95 ms",
    ):
        table.add_column(column, justify="right")
    for processes, modes in result["runs"].items():
        for mode, levels in modes.items():
            for level, stats in levels.items():
                table.add_row(
                    processes,
                    "closed" if mode == "closed_loop" else mode,
                    level,
                    f"{stats['p50_ms']:.1f}",
                    f"{stats['p95_ms']:.1f}",
                    f"{stats['turns_per_s']:.1f}",
                    f"{stats['context_p95_ms']:.1f}",
                )
    Console().print(table)
    write_json(json_path, result)


@bench.command("voice")
def bench_voice(
    concurrency: Annotated[list[int] | None, typer.Option(help="Concurrent phone calls (repeat).")] = None,
    utterances: Annotated[int, typer.Option(min=2, help="Caller utterances at each level.")] = 30,
    voice: Annotated[str, typer.Option(help="The callers' synthetic voice: flite or espeak.")] = "flite",
    json_path: Annotated[Path | None, typer.Option("--json", help="Write results here.")] = None,
    data_dir: DataDir = None,
) -> None:
    """End of caller speech → first audio back over Twilio Media Streams (offline cascade,
    policy model), p50/p95 at 1 and 2 concurrent calls, with the stages and the word error rate."""
    import shutil
    import tempfile

    from backend.bench.report import show, write_json
    from backend.bench.voice import run as bench_voice_run
    from backend.voice.simulator import VOICES

    if voice not in VOICES:
        _fail(f"--voice: {voice!r} is not one of {', '.join(VOICES)}")
    levels = tuple(concurrency or (1, 2))
    where = data_dir or Path(tempfile.mkdtemp(prefix="switchboard-bench-voice-"))
    try:
        with console.status(f"Serving on a fresh stack in {where}; {levels} concurrent phone calls…"):
            result = bench_voice_run(where, free_port(), levels, utterances, voice)
    finally:
        if data_dir is None:
            shutil.rmtree(where, ignore_errors=True)
    rows = []
    for level, stats in result["concurrency"].items():
        rows.append((f"{level} concurrent: p50 / p95 (ms)", f"{stats['p50_ms']:.0f} / {stats['p95_ms']:.0f}"))
        stages = ", ".join(f"{k} {v:.0f}" for k, v in stats["stages_ms"].items())
        rows.append((f"{level} concurrent: stage means (ms)", stages))
        rows.append(
            (f"{level} concurrent: word error rate", f"{stats['wer']:.1%}"),
        )
        rows.append(
            (f"{level} concurrent: utterances answered", f"{stats['answered']} of {stats['utterances']}")
        )
    rows.append(("server RSS with the models (MB)", str(result["server_rss_mb"])))
    show(
        f"voice benchmark — end of speech → first audio byte, offline cascade, policy model, {voice} callers",
        rows,
    )
    write_json(json_path, result)


@app.command()
def soak(
    calls: Annotated[int, typer.Option(min=1, help="Concurrent chat callers.")] = 8,
    minutes: Annotated[float, typer.Option(min=0.05, help="How long the chat-and-booking mix runs.")] = 1.0,
    fuzz: Annotated[
        int, typer.Option(min=0, help="Then about this many schemathesis requests, --checks all (0: none).")
    ] = 0,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write results here.")] = None,
    data_dir: DataDir = None,
) -> None:
    """A chat-and-booking mix on loopback against `serve` (one worker) on a fresh stack; stops by
    itself; errors, p95 and each process's memory growth, then the fuzzer if asked."""
    import shutil
    import tempfile

    from backend.bench import soak as soaking
    from backend.bench.report import show, write_json

    where = data_dir or Path(tempfile.mkdtemp(prefix="switchboard-soak-"))
    try:
        with console.status(f"Soaking a fresh stack in {where}: {calls} callers for {minutes} min…"):
            result = soaking.run(where, free_port(), calls, minutes, fuzz)
    finally:
        if data_dir is None:
            shutil.rmtree(where, ignore_errors=True)
    latency = result["latency_ms"]
    rows = [
        ("calls / requests", f"{result['calls']} / {result['requests']}"),
        ("server errors (5xx, resets)", str(result["server_errors"])),
        ("client errors (4xx)", str(result["client_errors"])),
        ("viewings booked", str(result["bookings"])),
        ("request p50 / p95 (ms)", f"{latency['p50']:.1f} / {latency['p95']:.1f}"),
    ]
    for kind, mb in result["memory_mb"].items():
        rows.append((f"{kind} memory (MB): start → end", f"{mb['start']} → {mb['end']} ({mb['growth']:+})"))
    if "fuzz" in result:
        fuzzed = result["fuzz"]
        rows.append(("fuzz requests / server errors", f"{fuzzed['requests']} / {fuzzed['server_errors']}"))
        failures = ", ".join(f"{code} {n}" for code, n in fuzzed["failures"].items())
        rows.append(("fuzz failures by check", failures or "none"))
    show(f"soak — {calls} concurrent chat callers, {minutes} min, policy model, HTTP", rows)
    write_json(json_path, result)
    if result["server_errors"] or result.get("fuzz", {}).get("server_errors"):
        raise typer.Exit(1)


seed_app = typer.Typer(help="Demo data, written through the production write paths.", no_args_is_help=True)
app.add_typer(seed_app, name="seed")


@seed_app.command("demo")
def seed_demo(
    callers: Annotated[int, typer.Option(min=5, help="Callers (four calls each on average).")] = 500,
    months: Annotated[int, typer.Option(min=1, max=24, help="Months of history before now.")] = 6,
    small: Annotated[bool, typer.Option("--small", help="30 callers over 2 months (tests).")] = False,
    tenant: Annotated[str, typer.Option(help="The tenant seeded (created if missing).")] = "demo",
    workers: Annotated[int, typer.Option(min=1, help="Workers to start when no serve is running.")] = 1,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the report here.")] = None,
    data_dir: DataDir = None,
) -> None:
    """A realistic six months of calls, listings, viewings and erasures (docs/analytics.md);
    running it twice changes nothing."""
    from rich.progress import Progress

    from backend.bench.report import show, write_json
    from backend.seed.demo import Size

    settings = _settings(data_dir=data_dir)
    size = Size.small() if small else Size(callers, months)
    running = running_services(settings.data_dir.resolve())
    stack = None if running else EmbeddedStack(settings)
    children: list[ChildServer] = []
    try:
        with console.status("Starting the embedded stack and a worker…"):
            resolved = settings.model_copy(update=running) if running else stack.start()  # type: ignore[union-attr]
            if not running:  # a running serve's workers ingest; otherwise ours do
                children = [_start_worker(resolved, n) for n in range(workers)]
        with Progress(console=console) as bar:
            report = asyncio.run(_seed(resolved, settings, size, tenant, bar))
    except DataDirLocked as exc:
        _fail(str(exc), 1)
    finally:
        for child in children:
            child.stop()
        if stack is not None and stack.running:
            stack.stop()
    show(
        f"seed demo — tenant {report.tenant} (graph {report.group_id})",
        [(k, str(v)) for k, v in report.as_dict().items() if k not in ("tenant", "group_id", "steps")],
    )
    write_json(json_path, report.as_dict())


async def _seed(
    resolved: Settings, configured: Settings, size: Size, tenant: str, bar: Progress
) -> SeedReport:
    """The seed against the API served in this process (uvicorn in a thread) on ``resolved``."""
    import threading

    import uvicorn
    from arq import create_pool
    from arq.connections import RedisSettings

    from backend.api.main import create_app
    from backend.connections import open_memory
    from backend.seed.demo import Seeder
    from backend.store import Database
    from memory.locks import RedisLocks

    tasks: dict[str, object] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

    port = free_port()
    app_ = create_app(resolved, configured.embedded, replay_every_s=None)
    server = uvicorn.Server(uvicorn.Config(app_, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    queue = RedisSettings.from_dsn(resolved.redis_url or "")
    redis = await create_pool(queue, default_queue_name=resolved.queue_name)
    db = await Database.open(resolved.database_url or "")
    memory = await open_memory(resolved, RedisLocks(redis))
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the API did not start")
            await asyncio.sleep(0.05)
        url = f"http://127.0.0.1:{port}"
        seeder = Seeder(db, memory, redis, url, resolved.data_dir, resolved.queue_name, progress)
        return await seeder.run(tenant, size)
    finally:
        server.should_exit = True
        await memory.close()
        await db.close()
        await redis.aclose()
        thread.join(30)


eval_app = typer.Typer(help="Evaluations: scenario suites; print a table, write JSON with --json.")
app.add_typer(eval_app, name="eval", no_args_is_help=True)
eval_app.command("temporal")(ingest_cli.eval_temporal)


@eval_app.command("calls")
def eval_calls(
    small: Annotated[bool, typer.Option("--small", help="Only the small (CI) set.")] = False,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write results here.")] = None,
    only: Annotated[str | None, typer.Option(help="A scenario name, a kind, or a glob.")] = None,
    require: Annotated[
        float | None, typer.Option(min=0, max=1, help="Exit 1 if the pass rate is below this.")
    ] = None,
    scenario_set: Annotated[
        Literal["dev", "heldout"],
        typer.Option("--set", help="dev, or heldout: sealed, run only to measure (docs/evals.md)."),
    ] = "dev",
) -> None:
    """Conversation scenarios, written from the caller's side, over HTTP on a fresh stack."""
    from backend.evals import calls

    code = calls.main(
        small=small,
        json_path=json_path,
        only=only,
        require=require,
        console=console,
        scenario_set=scenario_set,
    )
    raise typer.Exit(code)


@eval_app.command("retrieval")
def eval_retrieval(
    callers: Annotated[int, typer.Option(min=1, help="Caller histories (about 9 questions each).")] = 40,
    seed: Annotated[
        int | None, typer.Option(help="Generator seed (default: the held-out report set's).")
    ] = None,
    tuning: Annotated[bool, typer.Option("--tuning", help="The tuning set's seed instead.")] = False,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write results here.")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write a markdown report here.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Recall@1/5/10 and MRR of memory.search against BM25 and vector baselines, by question kind."""
    import tempfile

    from backend.bench.report import write_json
    from backend.connections import open_memory
    from backend.evals import retrieval

    chosen = seed if seed is not None else retrieval.TUNING_SEED if tuning else retrieval.REPORT_SEED
    where = data_dir or Path(tempfile.mkdtemp(prefix="switchboard-eval-retrieval-"))
    with EmbeddedStack(_settings(data_dir=where)) as resolved:

        async def go() -> dict:
            mem = await open_memory(resolved)
            try:
                return await retrieval.evaluate(mem, chosen, callers)
            finally:
                await mem.close()

        result = asyncio.run(go())
    table = Table(
        title=f"retrieval eval — seed {chosen} ({result['set']} set), {result['questions']} questions, "
        f"{result['turns']} turns; margin {retrieval.margin(result):+.3f}"
    )
    for name in retrieval.HEADER:
        table.add_column(name, justify="left" if name in ("kind", "system") else "right")
    for row in retrieval.rows(result):
        table.add_row(*row)
    console.print(table)
    write_json(json_path, result)
    retrieval.write_markdown(report, result)


def main() -> None:
    app()
