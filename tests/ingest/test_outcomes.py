"""Post-call outcomes (issue 10): each label derived by the real ingestion job from the call's
episodes, the bookings ledger and its transfer, in the documented precedence; a client's
outcome at /end kept beside it."""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from arq.connections import ArqRedis

from backend.agents.clock import BusinessHours
from backend.agents.runner import AgentRuntime
from backend.calls import CallDesk
from backend.config import Settings
from backend.queue import enqueue_ingest
from backend.store import Database, bookings, tenants
from backend.verticals.real_estate.demo import seed_demo
from backend.verticals.real_estate.episodes import (
    AppraisalRequested,
    BookingCancelled,
    BookingMade,
    BookingRescheduled,
)
from ingest.analytics import OUTCOMES, analyse
from ingest.bench import make_call
from ingest.worker import Limits, build_worker
from memory import CallCompleted, Escalated, Memory, Turn

FAST = Limits(max_tries=3, job_timeout_s=60, backoff_s=0.1, lock_timeout_s=10, lock_wait_s=10)
MON = datetime(2026, 11, 2, 9, tzinfo=UTC)
WED = MON + timedelta(days=2)
GREETING = ("agent", "Thanks for calling Harbour Realty, how can I help?")
TALK = [GREETING, ("caller", "Hi, just calling about a place I saw."), ("agent", "Sure, which one?")]


async def drain(settings: Settings) -> None:
    """A burst worker: runs until the queue is empty."""
    worker = build_worker(settings, burst=True, limits=FAST)
    await worker.async_run()
    await worker.close()


async def outcome(db: Database, mem: Memory, group: str, call_id: str) -> tuple[str, str | None]:
    """The derived outcome on the call's row, checked against the CallCompleted episode."""
    row = await db.pool.fetchrow("SELECT outcome, client_outcome FROM calls WHERE call_id = $1", call_id)
    completed = [e for e in await mem.call_episodes(group, call_id) if isinstance(e, CallCompleted)]
    assert [e.outcome for e in completed] == [row["outcome"]], call_id
    return row["outcome"], row["client_outcome"]


def test_the_precedence_of_the_labels() -> None:
    """What the call achieved first; the transfer after it; a booking made and cancelled in
    the same call is a change."""
    common = {"group_id": "g1", "valid_at": MON, "call_id": "k1"}
    made = BookingMade(id="m", caller_id="c1", booking_id="b1", property_id="P1", starts_at=WED, **common)
    cancelled = BookingCancelled(id="x", booking_id="b1", **common)
    moved = BookingRescheduled(id="r", booking_id="b0", starts_at=WED, **common)
    appraisal = AppraisalRequested(id="a", caller_id="c1", address="5 Smith St", **common)
    escalated = Escalated(id="e", caller_id="c1", agent="Escalation", trigger="request", **common)
    said = [Turn(id="t1", speaker="caller", text="Hello", at=MON)]
    cases = [
        ([], [made], {}, "no_answer"),
        (said, [made, moved, appraisal, escalated], {}, "viewing_booked"),
        (said, [], {"booked": ["b9"]}, "viewing_booked"),
        (said, [made, cancelled], {}, "viewing_changed"),
        (said, [moved, appraisal, escalated], {}, "viewing_changed"),
        (said, [appraisal, escalated], {}, "appraisal_requested"),
        (said, [escalated], {}, "escalated"),
        (said, [], {"transferred": True}, "escalated"),
        (said, [], {}, "enquiry"),
    ]
    for turns, episodes, ledger, label in cases:
        assert analyse(turns, episodes, **ledger).outcome == label, (episodes, ledger)
    assert {label for *_, label in cases} == set(OUTCOMES)


async def test_each_label_from_a_real_ingestion(
    settings: Settings, redis: ArqRedis, db: Database, mem: Memory, group: str
) -> None:
    await seed_demo(mem, group)
    caller = "caller-" + uuid.uuid4().hex[:12]
    ids = {
        label: f"{group}-{label}"
        for label in (*OUTCOMES, "booked_then_cancelled", "booked_and_escalated", "earlier")
    }
    common = {"group_id": group, "valid_at": MON + timedelta(minutes=1)}
    for label, call_id in ids.items():
        await make_call(db, mem, group, call_id, caller, [GREETING] if label == "no_answer" else TALK, MON)

    # The ledger alone says a viewing was booked (as if the episode write had failed).
    for label, slot in (("viewing_booked", WED), ("booked_and_escalated", WED + timedelta(hours=1))):
        await bookings.book(
            db, group_id=group, property_id="P001", starts_at=slot, caller_id=caller,
            idempotency_key=f"{ids[label]}:book", call_id=ids[label],
        )  # fmt: skip

    def of(label: str, kind: type[Any], **fields: Any) -> Any:
        """An episode the agents would have recorded live in the call of ``label``."""
        return kind(id=f"{ids[label]}:{kind.__name__}", call_id=ids[label], **common, **fields)

    moved = WED + timedelta(days=1)
    live = [
        of("earlier", BookingMade, caller_id=caller, booking_id="b-early", property_id="P002", starts_at=WED),
        of("viewing_changed", BookingRescheduled, booking_id="b-early", starts_at=moved),
        of("booked_then_cancelled", BookingMade, caller_id=caller, booking_id="b-gone", property_id="P003",
           starts_at=WED),
        of("booked_then_cancelled", BookingCancelled, booking_id="b-gone"),
        of("appraisal_requested", AppraisalRequested, caller_id=caller, address="5 Smith St"),
        of("escalated", Escalated, caller_id=caller, agent="Escalation", trigger="request"),
        of("booked_and_escalated", Escalated, caller_id=caller, agent="Escalation", trigger="ceiling"),
    ]  # fmt: skip
    await mem.record_many(live)
    for call_id in ids.values():
        await enqueue_ingest(redis, db, call_id, group)
    await drain(settings)

    expected = {
        "no_answer": "no_answer",
        "enquiry": "enquiry",
        "viewing_booked": "viewing_booked",
        "viewing_changed": "viewing_changed",
        "booked_then_cancelled": "viewing_changed",
        "appraisal_requested": "appraisal_requested",
        "escalated": "escalated",
        "booked_and_escalated": "viewing_booked",
        "earlier": "viewing_booked",
    }
    got = {label: (await outcome(db, mem, group, call_id))[0] for label, call_id in ids.items()}
    assert got == expected
    summary = await db.pool.fetchval("SELECT summary FROM calls WHERE call_id = $1", ids["viewing_changed"])
    assert summary.startswith("Viewing changed,"), summary


async def test_outcomes_of_calls_run_by_the_agents_and_a_clients_outcome_kept_apart(
    runtime: AgentRuntime, settings: Settings, redis: ArqRedis, db: Database, mem: Memory
) -> None:
    _, key = await tenants.create(db, "outcomes-" + uuid.uuid4().hex[:8])
    who = await tenants.authenticate(db, key)
    assert who is not None
    group = who.tenant.group_id
    await seed_demo(mem, group)
    desk = CallDesk(
        {"real_estate": runtime}, db, redis, functools.partial(enqueue_ingest, queue_name=settings.queue_name)
    )
    always = BusinessHours(opens=datetime.min.time(), closes=datetime.max.time())

    escalated = await desk.start(who, "chat", name="Esme Quill")
    desk.live[escalated.call_id].ctx.hours = always
    turn, _ = await desk.turn(who, escalated.call_id, "Let me speak to a real person please")
    assert turn.escalated
    await desk.turn(who, escalated.call_id, "hello?")
    await desk.end(who, escalated.call_id, outcome="Sam rang her back")

    asked = await desk.start(who, "voice", name="Bo Booker")
    await desk.turn(who, asked.call_id, "what are prices like in Bondi")
    await desk.end(who, asked.call_id)

    silent = await desk.start(who, "voice", name="Nobody Speaks")
    await desk.end(who, silent.call_id, outcome="line dropped")
    await drain(settings)

    assert await outcome(db, mem, group, escalated.call_id) == ("escalated", "Sam rang her back")
    assert await outcome(db, mem, group, asked.call_id) == ("enquiry", None)
    assert await outcome(db, mem, group, silent.call_id) == ("no_answer", "line dropped")
