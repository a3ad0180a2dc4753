"""What the caller wants: budget, bedrooms, suburbs, recorded as episodes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from agents import RunContextWrapper, custom_span, function_tool

from backend.agents.clock import spoken
from backend.agents.context import CallContext
from backend.agents.internal_ids import caller_name
from backend.agents.tools import identity
from backend.agents.tools.failures import NotUnderstood
from backend.agents.tools.replies import money
from backend.verticals.real_estate import loans
from backend.verticals.real_estate.episodes import (
    BedroomsWanted,
    BudgetStated,
    SuburbPreferred,
    SuburbRetracted,
)
from backend.verticals.real_estate.listings import current_listings
from backend.verticals.real_estate.ontology import loan_terms
from backend.verticals.real_estate.tools import resolve
from memory import CallerContext, Episode

_NOT_IN_ID = re.compile(r"[^\w.:@#/+-]+")


def episode_id(call: CallContext, what: str) -> str:
    # One per call turn and kind: a retried tool call writes nothing twice. "live:" keeps
    # them apart from post-call extraction's ids (which count turns differently). Names
    # become slugs: an id holds no spaces ("Surry Hills").
    return f"{call.call_id}:live:t{call.state.turns}:{_NOT_IN_ID.sub('-', what)}"


NOTHING_EARLIER = (
    "I can't find an earlier search of yours. If you've called us before, tell me the mobile number"
    " you called from and I'll pick up where we left off. Otherwise, what are you after? A suburb, a"
    " budget or the number of bedrooms is a good start."
)


def require_on_file(call: CallContext, said: bool = False) -> None:
    """What is on file asked for ("same budget as last time") or changed ("put my budget up to
    2.2m"): whom a possible match may be is checked first, and a caller with nothing on file
    hears why nothing comes back, unless they ``said`` the budget it is about (a raise: it
    stands alone)."""
    identity.require_verified(call)
    known = call.known()
    if not (said or (known and (known.facts or known.upcoming_bookings))):
        raise NotUnderstood(NOTHING_EARLIER)


@function_tool
async def update_preferences(
    ctx: RunContextWrapper[CallContext],
    budget: float | None = None,
    bedrooms: int | None = None,
    max_bedrooms: int | None = None,
    suburb: str | None = None,
    earlier: bool = False,
    also: bool = False,
) -> dict[str, Any]:
    """Record what the caller is looking for: a budget, a number of bedrooms, a suburb.

    Args:
        budget: The most the caller will spend, in dollars.
        bedrooms: How many bedrooms they want.
        max_bedrooms: The most bedrooms, when they cap it ("no more than one"): for the search.
        suburb: A suburb they would like to live in, or several ("Cronulla or Maroubra").
        earlier: They keep what is on file besides ("same budget as last time").
        also: The suburb is one more ("add Balmain as well"): the search looks in all of them.
    """
    call = ctx.context
    if earlier:
        require_on_file(call, said=bool(budget))
    places = resolve.suburbs(call, suburb) if suburb else []
    recorded = await remember(call, budget=budget, bedrooms=bedrooms, places=places)
    said = " or ".join(places) or suburb
    return {
        "budget": budget,
        "bedrooms": bedrooms,
        "max_bedrooms": max_bedrooms,
        "suburb": said,
        "recorded": recorded,
        "also": also,
    }


async def remember(
    call: CallContext, *, budget: float | None, bedrooms: int | None, places: Sequence[str]
) -> int:
    """What the caller said they want, as episodes (also what a search asked for: the
    next call's greeting knows it before post-call ingestion has run)."""
    episodes: list[Episode] = []
    if budget:
        episodes.append(call.episode(BudgetStated, episode_id(call, "budget"), amount=round(budget)))
    if bedrooms is not None:
        episodes.append(call.episode(BedroomsWanted, episode_id(call, "bedrooms"), bedrooms=bedrooms))
    for place in places:
        episodes.append(call.episode(SuburbPreferred, episode_id(call, f"suburb:{place}"), suburb=place))
    if episodes and call.caller_id:
        await call.memory.record_many(episodes)
    return len(episodes)


def search_next(result: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """Having noted what the caller wants, show them what fits."""
    if not (result["suburb"] or result["budget"] or result["bedrooms"]):
        return None
    args = {"suburb": result["suburb"], "max_price": result["budget"], "min_bedrooms": result["bedrooms"]}
    args["max_bedrooms"] = result.get("max_bedrooms")
    args["also"] = bool(result.get("also"))
    return "search_properties", args


def reply_preferences(result: dict[str, Any]) -> str:
    noted = []
    if result["budget"]:
        noted.append(f"a budget of {money(result['budget'])}")
    if result["bedrooms"] is not None:
        noted.append(f"{result['bedrooms']} bedrooms")
    if result["suburb"]:
        noted.append(f"{result['suburb']}")
    if not noted:
        # Routed here with no value heard (garbled, or half a sentence): say so, and what helps.
        return "Sorry, I didn't catch what you're after. Could you tell me the suburb, budget or bedrooms?"
    return f"Got it, I've noted {' and '.join(noted)}. Shall I search for homes that fit?"


@function_tool
async def drop_suburb(
    ctx: RunContextWrapper[CallContext], suburb: str, instead: str | None = None
) -> dict[str, Any]:
    """The caller is no longer looking in a suburb (or would look in another instead).

    Args:
        suburb: The suburb to stop looking in.
        instead: A suburb they would look in instead ("not Randwick, but Coogee's fine").
    """
    call = ctx.context
    place = resolve.suburb(call, suburb) or suburb
    other = resolve.known_suburb(call, instead) if instead else None  # refused before any write
    await call.memory.record(call.episode(SuburbRetracted, episode_id(call, f"drop:{place}"), suburb=place))
    await remember(call, budget=None, bedrooms=None, places=[other] if other else [])
    return {"suburb": place, "instead": other}


def read_instead(utterance: str, ctx: CallContext) -> str | None:
    """The suburb offered in place of the one turned down: after "but", "rather", "how
    about", or before "instead"."""
    after = re.search(r"\b(?:but|rather|how about|what about)\b(.*)", utterance, re.IGNORECASE)
    before = re.search(r"(.*)\binstead\b", utterance, re.IGNORECASE)
    said = after.group(1) if after else before.group(1).split(",")[-1] if before else None
    return resolve.read_suburb(said, ctx) if said else None


def search_instead(result: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """A suburb offered instead is searched (the rest of what they want from memory)."""
    return ("search_properties", {"suburb": result["instead"]}) if result["instead"] else None


def reply_drop(result: dict[str, Any]) -> str:
    return f"Done, I've taken {result['suburb']} off your list."


_REFERENCE_ASKED = re.compile(r"\b(?:reference|ref)\b|\b(?:booking|confirmation) (?:number|no\.?)\b", re.I)
_VIEWINGS_ASKED = re.compile(
    r"\b(?:booked|booking|viewings?|inspections?|appointments?|seeing)\b|\b(?:the|that|my) \w+day one\b"
    r"|\bwhat (?:time|day) did (?:he|she|they|you) (?:say|book|make it)\b",
    re.I,
)


def read_references_asked(utterance: str, ctx: CallContext) -> bool:
    return bool(_REFERENCE_ASKED.search(utterance))


def read_viewings_asked(utterance: str, ctx: CallContext) -> bool:
    return bool(_VIEWINGS_ASKED.search(utterance))


@function_tool
async def caller_summary(
    ctx: RunContextWrapper[CallContext], viewings: bool = False, references: bool = False
) -> dict[str, Any]:
    """What we know about the caller right now: name, budget, suburbs, bookings.

    Args:
        viewings: The caller asked about their viewings only ("have I got anything booked?").
        references: The caller asked for a viewing's booking reference (said only when asked).
    """
    call = ctx.context
    identity.require_verified(call)  # a possible match hears nothing of whom they may be
    if not call.caller_id:
        return {"known": False}
    with custom_span("memory.recall_caller"):
        context = await call.memory.recall_caller(call.group_id, caller_id=call.caller_id)
    if context is None:
        return {"known": False}
    call.caller = context
    call.turn.facts_used += [f.uuid for f in context.facts]
    values: dict[str, list[str]] = {}
    for f in context.facts:
        values.setdefault(f.name, []).append(str(f.object_name if f.name == "PREFERS_SUBURB" else f.value))
    interests = [str(f.value) for f in context.facts if f.name == "INTERESTED_IN"]
    homes = set(interests) | {b.property_id for b in context.upcoming_bookings if b.property_id}
    if len(homes) == 1 and not call.state.last_property:  # "can I see it Saturday?": the one named
        call.state.last_property = next(iter(homes))
    return {
        "known": True,
        "name": caller_name(context),  # None for a caller who gave no name (never their id)
        "budget": values.get("HAS_BUDGET", [None])[0],
        "bedrooms": values.get("WANTS_BEDROOMS", [None])[0],
        "suburbs": values.get("PREFERS_SUBURB", []),
        "viewings": [f"{b.address} on {spoken(b.starts_at, call.tz)}" for b in context.upcoming_bookings],
        "appraisals": values.get("WANTS_APPRAISAL", []),
        # shortlisted or asked about by name (a later call's "that Coogee place I asked about")
        "interests": await _priced(call, interests),
        "loan": _loan(call, context),
        "references": [b.reference for b in context.upcoming_bookings] if references else None,
        "viewings_asked": viewings,
        "speaking": call.state.speaking,  # someone with the caller, who hears it as theirs
    }


async def _priced(call: CallContext, homes: list[str]) -> list[str]:
    """ "32 Beach Rd, Rozelle ($2,350,000)": each home as the caller can tell it apart."""
    prices: dict[str, float] = {}
    for place in dict.fromkeys(call.localities.get(pid) for pid in homes):
        listed = await current_listings(call.memory, call.group_id, suburb=place, status=None, limit=1000)
        prices |= {h.property_id: float(h.price) for h in listed if h.property_id in homes}
    named = [
        (pid, f"{call.addresses.get(pid, pid)}, {call.localities[pid]}" if pid in call.localities else pid)
        for pid in homes
    ]
    return [f"{name} ({money(prices[pid])})" if pid in prices else name for pid, name in named]


def _loan(call: CallContext, context: CallerContext) -> dict[str, Any] | None:
    """The repayments last worked out for the caller, as they came to."""
    fact = next((f for f in context.facts if f.name == "DISCUSSED_LOAN"), None)
    terms = loan_terms(fact.value) if fact else {}
    worked = loans.worked_out(terms)
    return worked | {"home": call.addresses.get(str(terms.get("property_id")))} if worked else None


def reply_summary(result: dict[str, Any]) -> str:
    if not result["known"]:
        return "I don't have any details for you yet. What are you looking for?"
    if (said := result.get("references")) is not None:  # asked for: the bookings alone, each with its own
        if not said:
            return "You don't have a viewing booked with us. Would you like to book one?"
        return " ".join(
            f"Your viewing of {v} is reference {r}." for v, r in zip(result["viewings"], said, strict=True)
        )
    if result.get("viewings_asked"):  # the bookings alone, or that there are none
        if not result["viewings"]:
            return "You don't have a viewing booked with us. Would you like to book one?"
        their = result.get("speaking") and result["name"]
        whose = f"{result['name'].split()[0]} has" if their else "You have"
        return f"{whose} a viewing of {'; '.join(result['viewings'])}."
    parts = []
    if result["budget"]:
        parts.append(f"your budget is {money(float(result['budget']))}")
    if result["bedrooms"]:
        parts.append(f"you want {result['bedrooms']} bedrooms")
    if result["suburbs"]:
        parts.append(f"you're looking in {', '.join(result['suburbs'])}")
    if result["viewings"]:
        parts.append(f"you have a viewing of {'; '.join(result['viewings'])}")
    if result.get("appraisals"):
        parts.append(f"you've asked for an appraisal of {' and '.join(result['appraisals'])}")
    if result.get("interests"):
        parts.append(f"you're interested in {'; '.join(result['interests'])}")
    if loan := result.get("loan"):
        said = loans.said(loan)
        parts.append(f"the repayments we worked out: {said[0].lower()}{said[1:-1]}")
    if not parts:  # a name alone is what they told us, not something remembered
        return "I don't have any details for you yet. What are you looking for?"
    if result["name"] and result.get("speaking"):
        return f"For {result['name']}: {'; '.join(parts)}."
    if result["name"]:
        parts.insert(0, f"You're {result['name']}")
    said = "; ".join(parts)
    return f"{said[:1].upper()}{said[1:]}."
