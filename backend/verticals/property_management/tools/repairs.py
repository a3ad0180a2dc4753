"""Repairs: reported with a job reference, urgent ones straight to the on-call team, and
their progress read back from the graph."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from agents import RunContextWrapper, function_tool

from backend.agents.context import CallContext
from backend.agents.tools import people
from backend.agents.tools.failures import NotUnderstood
from backend.store import references
from backend.verticals.property_management.episodes import RepairReported
from backend.verticals.property_management.tools.tenancy import property_of

PREFIX = "PM"
EMERGENCY = re.compile(
    r"\b(pour\w*|gush\w*|flood\w*|burst|through the ceiling|gas|smoke|fire|spark\w*|burning smell"
    r"|no (power|electricity|water)|power (is )?(out|off)|electric shock|live wire|sewage|overflow\w*"
    r"|locked out|break.?in|broken into|can'?t lock|won'?t lock|door (won'?t|doesn'?t) (lock|close)"
    r"|ceiling (is )?(falling|collaps\w*|caving)|collaps\w*)\b",
    re.IGNORECASE,
)
"""What makes a repair an emergency: danger to people or to the property, now."""
_REFERENCE = re.compile(r"\bPM[\s-]?(\d{8})[\s-]?(\d{3})\b", re.IGNORECASE)
DANGER = "If anyone is in danger, hang up and call 000."


def problem(said: str, ctx: CallContext) -> str | None:
    return said.strip()[:500] or None


def reference(said: str, ctx: CallContext) -> str | None:
    m = _REFERENCE.search(said)
    return f"{PREFIX}-{m.group(1)}-{m.group(2)}" if m else None


async def _report(call: CallContext, issue: str, property: str | None, urgent: bool) -> dict[str, Any]:
    """A job reference, the RepairReported episode, and for an emergency the on-call team."""
    pid, address = property_of(call, property)
    urgent = urgent or bool(EMERGENCY.search(issue))
    digest = hashlib.sha256(f"{pid}:{issue.lower()}".encode()).hexdigest()[:12]
    key = f"{call.group_id}:{call.call_id}:repair:{digest}"
    ref = await references.issue(call.db, call.group_id, PREFIX, key, call.now.date())
    urgency = "urgent" if urgent else "routine"
    await call.memory.record(
        call.episode(
            RepairReported,
            f"{call.call_id}:repair:{digest}",
            repair_id=ref,
            reference=ref,
            property_id=pid,
            address=address,
            issue=issue,
            urgency=urgency,
        )
    )
    call.state.last_property = pid
    call.state.tried.append(f"{urgency} repair {ref} logged at {address}")
    result = {"reference": ref, "address": address, "urgency": urgency, "issue": issue}
    if urgent:
        # Straight up to the on-call team with the brief; the ladder pages them in turn.
        call.turn.transfer = people.brief(call, f"emergency repair {ref} at {address}: {issue}", "emergency")
        result["say"] = _urgent_reply(ref)  # at any hour: an emergency is never "back at 9"
    return result


def _urgent_reply(ref: str) -> str:
    return (
        f"That sounds like an emergency. I've logged it as job {ref} and I'm getting our on-call"
        f" team on the line now; stay on the call. {DANGER}"
    )


@function_tool
async def report_urgent_repair(
    ctx: RunContextWrapper[CallContext], problem: str, property: str | None = None
) -> dict[str, Any]:
    """Log an emergency repair (water pouring in, gas, fire, no power, a door that won't lock)
    and page the on-call team with a brief.

    Args:
        problem: What is happening, in the caller's words.
        property: The address (defaults to the one the caller rents or owns).
    """
    return await _report(ctx.context, problem, property, urgent=True)


@function_tool
async def report_repair(
    ctx: RunContextWrapper[CallContext], problem: str, property: str | None = None
) -> dict[str, Any]:
    """Log a routine repair request and give the caller its job reference.

    Args:
        problem: What needs fixing, in the caller's words.
        property: The address (defaults to the one the caller rents or owns).
    """
    return await _report(ctx.context, problem, property, urgent=False)


def reply_report(result: dict[str, Any]) -> str:
    if result.get("say"):
        return str(result["say"])
    return (
        f"I've logged that as job {result['reference']} for {result['address']}. A tradesperson will"
        " be in touch within two business days; quote the reference if you call about it."
    )


@function_tool
async def repair_status(ctx: RunContextWrapper[CallContext], reference: str | None = None) -> dict[str, Any]:
    """Where a reported repair is up to (reported, dispatched, completed).

    Args:
        reference: Its job reference, e.g. PM-20261201-001 (defaults to the caller's latest).
    """
    call = ctx.context
    facts = call.caller.facts if call.caller else []
    theirs = [str(f.value) for f in facts if f.name == "REPORTED_ISSUE" and f.value]
    wanted = reference or (theirs[-1] if theirs else None)
    if wanted is None:
        raise NotUnderstood("I can't see a repair on your file. What's the job reference?")
    jobs = await call.memory.entities(call.group_id, "Repair", ("REPAIR_STATUS", "REPAIR_OF"))
    job = next((j for j in jobs if j.attributes.get("reference") == wanted), None)
    if job is None:
        raise NotUnderstood(f"I can't find job {wanted}. Could you read me the reference again?")
    at = job.facts.get("REPAIR_OF", [])
    return {
        "reference": wanted,
        "status": job.value("REPAIR_STATUS") or "reported",
        "address": at[0].object_name if at else None,
        "from_memory": [wanted],
    }


def reply_status(result: dict[str, Any]) -> str:
    where = f" at {result['address']}" if result.get("address") else ""
    status = {
        "reported": "is logged and waiting for a tradesperson to be assigned",
        "dispatched": "has a tradesperson assigned, who will contact you to arrange access",
        "completed": "is marked as completed. If it isn't fixed, tell me and I'll log it again",
    }.get(str(result["status"]), f"is {result['status']}")
    return f"Job {result['reference']}{where} {status}."
