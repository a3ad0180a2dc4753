"""The real-estate ontology: properties, suburbs and viewings, what buyers want, and what
each real-estate episode means in the graph."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from backend.verticals.real_estate import episodes as ep
from memory.callers import caller
from memory.episodes import utc
from memory.ontology import (
    Appointments,
    Entity,
    EntityType,
    FactEvent,
    FactType,
    Ontology,
    Ref,
    Translation,
    Value,
    about,
)


def suburb(name: str) -> Ref:
    return Ref("Suburb", " ".join(name.split()).title())


def money(amount: Decimal, currency: str = "AUD") -> str:
    return f"${amount:,.0f} {currency}" if amount == amount.to_integral() else f"${amount:,} {currency}"


def _budget(e: ep.BudgetStated, region: str) -> Translation:
    amount = money(e.amount, e.currency)
    return about(
        caller(e.caller_id),
        "HAS_BUDGET",
        f"The caller's budget is {amount}",
        f"budget of {amount}",
        float(e.amount),
    )


def _bedrooms(e: ep.BedroomsWanted, region: str) -> Translation:
    return about(
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
    when = utc(e.starts_at).isoformat()
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
    return f"{utc(moment):%a %d %b %Y %H:%M} UTC"


def _rescheduled(e: ep.BookingRescheduled, region: str) -> Translation:
    when = utc(e.starts_at).isoformat()
    return about(
        Ref("Booking", e.booking_id),
        "SCHEDULED_FOR",
        f"Viewing {_label(e.booking_id)} is at {_said(e.starts_at)}",
        f"viewing scheduled for {when[:16]}",
        when,
    )


def _booking_status(status: str, sentence: str):
    def handle(e: ep.BookingCancelled | ep.BookingAttended, region: str) -> Translation:
        return about(
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
    return about(
        Ref("Property", e.property_id),
        "LISTED_AT_PRICE",
        f"Property {e.property_id} is listed at {price}",
        f"listed at {price}",
        float(e.price),
    )


def _sold(e: ep.ListingSold, region: str) -> Translation:
    price = f" for {money(e.price)}" if e.price else ""
    return about(
        Ref("Property", e.property_id),
        "LISTING_STATUS",
        f"Property {e.property_id} sold{price}",
        f"property sold{price}",
        "sold",
    )


def _appraisal(e: ep.AppraisalRequested, region: str) -> Translation:
    when = f" ({e.timeframe})" if e.timeframe else ""
    return about(
        caller(e.caller_id),
        "WANTS_APPRAISAL",
        f"The caller wants an appraisal of {e.address}{when}",
        f"wants an appraisal of {e.address}",
        e.address,
    )


def _repayment(e: ep.RepaymentWorkedOut, region: str) -> Translation:
    """The terms as one value (JSON): what a later call defaults from, as one fact."""
    on = f" on property {e.property_id}" if e.property_id else f" on a {money(e.loan)} loan" if e.loan else ""
    down = f", {e.deposit_percent:g}% down" if e.deposit_percent is not None else ""
    down = f", {money(e.deposit)} down" if e.deposit else down
    terms = f"{e.rate_percent:g}% over {e.years} years{down}"
    value = e.model_dump(mode="json", include=LOAN_TERMS, exclude_none=True)
    return about(
        caller(e.caller_id),
        "DISCUSSED_LOAN",
        f"The caller's repayments were worked out{on} at {terms}",
        f"mortgage repayments at {terms}",
        json.dumps(value, sort_keys=True),
    )


LOAN_TERMS = {"property_id", "price", "loan", "deposit", "deposit_percent", "rate_percent", "years"}
"""What a ``DISCUSSED_LOAN`` fact's value holds."""
_LOAN_MONEY = {"price", "loan", "deposit"}


def loan_terms(value: object) -> dict[str, Any]:
    """The terms a ``DISCUSSED_LOAN`` fact's value holds ({} for one unreadable)."""
    try:
        terms = json.loads(value) if isinstance(value, str) else {}
    except ValueError:
        return {}
    if not isinstance(terms, dict):
        return {}
    return {k: float(v) if k in _LOAN_MONEY else v for k, v in terms.items() if k in LOAN_TERMS}


ONTOLOGY = Ontology(
    entity_types=(EntityType("Property", durable=True), EntityType("Suburb"), EntityType("Booking")),
    fact_types=(
        FactType("HAS_BUDGET", "subject"),
        FactType("WANTS_BEDROOMS", "subject"),
        FactType("PREFERS_SUBURB", "pair"),
        FactType("INTERESTED_IN", "pair"),
        FactType("BOOKED", "object", owned=True),
        FactType("FOR_PROPERTY", "subject"),
        FactType("SCHEDULED_FOR", "subject", identifying=False),
        FactType("BOOKING_STATUS", "subject", identifying=False),
        FactType("IN_SUBURB", "subject"),
        FactType("LISTED_AT_PRICE", "subject"),
        FactType("LISTING_STATUS", "subject", identifying=False),
        FactType("WANTS_APPRAISAL", "subject"),
        FactType("DISCUSSED_LOAN", "subject", identifying=False),
    ),
    episodes={
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
        ep.AppraisalRequested: _appraisal,
        ep.RepaymentWorkedOut: _repayment,
    },
    appointments=(
        Appointments(
            booked="BOOKED",
            starts="SCHEDULED_FOR",
            status="BOOKING_STATUS",
            open="scheduled",
            of="FOR_PROPERTY",
        ),
    ),
)
