"""Typed tool failures: what a tool could not do, and the question to ask the caller.

A tool raises one of these instead of a bare exception. The SDK's failure handler
(``as_tool_output``) turns it into structured tool output ``{"failure": code, "say": ...}``:
the policy model speaks ``say``, an LLM reads the code and the data. Anything else a tool
raises is a bug: it is logged with its traceback, marked on the span, and the caller
hears ``UNEXPECTED``, never the SDK's generic text.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import structlog
from agents import RunContextWrapper, custom_span
from agents.tracing import SpanError

from backend.agents.context import CeilingReached
from backend.logs import frames

log = structlog.get_logger(__name__)


class ToolFailure(Exception):
    """A domain reason a tool cannot proceed; ``say`` is a specific reply or question."""

    code: ClassVar[str] = "tool_failure"

    def __init__(self, say: str, **data: Any) -> None:
        super().__init__(say)
        self.say = say
        self.data = data

    def as_output(self) -> dict[str, Any]:
        return {"failure": self.code, "say": self.say, **self.data}


class NotUnderstood(ToolFailure):
    """The tool cannot tell what the caller means."""

    code = "not_understood"


class UnknownProperty(ToolFailure):
    """A property we do not list (a street, an address, an id)."""

    code = "unknown_property"


class UnknownSuburb(ToolFailure):
    """A place we have no listings in."""

    code = "unknown_suburb"


class NothingToBook(ToolFailure):
    """ "The first one" when nothing has been read out."""

    code = "nothing_to_book"


class AmbiguousReference(ToolFailure):
    """More than one thing fits what the caller said."""

    code = "ambiguous_reference"


class SlotTaken(ToolFailure):
    """The viewing time is held by another booking; ``data`` offers the next free slots."""

    code = "slot_taken"


class FreeTimes(ToolFailure):
    """The caller asked what is free ("any time Sunday morning?"); ``data`` offers the free
    viewing times, for the caller to pick."""

    code = "free_times"


class OutsideBusinessHours(ToolFailure):
    """A viewing time outside the tenant's business hours (in its time zone)."""

    code = "outside_business_hours"


class InThePast(ToolFailure):
    """A time that has already gone."""

    code = "in_the_past"


class AlreadyBooked(ToolFailure):
    """The caller already has a viewing of that home: moving it is likelier what they want."""

    code = "already_booked"


class NoSuchBooking(ToolFailure):
    """The caller has no (matching) scheduled viewing."""

    code = "no_such_booking"


class NeedsVerification(ToolFailure):
    """The caller may be someone we know, but only by a name (or a typed number, an email):
    nothing on file is said or changed before they pass a step-up check."""

    code = "needs_verification"


class NotVerified(ToolFailure):
    """A step-up check that failed (or may not be tried again in this call)."""

    code = "not_verified"


class Contradictory(ToolFailure):
    """Slots that cannot all hold ("under 500k, at least 5 bedrooms in Mosman")."""

    code = "contradictory"


class Unexpected(ToolFailure):
    """A bug: the tool raised something that is not a domain failure."""

    code = "unexpected"


UNEXPECTED = "Sorry, something went wrong on my side with that. Could you say it once more?"
"""What the caller hears when a tool fails unexpectedly (the failure is logged)."""


def cause_of(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """``exc`` or the first exception of ``kind`` in its chain (the SDK wraps what tools raise)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def spoken_failure(ctx: RunContextWrapper[Any], error: Exception) -> str | None:
    """The SDK's failure handler for every tool: a typed failure becomes structured tool
    output; anything else is logged with its stack (no message: it may hold what a caller
    said), marked on a span, and answered with ``UNEXPECTED``. None re-raises (ceilings)."""
    if cause_of(error, CeilingReached):
        return None
    tool = str(getattr(ctx, "tool_name", "") or "tool")
    failure = cause_of(error, ToolFailure)
    if not isinstance(failure, ToolFailure):
        log.error("tool failed unexpectedly", tool=tool, error=type(error).__name__, frames=frames(error))
        failure = Unexpected(UNEXPECTED)
    with custom_span("tool.failure", data={"tool": tool, "failure": failure.code}) as span:
        if isinstance(failure, Unexpected):
            span.set_error(SpanError(message=type(error).__name__, data={"tool": tool}))
    return json.dumps(failure.as_output(), default=str)


GENERIC_SDK_TEXT = "An error occurred while running the tool"
"""The SDK's own failure text: it must never reach a caller (an output guardrail checks)."""
