"""Viewing Scheduler: the Postgres ledger holds the slot, memory holds the fact."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from typing import Any

from agents import RunContextWrapper, function_tool

from backend.agents.clock import existing, local, spoken, spoken_clock
from backend.agents.context import CallContext
from backend.agents.policy import parse, slots
from backend.agents.policy.slots import REFERENCE
from backend.agents.tools import identity
from backend.agents.tools.failures import (
    AlreadyBooked,
    AmbiguousReference,
    FreeTimes,
    InThePast,
    NoSuchBooking,
    NotUnderstood,
    OutsideBusinessHours,
    SlotTaken,
    UnknownProperty,
)
from backend.store import bookings
from backend.verticals.real_estate.episodes import BookingCancelled, BookingMade, BookingRescheduled
from backend.verticals.real_estate.tools import resolve


def _moment(call: CallContext, when: str) -> datetime:
    """The time meant, on the tenant's wall clock (aware; the ledger and memory store it as UTC).
    Spoken times and ISO times without an offset are local; a time gone or outside business
    hours is refused with the question to ask."""
    now = local(call.now, call.tz)
    try:
        moment: datetime | None = datetime.fromisoformat(when)
    except ValueError:
        try:
            moment = parse.when(when, now)
        except parse.ImpossibleDate as exc:
            said = f"{exc.day} {calendar.month_name[exc.month]}"
            raise NotUnderstood(f"There's no {said} in the calendar. Which day did you mean?") from None
    if moment is None:
        raise NotUnderstood("What day and time would suit you?")
    moment = existing(moment.replace(tzinfo=call.tz)) if moment.tzinfo is None else local(moment, call.tz)
    if moment <= now:
        said = spoken(moment)
        raise InThePast(
            f"{said} has already passed. What later day and time would suit?",
            said=said,
            at=moment.isoformat(),
        )
    call.state.day_discussed = moment.date().isoformat()  # a time said next without a day is on it
    if not call.hours.contains(moment):
        raise _outside_hours(call, moment)
    return moment


def _outside_hours(call: CallContext, moment: datetime) -> OutsideBusinessHours:
    """The refusal, offering the nearest open time (that day when there is one)."""
    hours, other = call.hours, call.hours.nearest(moment)
    offer = f"{spoken_clock(other.time())} that day" if other.date() == moment.date() else spoken(other)
    return OutsideBusinessHours(
        f"We show homes between {spoken_clock(hours.opens)} and {spoken_clock(hours.closes)}."
        f" Would {offer} suit?",
        opens=f"{hours.opens:%H:%M}",
        closes=f"{hours.closes:%H:%M}",
        offer=other.isoformat(),
    )


def _offered(call: CallContext, when: str, tool: str, args: dict[str, Any]) -> datetime:
    """``_moment``; when it is outside business hours, the open time offered waits for a "yes";
    when it has passed or cannot be read, the next time said is for the same home (or booking)."""
    try:
        return _moment(call, when)
    except OutsideBusinessHours as refused:
        call.state.pending = {"tool": tool, "args": {**args, "when": refused.data["offer"]}}
        raise
    except (InThePast, NotUnderstood) as refused:  # gone, no such day ("the 30th of February"), or none
        call.state.pending = {"tool": tool, "args": args, "choices": []}  # none offered
        if at := refused.data.get("at"):  # "I mean tomorrow. Same time, eleven.": from the time gone
            call.state.pending["refused"] = at
        raise


_FIRST_FREE = re.compile(
    r"\b(?:whatever|whichever)(?: is|'s)? (?:your |the )?(?:earliest|first)\b"
    r"|\bthe (?:earliest|first) (?:you have|you've got|you got|available|free)\b"
    r"|\bearliest (?:available|possible)\b",
    re.IGNORECASE,
)
"""Any free time will do, the first one: it is booked, not offered."""


@function_tool
async def book_viewing(
    ctx: RunContextWrapper[CallContext], when: str, property: str | None = None
) -> dict[str, Any]:
    """Book a viewing of a property.

    Args:
        when: The day and time, e.g. "Saturday 10am" or an ISO time; a question about a
            day ("any time Sunday morning?") gets its free times offered.
        property: The listing id, address or position in the last results (defaults to the one discussed).
    """
    call = ctx.context
    try:
        pid = resolve.property_id(call, property or resolve.booked_home(call))
    except UnknownProperty as unknown:
        if suggested := unknown.data.get("suggested"):  # "Is that the one?" "Yes": booked at the time said
            call.state.pending = {"tool": "book_viewing", "args": {"property": suggested, "when": when}}
        raise
    call.state.last_property = pid  # "what about 2pm then?" after a refusal is about this home
    if window := parse.free_asked(when):
        await _held_that_day(call, pid, when)
        free = await _free_times(call, pid, when, window, "book_viewing", {"property": pid})
        if not (_FIRST_FREE.search(when) and free.data["offers"]):
            raise free
        when, call.state.pending = free.data["offers"][0], None  # "whatever your earliest is"
    if parse.same_time(when) and (kept := await _last_booked_at(call)):
        # "book me into 90 King St instead, same time Saturday": the last booking's time
        same = parse.same_time_on(when, kept, local(call.now, call.tz))
        when = (same or kept).isoformat()
    if parse.same_day(when):
        when = await _on_the_booked_day(call, when)
    moment = _offered(call, when, "book_viewing", {"property": pid})
    await _not_booked_yet(call, pid, moment)
    try:
        booking = await bookings.book(
            call.db,
            group_id=call.group_id,
            property_id=pid,
            starts_at=moment,
            caller_id=call.caller_id or "anonymous",
            call_id=call.call_id,
            idempotency_key=f"{call.group_id}:{call.call_id}:view:{pid}:{moment.isoformat()}",
            made_at=call.now,
            today=local(call.now, call.tz).date(),  # the reference carries the agency's date
        )
    except bookings.SlotTaken:
        raise await _slot_taken(call, pid, moment, "book_viewing", {"property": pid}) from None
    await call.memory.record(
        call.episode(
            BookingMade,
            f"{booking.booking_id}:made",
            booking_id=booking.booking_id,
            property_id=pid,
            starts_at=booking.starts_at,
            reference=booking.reference,
            valid_at=booking.made_at,  # a retry replays the ledger's booking: the same episode
        )
    )
    call.state.last_property, call.state.last_booking = pid, booking.booking_id
    return {
        "booked": True,
        "reference": booking.reference,
        "address": call.addresses.get(pid, pid),
        "starts_at": local(booking.starts_at, call.tz).isoformat(),
    }


def _when(iso: str) -> str:
    """A tool result's time as said: results carry local times with their offset."""
    return spoken(datetime.fromisoformat(iso))


async def _last_booked_at(call: CallContext) -> datetime | None:
    """The local time of the booking this call last made, moved or cancelled."""
    if not call.state.last_booking:
        return None
    mine = await bookings.of_caller(call.db, call.group_id, call.caller_id or "")
    last = next((b for b in mine if b.booking_id == call.state.last_booking), None)
    return local(last.starts_at, call.tz) if last else None


async def _on_the_booked_day(call: CallContext, when: str) -> str:
    """ "One more house, on the same day as my booking, twelve noon": that time on the day of
    their next viewing. Whose booking it is must be known first (a possible match is checked)."""
    identity.require_verified(call)
    mine = await bookings.of_caller(call.db, call.group_id, call.caller_id or "")
    ahead = sorted(b.starts_at for b in mine if b.status == "scheduled" and b.starts_at > call.now)
    if not ahead:
        raise NoSuchBooking("You don't have a viewing booked with us yet. What day would suit you?")
    day = local(ahead[0], call.tz)
    clock = parse.said(when, day, asked=True).clock
    if clock is None:
        raise NotUnderstood(f"What time on {spoken(day).rsplit(' at ', 1)[0]} would suit you?")
    return day.replace(hour=clock[0], minute=clock[1]).isoformat()


async def _held_that_day(call: CallContext, pid: str, when: str) -> None:
    """ "So what time Thursday?" from a caller booked to see it on Thursday: their time."""
    try:
        day = parse.said(when, local(call.now, call.tz)).day
    except parse.ImpossibleDate:
        return
    if day is None:
        return
    mine = await bookings.of_caller(call.db, call.group_id, call.caller_id or "")
    on_day = (b for b in mine if b.status == "scheduled" and local(b.starts_at, call.tz).date() == day.date())
    if b := next((b for b in on_day if b.property_id == pid), None):
        raise AlreadyBooked(
            f"Your viewing of {call.addresses.get(pid, 'that home')} is on {spoken(b.starts_at, call.tz)}"
            f" ({b.reference}). Would you like a different time?",
            reference=b.reference,
        )


async def _not_booked_yet(call: CallContext, pid: str, moment: datetime) -> None:
    """A second viewing of the same home is almost always a wish to move the first."""
    mine = await bookings.of_caller(call.db, call.group_id, call.caller_id or "")
    held = next((b for b in mine if b.property_id == pid and b.status == "scheduled"), None)
    if held and held.starts_at == moment and _moved(held) in call.state.tried:
        # "yes Monday 11 pls" just after it was moved there (once the identity check passed)
        said = _done(f" of {call.addresses.get(pid, 'that home')}", held.reference, spoken(moment))
        raise AlreadyBooked(said, reference=held.reference)
    if held and held.starts_at == moment and held.booking_id != call.state.last_booking:
        # "yes Monday 11 pls" on a later call, after it was moved there (on this call, the
        # ledger replays the booking and it is confirmed again)
        raise AlreadyBooked(
            f"Your viewing of {call.addresses.get(pid, 'that home')} is booked for {spoken(moment)}"
            f" ({held.reference}).",
            reference=held.reference,
        )
    if held and held.starts_at != moment:
        call.state.last_booking = held.booking_id
        move = {"when": moment.isoformat(), "reference": held.reference}
        call.state.pending = {"tool": "reschedule_viewing", "args": move}  # a "yes" moves it
        raise AlreadyBooked(
            f"You already have a viewing of {call.addresses.get(pid, 'that home')} on"
            f" {spoken(held.starts_at, call.tz)} ({held.reference}). Would you like me to move it to"
            f" {spoken(moment)} instead?",
            reference=held.reference,
            offer=moment.isoformat(),
        )


async def _free(call: CallContext, pid: str, start: datetime, end: datetime, n: int) -> list[datetime]:
    """Up to ``n`` free viewing times of a home in [start, end), an hour apart from ``start``, in
    open hours, still to come."""
    held = await bookings.taken(call.db, call.group_id, pid, start, end)
    free: list[datetime] = []
    candidate = start
    while len(free) < n and candidate < end:
        if candidate > call.now and call.hours.contains(candidate) and candidate not in held:
            free.append(candidate)
        candidate = existing(candidate + timedelta(hours=1))
    return free


async def _slot_taken(
    call: CallContext, pid: str, moment: datetime, tool: str, args: dict[str, Any]
) -> SlotTaken:
    """The refusal, offering the next free viewing times of that home (on the hour, open hours);
    the offers wait for the caller's pick ("the first one", "2 works")."""
    offers = await _free(call, pid, moment + timedelta(hours=1), moment + timedelta(days=3), 2)
    address = call.addresses.get(pid, "that home")
    choices = [o.isoformat() for o in offers]
    # The refused time is kept for "Sunday, same time".
    call.state.pending = {"tool": tool, "args": args, "choices": choices, "refused": moment.isoformat()}
    options = " or ".join(spoken(o) for o in offers)
    ask = f" I could do {options}. Would one of those suit?" if offers else " Could another day work?"
    return SlotTaken(f"{spoken(moment)} is already taken for {address}.{ask}", offers=choices)


async def _free_times(
    call: CallContext, pid: str, when: str, window: tuple[int, int], tool: str, args: dict[str, Any]
) -> FreeTimes:
    """The answer to "any time Sunday morning?": the free times in that part of the day named
    (or discussed), else of the next day that has some; they wait for the caller's pick."""
    now = local(call.now, call.tz)
    try:
        heard = parse.said(when, now)
    except parse.ImpossibleDate:
        heard = None
    day = heard.day if heard else None
    if call.state.day_discussed:  # "Sunday" just after Sunday the 6th was talked about is that one
        on = date.fromisoformat(call.state.day_discussed)
        discussed = datetime.combine(on, datetime.min.time(), call.tz)
        day = discussed if day is None or day.weekday() == discussed.weekday() else day
    if heard and heard.weekday and day and existing(day + timedelta(hours=window[1])) <= now:
        day += timedelta(days=7)  # "first thing Tuesday" said on a Tuesday afternoon: next week's
    first = (day or now).replace(hour=0, minute=0, second=0, microsecond=0)
    offers: list[datetime] = []
    for n in range(1 if day else 7):
        on = first + timedelta(days=n)
        start, end = existing(on.replace(hour=window[0])), existing(on + timedelta(hours=window[1]))
        if offers := await _free(call, pid, start, end, 3):
            break
    address = call.addresses.get(pid, "that home")
    choices = [o.isoformat() for o in offers]
    call.state.pending = {"tool": tool, "args": args, "choices": choices}
    if not offers:
        return FreeTimes(f"I've nothing free for {address} then. Could another day work?", offers=[])
    times = [spoken_clock(o.time()) for o in offers]
    said = f"{', '.join(times[:-1])} or {times[-1]}" if len(times) > 1 else times[0]
    ask = f"For {address} on {offers[0]:%A %-d %B} I could do {said}. Which would suit?"
    return FreeTimes(ask, offers=choices)


def reply_book(result: dict[str, Any]) -> str:
    return (
        f"You're booked to view {result['address']} on {_when(result['starts_at'])}. "
        f"Your reference is {result['reference']}."
    )


_NAMED = re.compile(
    r"\bthe ((?:mon|tues|wednes|thurs|fri|satur|sun)day|[a-z]+ (?:street|st|road|rd|avenue|ave|parade|pde"
    r"|crescent|cres|drive|dr|place|pl|lane|way|highway|hwy)) (?:one|viewing|booking|inspection)\b",
    re.IGNORECASE,
)


_CLOCK_WORDS = r"(?:o'?clock|[ap]\.?m\.?|\d[:.]\d\d)"
_TIMED = re.compile(
    rf"\bthe ((?:[\w']+ ){{0,2}}?[\w':.]*{_CLOCK_WORDS})"
    r"(?: (?:one|viewing|booking|inspection)\b|(?= on\b|[,.?]|$))",
    re.IGNORECASE,
)
"""A booking named by its time: "the two o'clock one", "the 10am viewing", "the ten o'clock on
Saturday"."""
_A_CLOCK = re.compile(_CLOCK_WORDS, re.IGNORECASE)
_OF_SUBURB = re.compile(r"\bthe ([a-z]+(?: [a-z]+)?) (?:one|viewing|booking|inspection)\b", re.IGNORECASE)
"""A booking named by its suburb: "the Paddington one", "the Surry Hills viewing"."""
_TO_AN_HOUR = re.compile(
    r"\b(?:to|at|for)\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
    r"(?!\s*(?:bed|br\b|k\b|mil|hundred|thousand|days?|weeks?|months?|hours?|minutes?|mins?|people|of))",
    re.IGNORECASE,
)
"""A move to a bare hour: "move it to three", "can we do it at 11"."""


def _clock_only(call: CallContext, text: str) -> tuple[int, int] | None:
    """The clock of a time said without a day ("make it 4pm instead", "move the Saturday one
    to three": the day names the booking); None otherwise."""
    try:
        datetime.fromisoformat(text)
        return None
    except ValueError:
        pass
    text = _NAMED.sub(" ", text)
    try:
        said = parse.said(text, local(call.now, call.tz), asked=True)
    except parse.ImpossibleDate:
        return None
    if said.named:
        return None
    if said.clock:
        return said.clock
    m = _TO_AN_HOUR.search(text)
    hour = parse.count(m.group(1)) if m else None
    return (hour + 12 if hour <= parse.PM_UNTIL else hour, 0) if hour and hour <= 12 else None


_TO = re.compile(
    r"(?<!\bquarter )(?<!\bhalf )(?<!\bten )(?<!\btwenty )(?<!\bfive )\b(?:to|till|until)\b", re.IGNORECASE
)
"""A "to" of a move, not of a time ("quarter to four", "ten to five")."""
_SENTENCE_END = re.compile(r"[.?!](?:\s|$)")


def _moved_to(utterance: str, ctx: CallContext) -> str:
    """The words naming the new time when the booking's own time or day is said too ("from
    twelve thirty to one thirty", "the Saturday one, push that to four"): after the last "to",
    read as "at". Both in one sentence: "push it to half four? I don't finish till four" moves
    it to 4:30."""
    now = local(ctx.now, ctx.tz)
    for m in reversed(list(_TO.finditer(utterance))):
        start = max((e.end() for e in _SENTENCE_END.finditer(utterance, 0, m.start())), default=0)
        head, tail = utterance[start : m.start()], "at" + _SENTENCE_END.split(utterance[m.end() :], 1)[0]
        try:
            before = parse.said(head, now, asked=True)
            if (before.clock or before.named) and (_clock_only(ctx, tail) or parse.said(tail, now).clock):
                return tail
        except parse.ImpossibleDate:
            break
    return utterance


def read_new_time(utterance: str, ctx: CallContext) -> str | None:
    """The time to move a booking to; a time said without a day is passed as said, for the
    tool to put on the booking's own day."""
    utterance = _moved_to(utterance, ctx)
    if _clock_only(ctx, utterance):
        return utterance
    when = slots.read("when", None, utterance, ctx)
    return str(when) if when else None


def read_booking(utterance: str, ctx: CallContext) -> str | None:
    """The booking meant: its reference, or how the caller names it ("the Saturday one",
    "the Edward Street one")."""
    if reference := slots.read("reference", None, utterance, ctx):
        return str(reference)
    m = _NAMED.search(utterance) or _TIMED.search(utterance)
    if m:
        return m.group(1)
    suburbs = {name.lower() for name in ctx.suburbs.values()}
    return next((s.group(1) for s in _OF_SUBURB.finditer(utterance) if s.group(1).lower() in suburbs), None)


def _named(call: CallContext, mine: list[bookings.Booking], said: str) -> bookings.Booking | None:
    """The one booking whose day, street or time the caller named."""
    word = said.split()[0].lower()
    clock = _clock_only(call, said) if _A_CLOCK.search(said) else None
    found = [
        b
        for b in mine
        if f"{local(b.starts_at, call.tz):%A}".lower() == word
        or word in call.addresses.get(b.property_id, "").lower().split()
        or said.lower() == call.localities.get(b.property_id, "").lower()
        or (clock is not None and _clock(local(b.starts_at, call.tz)) == clock)
    ]
    return found[0] if len(found) == 1 else None


def _clock(at: datetime) -> tuple[int, int]:
    return at.hour, at.minute


async def _booking_of(call: CallContext, reference: str | None) -> bookings.Booking:
    theirs = await bookings.of_caller(call.db, call.group_id, call.caller_id or "")
    mine = [b for b in theirs if b.status == "scheduled"]
    for b in mine:
        if reference and reference.upper() in {b.reference, b.booking_id}:
            return b
    if reference and not REFERENCE.fullmatch(reference.strip()):
        if named := _named(call, mine, reference):
            return named
        if mine:
            raise AmbiguousReference(f"Which viewing do you mean? {_listed(call, mine)}")
    if reference or not mine:
        identity.require_verified(call)  # it may be a booking of whom a possible match may be
    if reference and mine:
        said = reference.upper()
        call.state.last_booking = mine[0].booking_id if len(mine) == 1 else call.state.last_booking
        ask = "Is that the one you mean?" if len(mine) == 1 else "Which one do you mean?"
        raise NoSuchBooking(f"I can't find a viewing with the reference {said}. {_listed(call, mine)} {ask}")
    chosen = next((b for b in mine if b.booking_id == call.state.last_booking), None)
    if chosen or len(mine) == 1:
        return chosen or mine[0]
    if not mine:
        last = call.state.last_booking
        if done := next((b for b in theirs if b.booking_id == last and b.status == "cancelled"), None):
            # "cancel the Sunday one" once it is: said done, not "no viewing booked"
            home = call.addresses.get(done.property_id, "the property")
            raise NoSuchBooking(
                f"That's done: your viewing of {home} on {spoken(done.starts_at, call.tz)} is cancelled"
                f" ({done.reference}). Is there anything else I can help with?"
            )
        raise NoSuchBooking("I can't find a viewing booked for you. Would you like to book one?")
    raise AmbiguousReference(f"Which viewing do you mean? {_listed(call, mine)}")


def _listed(call: CallContext, mine: list[bookings.Booking]) -> str:
    said = "; ".join(
        f"{b.reference}: {call.addresses.get(b.property_id, 'a home')} on {spoken(b.starts_at, call.tz)}"
        for b in mine
    )
    return f"You have {said}."


@function_tool
async def reschedule_viewing(
    ctx: RunContextWrapper[CallContext], when: str, reference: str | None = None
) -> dict[str, Any]:
    """Move a booked viewing to another time.

    Args:
        when: The new day and time, or a move from the booked one ("an hour later").
        reference: The booking reference, or the caller's name for it ("the Edward Street one");
            defaults to the caller's only or latest viewing.
    """
    call = ctx.context
    booking = await _booking_of(call, reference)
    if window := parse.free_asked(when):
        args = {"reference": booking.reference}
        raise await _free_times(call, booking.property_id, when, window, "reschedule_viewing", args)
    if (by := parse.shift(when)) is not None:  # "an hour later" is later than the booking
        when = local(booking.starts_at + by, call.tz).isoformat()
    elif same := parse.same_time_on(when, local(booking.starts_at, call.tz), local(call.now, call.tz)):
        when = same.isoformat()  # "Sunday, same time": the booked time that day
    elif clock := _clock_only(call, when):  # "make it 4pm instead": 4 pm on the booking's day
        booked = local(booking.starts_at, call.tz)
        when = existing(booked.replace(hour=clock[0], minute=clock[1])).isoformat()
    moment = _offered(call, when, "reschedule_viewing", {"reference": booking.reference})
    if moment == booking.starts_at:  # asked twice ("yes move it to 3pm"): it is there already
        at = local(moment, call.tz).isoformat()
        return {
            "moved": False,
            "moved_in_this_call": _moved(booking) in call.state.tried,
            "reference": booking.reference,
            "starts_at": at,
            "address": _address(call, booking),
        }
    try:
        moved = await bookings.reschedule(call.db, call.group_id, booking.booking_id, moment)
    except bookings.SlotTaken:
        args = {"reference": booking.reference}
        raise await _slot_taken(call, booking.property_id, moment, "reschedule_viewing", args) from None
    await call.memory.record(
        call.episode(
            BookingRescheduled,
            f"{booking.booking_id}:moved:{moment.isoformat()}",
            booking_id=booking.booking_id,
            starts_at=moment,
        )
    )
    call.state.last_booking = booking.booking_id
    call.state.tried.append(_moved(booking))
    starts_at = local(moved.starts_at, call.tz).isoformat()
    return {
        "moved": True,
        "reference": moved.reference,
        "starts_at": starts_at,
        "address": _address(call, booking),
    }


def _done(of: str, reference: str, when: str) -> str:
    """A move asked again once made ("yes move it to 1pm"): it is done, not a clash or "already"."""
    return f"That's done: your viewing{of} ({reference}) is now {when}."


def _moved(booking: bookings.Booking) -> str:
    return f"viewing {booking.reference} moved"


def _address(call: CallContext, booking: bookings.Booking) -> str | None:
    return call.addresses.get(booking.property_id)


def reply_reschedule(result: dict[str, Any]) -> str:
    """Which viewing, by its home, when a caller may have several."""
    of = f" of {result['address']}" if result.get("address") else ""
    if not result["moved"] and result.get("moved_in_this_call"):  # "yes move it to 1pm" once moved
        return _done(of, result["reference"], _when(result["starts_at"]))
    if not result["moved"]:
        return f"Your viewing{of} ({result['reference']}) is already on {_when(result['starts_at'])}."
    return f"Done: your viewing{of} ({result['reference']}) is now {_when(result['starts_at'])}."


@function_tool
async def cancel_viewing(ctx: RunContextWrapper[CallContext], reference: str | None = None) -> dict[str, Any]:
    """Cancel a booked viewing.

    Args:
        reference: The booking reference, or the caller's name for it ("the Saturday one");
            defaults to the caller's only or latest viewing.
    """
    call = ctx.context
    booking = await _booking_of(call, reference)
    await bookings.set_status(call.db, call.group_id, booking.booking_id, "cancelled")
    call.state.last_booking = booking.booking_id  # "cancel the Sunday one" again: said done
    await call.memory.record(
        call.episode(BookingCancelled, f"{booking.booking_id}:cancelled", booking_id=booking.booking_id)
    )
    return {
        "reference": booking.reference,
        "address": call.addresses.get(booking.property_id, booking.property_id),
        "starts_at": local(booking.starts_at, call.tz).isoformat(),
    }


def reply_cancel(result: dict[str, Any]) -> str:
    return (
        f"I've cancelled your viewing of {result['address']} on {_when(result['starts_at'])}"
        f" ({result['reference']})."
    )
