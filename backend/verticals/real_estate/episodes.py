"""The real-estate episodes: what buyers and sellers state, the viewings they book, and the
listings imported from the agency's feed."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from memory.episodes import Episode, Id, Money, Name


class BudgetStated(Episode):
    type: Literal["budget_stated"] = "budget_stated"
    caller_id: Id
    amount: Money
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "AUD"


class BedroomsWanted(Episode):
    type: Literal["bedrooms_wanted"] = "bedrooms_wanted"
    caller_id: Id
    bedrooms: Annotated[int, Field(ge=0, le=20)]


class SuburbPreferred(Episode):
    type: Literal["suburb_preferred"] = "suburb_preferred"
    caller_id: Id
    suburb: Name


class SuburbRetracted(Episode):
    """The caller is no longer looking in a suburb."""

    type: Literal["suburb_retracted"] = "suburb_retracted"
    caller_id: Id
    suburb: Name


class PropertyInterest(Episode):
    type: Literal["property_interest"] = "property_interest"
    caller_id: Id
    property_id: Id


class PropertyInterestWithdrawn(Episode):
    type: Literal["property_interest_withdrawn"] = "property_interest_withdrawn"
    caller_id: Id
    property_id: Id


class BookingMade(Episode):
    type: Literal["booking_made"] = "booking_made"
    caller_id: Id
    booking_id: Id
    property_id: Id
    starts_at: AwareDatetime
    reference: Annotated[str, StringConstraints(max_length=40)] | None = None


class BookingRescheduled(Episode):
    type: Literal["booking_rescheduled"] = "booking_rescheduled"
    booking_id: Id
    starts_at: AwareDatetime


class BookingCancelled(Episode):
    type: Literal["booking_cancelled"] = "booking_cancelled"
    booking_id: Id
    reason: Annotated[str, StringConstraints(max_length=500)] | None = None


class BookingAttended(Episode):
    type: Literal["booking_attended"] = "booking_attended"
    booking_id: Id


class ListingAdded(Episode):
    type: Literal["listing_added"] = "listing_added"
    property_id: Id
    address: Name
    suburb: Name
    price: Money
    bedrooms: Annotated[int, Field(ge=0, le=50)]
    bathrooms: Annotated[int, Field(ge=0, le=50)] | None = None
    kind: Literal["house", "apartment", "townhouse", "unit", "land", "other"] = "house"


class PriceChanged(Episode):
    type: Literal["price_changed"] = "price_changed"
    property_id: Id
    price: Money


class ListingSold(Episode):
    type: Literal["listing_sold"] = "listing_sold"
    property_id: Id
    price: Money | None = None


class AppraisalRequested(Episode):
    """A caller who wants to sell asked for an appraisal of their home."""

    type: Literal["appraisal_requested"] = "appraisal_requested"
    caller_id: Id
    address: Name
    timeframe: Annotated[str, StringConstraints(max_length=200)] | None = None


class RepaymentWorkedOut(Episode):
    """Repayments worked out for a caller: the terms a later call's "same deposit and rate"
    means. ``price`` and ``property_id`` when it was on a home's price, ``loan`` alone when the
    amount borrowed was said."""

    type: Literal["repayment_worked_out"] = "repayment_worked_out"
    caller_id: Id
    property_id: Id | None = None
    price: Money | None = None
    loan: Money | None = None
    deposit: Money | None = None
    deposit_percent: Annotated[float, Field(ge=0, le=100)] | None = None
    rate_percent: Annotated[float, Field(ge=0, le=100)]
    years: Annotated[int, Field(ge=1, le=100)]
