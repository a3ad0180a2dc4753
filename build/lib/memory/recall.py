"""Returning-caller recognition and the point-in-time read of a caller's facts."""

from __future__ import annotations

from datetime import datetime

from rapidfuzz import fuzz, process

from memory.models import Caller, CallerContext, CallSummary, Fact, UpcomingBooking
from memory.ontology import Ref, caller
from memory.phones import to_e164
from memory.store import GraphStore, cypher, iso
from memory.store.base import Record, from_iso

NAME_THRESHOLD = 0.85
"""Below this fuzzy score a name is not taken as the same caller."""
LAST_CALLS = 3


async def recall(
    store: GraphStore,
    region: str,
    phone: str | None,
    name: str | None,
    email: str | None,
    caller_id: str | None,
    now: datetime,
) -> CallerContext | None:
    match = await _match(store, region, phone, name, email, caller_id, now)
    if match is None:
        return None
    row, confidence, matched_on = match
    return await context(store, row["uuid"], confidence, matched_on, now)


async def _match(
    store: GraphStore,
    region: str,
    phone: str | None,
    name: str | None,
    email: str | None,
    caller_id: str | None,
    now: datetime,
) -> tuple[Record, float, str] | None:
    at = {"at": iso(now), "known": iso(now)}
    group = store.group_id
    if caller_id:
        rows = await store.query(cypher.ENTITY, {"uuid": caller(caller_id).uuid(group)})
        if rows:
            return rows[0], 1.0, "id"
    if phone:
        number = Ref("PhoneNumber", to_e164(phone, region)).uuid(group)
        rows = await store.query(cypher.CALLER_BY_PHONE, {"phone": number, **at})
        if rows:
            return rows[0], 1.0, "phone"
    if email:
        rows = await store.query(
            cypher.CALLER_BY_EMAIL, {"email": email.strip().lower(), "group_id": group, **at}
        )
        if rows:
            return rows[0], 1.0, "email"
    if name:
        candidates = await store.fulltext_entities(name, "Caller", 20)
        best = process.extractOne(
            name, {c["uuid"]: c["name"] for c in candidates}, scorer=fuzz.token_sort_ratio
        )
        if best and best[1] / 100 >= NAME_THRESHOLD:
            return {"uuid": best[2], "name": best[0]}, round(best[1] / 100, 3), "name"
    return None


async def context(
    store: GraphStore, subject: str, confidence: float, matched_on: str, now: datetime
) -> CallerContext:
    facts, calls, node = await _gather(store, subject, now)
    by_booking = _bookings(facts, now)
    return CallerContext(
        caller=Caller(id=node.get("key") or node["uuid"], uuid=subject, name=node["name"]),
        confidence=confidence,
        matched_on=matched_on,  # type: ignore[arg-type]
        facts=facts,
        upcoming_bookings=by_booking,
        last_calls=[
            CallSummary(
                call_id=c["call_id"],
                at=from_iso(c["at"]),
                channel=c["channel"],  # type: ignore[arg-type]
                outcome=c["outcome"],
                summary=c["summary"],
            )
            for c in calls
        ],
    )


async def _gather(store: GraphStore, subject: str, now: datetime) -> tuple[list[Fact], list[Record], Record]:
    node = await store.query(
        "MATCH (x:Entity {uuid: $uuid}) RETURN x.uuid AS uuid, x.name AS name, x.key AS key",
        {"uuid": subject},
    )
    facts = await facts_of(store, subject, now, now)
    calls = await store.query(cypher.LAST_CALLS, {"subject": subject, "at": iso(now), "limit": LAST_CALLS})
    return facts, calls, node[0]


async def facts_of(store: GraphStore, subject: str, at: datetime, known: datetime) -> list[Fact]:
    rows = await store.query(cypher.FACTS_OF, {"subject": subject, "at": iso(at), "known": iso(known)})
    return sorted((to_fact(r) for r in rows), key=lambda f: (f.name, f.valid_at, f.uuid))


def to_fact(row: Record) -> Fact:
    return Fact(
        **{k: row[k] for k in ("uuid", "name", "fact", "value", "subject", "object")},
        subject_name=row.get("subject_name"),
        object_name=row.get("object_name"),
        valid_at=from_iso(row["valid_at"]),  # type: ignore[arg-type]
        invalid_at=from_iso(row["invalid_at"]),
        created_at=from_iso(row["created_at"]),  # type: ignore[arg-type]
        expired_at=from_iso(row["expired_at"]),
        episodes=list(row.get("episodes") or []),
        turn_ids=list(row.get("turn_ids") or []),
    )


def _bookings(facts: list[Fact], now: datetime) -> list[UpcomingBooking]:
    """Scheduled viewings still ahead, soonest first, from the booking facts."""
    per: dict[str, dict[str, Fact]] = {}
    for f in facts:
        if f.name in {"SCHEDULED_FOR", "BOOKING_STATUS", "FOR_PROPERTY"}:
            per.setdefault(f.subject, {})[f.name] = f
        if f.name == "BOOKED":
            per.setdefault(f.object, {})["BOOKED"] = f
    upcoming = []
    for parts in per.values():
        when, status = parts.get("SCHEDULED_FOR"), parts.get("BOOKING_STATUS")
        if not when or not status or status.value != "scheduled":
            continue
        starts = datetime.fromisoformat(str(when.value))
        if starts < now:
            continue
        booked, prop = parts.get("BOOKED"), parts.get("FOR_PROPERTY")
        upcoming.append(
            UpcomingBooking(
                booking_id=str(booked.value) if booked else when.subject,
                reference=booked.object_name if booked else None,
                starts_at=starts,
                property_id=str(prop.value) if prop else None,
                address=prop.object_name if prop else None,
            )
        )
    return sorted(upcoming, key=lambda b: b.starts_at)
