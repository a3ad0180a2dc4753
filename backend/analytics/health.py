"""Memory health: fact churn (supersessions per week), entities no fact touches, likely
duplicate callers (same name, different numbers) with a confidence, and erasure receipts."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.analytics.connect import Analyst
from backend.analytics.portfolio import all_histories, caller_ids
from backend.analytics.timeline import label
from backend.store import analytics as store
from memory import UnknownEntity
from memory.models import Fact


@dataclass(frozen=True)
class Summary:
    callers: int
    calls: int
    calls_by_agents: int
    """Calls the agents held over the API (the rest were ingested from the past)."""
    facts: int
    """Fact rows of callers across valid time (each value of each timeline once)."""
    bookings: int
    listings: int
    erasures: int


async def summary(a: Analyst) -> Summary:
    calls = await a.calls()
    traced = {s["call_id"] for s in await a.spans("turn")}
    histories = await all_histories(a)
    return Summary(
        callers=len(await caller_ids(a)),
        calls=len(calls),
        calls_by_agents=len(traced),
        facts=sum(len(v) for v in histories.values()),
        bookings=len(await a.bookings()),
        listings=len(await a.memory.names(a.group, "Property")),
        erasures=len(await store.erasures(a.db, a.tenant.tenant_id)),
    )


def _week(at: datetime) -> datetime:
    return (at - timedelta(days=at.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)


async def supersessions(a: Analyst) -> dict[str, Counter[datetime]]:
    """Fact type → week → rows closed that week (a value replaced or taken back). A row
    closed by a row of the same value (the caller said it again: memory starts a new row with
    the new episode's provenance) is no churn: on the demo world those are most closings. A
    live call closes the row at the turn and starts the new one when its episode is recorded,
    a second or so later: "at once" is within ``SAID_AGAIN_WITHIN``."""
    out: dict[str, Counter[datetime]] = defaultdict(Counter)
    for facts in (await all_histories(a)).values():
        starts: dict[tuple[str, str], list[datetime]] = defaultdict(list)
        for f in facts:
            starts[(f.name, label(f))].append(f.valid_at)
        for f in facts:
            if f.invalid_at is None:
                continue
            end = f.invalid_at
            if not any(end <= s <= end + SAID_AGAIN_WITHIN for s in starts[(f.name, label(f))]):
                out[f.name][_week(end)] += 1
    return dict(out)


SAID_AGAIN_WITHIN = timedelta(minutes=1)


@dataclass(frozen=True)
class Untouched:
    entity_type: str
    key: str
    name: str


async def untouched(a: Analyst) -> list[Untouched]:
    """Suburbs and listings no caller's fact points at (never preferred, asked about or booked)."""
    touched: set[str] = set()
    for facts in (await all_histories(a)).values():
        for f in facts:
            touched.update(x for x in (f.object, f.object_name) if x)
    bookings = {b["property_id"] for b in await a.bookings()}
    out = []
    for kind in ("Suburb", "Property"):
        for key, name in sorted((await a.memory.names(a.group, kind)).items()):
            from memory.ontology import Ref

            if key not in touched and name not in touched and Ref(kind, key).uuid(a.group) not in touched:
                if kind == "Property" and key in bookings:
                    continue
                out.append(Untouched(kind, key, name))
    return out


@dataclass(frozen=True)
class LikelyDuplicate:
    caller_id: str
    other_id: str
    name: str
    confidence: float
    evidence: list[str]


def _current(facts: list[Fact], name: str) -> list[str]:
    return [
        str(f.object_name if f.value is None else f.value)
        for f in facts
        if f.name == name and f.invalid_at is None
    ]


def _ever(facts: list[Fact], name: str) -> set[str]:
    return {str(f.object_name if f.value is None else f.value) for f in facts if f.name == name}


async def likely_duplicates(a: Analyst) -> list[LikelyDuplicate]:
    """Pairs of callers with the same name and different numbers. Confidence starts at 0.5 for
    the name (common names are shared by strangers) and rises with what else agrees: a
    suburb in common +0.15, budgets within 15% +0.1, the same bedrooms +0.05, one of them
    calling only after the other's last call +0.1; a ``POSSIBLY_SAME_AS`` link memory made
    +0.1. Never merged: a person decides."""
    histories = await all_histories(a)
    by_name: dict[str, list[str]] = defaultdict(list)
    for caller_id, facts in histories.items():
        for name in _current(facts, "HAS_NAME"):
            by_name[name.strip().lower()].append(caller_id)
    calls = await a.calls()
    span: dict[str, tuple[datetime, datetime]] = {}
    for c in calls:
        if c["caller_id"]:
            lo, hi = span.get(c["caller_id"], (c["started_at"], c["started_at"]))
            span[c["caller_id"]] = (min(lo, c["started_at"]), max(hi, c["started_at"]))
    out = []
    for ids in by_name.values():
        for i, x in enumerate(ids):
            for y in ids[i + 1 :]:
                fx, fy = histories[x], histories[y]
                phones_x, phones_y = set(_current(fx, "HAS_PHONE")), set(_current(fy, "HAS_PHONE"))
                if phones_x & phones_y:
                    continue  # one number: a household, not a duplicate
                score, why = 0.5, ["same name"]
                if _ever(fx, "PREFERS_SUBURB") & _ever(fy, "PREFERS_SUBURB"):
                    score, why = score + 0.15, [*why, "a suburb in common"]
                bx, by = _current(fx, "HAS_BUDGET"), _current(fy, "HAS_BUDGET")
                if bx and by and abs(float(bx[0]) - float(by[0])) <= 0.15 * max(float(bx[0]), float(by[0])):
                    score, why = score + 0.1, [*why, "similar budget"]
                if _current(fx, "WANTS_BEDROOMS") and _current(fx, "WANTS_BEDROOMS") == _current(
                    fy, "WANTS_BEDROOMS"
                ):
                    score, why = score + 0.05, [*why, "same bedrooms"]
                sx, sy = span.get(x), span.get(y)
                if sx and sy and (sx[1] < sy[0] or sy[1] < sx[0]):
                    score, why = score + 0.1, [*why, "one took over from the other"]
                if any(f.name == "POSSIBLY_SAME_AS" for f in [*fx, *fy]):
                    score, why = score + 0.1, [*why, "memory linked them"]
                name = (_current(fx, "HAS_NAME") or ["?"])[0]
                out.append(LikelyDuplicate(x, y, name, round(min(score, 0.95), 2), why))
    return sorted(out, key=lambda d: -d.confidence)


@dataclass(frozen=True)
class ErasureCheck:
    caller_id: str
    at: datetime
    calls: int
    """Calls erased with them (the audit entry's count)."""
    tombstones: int
    """Keyed hashes of numbers and emails written with it (never the values)."""
    gone_from_graph: bool
    """Asking memory for the caller now finds no such caller."""


async def erasures(a: Analyst) -> list[ErasureCheck]:
    """Each erasure in the audit log (ids only), checked again against the graph."""
    out = []
    for row in await store.erasures(a.db, a.tenant.tenant_id):
        caller_id = row["subject"].removeprefix("caller:")
        detail = row["detail"] if isinstance(row["detail"], dict) else _json(row["detail"])
        try:
            await a.memory.facts(a.group, caller_id)
            gone = False
        except UnknownEntity:
            gone = True
        out.append(
            ErasureCheck(
                caller_id,
                row["at"],
                int(str(detail.get("calls") or 0)),
                int(str(detail.get("tombstones", row["tombstones"]))),  # older entries: by time
                gone,
            )
        )
    return out


def _json(raw: object) -> dict[str, object]:
    import json

    return json.loads(raw) if isinstance(raw, str) else {}
