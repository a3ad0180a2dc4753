"""Returning-caller recognition and the point-in-time read of a caller's facts."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from nicknames import NickNamer
from rapidfuzz import fuzz, process

from memory.callers import caller
from memory.callers import phone as phone_ref
from memory.errors import UnknownEntity
from memory.models import Caller, CallerContext, CallSummary, Fact, Identification, MatchedOn, UpcomingBooking
from memory.ontology import Appointments
from memory.phones import to_e164
from memory.store import GraphStore, cypher, iso
from memory.store.base import Record, from_iso

NAME_THRESHOLD = 0.85
"""Below this fuzzy score a name is not taken as possibly the same caller."""
NAME_WEIGHT = 0.6
"""A name, however exact, is a possible match only: its confidence is at most this."""
TYPED = 0.8
"""A typed (unverified) number or an email that matches exactly."""
SHARED = 0.5
"""A verified number that several callers use, with no name given to tell them apart."""
POSSIBLE = 3
"""Possible matches kept (a common name matches many callers)."""
LAST_CALLS = 3


@dataclass(frozen=True)
class _Match:
    uuid: str
    matched_on: MatchedOn
    confidence: float
    verified: bool


def same_person(said: str, known: str) -> bool:
    """The name given is the known caller's, allowing for spelling and order ("Jon Smith",
    "Smith, John"), not another member of the household ("Lena Baker" for "Tom Baker")."""
    given, ours = (n.lower().replace(",", " ").split() for n in (said, known))
    shorter, longer = sorted((given, ours), key=len)
    return bool(shorter) and all(any(_same_word(w, v) for v in longer) for w in shorter)


def _name_score(said: str, known: str, **_: object) -> float:
    """How alike two names are, a nickname counting as its full name: "bart nkemelu" is
    "bartholomew nkemelu", and "philippa szymanski" may be the "philippa" who gave only her first
    name (a possible match still: a name alone never verifies anyone)."""
    ours, given = known.split(), said.split()
    if len(ours) == 1 < len(given) and _same_word(given[0], ours[0]):
        return NAME_THRESHOLD * 100  # only a first name on file ("Philippa here"): it may be them
    words = [next((v for v in ours if _forms(w) & _forms(v)), w) for w in given]
    return float(fuzz.token_sort_ratio(" ".join(words), known))


def _same_word(said: str, known: str) -> bool:
    """One word of a name: spelt alike, one a nickname of the other ("Bart", "Bartholomew"), or
    its first letters ("Raff" for Rafferty: short forms the nickname table does not list)."""
    short, full = sorted((said, known), key=len)
    clipped = len(short) >= 3 and full.startswith(short)
    return clipped or fuzz.ratio(said, known) >= 85 or bool(_forms(said) & _forms(known))


@functools.cache
def _forms(word: str) -> frozenset[str]:
    """The word and the full names it is a nickname of: "bill" is {"bill", "william"}."""
    return frozenset({word, *_nicknames().canonicals_of(word)})


@functools.cache
def _nicknames() -> NickNamer:
    return NickNamer()  # the package's hand-curated table of English names, read once


async def recall(
    store: GraphStore,
    region: str,
    phone: str | None,
    name: str | None,
    email: str | None,
    caller_id: str | None,
    now: datetime,
    phone_verified: bool = False,
) -> CallerContext | None:
    """The best match: the verified one, else the likeliest possible one (``verified`` False)."""
    found = await identify(store, region, phone, name, email, caller_id, now, phone_verified)
    return found.caller or (found.possible[0] if found.possible else None)


async def identify(
    store: GraphStore,
    region: str,
    phone: str | None,
    name: str | None,
    email: str | None,
    caller_id: str | None,
    now: datetime,
    phone_verified: bool = False,
) -> Identification:
    """What the evidence says. Only an id, or a verified number whose callers the name given
    (if any) agrees with, identifies a caller; a name, a typed number or an email is a possible
    match, and a number or email on file for someone the name given is clearly not points at
    nobody (a household's phone, a passed-on number)."""
    at = {"at": iso(now), "known": iso(now)}
    group = store.group_id
    if caller_id:
        rows = await store.query(cypher.ENTITY, {"uuid": caller(caller_id).uuid(group)})
        if rows:
            return Identification(caller=await context(store, rows[0]["uuid"], 1.0, "id", now, True))
    matches: list[_Match] = []
    found = Identification()
    if phone:
        number = phone_ref(to_e164(phone, region)).uuid(group)
        holders = await store.query(cypher.CALLERS_ON_PHONE, {"phone": number, **at})
        found.phone_held = bool(holders)
        matches += _on_phone(holders, name, phone_verified)
    if email:
        rows = await store.query(
            cypher.CALLER_BY_EMAIL, {"email": email.strip().lower(), "group_id": group, **at}
        )
        found.email_held = bool(rows)
        matches += [_Match(r["uuid"], "email", TYPED, False) for r in rows if _agrees(name, r["name"])]
    if name:
        matches += await _by_name(store, name)
    best = next((m for m in matches if m.verified), None)
    if best:
        found.caller = await context(store, best.uuid, best.confidence, best.matched_on, now, True)
        return found
    kept: dict[str, _Match] = {}
    for m in sorted(matches, key=lambda m: -m.confidence):
        kept.setdefault(m.uuid, m)
    found.possible = [
        await context(store, m.uuid, m.confidence, m.matched_on, now, False)
        for m in list(kept.values())[:POSSIBLE]
    ]
    return found


def _agrees(name: str | None, known: str) -> bool:
    """No name given, or the one on file is the same person's."""
    return not name or same_person(name, known)


def _on_phone(holders: list[Record], name: str | None, verified: bool) -> list[_Match]:
    """The number's callers (its owner first, then whoever else calls from it) the name fits."""
    kind: MatchedOn = "phone" if verified else "typed_phone"
    fits = [h for h in holders if _agrees(name, h["name"])]
    if name:
        fits = fits[:1]
    alone = len(fits) == 1 and (bool(name) or len(holders) == 1)
    if alone:
        return [_Match(fits[0]["uuid"], kind, 1.0 if verified else TYPED, verified)]
    return [_Match(h["uuid"], kind, SHARED if verified else TYPED, False) for h in fits]


async def _by_name(store: GraphStore, name: str) -> list[_Match]:
    candidates = await store.fulltext_entities(name, "Caller", 20)
    scored = process.extract(
        name,
        {c["uuid"]: c["name"] for c in candidates},
        scorer=_name_score,
        processor=str.lower,
        score_cutoff=NAME_THRESHOLD * 100,
        limit=POSSIBLE,
    )
    return [_Match(uuid, "name", round(score / 100 * NAME_WEIGHT, 3), False) for _, score, uuid in scored]


async def context(
    store: GraphStore,
    subject: str,
    confidence: float,
    matched_on: MatchedOn,
    now: datetime,
    verified: bool = False,
) -> CallerContext:
    facts, calls, node = await _gather(store, subject, now)
    by_booking = _bookings(facts, now, store.ontology.appointments)
    return CallerContext(
        caller=Caller(id=node.get("key") or node["uuid"], uuid=subject, name=node["name"]),
        confidence=confidence,
        matched_on=matched_on,
        verified=verified,
        facts=facts,
        upcoming_bookings=by_booking,
        last_calls=[
            CallSummary(
                call_id=c["call_id"],
                at=from_iso(c["at"]),
                channel=c["channel"],
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
    if not node:  # erased between the match and this read
        raise UnknownEntity(f"caller {subject} no longer exists")
    facts = await facts_of(store, subject, now, now)
    calls = await store.query(cypher.LAST_CALLS, {"subject": subject, "at": iso(now), "limit": LAST_CALLS})
    return facts, calls, node[0]


async def facts_of(store: GraphStore, subject: str, at: datetime, known: datetime) -> list[Fact]:
    params = {"subject": subject, "owned": store.ontology.owned, "at": iso(at), "known": iso(known)}
    rows = await store.query(cypher.FACTS_OF, params)
    return sorted((to_fact(r) for r in rows), key=lambda f: (f.name, f.valid_at, f.uuid))


def to_fact(row: Record) -> Fact:
    return Fact(
        **{k: row[k] for k in ("uuid", "name", "fact", "value", "subject", "object")},
        subject_name=row.get("subject_name"),
        object_name=row.get("object_name"),
        valid_at=from_iso(row["valid_at"]),
        invalid_at=from_iso(row["invalid_at"]),
        created_at=from_iso(row["created_at"]),
        expired_at=from_iso(row["expired_at"]),
        episodes=list(row.get("episodes") or []),
        turn_ids=list(row.get("turn_ids") or []),
    )


def _bookings(facts: list[Fact], now: datetime, kinds: tuple[Appointments, ...]) -> list[UpcomingBooking]:
    """Appointments still ahead (a viewing, a repair visit), soonest first, from the facts
    each kind of appointment is declared to have."""
    upcoming = [b for kind in kinds for b in _appointments(facts, now, kind)]
    return sorted(upcoming, key=lambda b: b.starts_at)


def _appointments(facts: list[Fact], now: datetime, kind: Appointments) -> list[UpcomingBooking]:
    per: dict[str, dict[str, Fact]] = {}
    for f in facts:
        if f.name in {kind.starts, kind.status, kind.of}:
            per.setdefault(f.subject, {})[f.name] = f
        if f.name == kind.booked:
            per.setdefault(f.object, {})[kind.booked] = f
    found = []
    for parts in per.values():
        when, status = parts.get(kind.starts), parts.get(kind.status)
        if not when or not status or status.value != kind.open:
            continue
        starts = datetime.fromisoformat(str(when.value))
        if starts < now:
            continue
        booked, of = parts.get(kind.booked), parts.get(kind.of)
        found.append(
            UpcomingBooking(
                booking_id=str(booked.value) if booked else when.subject,
                reference=booked.object_name if booked else None,
                starts_at=starts,
                property_id=str(of.value) if of else None,
                address=of.object_name if of else None,
            )
        )
    return found
