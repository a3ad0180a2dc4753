"""``switchboard bench ingest``: post-call ingestion throughput with the offline extractor.

Synthetic calls of 20 turns (realistic text over the demo suburbs and listings) go
through the real path: rows in Postgres, ``enqueue_ingest``, the arq worker on a
fresh embedded stack, the graph. Calls per second is the number of calls over the
time from the first enqueue to the last ledger row marked done.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from arq import create_pool
from arq.connections import RedisSettings

from backend.bench.report import percentiles, write_json
from backend.bench.report import show as table
from backend.config import Settings, load_settings
from backend.connections import open_memory
from backend.queue import enqueue_ingest
from backend.store import Database, ingestions
from backend.store import calls as call_store
from backend.verticals.real_estate.demo import demo_listings, seed_demo
from backend.verticals.real_estate.episodes import ListingAdded
from ingest.worker import Limits, build_worker, use_model_threads
from memory import CallerIdentified, Memory
from memory.embedder import MiniLMEmbedder

TURNS = 20
TARGET_CALLS_PER_S = 20.0
GROUP = "bench-ingest"
FIRST_NAMES = ["Olivia", "Jack", "Mia", "Noah", "Charlotte", "William", "Ava", "Lucas", "Isla", "Leo"]
LAST_NAMES = ["Smith", "Nguyen", "Brown", "Wilson", "Taylor", "Chen", "Martin", "Kelly", "Singh", "Walker"]

CALLER_OPENERS = [
    "Hi, I'm looking to buy a {bedrooms} bedroom {kind} in {suburb}.",
    "Hello, we're after a {bedrooms} bedroom {kind} around {suburb}, ideally near {street}.",
    "Good {daypart}, I saw a {bedrooms} bedroom {kind} in {suburb} online and wanted to ask about it.",
]
CALLER_BUDGETS = [
    "Our budget is around ${budget:,}, maybe a little more for the right place.",
    "We can spend up to ${budget:,} but would rather stay under ${under:,}.",
    "My budget is ${budget:,}, I've sold my unit in {suburb2} already.",
]
CALLER_LINES = [
    "We're pre-approved with the bank for about ${budget:,}.",
    "Is {address} in {suburb} still available?",
    "We'd also consider {suburb2} if the price is right.",
    "How far is {address} from the station and the shops on {street}?",
    "Could I book a viewing of {address} on {day} at {hour}am?",
    "That sounds great, thanks for your help, {agent_name}.",
    "Does it have off-street parking? We have {cars} cars.",
    "Can you send the details to {email}?",
    "What's the strata like on the {bedrooms} bedroom one, roughly per quarter?",
    "The last place we saw in {suburb2} was a bit disappointing, the kitchen was tiny.",
    "We have {kids} kids, so a school nearby matters a lot to us.",
    "Is the price on {address} negotiable at all, or is ${price:,} firm?",
    "I'd need to move in before {month}, is that realistic?",
    "My partner works near {street} in {suburb2}, so the commute matters.",
]
AGENT_LINES = [
    "Sure, I can help with that. What area are you looking in besides {suburb}?",
    "{address} is listed at ${price:,} with {bedrooms} bedrooms.",
    "It's about a {minutes} minute walk to the station from {address}.",
    "I've booked your viewing of {address} for {day} at {hour}:00.",
    "Great, and what's your budget roughly for {suburb}?",
    "There are {count} homes in {suburb} in that range at the moment.",
    "I'll send the details of {address} through now.",
    "Is there anything else I can help you with today?",
    "Yes, {address} has a lock-up garage and a visitor space.",
    "Strata is around ${strata:,} a quarter for that building.",
    "The nearest primary school is about {minutes} minutes away on foot.",
    "The vendor is open to offers above ${under:,}, I'd say.",
]
FILLERS = [
    "",
    "Yeah, ",
    "Okay, ",
    "Right, ",
    "Um, ",
    "So, ",
    "Look, ",
    "Oh, ",
    "Well, ",
    "Sorry, ",
    "Actually, ",
]
TAILS = ["", "", " Does that make sense?", " Just so you know.", " If that helps.", " Thanks.", " Cheers."]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September"]


def synthetic_turns(rng: random.Random, listings: list[ListingAdded], email: str) -> list[tuple[str, str]]:
    """One call: caller and agent alternating, ``TURNS`` turns, varied like real calls."""
    home, other = rng.sample(listings, 2)
    budget = int(round(float(home.price) * rng.uniform(0.9, 1.1), -4))
    values = {
        "bedrooms": home.bedrooms,
        "kind": home.kind,
        "suburb": home.suburb,
        "suburb2": other.suburb,
        "address": home.address,
        "street": other.address.split(" ", 1)[1],
        "price": int(home.price),
        "budget": budget,
        "under": budget - rng.choice([20_000, 50_000, 100_000]),
        "email": email,
        "day": rng.choice(DAYS),
        "hour": rng.randint(9, 11),
        "daypart": rng.choice(["morning", "afternoon"]),
        "agent_name": rng.choice(FIRST_NAMES),
        "cars": rng.randint(1, 3),
        "kids": rng.randint(1, 4),
        "month": rng.choice(MONTHS),
        "minutes": rng.randint(3, 20),
        "count": rng.randint(2, 9),
        "strata": rng.randint(8, 30) * 100,
    }
    callers = [
        rng.choice(CALLER_OPENERS),
        rng.choice(CALLER_BUDGETS),
        *rng.sample(CALLER_LINES, TURNS // 2 - 2),
    ]
    turns = []
    for line in callers:
        # Callers never phrase things the same way twice: no turn may come cheap from a cache.
        said = line.format(**values)
        said = rng.choice(FILLERS) + said[:1].lower() + said[1:] if rng.random() < 0.7 else said
        turns.append(("caller", said + rng.choice(TAILS)))
        turns.append(("agent", rng.choice(AGENT_LINES).format(**values)))
    return turns


async def make_call(
    db: Database,
    memory: Memory,
    group_id: str,
    call_id: str,
    caller_id: str | None,
    turns: list[tuple[str, str]],
    started_at: datetime,
    *,
    name: str | None = None,
    vertical: str = "real_estate",
) -> None:
    """A call as the API leaves it at its end: the caller identified in the graph, the call
    and its turns in Postgres, ``ended_at`` set; ``vertical``: the one that answered it."""
    if caller_id:
        await memory.record(
            CallerIdentified(
                id=f"{call_id}:identified",
                group_id=group_id,
                valid_at=started_at,
                call_id=call_id,
                caller_id=caller_id,
                name=name,
            )
        )
    step = timedelta(seconds=15)
    await call_store.create_ended(
        db,
        call_id=call_id,
        group_id=group_id,
        caller_id=caller_id,
        started_at=started_at,
        ended_at=started_at + step * (len(turns) + 1),
        turns=[
            (seq, speaker, text, "Triage" if speaker == "agent" else None, started_at + step * seq)
            for seq, (speaker, text) in enumerate(turns, start=1)
        ],
        vertical=vertical,
    )


async def prepare(db: Database, memory: Memory, calls: int, seed: int = 7) -> tuple[list[str], int]:
    """Demo listings and ``calls`` ended calls of distinct callers; returns the call ids
    and how many distinct turn texts they hold (what the model must embed)."""
    await seed_demo(memory, GROUP)
    listings = demo_listings(GROUP)
    rng = random.Random(seed)
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    ids, texts = [], set()
    for n in range(calls):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first.lower()}.{last.lower()}{n}@example.com"
        call_id = f"bench-call-{n:05d}"
        turns = synthetic_turns(rng, listings, email)
        texts.update(text for _, text in turns)
        at = start + timedelta(minutes=7 * n)
        await make_call(
            db, memory, GROUP, call_id, f"bench-caller-{n:05d}", turns, at, name=f"{first} {last}"
        )
        ids.append(call_id)
    return ids, len(texts)


async def measure(settings: Settings, calls: int, limits: Limits, progress: Callable[[int], None]) -> dict:
    memory = await open_memory(settings)
    db = await Database.open(settings.database_url or "")
    redis = await create_pool(RedisSettings.from_dsn(settings.redis_url or ""))
    try:
        ids, texts = await prepare(db, memory, calls)
        use_model_threads(limits)
        worker = build_worker(settings, limits=limits)
        running = asyncio.create_task(worker.async_run())
        await _until_started(worker)
        model_rate = await model_texts_per_s(memory)
        load_before = os.getloadavg()[0]
        began = time.perf_counter()
        for call_id in ids:
            await enqueue_ingest(redis, db, call_id, GROUP, queue_name=settings.queue_name)
        rows = await _until_finished(db, ids, progress)
        wall = time.perf_counter() - began
        worker.handle_sig(2)  # stop as on Ctrl-C (nothing is running by now)
        await asyncio.gather(running, return_exceptions=True)
        await worker.close()
        result = _result(rows, wall, limits)
        result["machine"] = {
            "cores": os.cpu_count(),
            "load_avg_1m_before": round(load_before, 2),
            "load_avg_1m_after": round(os.getloadavg()[0], 2),
        }
        result["model"] = {
            "texts_per_s": round(model_rate, 1),
            "distinct_texts_per_call": round(texts / calls, 1),
            "ceiling_calls_per_s": round(model_rate * calls / texts, 2),
            "embedder": getattr(memory.embedder, "runtime", type(memory.embedder).__name__),
        }
        return result
    finally:
        await redis.aclose()
        await db.close()
        await memory.close()


async def model_texts_per_s(memory: Memory, samples: int = 192) -> float:
    """The embedding model's own speed right now, in this process (other load on the
    machine shows here first): distinct bench-like texts, not in the calls, in one batch as
    the worker's batcher sends them."""
    rng, listings = random.Random(99), demo_listings(GROUP)
    texts: list[str] = []
    while len(texts) < samples:
        texts += [
            f"{s}: {t} (sample {len(texts)})" for s, t in synthetic_turns(rng, listings, "x@example.com")
        ]
    embedder = memory.embedder
    if not isinstance(embedder, MiniLMEmbedder):
        return float("nan")
    began = time.perf_counter()
    await asyncio.to_thread(embedder.embed_sync, texts[:samples])
    return samples / (time.perf_counter() - began)


async def _until_started(worker: Any, timeout_s: float = 120) -> None:
    """Models load in the worker's startup: the clock starts once it is ready."""
    deadline = time.monotonic() + timeout_s
    while "deps" not in worker.ctx:
        if time.monotonic() > deadline:
            raise TimeoutError("the worker did not start")
        await asyncio.sleep(0.05)


async def _until_finished(db: Database, ids: list[str], progress: Callable[[int], None]) -> list[dict]:
    while True:
        rows = await ingestions.of_calls(db, ids)
        finished = [r for r in rows if r["state"] in ("done", "dead")]
        progress(len(finished))
        if len(finished) == len(ids):
            return rows
        await asyncio.sleep(0.1)


def _result(rows: list[dict], wall_s: float, limits: Limits) -> dict:
    done = [r for r in rows if r["state"] == "done"]
    run_ms = [(r["finished_at"] - r["started_at"]).total_seconds() * 1000 for r in done]
    e2e_ms = [(r["finished_at"] - r["enqueued_at"]).total_seconds() * 1000 for r in done]
    return {
        "calls": len(rows),
        "turns_per_call": TURNS,
        "done": len(done),
        "dead": len(rows) - len(done),
        "retried": sum(1 for r in done if r["attempts"] > 1),
        "wall_s": round(wall_s, 3),
        "calls_per_s": round(len(done) / wall_s, 2),
        "turns_per_s": round(len(done) * TURNS / wall_s, 1),
        "target_calls_per_s": TARGET_CALLS_PER_S,
        "job_ms": percentiles(run_ms),
        "enqueue_to_done_ms": percentiles(e2e_ms),
        "max_jobs": limits.max_jobs,
        "model_threads": limits.model_threads,
        "extractor": "offline",
    }


def run(calls: int, max_jobs: int, model_threads: int, json_path: Path | None, data_dir: Path | None) -> None:
    """``switchboard bench ingest`` (options in ingest/cli.py): a fresh embedded stack unless
    ``data_dir``, ``calls`` synthetic calls through a real worker; prints and writes JSON."""
    from rich.console import Console
    from rich.progress import Progress

    from backend.embedded.stack import EmbeddedStack

    console = Console(stderr=True)
    with tempfile.TemporaryDirectory(prefix="switchboard-bench-ingest-") as tmp:
        settings = load_settings(data_dir=data_dir or Path(tmp), queue_name="switchboard:bench-ingest")
        with EmbeddedStack(settings) as resolved, Progress(console=console) as bar:
            task = bar.add_task("ingesting calls", total=calls)
            limits = Limits(max_jobs=max_jobs, model_threads=model_threads or None)
            result = asyncio.run(measure(resolved, calls, limits, lambda n: bar.update(task, completed=n)))
    show(result)
    write_json(json_path, result)


def show(result: dict) -> None:
    m = result["machine"]
    ok = "≥" if result["calls_per_s"] >= TARGET_CALLS_PER_S else "<"
    table(
        f"ingest benchmark — {result['calls']} calls of {result['turns_per_call']} turns, offline extractor",
        [
            ("calls/s", f"{result['calls_per_s']:.2f} ({ok} target {TARGET_CALLS_PER_S:g})"),
            ("turns/s", f"{result['turns_per_s']:,.0f}"),
            ("job p50 (ms)", f"{result['job_ms']['p50']:.1f}"),
            ("job p95 (ms)", f"{result['job_ms']['p95']:.1f}"),
            ("enqueue → done p50 (ms)", f"{result['enqueue_to_done_ms']['p50']:.1f}"),
            ("enqueue → done p95 (ms)", f"{result['enqueue_to_done_ms']['p95']:.1f}"),
            ("done / dead / retried", f"{result['done']} / {result['dead']} / {result['retried']}"),
            ("embedder", str(result["model"].get("embedder", "?"))),
            ("model alone (texts/s)", f"{result['model']['texts_per_s']:,.0f}"),
            ("distinct texts per call", f"{result['model']['distinct_texts_per_call']:.1f}"),
            ("model-bound ceiling (calls/s)", f"{result['model']['ceiling_calls_per_s']:.2f}"),
            ("load average before / after", f"{m['load_avg_1m_before']:.2f} / {m['load_avg_1m_after']:.2f}"),
            ("wall (s)", f"{result['wall_s']:.2f}"),
        ],
    )
