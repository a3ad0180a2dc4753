"""Synthetic worlds for the temporal eval: callers whose budgets, suburbs and contact details
change over months, with the ground-truth timeline and the order in which memory hears it.

Seeded and deterministic. Each change is one event: a structured episode (what the agents
record) and the words a caller would say on a call (what the offline extractor reads). Some
events arrive late (post-call ingestion lags), and some callers' numbers are later given to
someone else. ``truth`` answers "the value of fact F for caller C at valid time T, as known
after the first j arrivals" from the events alone, by the rules of docs/memory.md.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from backend.verticals.real_estate.demo import SUBURBS

FactName = Literal["budget", "email", "phones", "suburbs"]
FACTS: tuple[FactName, ...] = ("budget", "email", "phones", "suburbs")
QuestionType = Literal[
    "current", "past", "knowledge_update", "retraction", "late_arrival", "reassigned_phone"
]
TYPES: tuple[QuestionType, ...] = (
    "current",
    "past",
    "knowledge_update",
    "retraction",
    "late_arrival",
    "reassigned_phone",
)
FIRST = ["Ann", "Ben", "Cara", "Dev", "Ella", "Finn", "Gia", "Hugo", "Iris", "Jai", "Kira", "Liam"]
LAST = ["Lee", "Moss", "Nair", "Ortiz", "Park", "Quinn", "Reid", "Shah", "Tran", "Usman", "Vance"]
AREAS = list(SUBURBS)


@dataclass(frozen=True)
class Event:
    """One change in a caller's world."""

    kind: Literal["identified", "budget", "suburb", "unsuburb", "email", "phone"]
    caller_id: str
    valid_at: datetime
    value: Any
    """Amount, suburb, email or number (E.164), as the event states it."""
    name: str | None = None
    late: bool = False
    """Arrives after events that happened later than it."""
    phrasing: int = 0
    """Which of the ways of saying it a caller uses on a call (``said``)."""

    def episode(self, group: str, index: int) -> dict[str, Any]:
        """The structured episode an agent would record for it."""
        base = {
            "id": f"w{index:05d}",
            "group_id": group,
            "valid_at": self.valid_at,
            "caller_id": self.caller_id,
        }
        if self.kind == "identified":
            return base | {"type": "caller_identified", "name": self.name, "phone": self.value}
        if self.kind == "budget":
            return base | {"type": "budget_stated", "amount": self.value}
        if self.kind == "suburb":
            return base | {"type": "suburb_preferred", "suburb": self.value}
        if self.kind == "unsuburb":
            return base | {"type": "suburb_retracted", "suburb": self.value}
        if self.kind == "email":
            return base | {"type": "contact_changed", "email": self.value}
        return base | {"type": "contact_changed", "phone": self.value}

    def said(self) -> tuple[str, str]:
        """(the agent's line, the caller's answer) that state it on a call, in one of three
        phrasings: plain, casual, and spoken (words where a form would have digits)."""
        v, n = self.value, self.phrasing % 3
        if self.kind == "budget":
            said = (
                f"Our budget is now {_money(v)}.",
                f"We can go up to {_short_money(v)} now.",
                f"Honestly we'd stretch to {_short_money(v)} for the right place.",
            )
            return ("What's your budget looking like?", said[n])
        if self.kind == "suburb":
            said = (
                f"We're keen on {v} now.",
                f"Could you add {v} to the list?",
                f"{v} is looking good to us.",
            )
            return ("Where are you looking?", said[n])
        if self.kind == "unsuburb":
            said = (
                f"We're no longer looking in {v}.",
                f"Forget {v}, it's too pricey.",
                f"Take {v} off the list please.",
            )
            return ("Still interested in all those areas?", said[n])
        if self.kind == "email":
            spoken = v.replace(".", " dot ").replace("@", " at ")
            said = (f"No, my new email is {v}.", f"Use {v} from now on.", f"It's changed, it's {spoken} now.")
            return ("Is your email still the same?", said[n])
        if self.kind == "phone":
            local = _local_phone(v)
            said = (
                f"My new number is {local}.",
                f"I've got a new mobile, {local}.",
                f"Call me on {_spoken_digits(local)} from now on.",
            )
            return ("Best number for you?", said[n])
        return ("Who am I speaking with?", f"Hi, my name is {self.name}.")


@dataclass
class World:
    seed: int
    callers: list[str]
    arrivals: list[Event] = field(default_factory=list)
    """Every event, in the order memory hears of it."""
    end: datetime = datetime(2027, 1, 1, tzinfo=UTC)


def _money(amount: int) -> str:
    return f"${amount:,}"


def _short_money(amount: int) -> str:
    if amount >= 1_000_000:
        return f"{amount / 1_000_000:g} million"
    return f"{amount // 1000}k"


_DIGITS = ["oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def _local_phone(e164: str) -> str:
    local = "0" + e164.removeprefix("+61")
    return f"{local[:4]} {local[4:7]} {local[7:]}"


def _spoken_digits(local: str) -> str:
    return ", ".join(" ".join(_DIGITS[int(d)] for d in group) for group in local.split())


def _mobile(rng: random.Random, used: set[str]) -> str:
    while True:
        number = f"+614{rng.choice(('00', '01', '12', '13', '22', '33'))}{rng.randrange(100_000, 999_999)}"
        if number not in used:
            used.add(number)
            return number


def generate(seed: int, callers: int) -> World:
    """``callers`` callers over 2025-26; about one in six later loses their number to a newcomer."""
    rng = random.Random(seed)
    used: set[str] = set()
    start = datetime(2025, 1, 6, 10, tzinfo=UTC)
    events: list[Event] = []
    ids: list[str] = []
    for i in range(callers):
        cid = f"w{seed}-c{i:03d}"
        ids.append(cid)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        when = start + timedelta(days=rng.randrange(0, 60))
        phone = _mobile(rng, used)
        events.append(Event("identified", cid, when, phone, name=name))
        day = when
        areas = rng.sample(AREAS, 3)
        plan: list[tuple[str, Any]] = [("email", f"{name.split()[0].lower()}.{i}@example.com")]
        plan += [("budget", rng.randrange(8, 30) * 50_000) for _ in range(rng.randrange(2, 5))]
        plan += [("suburb", a) for a in areas[:2]]
        rng.shuffle(plan)
        plan += [("unsuburb", areas[0]), ("suburb", areas[2])]
        if rng.random() < 0.4:
            plan.append(("email", f"{name.split()[0].lower()}.{i}.new@example.com"))
        moved = rng.random() < 0.3
        if moved:
            plan.append(("phone", _mobile(rng, used)))
        for kind, value in plan:
            day += timedelta(days=rng.randrange(6, 30), hours=rng.randrange(-2, 3))
            events.append(Event(kind, cid, day, value, phrasing=rng.randrange(3)))  # type: ignore[arg-type]
        if not moved and rng.random() < 0.25:
            # The carrier gives the number to someone else, who calls the agency.
            newcomer = f"w{seed}-n{i:03d}"
            ids.append(newcomer)
            at = day + timedelta(days=rng.randrange(10, 40))
            events.append(
                Event("identified", newcomer, at, phone, name=f"{rng.choice(FIRST)} {rng.choice(LAST)}")
            )
    events.sort(key=lambda e: (e.valid_at, e.caller_id))
    # About one in eight events (never a caller's first) is heard of late: after up to a few
    # months of later events.
    first = {e.caller_id: e for e in reversed(events)}
    arrivals: list[tuple[datetime, Event]] = []
    for e in events:
        if e is not first.get(e.caller_id) and e.kind != "identified" and rng.random() < 0.125:
            arrivals.append((e.valid_at + timedelta(days=rng.randrange(20, 90)), _late(e)))
        else:
            arrivals.append((e.valid_at, e))
    arrivals.sort(key=lambda a: (a[0], a[1].caller_id))
    return World(seed, ids, [e for _, e in arrivals])


def _late(e: Event) -> Event:
    return Event(e.kind, e.caller_id, e.valid_at, e.value, e.name, late=True, phrasing=e.phrasing)


def truth(known: list[Event], caller: str, fact: FactName, at: datetime) -> Any:
    """The value memory should give from the events it has heard (``known``): a number, an
    email, or a sorted tuple of numbers or suburbs; None for nothing."""
    happened = sorted((e for e in known if e.valid_at <= at), key=lambda e: e.valid_at)
    if fact == "phones":
        holders: dict[str, str] = {}
        for e in happened:
            if e.kind == "phone":
                for number in [n for n, c in holders.items() if c == e.caller_id]:
                    del holders[number]
            if e.kind in ("identified", "phone"):
                holders[e.value] = e.caller_id  # a number has one holder: it moves
        return tuple(sorted(n for n, c in holders.items() if c == caller))
    mine = [e for e in happened if e.caller_id == caller]
    if fact == "budget":
        amounts = [e.value for e in mine if e.kind == "budget"]
        return float(amounts[-1]) if amounts else None
    if fact == "email":
        emails = [e.value for e in mine if e.kind == "email"]
        return emails[-1] if emails else None
    areas: set[str] = set()
    for e in mine:
        if e.kind == "suburb":
            areas.add(e.value)
        elif e.kind == "unsuburb":
            areas.discard(e.value)
    return tuple(sorted(areas))
