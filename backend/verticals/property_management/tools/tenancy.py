"""Who the caller is to a property: its renter or its landlord."""

from __future__ import annotations

import re
from typing import Any

from agents import RunContextWrapper, function_tool

from backend.agents.context import CallContext
from backend.agents.tools.failures import NotUnderstood, UnknownProperty
from backend.verticals.property_management.episodes import TenancyStated
from backend.verticals.real_estate.tools import resolve

_LANDLORD = re.compile(r"\b(i|we) own\b|\b(owner|landlord|investment property)\b", re.IGNORECASE)


def role(said: str, ctx: CallContext) -> str:
    return "landlord" if _LANDLORD.search(said) else "renter"


def their_property(ctx: CallContext) -> tuple[str, str] | None:
    """The property the caller rents or owns, as the graph knows it: (id, address)."""
    facts = ctx.caller.facts if ctx.caller else []
    held = next((f for f in facts if f.name in ("RENTS", "OWNS_PROPERTY")), None)
    if held is None or held.value is None:
        return None
    pid = str(held.value)
    return pid, held.object_name or ctx.addresses.get(pid) or pid


def property_of(ctx: CallContext, said: str | None) -> tuple[str, str]:
    """The property a caller means: the address they said, else the one they rent or own."""
    if said:
        try:
            pid = resolve.property_id(ctx, said)
        except UnknownProperty as exc:
            street = exc.data.get("street") or "that address"
            raise UnknownProperty(
                f"I can't find {street} among the homes we manage. What's the full address?", street=street
            ) from None
        return pid, ctx.addresses.get(pid, pid)
    if (known := their_property(ctx)) is not None:
        return known
    raise NotUnderstood("Which property is it? The street address, please.")


@function_tool
async def note_tenancy(
    ctx: RunContextWrapper[CallContext], property: str, role: str = "renter"
) -> dict[str, Any]:
    """Note the property the caller rents (a renter) or owns (a landlord).

    Args:
        property: Its address.
        role: "renter" or "landlord".
    """
    call = ctx.context
    pid, address = property_of(call, property)
    kind = "landlord" if role == "landlord" else "renter"
    await call.memory.record(
        call.episode(
            TenancyStated, f"{call.call_id}:tenancy:{pid}", property_id=pid, address=address, role=kind
        )
    )
    call.state.last_property = pid
    call.state.tried.append(f"noted as the {kind} of {address}")
    return {"property_id": pid, "address": address, "role": kind}


def reply_tenancy(result: dict[str, Any]) -> str:
    verb = "own" if result["role"] == "landlord" else "rent"
    return f"Thanks, I've noted that you {verb} {result['address']}. What can I help you with there?"
