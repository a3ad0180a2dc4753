"""Post-call ingestion on the real embedded stack: real arq workers, Postgres and FalkorDB."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sys
import textwrap
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from arq.connections import ArqRedis
from arq.worker import Worker
from typer.testing import CliRunner

from backend.config import Settings
from backend.erasure import erase_caller
from backend.queue import enqueue_ingest, replay
from backend.store import Database, ingestions, tenants
from backend.verticals.real_estate.demo import demo_listings, seed_demo
from backend.verticals.real_estate.episodes import BookingMade, BudgetStated, SuburbPreferred
from backend.verticals.real_estate.listings import current_listings
from ingest.analytics import analyse, sentiment
from ingest.bench import make_call, synthetic_turns
from ingest.cli import import_app, ingest_app
from ingest.listings import import_file
from ingest.worker import Limits, build_worker
from memory import Memory, OptedOut, RedisLocks, Turn
from memory.locks import held


def _has_extractor() -> bool:
    try:
        import ingest.extract.offline  # noqa: F401
    except ImportError:
        return False
    return True


needs_extractor = pytest.mark.skipif(not _has_extractor(), reason="ingest/extract/offline.py not written yet")

FAST = Limits(max_tries=3, job_timeout_s=20, backoff_s=0.1, lock_timeout_s=5, lock_wait_s=5)
MON = datetime(2026, 11, 2, 9, tzinfo=UTC)
WED = MON + timedelta(days=2)


async def drain(settings: Settings, limits: Limits = FAST) -> Worker:
    """A burst worker: runs until the queue is empty (deferred retries included)."""
    worker = build_worker(settings, burst=True, limits=limits)
    await worker.async_run()
    await worker.close()
    return worker


async def count(mem: Memory, group: str, statement: str, **params: object) -> int:
    store = await mem.store(group)
    rows = await store.query(statement, params)
    return int(rows[0]["n"])


TRANSCRIPT_TURNS = "MATCH (x:Episodic) WHERE x.call_id = $call RETURN count(x) AS n"
TALK = [
    ("agent", "Thanks for calling Harbour Realty, how can I help?"),
    ("caller", "Hi, I'm looking for a three bedroom house in Bondi."),
    ("agent", "Sure. What's your budget?"),
    ("caller", "Our budget is $2,400,000 and we're pre-approved with the bank."),
    ("agent", "Great, I have a few homes in Bondi in that range."),
    ("caller", "That sounds great, thanks."),
]


# -- delivery ----------------------------------------------------------------------


async def test_a_call_enqueued_twice_is_ingested_once(
    settings: Settings, redis: ArqRedis, db: Database, mem: Memory, group: str
) -> None:
    call_id = f"{group}-once"
    await make_call(db, mem, group, call_id, None, TALK, MON)
    first = await enqueue_ingest(redis, db, call_id, group)
    second = await enqueue_ingest(redis, db, call_id, group)
    assert first == second == f"ingest:{call_id}"
    assert await redis.zcard(settings.queue_name) == 1, "arq refuses the same job id"

    worker = await drain(settings)
    assert worker.jobs_complete == 1
    row = await ingestions.row(db, call_id)
    assert row is not None
    assert (row["state"], row["attempts"]) == ("done", 1)
    assert await count(mem, group, TRANSCRIPT_TURNS, call=call_id) == len(TALK)

    await enqueue_ingest(redis, db, call_id, group)  # an /end retried long after
    assert await redis.zcard(settings.queue_name) == 0, "an ingested call is not queued again"


async def test_a_poison_transcript_goes_to_the_dead_letter_list_and_can_be_replayed(
    settings: Settings, redis: ArqRedis, db: Database, mem: Memory, group: str
) -> None:
    call_id = f"{group}-poison"
    await make_call(db, mem, group, call_id, None, [*TALK[:2], ("caller", "")], MON)
    await enqueue_ingest(redis, db, call_id, group)
    await drain(settings)

    row = await ingestions.row(db, call_id)
    assert row is not None
    assert (row["state"], row["attempts"]) == ("dead", 1), "retrying a poison transcript cannot help"
    assert row["error"].startswith("poison transcript:")
    assert "t3" in row["error"] and "text" in row["error"]
    assert [d["call_id"] for d in await ingestions.dead_letters(db, group)] == [call_id]
    assert await count(mem, group, TRANSCRIPT_TURNS, call=call_id) == 0, "nothing half-written"

    await db.pool.execute(
        "UPDATE turns SET text = 'Sorry, wrong button.' WHERE call_id = $1 AND seq = 3", call_id
    )
    assert await replay(redis, db, call_id) == f"ingest:{call_id}"
    await drain(settings)
    row = await ingestions.row(db, call_id)
    assert row is not None
    assert (row["state"], row["attempts"], row["error"]) == ("done", 1, None)
    assert await count(mem, group, TRANSCRIPT_TURNS, call=call_id) == 3


async def test_a_failed_try_is_retried_with_backoff(
    settings: Settings, redis: ArqRedis, db: Database, mem: Memory, group: str
) -> None:
    call_id = f"{group}-retry"
    await make_call(db, mem, group, call_id, None, TALK, MON)
    await enqueue_ingest(redis, db, call_id, group)
    busy = redis.lock(RedisLocks.key(group), timeout=30)  # another writer holds the tenant's graph
    assert await busy.acquire()
    limits = replace(FAST, lock_wait_s=0.3, backoff_s=0.5, max_tries=5)
    worker = asyncio.create_task(drain(settings, limits))
    try:
        row = await _wait_for(db, call_id, lambda r: r["state"] == "failed")
        assert "LockError" in row["error"]
    finally:
        await busy.release()
    await worker
    row = await ingestions.row(db, call_id)
    assert row is not None
    assert row["state"] == "done" and row["attempts"] >= 2
    assert await count(mem, group, TRANSCRIPT_TURNS, call=call_id) == len(TALK)


async def test_out_of_tries_the_call_is_dead_with_its_last_reason(
    settings: Settings, redis: ArqRedis, db: Database, mem: Memory, group: str
) -> None:
    call_id = f"{group}-tries"
    await make_call(db, mem, group, call_id, None, TALK, MON)
    await enqueue_ingest(redis, db, call_id, group)
    busy = redis.lock(RedisLocks.key(group), timeout=60)
    assert await busy.acquire()
    try:
        await drain(settings, replace(FAST, lock_wait_s=0.2, backoff_s=0.1, max_tries=2))
    finally:
        await busy.release()
    row = await ingestions.row(db, call_id)
    assert row is not None
    assert (row["state"], row["attempts"]) == ("dead", 2)
    assert row["error"].startswith("failed 2 times, last: LockError")


def test_backoff_doubles_up_to_its_cap() -> None:
    limits = Limits(backoff_s=2, backoff_cap_s=20)
    assert [limits.backoff(n) for n in range(1, 6)] == [2, 4, 8, 16, 20]


async def test_the_group_lock_waits_for_a_writer_elsewhere(redis: ArqRedis, group: str) -> None:
    elsewhere = redis.lock(RedisLocks.key(group), timeout=30)  # as another worker process holds it
    assert await elsewhere.acquire()
    entered = asyncio.Event()

    async def writer() -> None:
        async with held(FAST.locks(redis), group):
            entered.set()

    task = asyncio.create_task(writer())
    await asyncio.sleep(0.3)
    assert not entered.is_set(), "a second writer of the group must wait"
    await elsewhere.release()
    await asyncio.wait_for(task, 5)
    assert entered.is_set()
    assert not await redis.exists(RedisLocks.key(group)), "released after the write"


async def test_a_call_erased_before_its_job_runs_writes_nothing(
    settings: Settings, redis: ArqRedis, db: Database, mem: Memory, group: str
) -> None:
    call_id = f"{group}-gone"
    await make_call(db, mem, group, call_id, None, TALK, MON)
    await enqueue_ingest(redis, db, call_id, group)
    await db.pool.execute("DELETE FROM calls WHERE call_id = $1", call_id)
    await drain(settings)
    assert await count(mem, group, TRANSCRIPT_TURNS, call=call_id) == 0


# -- the path with facts (needs the offline extractor) ---------------------------------------


@needs_extractor
async def test_an_ended_call_becomes_facts_a_summary_and_a_lead_score(
    settings: Settings, redis: ArqRedis, db: Database, mem: Memory, group: str
) -> None:
    await seed_demo(mem, group)
    call_id, caller = f"{group}-first", "caller-olivia"
    await make_call(db, mem, group, call_id, caller, TALK, MON, name="Olivia Smith")
    assert await enqueue_ingest(redis, db, call_id, group) == f"ingest:{call_id}"
    await drain(settings)

    row = await ingestions.row(db, call_id)
    assert row is not None
    assert (row["state"], row["attempts"]) == ("done", 1), row["error"]
    assert row["facts"] > 0
    known = await mem.recall_caller(group, caller_id=caller)
    assert known is not None
    budgets = [f for f in known.facts if f.name == "HAS_BUDGET"]
    assert [f.value for f in budgets] == [2_400_000]
    assert budgets[0].turn_ids == ["t4"], "facts keep their provenance"
    assert known.last_calls[0].call_id == call_id
    assert known.last_calls[0].summary and "Olivia" not in known.last_calls[0].summary

    hits = await mem.search(group, "how much can they spend", caller_id=caller)
    assert any(h.fact_type == "HAS_BUDGET" for h in hits)
    said = await mem.search(group, "pre-approved with the bank", caller_id=caller)
    assert any(h.kind == "episode" and h.call_id == call_id for h in said), "the transcript is searchable"

    call = await db.pool.fetchrow(
        "SELECT summary, sentiment, lead_score, lead_reasons, outcome FROM calls WHERE call_id = $1", call_id
    )
    assert call["summary"] == known.last_calls[0].summary
    assert 0 < call["sentiment"] <= 1
    reasons = {r["reason"] for r in json.loads(call["lead_reasons"])}
    assert {"budget known", "mortgage pre-approval discussed"} <= reasons
    assert call["lead_score"] >= 35 and call["outcome"]


@needs_extractor
async def test_a_call_keeps_to_its_verticals_ontology(
    settings: Settings, redis: ArqRedis, db: Database, mem: Memory, group: str
) -> None:
    """Two lines share a graph: what the sales reading finds in a repair call is not written."""
    talk = [
        ("agent", "After-hours line, what's happening?"),
        ("caller", "We can spend up to 900 dollars on it."),
    ]
    for vertical in ("property_management", "real_estate"):
        call_id, caller = f"{group}-{vertical}", f"caller-{vertical.replace('_', '-')}"
        await make_call(db, mem, group, call_id, caller, talk, MON, name="Lee Ward", vertical=vertical)
        await enqueue_ingest(redis, db, call_id, group)
    await drain(settings)
    budgets = {
        vertical: [
            f.value
            for f in await mem.facts(group, f"caller-{vertical.replace('_', '-')}")
            if f.name == "HAS_BUDGET"
        ]
        for vertical in ("property_management", "real_estate")
    }
    assert budgets == {"property_management": [], "real_estate": [900_000]}  # "900" is 900k to a buyer


@needs_extractor
async def test_a_fact_recorded_live_under_the_same_id_is_kept_and_the_call_still_ingested(
    settings: Settings, redis: ArqRedis, db: Database, mem: Memory, group: str
) -> None:
    await seed_demo(mem, group)
    call_id, caller = f"{group}-live", "caller-noah"
    await make_call(db, mem, group, call_id, caller, TALK, MON, name="Noah Brown")
    # The agents' tools key live episodes {call}:t{n}:{kind}:{value} too, with their own content.
    live = SuburbPreferred(
        id=f"{call_id}:t2:suburb:Bondi", group_id=group, valid_at=MON, call_id=call_id, caller_id=caller,
        suburb="Bondi",
    )  # fmt: skip
    await mem.record(live)
    await enqueue_ingest(redis, db, call_id, group)
    await drain(settings)

    row = await ingestions.row(db, call_id)
    assert row is not None
    assert row["state"] == "done", row["error"]
    facts = await mem.facts(group, caller)
    assert [f.value for f in facts if f.name == "HAS_BUDGET"] == [2_400_000], "the other facts are written"
    assert [f.object_name for f in facts if f.name == "PREFERS_SUBURB"] == ["Bondi"]


@needs_extractor
async def test_the_later_call_wins_whatever_the_ingestion_order(
    settings: Settings, redis: ArqRedis, db: Database, mem: Memory, group: str
) -> None:
    await seed_demo(mem, group)
    caller = "caller-jack"
    monday = [("caller", "Hi, I'm after a house in Coogee."), ("caller", "Our budget is $800,000.")]
    wednesday = [("caller", "Hello again."), ("caller", "Our budget is now $950,000.")]
    await make_call(db, mem, group, f"{group}-mon", caller, monday, MON, name="Jack Nguyen")
    await make_call(db, mem, group, f"{group}-wed", caller, wednesday, WED)

    await enqueue_ingest(redis, db, f"{group}-wed", group)  # the later call is ingested first
    await drain(settings)
    await enqueue_ingest(redis, db, f"{group}-mon", group)
    await drain(settings)

    def budget(facts: list) -> list:
        return [f.value for f in facts if f.name == "HAS_BUDGET"]

    assert budget(await mem.facts(group, caller)) == [950_000]
    assert budget(await mem.facts(group, caller, valid_at=MON + timedelta(days=1))) == [800_000]


_WORKER = textwrap.dedent(
    """
    from backend.config import load_settings
    from ingest.worker import Limits, run_worker
    run_worker(load_settings(), Limits(job_timeout_s=10, lock_timeout_s=3, lock_wait_s=10, max_jobs=2))
    """
)
KILLED_LIMITS = replace(FAST, job_timeout_s=10, lock_timeout_s=3, lock_wait_s=10)
GRAPH_COUNTS = {
    "episodes": "MATCH (x:Episodic) RETURN count(x) AS n",
    "facts": "MATCH ()-[r:RELATES_TO]->() RETURN count(r) AS n",
    "entities": "MATCH (x:Entity) RETURN count(x) AS n",
    "mentions": "MATCH ()-[m:MENTIONS]->() RETURN count(m) AS n",
}


async def _some_calls(db: Database, mem: Memory, group: str, n: int) -> list[str]:
    await seed_demo(mem, group)
    rng, listings = random.Random(5), demo_listings(group)
    ids = []
    for i in range(n):
        turns = synthetic_turns(rng, listings, f"buyer{i}@example.com") * 2  # 40 turns: a long job
        call_id = f"{group}-{i:02d}"
        await make_call(
            db, mem, group, call_id, f"caller-{i}", turns, MON + timedelta(hours=i), name="Ava Chen"
        )
        ids.append(call_id)
    return ids


@needs_extractor
async def test_a_worker_killed_mid_job_loses_nothing_and_duplicates_nothing(
    stack: Settings, settings: Settings, redis: ArqRedis, db: Database, mem: Memory, tmp_path: Path
) -> None:
    killed, clean = "k" + uuid.uuid4().hex[:10], "c" + uuid.uuid4().hex[:10]
    calls = await _some_calls(db, mem, killed, 10)
    env = {
        **os.environ,
        "SWITCHBOARD_DATA_DIR": str(tmp_path),
        "SWITCHBOARD_GRAPH_URI": stack.graph_uri or "",
        "SWITCHBOARD_REDIS_URL": stack.redis_url or "",
        "SWITCHBOARD_DATABASE_URL": stack.database_url or "",
        "SWITCHBOARD_QUEUE_NAME": settings.queue_name,
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _WORKER, env=env, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        for call_id in calls:
            await enqueue_ingest(redis, db, call_id, killed)
        states = await _wait_for_states(db, calls, lambda s: s.count("done") >= 2 and "running" in s)
    finally:
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
    interrupted = [c for c, s in zip(calls, states, strict=True) if s == "running"]
    assert interrupted, "the worker was killed mid-job"

    await drain(settings, KILLED_LIMITS)  # "restart": re-runs the interrupted jobs once arq frees them
    rows = {c: await ingestions.row(db, c) for c in calls}
    assert all(r is not None and r["state"] == "done" for r in rows.values()), rows
    assert all(rows[c]["attempts"] == 2 for c in interrupted), "an interrupted job ran again"

    reference = await _some_calls(db, mem, clean, 10)
    for call_id in reference:
        await enqueue_ingest(redis, db, call_id, clean)
    await drain(settings, KILLED_LIMITS)
    for name, statement in GRAPH_COUNTS.items():
        got, want = await count(mem, killed, statement), await count(mem, clean, statement)
        assert got == want, f"{name}: {got} after the kill, {want} without one"


async def _wait_for(db: Database, call_id: str, done: Callable[[dict], bool]) -> dict:
    async with asyncio.timeout(60):
        while True:
            row = await ingestions.row(db, call_id)
            if row is not None and done(row):
                return row
            await asyncio.sleep(0.02)


async def _wait_for_states(db: Database, calls: list[str], done: Callable[[list[str]], bool]) -> list[str]:
    async with asyncio.timeout(120):
        while True:
            rows = {r["call_id"]: r["state"] for r in await ingestions.of_calls(db, calls)}
            states = [rows.get(c, "missing") for c in calls]
            if done(states):
                return states
            await asyncio.sleep(0.01)


@needs_extractor
async def test_erasure_takes_queued_and_stored_calls(
    settings: Settings, redis: ArqRedis, db: Database, mem: Memory, group: str
) -> None:
    caller = "caller-mia"
    await make_call(db, mem, group, f"{group}-a", caller, TALK, MON, name="Mia Kelly")
    await make_call(db, mem, group, f"{group}-b", caller, TALK[:2], WED)
    await enqueue_ingest(redis, db, f"{group}-a", group)
    await drain(settings)
    await enqueue_ingest(redis, db, f"{group}-b", group)  # still queued when the erasure comes

    erased = await erase_caller(mem, db, redis, group, caller, settings=settings)
    assert (erased.calls, erased.jobs_dequeued) == (2, 1)
    assert erased.receipt is not None and not any(erased.receipt.recheck.values())
    assert await redis.zcard(settings.queue_name) == 0
    assert await db.pool.fetchval("SELECT count(*) FROM ingestions WHERE group_id = $1", group) == 0
    assert await db.pool.fetchval("SELECT count(*) FROM turns WHERE call_id LIKE $1", f"{group}-%") == 0
    assert await mem.recall_caller(group, caller_id=caller) is None
    assert (await drain(settings)).jobs_complete == 0


# -- listings ----------------------------------------------------------------------------


CSV_HEAD = "listing_id,address,suburb,price,bedrooms,status,listed_at,changed_at\n"


async def test_importing_listings_twice_changes_nothing_and_a_new_price_supersedes(
    redis: ArqRedis, mem: Memory, group: str, tmp_path: Path
) -> None:
    first = tmp_path / "listings.csv"
    first.write_text(
        CSV_HEAD
        + "L1,12 Ocean St,Bondi,1000000,3,listed,2026-10-01T09:00:00+10:00,\n"
        + "L2,3 Hill St,Coogee,850000,2,for sale,2026-10-01,\n"
        + "L3,9 Park Ave,Manly,2100000,4,listed,,\n"
        + "L4,1 Bad Row,Manly,cheap,4,listed,,\n"
    )
    report = await import_file(mem, group, first)
    assert (report.added, report.episodes, report.unchanged) == (3, 3, 0)
    assert [e["row"] for e in report.errors] == [4]
    again = await import_file(mem, group, first)
    assert (again.episodes, again.facts, again.unchanged) == (0, 0, 3)

    changed = tmp_path / "listings.json"
    rows = [
        {"id": "L1", "address": "12 Ocean St", "suburb": "Bondi", "price": 950000, "bedrooms": 3,
         "changed_at": "2026-11-01T00:00:00+11:00"},
        {"id": "L2", "address": "3 Hill St", "suburb": "Coogee", "price": 870000, "bedrooms": 2,
         "status": "sold", "changed_at": "2026-11-05T00:00:00+11:00"},
        {"id": "L3", "address": "9 Park Ave", "suburb": "Manly", "price": 2100000, "bedrooms": 4},
    ]  # fmt: skip
    changed.write_text(json.dumps({"listings": rows}))
    update = await import_file(mem, group, changed)
    assert (update.price_changes, update.sold, update.unchanged, update.episodes) == (1, 1, 1, 2)
    assert (await import_file(mem, group, changed)).episodes == 0

    async def seen(at: datetime) -> dict[str, tuple[float, str]]:
        found = await current_listings(mem, group, status=None, valid_at=at)
        return {x.property_id: (x.price, x.status) for x in found}

    october = await seen(datetime(2026, 10, 20, tzinfo=UTC))
    assert october["L1"] == (1_000_000, "listed") and october["L2"] == (850_000, "listed")
    november = await seen(datetime(2026, 11, 10, tzinfo=UTC))
    assert november["L1"] == (950_000, "listed") and november["L2"][1] == "sold"
    just_before = await seen(datetime(2026, 10, 31, 12, 59, tzinfo=UTC))  # 23:59 in Sydney
    assert just_before["L1"][0] == 1_000_000, "the new price is valid from changed_at, not before"


# -- analytics ---------------------------------------------------------------------------


def test_sentiment_reads_the_callers_words_with_negation() -> None:
    assert sentiment(["That sounds great, thanks so much!"]) > 0.3
    assert sentiment(["This is terrible, I'm really frustrated."]) < -0.3
    assert sentiment(["I'm not happy with that at all."]) < 0
    assert sentiment(["What time is it?"]) == 0


def _turn(n: int, text: str, speaker: str = "caller") -> Turn:
    return Turn(id=f"t{n}", speaker=speaker, text=text, at=MON)


def test_lead_score_has_its_reasons_and_an_opt_out_lowers_it() -> None:
    common = {"group_id": "g1", "valid_at": MON, "caller_id": "c1", "call_id": "k1"}
    turns = [_turn(1, "We're pre-approved, budget is $900k."), _turn(2, "Booked.", "agent")]
    keen = [
        BudgetStated(id="k1:t1:budget", amount=Decimal(900_000), **common),
        SuburbPreferred(id="k1:t1:suburb", suburb="Bondi", **common),
        BookingMade(id="k1:t2:booking", booking_id="b1", property_id="P1", starts_at=WED, **common),
    ]
    result = analyse(turns, keen)
    assert result.outcome == "viewing_booked"
    assert {r["reason"] for r in result.lead_reasons} >= {
        "booked a viewing",
        "budget known",
        "mortgage pre-approval discussed",
        "suburb preference",
    }
    assert result.lead_score == sum(r["points"] for r in result.lead_reasons)
    assert "Bondi" in result.summary and "P1" in result.summary
    opted = analyse(turns, [*keen, OptedOut(id="k1:t3:optout", **common)])
    assert opted.lead_score < result.lead_score and opted.outcome == "viewing_booked"
    assert "asked not to be contacted" in opted.summary, "an opt-out is in the summary, not the label"
    assert analyse(turns, keen) == result, "deterministic: a re-run writes the same episode"


def test_the_summary_carries_no_contact_details() -> None:
    turns = [_turn(1, "I'm Olivia, call me on 0412 345 678 or olivia@example.com")]
    summary = analyse(turns, []).summary
    assert "0412" not in summary and "@" not in summary and "Olivia" not in summary


# -- CLI --------------------------------------------------------------------------------


def _cli() -> typer.Typer:
    """The sub-apps mounted as ``backend/cli.py`` mounts them."""
    root = typer.Typer()
    root.add_typer(ingest_app, name="ingest")
    root.add_typer(import_app, name="import")
    return root


def test_cli_status_failed_replay_and_import(stack: Settings, tmp_path: Path) -> None:
    runner, data_dir, cli = CliRunner(), str(stack.data_dir), _cli()
    status = runner.invoke(cli, ["ingest", "status", "--json", "--data-dir", data_dir])
    assert status.exit_code == 0, status.output
    assert set(json.loads(status.stdout)["states"]) == set(ingestions.STATES)

    failed = runner.invoke(cli, ["ingest", "failed", "--json", "--data-dir", data_dir])
    assert failed.exit_code == 0 and isinstance(json.loads(failed.stdout), list)

    missing = runner.invoke(cli, ["ingest", "replay", "no-such-call", "--data-dir", data_dir])
    assert missing.exit_code == 1 and "no ingestion" in missing.output

    name = "importer-" + uuid.uuid4().hex[:6]
    asyncio.run(_create_tenant(stack, name))
    listings = tmp_path / "homes.csv"
    listings.write_text(CSV_HEAD + "H1,5 Bay St,Balmain,1500000,3,listed,2026-10-01,\n")
    args = ["import", "listings", str(listings), "--tenant", name, "--json", "--data-dir", data_dir]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["added"] == 1
    assert json.loads(runner.invoke(cli, args).stdout)["episodes"] == 0


async def _create_tenant(stack: Settings, name: str) -> None:
    database = await Database.open(stack.database_url or "")
    try:
        await tenants.create(database, name)
    finally:
        await database.close()
