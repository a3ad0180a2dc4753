"""Seller Intake: a caller who wants to sell asks for an appraisal of their home."""

from __future__ import annotations

import hashlib
from typing import Any

from agents import RunContextWrapper, function_tool

from backend.agents.context import CallContext
from backend.verticals.real_estate.episodes import AppraisalRequested


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
