"""Property Search and Suburb Intelligence: listings come from the graph only."""

from __future__ import annotations

import statistics
from typing import Any

from agents import RunContextWrapper, custom_span, function_tool

from backend.agents.context import CallContext
from backend.agents.tools import money, preferences, resolve
from memory import PropertyInterest


def _budget(ctx: CallContext) -> float | None:
    facts = ctx.caller.facts if ctx.caller else []
    return next((float(f.value) for f in facts if f.name == "HAS_BUDGET"), None)  # type: ignore[arg-type]


@function_tool
async def search_properties(
    ctx: RunContextWrapper[CallContext],
    suburb: str | None = None,
    max_price: float | None = None,
    min_bedrooms: int | None = None,
) -> dict[str, Any]:
    """Find homes for sale, cheapest first.

    Args:
        suburb: A suburb to search in.
        max_price: The most the caller will pay, in dollars (defaults to their budget).
        min_bedrooms: The fewest bedrooms acceptable.
    """
    call = ctx.context
    place = resolve.suburb(call, suburb) if suburb else None
    ceiling = max_price or _budget(call)
    with custom_span("memory.listings"):
        found = await call.memory.listings(
            call.group_id, suburb=place, max_price=ceiling, min_bedrooms=min_bedrooms, limit=5
        )
    call.state.last_results = found
    call.state.last_property = found[0].property_id if len(found) == 1 else None
    await preferences.remember(call, budget=max_price, bedrooms=min_bedrooms, place=place)
    return {
        "suburb": place,
        "max_price": ceiling,
        "min_bedrooms": min_bedrooms,
        "listings": [
            {
                "n": i + 1,
                "property_id": x.property_id,
                "address": x.address,
                "suburb": x.suburb,
                "price": x.price,
                "bedrooms": x.bedrooms,
            }
            for i, x in enumerate(found)
        ],
    }


def reply_search(result: dict[str, Any]) -> str:
    homes = result["listings"]
    where = f" in {result['suburb']}" if result["suburb"] else ""
    under = f" up to {money(result['max_price'])}" if result["max_price"] else ""
    if not homes:
        return f"I couldn't find anything for sale{where}{under} right now. Want me to widen the search?"
    lines = "; ".join(
        f"{h['n']}) {h['address']}, {h['suburb']}, {h['bedrooms']} bed, {money(h['price'])}" for h in homes
    )
    return f"I found {len(homes)} home{'s' if len(homes) > 1 else ''}{where}{under}: {lines}."


@function_tool
async def shortlist_property(ctx: RunContextWrapper[CallContext], property: str) -> dict[str, Any]:
    """Note that the caller is interested in a property.

    Args:
        property: The listing id, its address, or its position in the last results.
    """
    call = ctx.context
    pid = resolve.property_id(call, property)
    call.state.last_property = pid
    await call.memory.record(
        call.episode(PropertyInterest, f"{call.call_id}:interest:{pid}", property_id=pid)
    )
    return {"property_id": pid, "address": call.addresses.get(pid, pid)}


def reply_shortlist(result: dict[str, Any]) -> str:
    return f"I've added {result['address']} to your shortlist. Would you like to book a viewing?"


@function_tool
async def suburb_profile(ctx: RunContextWrapper[CallContext], suburb: str) -> dict[str, Any]:
    """What is for sale in a suburb: how many homes and their prices.

    Args:
        suburb: The suburb to describe.
    """
    call = ctx.context
    place = resolve.suburb(call, suburb)
    if place is None:
        return {"suburb": suburb, "known": False}
    with custom_span("memory.listings"):
        homes = await call.memory.listings(call.group_id, suburb=place, limit=200)
    prices = [h.price for h in homes]
    return {
        "suburb": place,
        "known": True,
        "for_sale": len(homes),
        "median_price": statistics.median(prices) if prices else None,
        "cheapest": min(prices, default=None),
        "dearest": max(prices, default=None),
    }


def reply_suburb(result: dict[str, Any]) -> str:
    if not result["known"]:
        return f"I don't have listings for {result['suburb']}. Which suburb did you mean?"
    if not result["for_sale"]:
        return f"Nothing is for sale in {result['suburb']} at the moment."
    return (
        f"{result['suburb']} has {result['for_sale']} homes for sale, median {money(result['median_price'])}"
        f" (from {money(result['cheapest'])} to {money(result['dearest'])})."
    )
