"""Seller Intake: a caller who wants to sell asks for an appraisal of their home."""

from __future__ import annotations

import hashlib
from typing import Any

from agents import RunContextWrapper, function_tool

from backend.agents.context import CallContext
from backend.agents.tools import identity
from backend.agents.tools.failures import NotUnderstood
from backend.verticals.real_estate.episodes import AppraisalRequested


@function_tool
async def request_appraisal(
    ctx: RunContextWrapper[CallContext],
    address: str | None = None,
    suburb: str | None = None,
    timeframe: str | None = None,
) -> dict[str, Any]:
    """A caller who wants to sell: book a free appraisal of their home.

    Args:
        address: The home to appraise.
        suburb: Its suburb, when they have not given the address yet ("my place in Leichhardt").
        timeframe: When they hope to sell.
    """
    call = ctx.context
    if not (address or suburb):
        if asked := _on_file(call):  # "just following up on the appraisal I asked for"
            return {"address": None, "suburb": None, "timeframe": None, "on_file": asked}
        raise NotUnderstood("Happy to arrange a free appraisal. What's the address of the home?")
    # A seller who names only the suburb has still asked: note it now, the address can follow.
    home = address or f"a home in {suburb}"
    call.state.tried.append(f"appraisal requested for {home}")
    if call.caller_id:
        key = hashlib.sha256(home.strip().lower().encode()).hexdigest()[:12]
        await call.memory.record(
            call.episode(
                AppraisalRequested, f"{call.call_id}:appraisal:{key}", address=home, timeframe=timeframe
            )
        )
    return {"address": address, "suburb": suburb, "timeframe": timeframe}


def _on_file(call: CallContext) -> list[str]:
    """The homes the caller has already asked us to appraise (a possible match has none yet)."""
    known = call.known()
    if known is None or identity.pending(call):
        return []
    return [str(f.value) for f in known.facts if f.name == "WANTS_APPRAISAL" and f.value]


def reply_appraisal(result: dict[str, Any]) -> str:
    if asked := result.get("on_file"):
        return (
            f"Yes, we have your request for a free appraisal of {' and '.join(asked)};"
            " an agent will call you to arrange it. Is there anything else I can help with?"
        )
    when = f" ({result['timeframe']})" if result["timeframe"] else ""
    if not result["address"]:
        return (
            f"Thanks, I've noted that you'd like a free appraisal of your home in {result['suburb']}{when};"
            " an agent will call you to arrange it. What's the address?"
        )
    return f"Thanks, an agent will call you to arrange a free appraisal of {result['address']}{when}."
