"""One caller's facts across valid time, and what we knew against what was true.

Memory answers "what was true at V, as known at K" (``Memory.facts``). A caller's whole
history is read by asking at every moment something of theirs changed (each call's end, each
viewing's time) and now: every fact row starts at an episode of one of those moments, so the
union of the answers is every row that held for longer than its own call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from backend.analytics.connect import Analyst
from backend.store import analytics as store
from memory.models import Fact

SHOWN = (
    "HAS_NAME",
    "HAS_PHONE",
    "HAS_EMAIL",
    "HAS_BUDGET",
    "WANTS_BEDROOMS",
    "PREFERS_SUBURB",
    "INTERESTED_IN",
    "BOOKING_STATUS",
    "OPTED_OUT",
)
"""The fact types a timeline shows (booking ids and handoff rows are noise on a chart)."""


@dataclass(frozen=True)
class Bar:
    """One value over its validity interval."""

    name: str
    value: str
    start: datetime
    end: datetime | None
    """None: still true."""
    superseded: bool
    """Closed by a later fact (or taken back)."""


@dataclass(frozen=True)
class Knowledge:
    """One fact type on a day: what was true (as known now) and what we knew then."""

    name: str
    true: str
    known: str

    @property
    def differs(self) -> bool:
        return self.true != self.known


def label(f: Fact) -> str:
    value = f.object_name if f.value is None else f.value
    if f.name == "HAS_BUDGET" and isinstance(value, int | float):
        return f"${value:,.0f}"
    if f.name == "BOOKING_STATUS" and f.subject_name:  # a caller has several viewings: say whose
        return f"{f.subject_name} {value}"
    return str(value)


async def moments(a: Analyst, caller_id: str) -> list[datetime]:
    """When something of the caller's may have changed, and now."""
    calls = [c for c in await a.calls() if c["caller_id"] == caller_id]
    ends = [(c["ended_at"] or c["started_at"]) + timedelta(seconds=1) for c in calls]
    viewings = [
        b["starts_at"] + timedelta(hours=2) for b in await a.bookings() if b["caller_id"] == caller_id
    ]
    return sorted({*ends, *viewings, datetime.now(UTC)})


async def history(a: Analyst, caller_id: str) -> list[Fact]:
    """Every fact row of the caller that held at one of its moments (as known now)."""
    if caller_id not in a.histories:
        seen: dict[str, Fact] = {}
        for at in await moments(a, caller_id):
            for f in await a.memory.facts(a.group, caller_id, valid_at=at):
                seen.setdefault(f.uuid, f)
        a.histories[caller_id] = sorted(seen.values(), key=lambda f: (f.name, f.valid_at))
    return a.histories[caller_id]


def bars(facts: list[Fact], names: tuple[str, ...] = SHOWN) -> list[Bar]:
    """One bar per value over its interval; a value said again in a later call (a new row
    that closes the last one at the same value) stays one bar."""
    out: list[Bar] = []
    for f in sorted((f for f in facts if f.name in names), key=lambda f: (f.name, label(f), f.valid_at)):
        last = out[-1] if out else None
        if last and (last.name, last.value) == (f.name, label(f)) and last.end == f.valid_at:
            out[-1] = Bar(f.name, last.value, last.start, f.invalid_at, f.invalid_at is not None)
        else:
            out.append(Bar(f.name, label(f), f.valid_at, f.invalid_at, f.invalid_at is not None))
    return sorted(out, key=lambda b: (SHOWN.index(b.name), b.start))


async def known_at(a: Analyst, day: datetime) -> datetime:
    """The record time that stands for "what we knew on ``day``": just before memory began
    ingesting the first call after it. In production that is minutes after ``day``; in the
    demo world, whose six months were recorded in minutes, it is where the seed had got to."""
    first = await store.first_ingestion_after(a.db, a.group, day)
    return (first - timedelta(microseconds=1)) if first else datetime.now(UTC)


async def knew_vs_true(a: Analyst, caller_id: str, day: datetime) -> list[Knowledge]:
    """Per fact type, the values true on ``day`` (as known now) against those known then."""
    true = await a.memory.facts(a.group, caller_id, valid_at=day)
    known = await a.memory.facts(a.group, caller_id, valid_at=day, known_at=await known_at(a, day))
    out = []
    for name in SHOWN:
        t = ", ".join(sorted(label(f) for f in true if f.name == name)) or "—"
        k = ", ".join(sorted(label(f) for f in known if f.name == name)) or "—"
        if t != "—" or k != "—":
            out.append(Knowledge(name, t, k))
    return out


@dataclass(frozen=True)
class LateArrival:
    caller_id: str
    call_id: str
    call_started_at: datetime
    ingested_at: datetime
    """When its facts reached memory (after later calls' facts had)."""


async def late_arrivals(a: Analyst, by: timedelta = timedelta(days=7)) -> list[LateArrival]:
    """Calls whose facts reached memory after memory had begun on calls that started at least
    ``by`` later (calls of the same days are ingested in any order: not late)."""
    rows = sorted(
        (r for r in await store.ingestions(a.db, a.group) if r["started_at"]),
        key=lambda r: r["call_started_at"],
        reverse=True,
    )
    callers = {c["call_id"]: c["caller_id"] for c in await a.calls()}
    late, j, earliest = [], 0, None
    for r in rows:
        # rows[:j] started at least ``by`` after r; ``earliest``: the first of their ingestions
        while j < len(rows) and rows[j]["call_started_at"] > r["call_started_at"] + by:
            s = rows[j]["started_at"]
            earliest = s if earliest is None else min(earliest, s)
            j += 1
        if earliest is not None and r["started_at"] > earliest and callers.get(r["call_id"]):
            late.append(
                LateArrival(callers[r["call_id"]], r["call_id"], r["call_started_at"], r["finished_at"])
            )
    return late


async def correction_example(a: Analyst) -> tuple[str, datetime]:
    """A caller with a late-arriving fact and the day to compare on (the day after that call),
    else the caller with the most calls and the middle of their history."""
    for late in await late_arrivals(a):
        day = late.call_started_at + timedelta(days=1)
        if any(k.differs for k in await knew_vs_true(a, late.caller_id, day)):
            return late.caller_id, day
    calls = [c for c in await a.calls() if c["caller_id"]]
    counts: dict[str, list[datetime]] = {}
    for c in calls:
        counts.setdefault(c["caller_id"], []).append(c["started_at"])
    caller = max(counts, key=lambda k: len(counts[k]))
    times = sorted(counts[caller])
    return caller, times[len(times) // 2]
