"""Accounts: rent, arrears, the bond and the lease. Noted for the accounts team, who call back
in business hours with the ledger; the line never quotes a balance it cannot see."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from agents import RunContextWrapper, function_tool

from backend.agents.context import CallContext
from backend.verticals.property_management.episodes import ArrearsQuery

_ARREARS = re.compile(r"\b(arrears|behind|overdue|late|owe|owing|missed|catch up|payment plan)\b", re.I)
_BOND = re.compile(r"\b(bond|deposit back|bond back|refund)\b", re.I)


def money_topic(said: str, ctx: CallContext) -> str:
    return "arrears" if _ARREARS.search(said) else "rent"


def paper_topic(said: str, ctx: CallContext) -> str:
    return "bond" if _BOND.search(said) else "lease"


async def _note(call: CallContext, topic: str, detail: str) -> dict[str, Any]:
    digest = hashlib.sha256(f"{topic}:{detail.lower()}".encode()).hexdigest()[:12]
    if call.caller_id:
        await call.memory.record(
            call.episode(ArrearsQuery, f"{call.call_id}:accounts:{digest}", topic=topic, detail=detail[:500])
        )
    call.state.tried.append(f"{topic} question noted for the accounts team")
    return {"topic": topic}


@function_tool
async def rent_question(ctx: RunContextWrapper[CallContext], topic: str, detail: str) -> dict[str, Any]:
    """Note a question about rent or arrears (a missed payment, a payment plan) for accounts.

    Args:
        topic: "rent" or "arrears".
        detail: The question, in the caller's words.
    """
    return await _note(ctx.context, "arrears" if topic == "arrears" else "rent", detail)


@function_tool
async def bond_or_lease_question(
    ctx: RunContextWrapper[CallContext], topic: str, detail: str
) -> dict[str, Any]:
    """Note a question about the bond or the lease (renewal, breaking it, ending it) for accounts.

    Args:
        topic: "bond" or "lease".
        detail: The question, in the caller's words.
    """
    return await _note(ctx.context, "bond" if topic == "bond" else "lease", detail)


def reply_accounts(result: dict[str, Any]) -> str:
    what = {
        "arrears": "your rent account",
        "rent": "your rent",
        "bond": "your bond",
        "lease": "your lease",
    }[result["topic"]]
    return (
        f"I've noted your question about {what} for our accounts team. They'll call you back next"
        " business day with your ledger in front of them. Anything else?"
    )
