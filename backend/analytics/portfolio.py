"""Interest and bookings by suburb and listing over time; the funnel from first call to
viewing to outcome; listings whose price changed and how interest moved.

Interest is memory's (callers' ``PREFERS_SUBURB`` and ``INTERESTED_IN`` rows across valid
time); bookings are the ledger's; prices are the listings' ``LISTED_AT_PRICE`` timelines.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from backend.analytics.connect import Analyst
from backend.analytics.timeline import history
from memory.models import EntityState, Fact


async def caller_ids(a: Analyst) -> list[str]:
    return sorted({c["caller_id"] for c in await a.calls() if c["caller_id"]})


async def all_histories(a: Analyst) -> dict[str, list[Fact]]:
    """Every caller's fact rows (read once per analyst: seconds for 500 callers)."""
    out = {}
    for caller_id in await caller_ids(a):
        try:
            out[caller_id] = await history(a, caller_id)
        except LookupError:  # erased since their call's row was read
            continue
    return out


async def weeks(a: Analyst) -> list[datetime]:
    """Week starts (Mondays, UTC) from the first call to the last."""
    calls = await a.calls()
    if not calls:
        return []
    first, last = calls[0]["started_at"], calls[-1]["started_at"]
    start = (first - timedelta(days=first.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    out = []
    while start <= last:
        out.append(start)
        start += timedelta(weeks=1)
    return out


def _holds(f: Fact, at: datetime) -> bool:
    return f.valid_at <= at and (f.invalid_at is None or f.invalid_at > at)


async def suburb_interest(a: Analyst) -> dict[str, list[int]]:
    """Suburb → callers preferring it at each week's end (``weeks``)."""
    ws = await weeks(a)
    out: dict[str, list[int]] = defaultdict(lambda: [0] * len(ws))
    for facts in (await all_histories(a)).values():
        for f in facts:
            if f.name == "PREFERS_SUBURB" and f.object_name:
                for i, w in enumerate(ws):
                    out[f.object_name][i] += _holds(f, w + timedelta(weeks=1))
    return dict(out)


async def bookings_by_suburb(a: Analyst) -> dict[str, list[int]]:
    """Suburb → viewings booked in each week (the ledger, by when they were booked)."""
    ws = await weeks(a)
    where = await listing_suburbs(a)
    out: dict[str, list[int]] = defaultdict(lambda: [0] * len(ws))
    booked = {c["call_id"]: c["started_at"] for c in await a.calls()}
    for b in await a.bookings():
        at = booked.get(b["call_id"]) or b["created_at"]
        i = (at - ws[0]) // timedelta(weeks=1) if ws else -1
        if 0 <= i < len(ws):
            out[where.get(b["property_id"], "?")][i] += 1
    return dict(out)


async def listing_suburbs(a: Analyst) -> dict[str, str]:
    """Listing → suburb, over every listing seen any week (sold ones too)."""
    out: dict[str, str] = {}
    for states in (await listings_by_week(a)).values():
        out |= {e.key: str(_val(e, "IN_SUBURB")) for e in states if _val(e, "IN_SUBURB")}
    return out


async def listings_by_week(a: Analyst) -> dict[datetime, list[EntityState]]:
    """The listings as they stood at each week's start, and now (the last key)."""

    async def read() -> dict[datetime, list[EntityState]]:
        now = datetime.now(UTC)
        ws = await weeks(a)
        # Week starts up to now only: a later one reads the future (now's listings, dated later).
        at = [w for w in [*ws, ws[-1] + timedelta(weeks=1)] if w < now] if ws else []
        return {w: await _listings(a, w) for w in at} | {now: await _listings(a)}

    return await a.once("listings_by_week", read)  # type: ignore[no-any-return]


def _val(e: EntityState, fact: str) -> str | float | int | bool | None:
    rows = e.facts.get(fact)
    if not rows:
        return None
    return rows[0].object_name if rows[0].value is None else rows[0].value  # literal, or the entity named


async def _listings(a: Analyst, at: datetime | None = None) -> list[EntityState]:
    return await a.memory.entities(  # type: ignore[no-any-return]
        a.group, "Property", ["IN_SUBURB", "LISTED_AT_PRICE", "LISTING_STATUS"], valid_at=at
    )


@dataclass(frozen=True)
class FunnelStage:
    stage: str
    callers: int


async def funnel(a: Analyst) -> list[FunnelStage]:
    """Callers who called, booked a viewing, attended one, and whose viewed home then sold."""
    called = set(await caller_ids(a))
    ledger = [b for b in await a.bookings() if b["caller_id"] in called]
    booked = {b["caller_id"] for b in ledger}
    attended = {b["caller_id"] for b in ledger if b["status"] == "attended"}
    sold = {e.key for e in await _listings(a) if _val(e, "LISTING_STATUS") == "sold"}
    bought_seen = {b["caller_id"] for b in ledger if b["status"] == "attended" and b["property_id"] in sold}
    return [
        FunnelStage("called", len(called)),
        FunnelStage("booked a viewing", len(booked)),
        FunnelStage("attended a viewing", len(attended)),
        FunnelStage("a home they viewed sold", len(bought_seen)),
    ]


@dataclass(frozen=True)
class PriceMove:
    property_id: str
    suburb: str
    changed_at: datetime
    before: float
    after: float
    interest_before: int
    """Callers who took an interest (``INTERESTED_IN``) in the four weeks before the change."""
    interest_after: int
    """… and in the four weeks after."""


async def price_changes(a: Analyst, window: timedelta = timedelta(weeks=4)) -> list[PriceMove]:
    """Each price change of a listing, with interest in it before and after."""
    ws = await weeks(a)
    if not ws:
        return []
    series: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    where: dict[str, str] = {}
    for w, states in (await listings_by_week(a)).items():
        for e in states:
            price = _val(e, "LISTED_AT_PRICE")
            if price is None:
                continue
            where[e.key] = str(_val(e, "IN_SUBURB") or "?")
            if not series[e.key] or series[e.key][-1][1] != float(price):
                series[e.key].append((w, float(price)))
    interest: dict[str, list[datetime]] = defaultdict(list)
    for facts in (await all_histories(a)).values():
        for f in facts:
            if f.name == "INTERESTED_IN" and f.object:
                interest[f.object].append(f.valid_at)
    names = await a.memory.names(a.group, "Property")
    by_uuid = {_uuid_key(a, k): k for k in names}
    taken = {by_uuid.get(u, u): ats for u, ats in interest.items()}
    out = []
    for pid, points in series.items():
        for (_, before), (at, after) in pairwise(points):
            ats = taken.get(pid, [])
            out.append(
                PriceMove(
                    pid,
                    where.get(pid, "?"),
                    at,
                    before,
                    after,
                    sum(at - window <= t < at for t in ats),
                    sum(at <= t < at + window for t in ats),
                )
            )
    return sorted(out, key=lambda m: m.changed_at)


def _uuid_key(a: Analyst, key: str) -> str:
    """The graph uuid of a listing (facts name their object by uuid)."""
    from memory.ontology import Ref

    return Ref("Property", key).uuid(a.group)


def top_suburbs(series: dict[str, list[int]], n: int = 6) -> list[str]:
    totals = Counter({k: sum(v) for k, v in series.items()})
    return [k for k, _ in totals.most_common(n)]
