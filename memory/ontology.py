"""The real-estate ontology: entity types, fact types, and what each episode means.

``translate`` turns one episode into the entities it touches and the fact rows
it asserts or retracts. It is pure (no graph): reads it needs, such as "which
phones does this caller have now", are declared as ``Expansion`` and resolved
by the writer.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from memory import episodes as ep
from memory.phones import to_e164

EntityType = Literal["Caller", "PhoneNumber", "Property", "Suburb", "Booking", "Agent"]
ENTITY_TYPES: tuple[EntityType, ...] = (
    "Caller",
    "PhoneNumber",
    "Property",
    "Suburb",
    "Booking",
    "Agent",
)

_NS = uuidlib.UUID("6f1c0d1e-5b0b-4a43-9a51-2a1f0c9e7d10")


@lru_cache(maxsize=65_536)
def stable_uuid(*parts: str) -> str:
    """Deterministic ids: the same (tenant, thing) always gets the same uuid."""
    return str(uuidlib.uuid5(_NS, "\x1f".join(parts)))


@dataclass(frozen=True)
class Ref:
    """An entity by domain key (caller id, listing id, E.164 number, suburb name)."""

    type: EntityType
    key: str

    def uuid(self, group_id: str) -> str:
        return stable_uuid(group_id, self.type, self.key)


@dataclass(frozen=True)
class FactType:
    name: str
    timeline: Literal["subject", "object", "pair", "episode"]
    """What one timeline is: one subject's value (functional), one object's owner
    (a phone number has one caller at a time), one subject–object pair (a set
    member), or one episode (an event that is never closed)."""
    identifying: bool = True
    """Its value names something (a person, suburb, listing) worth finding by full
    text. Status words and times are not: they would match half the graph."""


FACT_TYPES = {
    f.name: f
    for f in (
        FactType("HAS_NAME", "subject"),
        FactType("HAS_EMAIL", "subject"),
        FactType("HAS_PHONE", "object"),
        FactType("USES_PHONE", "pair"),
        FactType("POSSIBLY_SAME_AS", "pair", identifying=False),
        FactType("SAME_AS", "pair", identifying=False),
        FactType("HAS_BUDGET", "subject"),
        FactType("WANTS_BEDROOMS", "subject"),
        FactType("PREFERS_SUBURB", "pair"),
        FactType("INTERESTED_IN", "pair"),
        FactType("BOOKED", "object"),
        FactType("FOR_PROPERTY", "subject"),
        FactType("SCHEDULED_FOR", "subject", identifying=False),
        FactType("BOOKING_STATUS", "subject", identifying=False),
        FactType("IN_SUBURB", "subject"),
        FactType("LISTED_AT_PRICE", "subject"),
        FactType("LISTING_STATUS", "subject", identifying=False),
        FactType("OPTED_OUT", "subject", identifying=False),
        FactType("WANTS_APPRAISAL", "subject"),
        FactType("HANDED_OFF", "episode", identifying=False),
        FactType("ESCALATED", "episode", identifying=False),
    )
}

Value = str | int | float | bool | None


@dataclass(frozen=True)
class Entity:
    ref: Ref
    name: str
    attributes: dict[str, Value] = field(default_factory=dict)
    rename: bool = False
    """Overwrite the stored name (a caller's new name); otherwise keep the first."""


@dataclass(frozen=True)
class FactEvent:
    """One asserted or retracted fact, before it becomes a row."""

    fact: str
    subject: Ref
    object: Ref
    text: str
    """The readable sentence stored as the edge's ``fact``."""
    embed_text: str
    """What is embedded: the predicate without the subject, and without identifiers
    (names, numbers, addresses) that carry no meaning to a vector; those are
    found by full text and through the graph. Equal predicates share one
    embedding, so writes rarely wait for the model."""
    value: Value = None
    retract: bool = False

    @property
    def terms(self) -> str:
        """Full-text terms: identifiers only; predicates are found by their vectors."""
        if isinstance(self.value, str) and FACT_TYPES[self.fact].identifying:
            return self.value
        return ""

    def timeline(self, group_id: str, episode_uuid: str) -> str:
        kind = FACT_TYPES[self.fact].timeline
        s, o = self.subject.uuid(group_id), self.object.uuid(group_id)
        part = {"subject": s, "object": o, "pair": f"{s}|{o}", "episode": episode_uuid}[kind]
        return f"{self.fact}|{part}"


@dataclass(frozen=True)
class Expansion:
    """Retract every current ``fact`` row from ``subject`` (e.g. the old phones of a
    caller whose number changed), except the one to ``keep``."""

    fact: str
    subject: Ref
    keep: Ref


@dataclass
class Translation:
    entities: list[Entity] = field(default_factory=list)
    facts: list[FactEvent] = field(default_factory=list)
    mentions: list[Ref] = field(default_factory=list)
    requires: list[Ref] = field(default_factory=list)
    """Entities that must already exist (or be created earlier in the same batch)."""
    expansions: list[Expansion] = field(default_factory=list)


def caller(caller_id: str) -> Ref:
    return Ref("Caller", caller_id)


def suburb(name: str) -> Ref:
    return Ref("Suburb", " ".join(name.split()).title())


def money(amount: Decimal, currency: str = "AUD") -> str:
    return f"${amount:,.0f} {currency}" if amount == amount.to_integral() else f"${amount:,} {currency}"


def translate(episode: ep.Episode, region: str) -> Translation:
    """What an episode means in the graph."""
    handler = _HANDLERS[type(episode)]
    return handler(episode, region)


def _about(ref: Ref, fact: str, text: str, embed: str, value: Value) -> Translation:
    """One literal fact about one existing entity (a budget, a price, a status)."""
    return Translation(facts=[FactEvent(fact, ref, ref, text, embed, value)], mentions=[ref], requires=[ref])


def _contact(e: ep.CallerIdentified | ep.ContactChanged, region: str) -> Translation:
    me = caller(e.caller_id)
    t = Translation(mentions=[me])
    attributes: dict[str, Value] = {"caller_id": e.caller_id}
    t.entities.append(Entity(me, e.name or e.caller_id, attributes, rename=e.name is not None))
    if isinstance(e, ep.ContactChanged):
        t.requires.append(me)
    who = e.name or "The caller"
    if e.name:
        t.facts.append(
            FactEvent("HAS_NAME", me, me, f"The caller's name is {e.name}", "the caller's name", e.name)
        )
    if e.email:
        email = e.email.lower()
        t.facts.append(
            FactEvent("HAS_EMAIL", me, me, f"{who} has email {email}", "the caller's email address", email)
        )
    if e.phone:
        number = to_e164(e.phone, region)
        phone = Ref("PhoneNumber", number)
        t.entities.append(Entity(phone, number))
        t.mentions.append(phone)
        shared = isinstance(e, ep.CallerIdentified) and e.phone_shared
        t.facts.append(
            FactEvent(
                "USES_PHONE" if shared else "HAS_PHONE",
                me,
                phone,
                f"{who} also calls from {number}" if shared else f"{who} has phone number {number}",
                "a phone number the caller also uses" if shared else "the caller's phone number",
                number,
            )
        )
        if isinstance(e, ep.ContactChanged):
            t.expansions.append(Expansion("HAS_PHONE", me, keep=phone))
    return t


def _possible_duplicate(e: ep.PossibleDuplicate, region: str) -> Translation:
    """New caller → existing caller: kept apart, linked for analysts (never merged)."""
    me, other = caller(e.caller_id), caller(e.other_id)
    return Translation(
        facts=[
            FactEvent(
                "POSSIBLY_SAME_AS",
                me,
                other,
                f"The caller may be the same person as caller {e.other_id}"
                f" (matched on {e.matched_on}, confidence {e.confidence:.2f})",
                "possibly the same person as another caller",
                e.matched_on,
            )
        ],
        mentions=[me, other],
        requires=[me, other],
    )


def _identity_verified(e: ep.IdentityVerified, region: str) -> Translation:
    """The caller a call started as → the existing caller a step-up check showed them to be."""
    me, other = caller(e.caller_id), caller(e.verified_as)
    return Translation(
        facts=[
            FactEvent(
                "SAME_AS",
                me,
                other,
                f"The caller is the same person as caller {e.verified_as} (verified by {e.method})",
                "verified as the same person as another caller",
                e.method,
            )
        ],
        mentions=[me, other],
        requires=[me, other],
    )


def _budget(e: ep.BudgetStated, region: str) -> Translation:
    amount = money(e.amount, e.currency)
    return _about(
        caller(e.caller_id),
        "HAS_BUDGET",
        f"The caller's budget is {amount}",
        f"budget of {amount}",
        float(e.amount),
    )


def _bedrooms(e: ep.BedroomsWanted, region: str) -> Translation:
    return _about(
        caller(e.caller_id),
        "WANTS_BEDROOMS",
        f"The caller wants {e.bedrooms} bedrooms",
        f"wants {e.bedrooms} bedrooms",
        e.bedrooms,
    )


def _suburb(e: ep.SuburbPreferred | ep.SuburbRetracted, region: str) -> Translation:
    me, place = caller(e.caller_id), suburb(e.suburb)
    retract = isinstance(e, ep.SuburbRetracted)
    text = (
        f"The caller is no longer looking in {place.key}"
        if retract
        else f"The caller is looking in {place.key}"
    )
    return Translation(
        entities=[Entity(place, place.key)],
        facts=[
            FactEvent(
                "PREFERS_SUBURB",
                me,
                place,
                text,
                f"looking for a home in {place.key}",
                place.key,
                retract,
            )
        ],
        mentions=[me, place],
        requires=[me],
    )


def _interest(e: ep.PropertyInterest | ep.PropertyInterestWithdrawn, region: str) -> Translation:
    me, home = caller(e.caller_id), Ref("Property", e.property_id)
    retract = isinstance(e, ep.PropertyInterestWithdrawn)
    text = (
        f"The caller is no longer interested in property {e.property_id}"
        if retract
        else f"The caller is interested in property {e.property_id}"
    )
    return Translation(
        facts=[
            FactEvent(
                "INTERESTED_IN",
                me,
                home,
                text,
                f"interested in property {e.property_id}",
                e.property_id,
                retract,
            )
        ],
        mentions=[me, home],
        requires=[me, home],
    )


def _booking_made(e: ep.BookingMade, region: str) -> Translation:
    me, home, booking = (
        caller(e.caller_id),
        Ref("Property", e.property_id),
        Ref("Booking", e.booking_id),
    )
    when = ep.utc(e.starts_at).isoformat()
    attributes: dict[str, Value] = {"booking_id": e.booking_id, "reference": e.reference}
    return Translation(
        entities=[Entity(booking, e.reference or e.booking_id, attributes)],
        facts=[
            FactEvent(
                "BOOKED",
                me,
                booking,
                f"The caller booked a viewing ({e.reference or _label(e.booking_id)})",
                "booked a property viewing",
                e.booking_id,
            ),
            FactEvent(
                "FOR_PROPERTY",
                booking,
                home,
                f"Viewing {_label(e.booking_id)} is of property {e.property_id}",
                f"viewing of property {e.property_id}",
                e.property_id,
            ),
            FactEvent(
                "SCHEDULED_FOR",
                booking,
                booking,
                f"Viewing {_label(e.booking_id)} is at {_said(e.starts_at)}",
                f"viewing scheduled for {when[:16]}",
                when,
            ),
            FactEvent(
                "BOOKING_STATUS",
                booking,
                booking,
                f"Viewing {_label(e.booking_id)} is scheduled",
                "viewing is scheduled",
                "scheduled",
            ),
        ],
        mentions=[me, booking, home],
        requires=[me, home],
    )


def _label(booking_id: str) -> str:
    """A booking as people read it: its reference, without the tenant part of the id."""
    return booking_id.rsplit(":", 1)[-1]


def _said(moment: datetime) -> str:
    return f"{ep.utc(moment):%a %d %b %Y %H:%M} UTC"


def _rescheduled(e: ep.BookingRescheduled, region: str) -> Translation:
    when = ep.utc(e.starts_at).isoformat()
    return _about(
        Ref("Booking", e.booking_id),
        "SCHEDULED_FOR",
        f"Viewing {_label(e.booking_id)} is at {_said(e.starts_at)}",
        f"viewing scheduled for {when[:16]}",
        when,
    )


def _booking_status(status: str, sentence: str):
    def handle(e: ep.BookingCancelled | ep.BookingAttended, region: str) -> Translation:
        return _about(
            Ref("Booking", e.booking_id),
            "BOOKING_STATUS",
            f"Viewing {_label(e.booking_id)} {sentence}",
            f"viewing {sentence}",
            status,
        )

    return handle


def _listing(e: ep.ListingAdded, region: str) -> Translation:
    home, place = Ref("Property", e.property_id), suburb(e.suburb)
    price = money(e.price)
    attributes: dict[str, Value] = {
        "listing_id": e.property_id,
        "address": e.address,
        "bedrooms": e.bedrooms,
        "bathrooms": e.bathrooms,
        "kind": e.kind,
    }
    return Translation(
        entities=[Entity(home, e.address, attributes, rename=True), Entity(place, place.key)],
        facts=[
            FactEvent(
                "IN_SUBURB",
                home,
                place,
                f"{e.address} is in {place.key}",
                f"property in {place.key}",
                place.key,
            ),
            FactEvent(
                "LISTED_AT_PRICE",
                home,
                home,
                f"{e.address} is listed at {price}",
                f"listed at {price}",
                float(e.price),
            ),
            FactEvent(
                "LISTING_STATUS",
                home,
                home,
                f"{e.address} is for sale",
                "property is for sale",
                "listed",
            ),
        ],
        mentions=[home, place],
    )


def _price(e: ep.PriceChanged, region: str) -> Translation:
    price = money(e.price)
    return _about(
        Ref("Property", e.property_id),
        "LISTED_AT_PRICE",
        f"Property {e.property_id} is listed at {price}",
        f"listed at {price}",
        float(e.price),
    )


def _sold(e: ep.ListingSold, region: str) -> Translation:
    price = f" for {money(e.price)}" if e.price else ""
    return _about(
        Ref("Property", e.property_id),
        "LISTING_STATUS",
        f"Property {e.property_id} sold{price}",
        f"property sold{price}",
        "sold",
    )


def _opted_out(e: ep.OptedOut, region: str) -> Translation:
    channel = "any channel" if e.channel == "all" else e.channel
    return _about(
        caller(e.caller_id),
        "OPTED_OUT",
        f"The caller opted out of contact by {channel}",
        f"opted out of contact by {channel}",
        e.channel,
    )


def _appraisal(e: ep.AppraisalRequested, region: str) -> Translation:
    when = f" ({e.timeframe})" if e.timeframe else ""
    return _about(
        caller(e.caller_id),
        "WANTS_APPRAISAL",
        f"The caller wants an appraisal of {e.address}{when}",
        f"wants an appraisal of {e.address}",
        e.address,
    )


def _handoff(e: ep.Handoff, region: str) -> Translation:
    src, dst = Ref("Agent", e.from_agent), Ref("Agent", e.to_agent)
    t = Translation(
        entities=[Entity(src, e.from_agent), Entity(dst, e.to_agent)],
        facts=[
            FactEvent(
                "HANDED_OFF",
                src,
                dst,
                f"{e.from_agent} handed off to {e.to_agent} ({e.intent}): {e.reason}".rstrip(": "),
                f"handoff to {e.to_agent} for {e.intent}",
                e.intent,
            )
        ],
        mentions=[src, dst],
    )
    if e.caller_id:
        t.mentions.append(caller(e.caller_id))
        t.requires.append(caller(e.caller_id))
    return t


def _escalated(e: ep.Escalated, region: str) -> Translation:
    """Caller → the agent that handed them over; one row per escalation, never closed."""
    me, agent = caller(e.caller_id), Ref("Agent", e.agent)
    return Translation(
        entities=[Entity(agent, e.agent)],
        facts=[
            FactEvent(
                "ESCALATED",
                me,
                agent,
                f"The caller was transferred to a person by {e.agent} ({e.trigger}): {e.reason}".rstrip(": "),
                f"transferred to a person ({e.trigger})",
                e.trigger,
            )
        ],
        mentions=[me, agent],
        requires=[me],
    )


def _call_completed(e: ep.CallCompleted, region: str) -> Translation:
    me = caller(e.caller_id)
    return Translation(mentions=[me], requires=[me])


_HANDLERS = {
    ep.CallerIdentified: _contact,
    ep.ContactChanged: _contact,
    ep.PossibleDuplicate: _possible_duplicate,
    ep.IdentityVerified: _identity_verified,
    ep.BudgetStated: _budget,
    ep.BedroomsWanted: _bedrooms,
    ep.SuburbPreferred: _suburb,
    ep.SuburbRetracted: _suburb,
    ep.PropertyInterest: _interest,
    ep.PropertyInterestWithdrawn: _interest,
    ep.BookingMade: _booking_made,
    ep.BookingRescheduled: _rescheduled,
    ep.BookingCancelled: _booking_status("cancelled", "was cancelled"),
    ep.BookingAttended: _booking_status("attended", "was attended"),
    ep.ListingAdded: _listing,
    ep.PriceChanged: _price,
    ep.ListingSold: _sold,
    ep.OptedOut: _opted_out,
    ep.AppraisalRequested: _appraisal,
    ep.Handoff: _handoff,
    ep.Escalated: _escalated,
    ep.CallCompleted: _call_completed,
}
