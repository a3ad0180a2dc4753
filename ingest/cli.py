"""Ingest's commands: ``switchboard worker``, ``switchboard ingest …`` (the ledger, dead
letters, replays), ``switchboard import listings FILE``, ``switchboard bench ingest`` and
``bench extract``. ``backend/cli.py``, the composition root, mounts them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from backend.config import ENV_PREFIX, Settings, SettingsError, load_settings
from backend.embedded.stack import running_services
from backend.logs import configure_logging
from backend.queue import replay
from backend.store import Database, ingestions, tenants

ingest_app = typer.Typer(help="Post-call ingestion: the ledger, dead letters, replays.", no_args_is_help=True)
import_app = typer.Typer(help="Import data into a tenant's graph.", no_args_is_help=True)
console = Console(stderr=True)
T = TypeVar("T")

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where embedded data lives [env SWITCHBOARD_DATA_DIR]."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _fail(message: str, code: int = 2) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def _settings(data_dir: Path | None) -> Settings:
    try:
        return load_settings(**({"data_dir": data_dir} if data_dir else {}))
    except SettingsError as exc:
        _fail(str(exc))


def resolved_settings(data_dir: Path | None) -> Settings:
    """Settings whose URLs point at the configured servers or the running embedded stack."""
    settings = _settings(data_dir)
    resolved = settings.model_copy(update=running_services(settings.data_dir))
    if not resolved.database_url or not resolved.redis_url:
        _fail(
            f"no running stack: start `switchboard serve --data-dir {settings.data_dir}` "
            f"or set {ENV_PREFIX}DATABASE_URL and {ENV_PREFIX}REDIS_URL"
        )
    return resolved


def _run(settings: Settings, work: Callable[[Database, ArqRedis], Awaitable[T]]) -> T:
    async def go() -> T:
        db = await Database.open(settings.database_url or "")
        redis = await create_pool(RedisSettings.from_dsn(settings.redis_url or ""))
        try:
            return await work(db, redis)
        finally:
            await redis.aclose()
            await db.close()

    return asyncio.run(go())


def worker(data_dir: DataDir = None) -> None:
    """Run an ingestion worker against the configured (or running embedded) stack."""
    from ingest.worker import run_worker

    settings = _settings(data_dir)
    configure_logging(settings.log_level)
    resolved = settings.model_copy(update=running_services(settings.data_dir))
    if not resolved.redis_url:
        _fail(
            f"no queue to work on: start `switchboard serve --data-dir {settings.data_dir}` "
            f"or set {ENV_PREFIX}REDIS_URL"
        )
    run_worker(resolved)


@ingest_app.command("status")
def status(data_dir: DataDir = None, as_json: AsJson = False) -> None:
    """Calls per ledger state and the queue's depth."""
    settings = resolved_settings(data_dir)

    async def work(db: Database, redis: ArqRedis) -> dict[str, Any]:
        oldest = await ingestions.oldest_queued_s(db)
        return {
            "queue": settings.queue_name,
            "queued_jobs": int(await redis.zcard(settings.queue_name)),
            "oldest_queued_s": round(oldest, 1) if oldest is not None else None,
            "states": await ingestions.counts(db),
        }

    report = _run(settings, work)
    if as_json:
        print(json.dumps(report, indent=2))
        return
    table = Table(title=f"ingestion — queue {report['queue']}")
    table.add_column("state")
    table.add_column("calls", justify="right")
    for state, n in report["states"].items():
        table.add_row(state, str(n))
    table.add_row("[dim]jobs in queue[/]", str(report["queued_jobs"]))
    if report["oldest_queued_s"] is not None:
        table.add_row("[dim]oldest queued (s)[/]", f"{report['oldest_queued_s']:,.1f}")
    Console().print(table)


@ingest_app.command("failed")
def failed(
    data_dir: DataDir = None,
    limit: Annotated[int, typer.Option(min=1, help="Most recent dead letters to show.")] = 50,
    as_json: AsJson = False,
) -> None:
    """The dead-letter list: calls that will not be retried, and why."""
    settings = resolved_settings(data_dir)
    rows = _run(settings, lambda db, _: ingestions.dead_letters(db, limit=limit))
    if as_json:
        print(json.dumps(rows, indent=2, default=str))
        return
    table = Table(title=f"dead letters ({len(rows)})")
    for column in ("call", "tenant graph", "tries", "finished", "reason"):
        table.add_column(column, overflow="fold")
    for r in rows:
        finished = f"{r['finished_at']:%Y-%m-%d %H:%M:%S}" if r["finished_at"] else ""
        table.add_row(r["call_id"], r["group_id"], str(r["attempts"]), finished, r["error"] or "")
    Console().print(table)


@ingest_app.command("replay")
def replay_call(
    call_id: Annotated[str, typer.Argument(help="The call to ingest again (e.g. a dead letter).")],
    data_dir: DataDir = None,
) -> None:
    """Queue a call's ingestion again with a fresh try count."""
    settings = resolved_settings(data_dir)
    try:
        job_id = _run(settings, lambda db, redis: replay(redis, db, call_id, queue_name=settings.queue_name))
    except LookupError as exc:
        _fail(str(exc), 1)
    except RuntimeError as exc:
        _fail(str(exc), 1)
    console.print(f"queued {job_id}", highlight=False)


@import_app.command("listings")
def import_listings(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A CSV or JSON listings file.")],
    tenant: Annotated[str, typer.Option(help="The tenant whose graph receives the listings.")] = "local",
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Listings into a tenant's graph: new, re-priced and sold ones recorded, the rest untouched."""
    from backend.connections import open_memory
    from ingest.listings import import_file
    from ingest.worker import Limits

    settings = resolved_settings(data_dir)

    async def work(db: Database, redis: ArqRedis) -> dict[str, Any]:
        found = await tenants.named(db, tenant)
        if found is None:
            _fail(f"no tenant {tenant!r} (see `switchboard tenants list`)", 1)
        memory = await open_memory(settings, Limits.from_settings(settings).locks(redis))
        try:
            with Progress(console=console) as bar:
                task = bar.add_task(f"importing {file.name}", total=None)
                report = await import_file(
                    memory,
                    found.group_id,
                    file,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
        finally:
            await memory.close()
        return report.as_dict()

    try:
        report = _run(settings, work)
    except (ValueError, OSError) as exc:
        _fail(f"{file.name}: {exc}", 1)
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        _show_import(file, report)
    raise typer.Exit(1 if report["errors"] else 0)


def _show_import(file: Path, report: dict[str, Any]) -> None:
    table = Table(title=f"import {file.name}")
    table.add_column("listings")
    table.add_column("count", justify="right")
    for key in ("rows", "added", "price_changes", "sold", "relisted", "unchanged", "episodes", "facts"):
        table.add_row(key.replace("_", " "), str(report[key]))
    table.add_row("errors", str(len(report["errors"])))
    Console().print(table)
    for error in report["errors"][:20]:
        console.print(f"row {error['row']}: {error['reason']}", highlight=False)


def bench_ingest(
    calls: Annotated[int, typer.Option(min=1, help="Synthetic calls of 20 turns.")] = 200,
    max_jobs: Annotated[int, typer.Option(min=1, help="Jobs the worker runs at a time.")] = 10,
    model_threads: Annotated[int, typer.Option(min=0, help="Model threads (0: torch default).")] = 0,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write results here.")] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Stack data dir (default: a temporary one).")
    ] = None,
) -> None:
    """Post-call ingestion throughput (calls/s) and job latency, offline extractor, real worker."""
    from ingest import bench

    bench.run(calls, max_jobs, model_threads, json_path, data_dir)


def bench_extract(
    labelled: Annotated[Path | None, typer.Option("--file", help="Labelled snippets (JSON lines).")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write results here.")] = None,
    misses: Annotated[bool, typer.Option("--misses", help="List each wrong or missed fact.")] = False,
) -> None:
    """Precision and recall per fact type of the offline extractor, and its speed."""
    from backend.bench.report import write_json
    from ingest.extract import evaluate

    result = evaluate.run(labelled or evaluate.LABELLED, console=Console(), misses=misses)
    write_json(json_path, result)


def eval_temporal(
    callers: Annotated[int, typer.Option(min=1, help="Callers in the world (about 18 questions each).")] = 60,
    seed: Annotated[int, typer.Option(help="World seed.")] = 1414,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write results here.")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write a markdown report here.")] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Stack data dir (default: a temporary one).")
    ] = None,
) -> None:
    """Point-in-time accuracy of Memory.facts, by question type, structured and transcript paths."""
    import tempfile

    from backend.bench.report import write_json
    from backend.connections import open_memory
    from backend.embedded.stack import EmbeddedStack
    from ingest import temporal_eval

    where = data_dir or Path(tempfile.mkdtemp(prefix="switchboard-eval-temporal-"))
    with EmbeddedStack(load_settings(data_dir=where)) as resolved:

        async def go() -> dict[str, Any]:
            mem = await open_memory(resolved)
            try:
                return await temporal_eval.evaluate(mem, seed, callers)
            finally:
                await mem.close()

        result = asyncio.run(go())
    table = Table(
        title=f"temporal eval — seed {seed}, {result['callers']} callers, {result['events']} events, "
        f"{result['questions']} questions (Memory.facts)"
    )
    for name in temporal_eval.HEADER:
        table.add_column(name, justify="left" if name == "question type" else "right")
    for row in temporal_eval.rows(result):
        table.add_row(*row)
    Console().print(table)
    write_json(json_path, result)
    temporal_eval.write_markdown(report, result)
