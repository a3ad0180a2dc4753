"""The demo world as a plan: who calls, when, what they say, what the listing feed says each
week. Pure and deterministic (one ``random.Random``), so a second run plans the same world and
every id it writes is the same.

The plan holds no I/O; ``backend/seed/demo.py`` writes it through the production paths.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from backend.verticals.real_estate.demo import KINDS, STREETS, SUBURBS

FIRST = [
    "Olivia",
    "Jack",
    "Mia",
    "Noah",
    "Charlotte",
    "William",
    "Ava",
    "Lucas",
    "Isla",
    "Leo",
    "Amelia",
    "Oliver",
    "Grace",
    "Henry",
    "Chloe",
    "Thomas",
    "Zoe",
    "James",
    "Ruby",
    "Ethan",
    "Priya",
    "Wei",
    "Aisha",
    "Mateo",
    "Sofia",
    "Hamish",
    "Yuki",
    "Omar",
    "Elena",
    "Arjun",
]
LAST = [
    "Smith",
    "Nguyen",
    "Brown",
    "Wilson",
    "Taylor",
    "Chen",
    "Martin",
    "Kelly",
    "Singh",
    "Walker",
    "Patel",
    "Jones",
    "Lee",
    "Murphy",
    "Rossi",
    "Kim",
    "Ryan",
    "Campbell",
    "Hughes",
    "Wong",
    "Anderson",
    "Thompson",
    "White",
    "Clarke",
    "Young",
    "Mitchell",
    "Khan",
    "Lopez",
    "Baker",
    "Cooper",
]
ZONE = ZoneInfo("Australia/Sydney")
"""The demo agency's business time zone (calls fall in its opening hours)."""


@dataclass(frozen=True)
class Listing:
    property_id: str
    address: str
    suburb: str
    bedrooms: int
    kind: str


@dataclass
class FeedRow:
    """One row of the agency's weekly listings file (``ingest/listings.py`` columns)."""

    listing: Listing
    price: int
    status: str = "listed"
    listed_at: datetime | None = None
    changed_at: datetime | None = None

    def as_csv(self) -> dict[str, str]:
        return {
            "listing_id": self.listing.property_id,
            "address": self.listing.address,
            "suburb": self.listing.suburb,
            "price": str(self.price),
            "bedrooms": str(self.listing.bedrooms),
            "kind": self.listing.kind,
            "status": self.status,
            "listed_at": self.listed_at.isoformat() if self.listed_at else "",
            "changed_at": self.changed_at.isoformat() if self.changed_at else "",
        }


@dataclass
class Person:
    """A caller as the world knows them (the graph learns it from their calls)."""

    caller_id: str
    name: str
    phone: str
    email: str
    budget: int
    bedrooms: int
    suburbs: list[str]


@dataclass(frozen=True)
class BookingStep:
    """A viewing booked, moved, cancelled or attended; ``key`` is the booking's idempotency key."""

    kind: str  # made | moved | cancelled | attended
    key: str
    property_id: str
    caller_id: str
    at: datetime
    """When it happened (the call's time, or the viewing's for ``attended``)."""
    starts_at: datetime
    call_id: str | None = None


@dataclass
class PastCall:
    """A finished call of the history, as the API leaves it at its end."""

    call_id: str
    caller_id: str
    started_at: datetime
    lines: list[tuple[str, str]]
    """(speaker, text), the greeting first."""
    phone: str | None
    """The telephony caller id (voice calls); chat callers type theirs in the conversation."""
    name: str | None
    """The name recorded at the call's start (a new caller who gave it)."""
    new_caller: bool
    bookings: list[BookingStep] = field(default_factory=list)
    late: int = 0
    """Weeks its ingestion is held back (a worker outage, a replay): the late-arriving facts."""

    @property
    def ended_at(self) -> datetime:
        return self.started_at + timedelta(seconds=20 * len(self.lines))


@dataclass
class Week:
    number: int
    start: datetime
    feed: list[FeedRow]
    calls: list[PastCall] = field(default_factory=list)
    steps: list[BookingStep] = field(default_factory=list)
    """Bookings attended this week (the agency's records, not a call)."""


@dataclass
class LiveCall:
    """A call held now through the HTTP API: the caller's lines, said one turn at a time."""

    key: str
    phone: str
    lines: list[str]
    caller_id: str | None


@dataclass
class World:
    weeks: list[Week]
    people: dict[str, Person]
    live: list[LiveCall]
    erasures: list[str]
    """Caller ids who ask to be forgotten (through ``DELETE /v1/callers/{id}``)."""
    reassigned: list[str]
    """Numbers that moved to a new caller during the history."""

    @property
    def calls(self) -> list[PastCall]:
        return [c for w in self.weeks for c in w.calls]


def plan(group: str, callers: int, months: int, anchor: datetime, seed: int = 15) -> World:
    """The world of ``callers`` callers over ``months`` months ending at ``anchor`` (UTC):
    4.1 calls per caller on average, one in ten held live at the end."""
    rng = random.Random(f"{seed}:{group}:{callers}:{months}")
    weeks_n = max(2, round(months * 30.4 / 7))
    start = anchor - timedelta(weeks=weeks_n)
    listings = _listings(rng, max(24, callers // 5))
    weeks = _feed(rng, listings, start, weeks_n)
    _list_outside(random.Random(f"{seed}:{group}:outside"), weeks, start)
    people = _people(rng, group, callers)
    world = World(weeks, people, [], [], [])
    # 3.7 a caller in the history, 0.4 now: 2,050 calls for 500 callers, over 2,000 after erasures
    _history(rng, world, listings, start, weeks_n, calls=callers * 37 // 10)
    _live(rng, world, callers * 4 // 10, listings)
    # Never one of a likely duplicate's pair: every world keeps one for the analysts to find.
    named = Counter(p.name for p in people.values())
    erasable = sorted((p for p in people.values() if named[p.name] == 1), key=_id)
    world.erasures = [p.caller_id for p in rng.sample(erasable, max(1, callers // 100))]
    return world


def _id(p: Person) -> str:
    return p.caller_id


def _listings(rng: random.Random, n: int) -> list[Listing]:
    names = list(SUBURBS)[:16]
    out = []
    for i in range(n):
        suburb = names[i % len(names)]
        bedrooms = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5])
        street = STREETS[(i * 7) % len(STREETS)]
        out.append(Listing(f"L{i:03d}", f"{10 + i} {street}", suburb, bedrooms, KINDS[bedrooms]))
    return out


OUTSIDE = list(SUBURBS)[16:18]
"""Suburbs the agency lists a home or two in that no caller looks in: the memory-health
notebook's entities no fact touches."""


def _list_outside(rng: random.Random, weeks: list[Week], start: datetime) -> None:
    """Two homes in ``OUTSIDE`` suburbs, on every week's feed at one price (their own
    ``rng``: the rest of the world is drawn as before)."""
    homes = [
        Listing(f"X{i:02d}", f"{3 + i} {STREETS[i]}", suburb, 3, KINDS[3]) for i, suburb in enumerate(OUTSIDE)
    ]
    prices = {h.property_id: _price(h, rng) for h in homes}
    for week in weeks:
        week.feed += [FeedRow(h, prices[h.property_id], listed_at=start - timedelta(days=3)) for h in homes]


def _price(listing: Listing, rng: random.Random) -> int:
    size = {1: 0.35, 2: 0.55, 3: 1.0, 4: 1.35, 5: 1.7}[listing.bedrooms]
    return int(round(SUBURBS[listing.suburb] * size * rng.uniform(0.85, 1.15), -4))


def _feed(rng: random.Random, listings: list[Listing], start: datetime, n: int) -> list[Week]:
    """The weekly listings files: two thirds listed at the start, the rest over time; prices
    cut, homes sold; one cut reported two weeks late (the feed's own late correction)."""
    state: dict[str, FeedRow] = {}
    pending = list(listings)
    rng.shuffle(pending)
    weeks = []
    late: list[tuple[int, FeedRow]] = []
    for w in range(n):
        at = start + timedelta(weeks=w)
        new = pending[: len(listings) // 2] if w == 0 else pending[: rng.randint(0, 3)]
        del pending[: len(new)]
        for listing in new:
            state[listing.property_id] = FeedRow(
                listing, _price(listing, rng), listed_at=at - timedelta(days=3)
            )
        for row in list(state.values()):
            if row.status != "listed" or (row.listed_at and row.listed_at > at - timedelta(weeks=2)):
                continue
            roll = rng.random()
            if roll < 0.025:
                row.status, row.changed_at = "sold", at + timedelta(days=rng.randint(0, 6))
            elif roll < 0.08:
                cut = int(round(row.price * rng.uniform(0.03, 0.08), -4)) or 10_000
                changed = at + timedelta(days=rng.randint(0, 6))
                if w == n // 2 and not late:
                    late.append((w + 2, FeedRow(row.listing, row.price - cut, changed_at=changed)))
                    continue
                row.price, row.changed_at = row.price - cut, changed
        for _, row in [x for x in late if x[0] == w]:
            state[row.listing.property_id].price = row.price
            state[row.listing.property_id].changed_at = row.changed_at
        weeks.append(
            Week(
                w,
                at,
                [FeedRow(r.listing, r.price, r.status, r.listed_at, r.changed_at) for r in state.values()],
            )
        )
    return weeks


def _people(rng: random.Random, group: str, n: int) -> dict[str, Person]:
    people: dict[str, Person] = {}
    names = list(SUBURBS)[:16]
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        # The same person again from another number (a likely duplicate); at least one.
        twins = len({p.name for p in people.values()}) < len(people)
        if i and (rng.random() < 0.04 or (i == n - 1 and not twins)):
            twin = people[f"seed-{group}-c{rng.randrange(i):04d}"]
            first, last = twin.name.split(" ", 1)
        budget = rng.choice([700, 850, 950, 1100, 1300, 1500, 1800, 2100, 2500, 3000]) * 1000
        cid = f"seed-{group}-c{i:04d}"
        people[cid] = Person(
            cid,
            f"{first} {last}",
            _mobile(rng),
            f"{first.lower()}.{last.lower()}{i}@example.com",
            budget,
            rng.choice([1, 2, 2, 3, 3, 3, 4]),
            rng.sample(names, rng.choice([1, 1, 2, 2, 3])),
        )
    return people


def _mobile(rng: random.Random) -> str:
    """An Australian mobile number in a range that is allocated (0400–0439)."""
    return f"04{rng.randint(0, 39):02d} {rng.randint(100, 999)} {rng.randint(100, 999)}"


def _moment(rng: random.Random, day: datetime) -> datetime:
    """A time within the agency's opening hours on ``day`` (UTC)."""
    local = datetime.combine(day.astimezone(ZONE).date(), time(9), ZONE)
    return (local + timedelta(minutes=rng.randrange(0, 9 * 60))).astimezone(day.tzinfo)


def _history(
    rng: random.Random, world: World, listings: list[Listing], start: datetime, weeks_n: int, calls: int
) -> None:
    people = list(world.people.values())
    # Each caller calls at least once; the rest of the calls go to returning callers.
    plan_calls: dict[str, list[datetime]] = {}
    span = timedelta(weeks=weeks_n) - timedelta(days=1)
    for p in people:
        plan_calls[p.caller_id] = [start + span * rng.random() ** 1.3]
    for _ in range(max(0, calls - len(people))):
        p = rng.choice(people)
        last, end = max(plan_calls[p.caller_id]), start + span
        at = last + timedelta(days=rng.randint(2, 21))
        if at > end:  # past the end: some time after their first call (clamping piled calls on the last day)
            began = min(plan_calls[p.caller_id])
            at = began + (end - began) * rng.random()
        plan_calls[p.caller_id].append(at)
    phone_owner: dict[str, str] = {}
    seen: set[str] = set()
    moved_on: set[str] = set()
    reassign = set(rng.sample([p.caller_id for p in people], max(1, len(people) // 50)))
    booked: dict[str, BookingStep] = {}
    events = sorted((at, cid) for cid, ats in plan_calls.items() for at in ats)
    for k, (day, cid) in enumerate(events):
        p = world.people[cid]
        at = _moment(rng, day)
        week = world.weeks[_week_of(at, start, weeks_n)]
        first = cid not in seen
        seen.add(cid)
        if first and cid in reassign and phone_owner:
            # This caller's number was someone else's before (carriers recycle numbers); its
            # old owner has a new one, which they give on their next call.
            old = rng.choice(sorted(phone_owner))
            before = world.people[phone_owner[old]]
            before.phone = _mobile(rng)
            moved_on.add(before.caller_id)
            p.phone = old
            world.reassigned.append(old)
        if first:
            phone_owner[p.phone] = cid
        call_id = f"{cid}-k{k:05d}"
        on_market = [r.listing for r in week.feed if r.status == "listed" and r.listing.suburb not in OUTSIDE]
        on_market = on_market or listings
        lines, steps = _conversation(rng, p, first, on_market, at, call_id, booked)
        if cid in moved_on:
            moved_on.discard(cid)
            lines.insert(1, ("caller", f"I've got a new number, it's {p.phone}."))
        voice = rng.random() < 0.7
        call = PastCall(call_id, cid, at, lines, p.phone if voice else None, p.name if first else None, first)
        call.bookings = steps
        # One call in fifty is ingested three weeks late; a world too small to draw one by
        # chance gets one a third of the way in (the timeline notebook's correction).
        held = any(c.late for w in world.weeks for c in w.calls)
        if (
            not first
            and week.number < weeks_n - 4
            and (rng.random() < 0.02 or (not held and week.number >= weeks_n // 3))
        ):
            call.late = 3
            lines.insert(-1, ("caller", f"We've had a rethink, our budget is now ${p.budget + 150_000:,}."))
            p.budget += 150_000
        week.calls.append(call)
    for step in list(booked.values()):
        if step.kind in ("made", "moved") and step.starts_at < start + span and rng.random() < 0.7:
            w = world.weeks[_week_of(step.starts_at, start, weeks_n)]
            w.steps.append(
                BookingStep(
                    "attended",
                    step.key,
                    step.property_id,
                    step.caller_id,
                    step.starts_at + timedelta(hours=1),
                    step.starts_at,
                )
            )


def _week_of(at: datetime, start: datetime, weeks_n: int) -> int:
    """The week ``at`` falls in; a call in the first morning (in Sydney: the evening before, in
    UTC) is in the first week, not (index -1) the last."""
    return max(0, min(weeks_n - 1, (at - start) // timedelta(weeks=1)))


def _conversation(
    rng: random.Random,
    p: Person,
    first: bool,
    listings: list[Listing],
    at: datetime,
    call_id: str,
    booked: dict[str, BookingStep],
) -> tuple[list[tuple[str, str]], list[BookingStep]]:
    """What the caller and the agents say, and the viewings it books or changes."""
    agent = [("agent", "Thanks for calling Harbour Realty, how can I help?")]
    caller: list[str] = []
    steps: list[BookingStep] = []
    if first:
        caller.append(f"Hi, my name is {p.name} and I'm looking to buy in {p.suburbs[0]}.")
        caller.append(f"Our budget is around ${p.budget:,}.")
        caller.append(f"We need {p.bedrooms} bedrooms.")
        for s in p.suburbs[1:]:
            caller.append(f"We'd also consider {s}.")
        if rng.random() < 0.4:
            caller.append(f"My number is {p.phone} and my email is {p.email}.")
    else:
        roll = rng.random()
        names = list(SUBURBS)[:16]
        if roll < 0.2:
            p.budget = max(500_000, p.budget + rng.choice([-200_000, -100_000, 100_000, 200_000, 300_000]))
            caller.append(f"We've had a rethink, our budget is now ${p.budget:,}.")
        elif roll < 0.33 and len(p.suburbs) < 4:
            extra = rng.choice([s for s in names if s not in p.suburbs])
            p.suburbs.append(extra)
            caller.append(f"We'd also consider {extra} now.")
        elif roll < 0.43 and len(p.suburbs) > 1:
            gone = p.suburbs.pop(rng.randrange(len(p.suburbs)))
            caller.append(f"We're no longer looking in {gone}.")
        elif roll < 0.5:
            p.bedrooms = max(1, min(5, p.bedrooms + rng.choice([-1, 1])))
            caller.append(f"Actually we need {p.bedrooms} bedrooms now.")
        else:
            caller.append("Hi again, just following up on our last chat.")
    fits = [x for x in listings if x.suburb in p.suburbs]
    home = rng.choice(fits or listings)
    caller.append(f"Is {home.address} still available?")
    mine = [b for b in booked.values() if b.caller_id == p.caller_id and b.kind in ("made", "moved")]
    upcoming = [b for b in mine if b.starts_at > at]
    roll = rng.random()
    if upcoming and roll < 0.35:
        b = upcoming[0]
        if roll < 0.2:
            moved = _viewing_time(rng, at)
            caller.append(f"Can we move our viewing to {moved.astimezone(ZONE):%A %-d %B at %-I %p}?")
            steps.append(BookingStep("moved", b.key, b.property_id, p.caller_id, at, moved, call_id))
            booked[b.key] = steps[-1]
        else:
            caller.append("We need to cancel our viewing, sorry.")
            steps.append(
                BookingStep("cancelled", b.key, b.property_id, p.caller_id, at, b.starts_at, call_id)
            )
            booked[b.key] = steps[-1]
    elif roll < 0.45:
        when = _viewing_time(rng, at)
        caller.append(
            f"Could we book a viewing of {home.address} on {when.astimezone(ZONE):%A %-d %B at %-I %p}?"
        )
        key = f"{call_id}:view:{home.property_id}"
        steps.append(BookingStep("made", key, home.property_id, p.caller_id, at, when, call_id))
        booked[key] = steps[-1]
    if rng.random() < 0.01:
        caller.append("Please take me off your list, don't call me again.")
    caller.append(rng.choice(["Thanks, that's all for now.", "Great, thank you.", "Cheers, bye."]))
    replies = [
        "Sure, let me check that for you.",
        "Noted, I've updated your details.",
        "Yes, that one is still on the market.",
        "No problem at all.",
        "Is there anything else I can help with?",
    ]
    lines = list(agent)
    for line in caller:
        lines.append(("caller", line))
        lines.append(("agent", rng.choice(replies)))
    return lines, steps


def _viewing_time(rng: random.Random, at: datetime) -> datetime:
    day = at + timedelta(days=rng.randint(2, 10))
    local = datetime.combine(day.astimezone(ZONE).date(), time(rng.choice([10, 11, 13, 14, 15])), ZONE)
    return local.astimezone(at.tzinfo)


def _live(rng: random.Random, world: World, n: int, listings: list[Listing]) -> None:
    """Calls held through the API now: returning callers mostly, from the number on file."""
    owners = {c.phone: c.caller_id for c in world.calls if c.phone and c.new_caller}
    returning = sorted({c.caller_id for c in world.calls if c.phone and c.phone in owners})
    for i in range(n):
        cid = rng.choice(returning) if returning and rng.random() < 0.8 else None
        p = world.people[cid] if cid else None
        suburb = rng.choice(p.suburbs) if p else rng.choice(list(SUBURBS)[:16])
        budget = p.budget if p else rng.choice([900, 1200, 1500, 2000]) * 1000
        bedrooms = p.bedrooms if p else rng.choice([2, 3])
        lines = [f"Show me {bedrooms} bedroom homes in {suburb} under ${budget:,}"]
        roll = rng.random()
        if roll < 0.4:
            lines.append("Book a viewing of the first one on Saturday at 11am")
        elif roll < 0.55:
            lines.append("What's the suburb like for families?")
        elif roll < 0.7:
            lines.append(f"How much could I borrow on a salary of ${rng.choice([120, 150, 200])},000?")
        asked = any("real person" in line for c in world.live for line in c.lines)
        if rng.random() < 0.12 or (i == n - 1 and not asked):  # every world has a transfer
            lines.append("I'd like to speak to a real person please")
        phone = p.phone if p else _mobile(rng)
        world.live.append(LiveCall(f"live-{i:04d}", phone, lines, cid))
