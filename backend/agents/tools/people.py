"""Escalation: a warm transfer to a person, with the brief they read first."""

from __future__ import annotations

from typing import Any, Literal

from agents import RunContextWrapper, function_tool

from backend.agents.clock import local, spoken
from backend.agents.context import CallContext
from backend.agents.internal_ids import caller_name, scrub
from memory import Escalated

TRANSFERRING = "I'm transferring you to one of our team now; they'll have the details of this call."
BOOKING_FACTS = frozenset({"BOOKED", "FOR_PROPERTY", "SCHEDULED_FOR", "BOOKING_STATUS"})
"""Facts a brief reads from the upcoming bookings instead (their sentences name booking ids)."""
Trigger = Literal["request", "guardrail", "ceiling", "emergency"]


def brief(call: CallContext, reason: str, trigger: Trigger = "request") -> dict[str, Any]:
    """The warm-transfer brief a person reads (or a voice bridge whispers) before picking up:
    who, why, what we know, what was tried. All of it but ``refs`` is free of internal ids;
    ``refs`` (call, caller and fact ids) is for the console and memory, never spoken."""
    caller = call.caller
    who = caller_name(caller) or "a caller who gave no name"
    why, known = scrub(reason) or "the caller asked for a person", _known(call)
    tried = [scrub(t) for t in call.state.tried]
    return {
        "who": who,
        "why": why,
        "trigger": trigger,
        "facts": known,
        "tried": tried,
        "summary": _summary(who, why, known, tried),
        "refs": {
            "call_id": call.call_id,
            "caller_id": call.caller_id,
            "fact_ids": [f.uuid for f in caller.facts] if caller else [],
            # Existing callers this one may be (not verified): for the person to check, never said.
            "possible_caller_ids": [c["id"] for c in call.state.candidates],
        },
    }


def _known(call: CallContext) -> list[str]:
    """The caller's current facts as a person would say them."""
    caller = call.caller
    if caller is None:
        return []
    said = []
    for f in caller.facts:
        if f.name in BOOKING_FACTS:
            continue
        text = f"Interested in {f.object_name}" if f.name == "INTERESTED_IN" and f.object_name else f.fact
        said.append(scrub(text))
    for b in caller.upcoming_bookings:
        ref = f" ({b.reference})" if b.reference else ""
        said.append(f"Viewing of {b.address or 'a property'} on {spoken(b.starts_at, call.tz)}{ref}")
    return [s for s in said if s]


def _summary(who: str, why: str, known: list[str], tried: list[str]) -> str:
    """One paragraph to read out to the person taking the call."""
    parts = [f"{who[:1].upper()}{who[1:]}: {why}."]
    if known:
        parts.append("Known: " + "; ".join(known) + ".")
    if tried:
        parts.append("Tried: " + "; ".join(tried) + ".")
    return " ".join(parts)


def transfer_reply(call: CallContext, in_hours: str) -> str:
    """What the caller hears as the call is handed over: ``in_hours``, or the tenant's
    out-of-hours policy (``BusinessHours.after_hours``) unless someone is on call."""
    if call.on_call:
        return in_hours
    return call.hours.closed_reply(local(call.now, call.tz)) or in_hours


async def record_escalation(call: CallContext, brief: dict[str, Any], agent: str) -> None:
    """The transfer in memory: an ``Escalated`` episode with why and the facts relied on."""
    if not call.caller_id:
        return
    await call.memory.record(
        call.episode(
            Escalated,
            f"{call.call_id}:escalated:t{call.state.turns}",
            agent=agent,
            trigger=brief["trigger"],
            reason=brief["why"][:1000],
            fact_ids=brief["refs"]["fact_ids"][:100],
        )
    )


@function_tool
async def escalate_to_human(ctx: RunContextWrapper[CallContext], reason: str) -> dict[str, Any]:
    """Transfer the caller to a person, with a brief of the call so far.

    Args:
        reason: Why a person is needed.
    """
    call = ctx.context
    # The brief goes on the turn (the runner returns it, the API marks the call transferred);
    # the model gets only what it may say.
    call.turn.transfer = brief(call, reason, "request")
    call.state.tried.append("escalated to a human")
    return {"transferred": True, "say": transfer_reply(call, TRANSFERRING)}


def reply_escalation(result: dict[str, Any]) -> str:
    return str(result.get("say") or TRANSFERRING)
