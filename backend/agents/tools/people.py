"""Seller Intake and Escalation (a warm transfer to a human)."""

from __future__ import annotations

import hashlib
from typing import Any

from agents import RunContextWrapper, function_tool

from backend.agents.context import CallContext
from memory import AppraisalRequested


@function_tool
async def request_appraisal(
    ctx: RunContextWrapper[CallContext], address: str, timeframe: str | None = None
) -> dict[str, Any]:
    """A caller who wants to sell: book a free appraisal of their home.

    Args:
        address: The home to appraise.
        timeframe: When they hope to sell.
    """
    call = ctx.context
    call.state.tried.append(f"appraisal requested for {address}")
    if call.caller_id:
        key = hashlib.sha256(address.strip().lower().encode()).hexdigest()[:12]
        await call.memory.record(
            call.episode(
                AppraisalRequested, f"{call.call_id}:appraisal:{key}", address=address, timeframe=timeframe
            )
        )
    return {"address": address, "timeframe": timeframe}


def reply_appraisal(result: dict[str, Any]) -> str:
    return (
        f"Thanks, an agent will call you to arrange a free appraisal of {result['address']}"
        f"{' (' + result['timeframe'] + ')' if result['timeframe'] else ''}."
    )


def brief(call: CallContext, reason: str) -> dict[str, Any]:
    """The warm-transfer brief a human reads before picking up: who, why, facts, tried."""
    caller = call.caller
    return {
        "who": caller.caller.name if caller else "unidentified caller",
        "caller_id": call.caller_id,
        "why": reason,
        "facts": [f.fact for f in caller.facts] if caller else [],
        "fact_ids": [f.uuid for f in caller.facts] if caller else [],
        "tried": list(call.state.tried),
        "call_id": call.call_id,
    }


@function_tool
async def escalate_to_human(ctx: RunContextWrapper[CallContext], reason: str) -> dict[str, Any]:
    """Transfer the caller to a person, with a brief of the call so far.

    Args:
        reason: Why a person is needed.
    """
    call = ctx.context
    result = brief(call, reason)
    call.state.tried.append("escalated to a human")
    return result


def reply_escalation(result: dict[str, Any]) -> str:
    return "I'm transferring you to one of our team now; they'll have the details of this call."
