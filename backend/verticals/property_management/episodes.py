"""The property-management episodes: who rents or owns a property, repairs reported and
their progress, and questions about rent, arrears, bonds and leases."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, StringConstraints

from memory.episodes import Episode, Id, Name

Issue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class TenancyStated(Episode):
    """The caller rents (a renter) or owns (a landlord) a property the agency manages."""

    type: Literal["tenancy_stated"] = "tenancy_stated"
    caller_id: Id
    property_id: Id
    address: Name | None = None
    """As the caller will recognize it in a fact's sentence (the id is not for people)."""
    role: Literal["renter", "landlord"] = "renter"


class RepairReported(Episode):
    """A repair the caller reported, with its job reference (``PM-YYYYMMDD-###``)."""

    type: Literal["repair_reported"] = "repair_reported"
    caller_id: Id
    repair_id: Id
    reference: Annotated[str, StringConstraints(max_length=40)]
    property_id: Id
    address: Name | None = None
    issue: Issue
    urgency: Literal["urgent", "routine"] = "routine"


class RepairDispatched(Episode):
    """A trade was sent to a reported repair."""

    type: Literal["repair_dispatched"] = "repair_dispatched"
    repair_id: Id
    trade: Name | None = None
    attends_at: AwareDatetime | None = None


class RepairCompleted(Episode):
    type: Literal["repair_completed"] = "repair_completed"
    repair_id: Id


class ArrearsQuery(Episode):
    """A question about money or the lease: rent, arrears, the bond or the lease itself."""

    type: Literal["arrears_query"] = "arrears_query"
    caller_id: Id
    topic: Literal["rent", "arrears", "bond", "lease"]
    detail: Annotated[str, StringConstraints(max_length=500)] = ""
