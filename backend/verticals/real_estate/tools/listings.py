"""Property Search and Suburb Intelligence: listings come from the graph only."""

from __future__ import annotations

import contextlib
import itertools
import re
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from agents import RunContextWrapper, custom_span, function_tool

from backend.agents.clock import spoken
from backend.agents.context import CallContext
from backend.agents.policy import parse
from backend.agents.tools import identity
from backend.agents.tools.failures import NothingToBook, NotUnderstood, UnknownProperty, UnknownSuburb
from backend.agents.tools.replies import money
from backend.verticals.real_estate.episodes import PropertyInterest, PropertyInterestWithdrawn
from backend.verticals.real_estate.listings import Listing, current_listings
from backend.verticals.real_estate.tools import preferences, resolve
from memory import EpisodeConflict

RESULTS = 5
"""Homes read out per search."""


@dataclass
class Criteria:
    """What a search asks for, and which of it came from memory rather than this turn."""

    suburbs: list[str] = field(default_factory=list)
    max_price: float | None = None
    min_bedrooms: int | None = None
    max_bedrooms: int | None = None
    street: str | None = None
    """A street we list, abbreviated as in addresses ("glenayr ave"): only homes on it."""
    from_memory: list[str] = field(default_factory=list)


def _criteria(call: CallContext, places: list[str], said: Criteria) -> Criteria:
    """What the caller said this turn, the rest from the turn context (current facts)."""
    context = call.context
    said.suburbs = places
    if context is None:
        return said
    if not said.suburbs and (suburbs := [str(f.object_name) for f in context.all("PREFERS_SUBURB")]):
        said.suburbs, said.from_memory = suburbs, [*said.from_memory, "suburb"]
    if said.max_price is None and (budget := context.current("HAS_BUDGET")):
        said.max_price, said.from_memory = float(budget.value), [*said.from_memory, "max_price"]  # type: ignore[arg-type]
    if said.min_bedrooms is None and (beds := context.current("WANTS_BEDROOMS")):
        said.min_bedrooms, said.from_memory = int(beds.value), [*said.from_memory, "min_bedrooms"]  # type: ignore[arg-type]
    return said


def _widen(call: CallContext, nearby: bool = False) -> tuple[Criteria, str | None]:
    """The last search with one more constraint relaxed: price (+10%), then bedrooms (-1),
    then the neighbouring suburbs (first, when ``nearby`` was asked for); None when nothing
    is left to relax."""
    last = call.state.search
    wider = Criteria(**{**last, "suburbs": list(last.get("suburbs", []))})
    done = call.state.widened
    if nearby:
        done = [*done, "price", "bedrooms"]
    if "price" not in done and wider.max_price:
        wider.max_price = round(wider.max_price * 1.1, -3)
        return wider, "price"
    if "bedrooms" not in done and wider.min_bedrooms and wider.min_bedrooms > 1:
        wider.min_bedrooms -= 1
        return wider, "bedrooms"
    near = [n for s in wider.suburbs for n in call.neighbours.get(s, ()) if n not in wider.suburbs]
    if "suburbs" not in done and near:
        wider.suburbs += list(dict.fromkeys(near))
        return wider, "suburbs"
    return wider, None


async def _find(call: CallContext, criteria: Criteria) -> list[Listing]:
    """The cheapest homes that fit; of several suburbs, each gets its turn ("Cronulla or
    Maroubra" reads out both, even when one has five cheaper homes)."""
    each: list[list[Listing]] = []
    with custom_span("memory.listings"):
        for place in criteria.suburbs or [None]:  # type: ignore[list-item]
            found = await current_listings(
                call.memory,
                call.group_id,
                suburb=place,
                max_price=criteria.max_price,
                min_bedrooms=criteria.min_bedrooms,
                max_bedrooms=criteria.max_bedrooms,
                limit=RESULTS if criteria.street is None else 1000,
            )
            if criteria.street:
                found = [x for x in found if resolve.street_of(x.address) == criteria.street]
            each.append(sorted(found, key=lambda x: x.price))
    turns = [x for row in itertools.zip_longest(*each) for x in row if x is not None]
    return sorted(turns[:RESULTS], key=lambda x: x.price)


@function_tool
async def search_properties(
    ctx: RunContextWrapper[CallContext],
    suburb: str | None = None,
    max_price: float | None = None,
    min_bedrooms: int | None = None,
    max_bedrooms: int | None = None,
    street: str | None = None,
    widen: bool = False,
    nearby: bool = False,
    earlier: bool = False,
    also: bool = False,
    cheapest: bool = False,
) -> dict[str, Any]:
    """Find homes for sale, cheapest first. What the caller does not say now comes from what
    they told us before (their budget, bedrooms and suburbs); the result says which.

    Args:
        suburb: A suburb to search in, or several as alternatives ("Cronulla or Maroubra");
            defaults to the suburbs they prefer.
        max_price: The most the caller will pay, in dollars (defaults to their budget).
        min_bedrooms: The fewest bedrooms acceptable (defaults to what they want).
        max_bedrooms: The most bedrooms wanted, when they ask for a size ("a two bedroom flat")
            rather than a minimum ("at least two").
        street: A street they named ("the place on Glenayr Avenue"): only homes on it.
        widen: They ask for more or other options ("widen the search", "what else is there?"):
            relax one constraint of the last search.
        nearby: They ask to look around the suburbs searched ("have a look nearby"): the last
            search with the neighbouring suburbs added.
        earlier: They ask for what an earlier call found or what is on file ("the places you
            found me last time", "same budget as last time", "switch my search to Manly").
        also: The suburb is one more to look in ("add Balmain as well"), beside the ones
            they prefer.
        cheapest: They ask for the one cheapest home ("what's the cheapest one you've got?"):
            it is the one discussed next ("how many bedrooms has that got?").
    """
    call = ctx.context
    if earlier:
        preferences.require_on_file(call, said=bool(max_price))
    try:
        places = resolve.known_suburbs(call, suburb) if suburb else []
    except (
        UnknownSuburb
    ):  # "2 bed units in wolli creek under 1m": the rest holds ("marrickville then, same deal")
        said_rest = {"max_price": max_price, "min_bedrooms": min_bedrooms, "max_bedrooms": max_bedrooms}
        call.state.search = {k: v for k, v in said_rest.items() if v is not None}
        await preferences.remember(call, budget=max_price, bedrooms=min_bedrooms, places=[])
        raise
    if also and places and call.context is not None:
        preferred = [str(f.object_name) for f in call.context.all("PREFERS_SUBURB")]
        places = list(dict.fromkeys([*preferred, *places]))
    around = [n for p in places for n in call.neighbours.get(p, ()) if n not in places] if nearby else []
    on = resolve.listed_street(call, street, places[0] if places else None) if street else None
    step = None
    last = call.state.search
    # "What's close by? Still four bedrooms, still two and a half": what is said again is no new search
    said = {"max_price": max_price, "min_bedrooms": min_bedrooms}
    new = [k for k, v in said.items() if v and v != last.get(k)]
    widening = (widen or nearby) and bool(last) and not (places or new or on)
    if widening:
        criteria, step = _widen(call, nearby)
        call.state.widened = [*call.state.widened, step] if step else call.state.widened
    else:
        if min_bedrooms and max_bedrooms and max_bedrooms < min_bedrooms:
            # The answer ("at least four") is the search's bedrooms.
            args = {"suburb": " or ".join(places) or None, "max_price": max_price, "street": street}
            call.state.pending = {"tool": "search_properties", "args": args, "asks": "min_bedrooms"}
            raise NotUnderstood(
                f"At least {min_bedrooms} bedrooms and no more than {max_bedrooms} can't both be met."
                " How many bedrooms would you like?"
            )
        said = Criteria(max_price=max_price, min_bedrooms=min_bedrooms, street=on)
        said.max_bedrooms = max(max_bedrooms, min_bedrooms or 0) if max_bedrooms else None
        if max_bedrooms is None and min_bedrooms is None:  # a size asked earlier in the call holds
            said.max_bedrooms = call.state.search.get("max_bedrooms")
        # "What else is there around Newtown?": it and the suburbs around it (only it noted)
        criteria = _criteria(call, places + around, said)
        call.state.widened = []
        if not (criteria.suburbs or criteria.max_price or criteria.min_bedrooms or criteria.street):
            # Nothing to go on (or not about homes at all: "do you sell boats?"): ask, rather
            # than read out the five cheapest homes in the city.
            if earlier:
                raise NotUnderstood(preferences.NOTHING_EARLIER)
            raise NotUnderstood(
                "I can help you find a home for sale. What are you after? A suburb, a budget or the"
                " number of bedrooms is a good start."
            )
    found = await _find(call, criteria)
    call.state.search = {k: v for k, v in asdict(criteria).items() if k != "from_memory"}
    call.state.suburb_discussed = criteria.suburbs[0] if len(criteria.suburbs) == 1 else None
    call.state.last_results = found
    call.state.last_property = found[0].property_id if len(found) == 1 or (cheapest and found) else None
    await preferences.remember(call, budget=max_price, bedrooms=min_bedrooms, places=places)
    if criteria.street and len(found) == 1:  # "the five bedder on Victoria Road": one home named
        await interested(call, found[0].property_id)
    return {
        "suburbs": criteria.suburbs,
        "max_price": criteria.max_price,
        "min_bedrooms": criteria.min_bedrooms,
        "max_bedrooms": criteria.max_bedrooms,
        "street": found[0].address.split(" ", 1)[-1] if criteria.street and found else None,
        "from_memory": criteria.from_memory,
        "widened": step,
        "exhausted": widening and step is None,
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


_EARLIER = re.compile(
    r"\b(last time|last call|(called|rang|spoke|talked|chatted) (before|earlier)"
    r"|(you|u) (found|showed|sent|had) (me|us)|my (search|criteria)"
    r"|same (budget|beds?|bedrooms|criteria|areas?|suburbs?|size|search)"
    r"|(search|look) (i|we) (did|had|ran)( (on the|over the|by) (phone|chat))?"
    r"|(put|bump|push|raise|increase|lift|move|take) (up )?(my|our) budget"
    r"|(my|our) budget('s| has| is)? (gone |going )?up"
    r"|what (were|was) (the|those|that) (addresses|homes|places|houses|ones|listings|properties)( \w+)? again"
    r"|(didn'?t|did not|forgot to) (write|jot|note) (them|those|it|that) down)\b",
    re.IGNORECASE,
)


def read_earlier(utterance: str, ctx: CallContext) -> bool:
    return bool(_EARLIER.search(utterance))


_ALSO = re.compile(
    r"\b(?:add|include|throw in|chuck in)\b|\b(?:also|as well as) (?:in|look(?:ing)? (?:in|at))\b",
    re.IGNORECASE,
)


def read_also(utterance: str, ctx: CallContext) -> bool:
    return bool(_ALSO.search(utterance))


_CHEAPEST = re.compile(r"\b(?:the )?cheapest (?:one|home|place|house|unit|apartment|flat)\b", re.IGNORECASE)


def read_cheapest(utterance: str, ctx: CallContext) -> bool:
    return bool(_CHEAPEST.search(utterance))


_A_MINIMUM = re.compile(
    r"\b(?:at least|or more|or bigger|or above|minimum|min|plus|upwards|more than|no fewer than"
    r"|(?:we|i) (?:really )?(?:need|must have))\b|\d\s*\+",  # "we need four bedrooms": four will do, or more
    re.IGNORECASE,
)


_BOUND = r"\s+(\d{1,2}|one|two|three|four|five|six|seven|eight)\s*(?:bed|br\b)"
_AT_LEAST = re.compile(r"\b(?:at least|minimum(?: of)?|min|no fewer than|no less than)" + _BOUND, re.I)
_AT_MOST = re.compile(
    r"\b(?:no more than|not more than|at most|maximum(?: of)?|max|up to"
    r"|(?:do ?n[o']?t|won'?t) (?:need|want)(?: any)? more than)" + _BOUND,
    re.I,
)
_EXACTLY = re.compile(r"\b(?:just|only)(?: the| a)?" + _BOUND, re.I)
"""A size and no other: "still just 1 bed"."""


_RANGE = re.compile(
    r"\b(\d|one|two|three|four|five|six)\s*(?:or|to|-|–)\s*(\d|one|two|three|four|five|six)\s*(?:bed|br\b)",
    re.I,
)
"""Two sizes either of which would do: "3 or 4 bed", "two to three bedrooms"."""


def _range(utterance: str) -> tuple[int, int] | None:
    m = _RANGE.search(parse.spoken(utterance))
    low, high = (parse.count(m.group(1)), parse.count(m.group(2))) if m else (None, None)
    return (low, high) if low and high and low < high else None


def _bound(pattern: re.Pattern[str], utterance: str) -> int | None:
    m = pattern.search(parse.spoken(utterance))
    return parse.count(m.group(1)) if m else None


def read_min_bedrooms(utterance: str, ctx: CallContext) -> int | None:
    """The fewest bedrooms: the count said "at least" of, else one said with "bed" that is no cap."""
    if (least := _bound(_AT_LEAST, utterance) or _bound(_EXACTLY, utterance)) is not None:
        return least
    if either := _range(utterance):
        return either[0]
    return parse.count(_AT_MOST.sub(" ", parse.spoken(utterance)), near="bed")  # not "up to 4 bed"


def read_wanted_bedrooms(utterance: str, ctx: CallContext) -> int | None:
    """The bedrooms to note: the fewer of "3 or 4 bed", else the count said."""
    either = _range(utterance)
    return either[0] if either else parse.count(utterance, near="bed")


def read_bedroom_cap(utterance: str, ctx: CallContext) -> int | None:
    """A cap said outright ("don't need more than one bedroom", "just a 1 bed"), or None."""
    return _bound(_AT_MOST, utterance) or _bound(_EXACTLY, utterance)


def read_max_bedrooms(utterance: str, ctx: CallContext) -> int | None:
    """ "No more than two bedrooms" caps it. "A one bedroom apartment" asks for a size, not a
    minimum: one more bedroom at most, so a caller after a one-bedder does not hear
    five-bedroom houses. "At least three": no cap."""
    if (most := read_bedroom_cap(utterance, ctx)) is not None:
        return most
    if either := _range(utterance):
        return either[1]
    wanted = parse.count(utterance, near="bed")
    if wanted is None or _A_MINIMUM.search(utterance):
        return None
    return wanted + 1


def _places(suburbs: list[str]) -> str:
    return suburbs[0] if len(suburbs) == 1 else ", ".join(suburbs[:-1]) + f" and {suburbs[-1]}"


def _asked(result: dict[str, Any], parts: set[str]) -> str:
    """The criteria in ``parts`` as words: "in Bondi with 3+ bedrooms up to $1,200,000"."""
    words = []
    if "suburb" in parts and result.get("street"):
        words.append(f"on {result['street']}")
    if "suburb" in parts and result["suburbs"]:
        words.append(f"in {_places(result['suburbs'])}")
    if "min_bedrooms" in parts and result["min_bedrooms"]:
        most = result.get("max_bedrooms")
        span = f"{result['min_bedrooms']}-{most}" if most and most > result["min_bedrooms"] else None
        words.append(f"with {span or result['min_bedrooms']}{'' if most else '+'} bedrooms")
    if "max_price" in parts and result["max_price"]:
        words.append(f"up to {money(result['max_price'])}")
    return " ".join(words)


_WIDENED = {
    "price": lambda r: f"I've raised the price by 10% to {money(r['max_price'])}",
    "bedrooms": lambda r: f"I've come down to {r['min_bedrooms']}+ bedrooms",
    "suburbs": lambda r: f"I've added the neighbouring suburbs, so now {_places(r['suburbs'])}",
}


def reply_search(result: dict[str, Any]) -> str:
    homes = result["listings"]
    remembered = set(result["from_memory"])
    said = {"suburb", "min_bedrooms", "max_price"} - remembered
    if result["widened"]:
        lead = _WIDENED[result["widened"]](result) + ". "
    elif result["exhausted"]:
        lead = f"That's as wide as I can make it ({_asked(result, said | remembered)}). "
    elif remembered:
        now = _asked(result, said)
        lead = f"Still {_asked(result, remembered)}{', now ' + now if now else ''}. "
    else:
        lead = ""
    asked = _asked(result, said | remembered)
    if not homes:
        more = " Would you like to change what you're after?" if result["exhausted"] else " Shall I widen it?"
        fits = asked if asked and not lead else "that fits"
        return f"{lead}I couldn't find anything for sale {fits} right now.{more}"
    lines = "; ".join(
        f"{h['n']}) {h['address']}, {h['suburb']}, {h['bedrooms']} bed, {money(h['price'])}" for h in homes
    )
    where = f" {asked}" if asked and not lead else ""
    return f"{lead}I found {len(homes)} home{'s' if len(homes) > 1 else ''}{where}: {lines}."


@function_tool
async def shortlist_property(ctx: RunContextWrapper[CallContext], property: str) -> dict[str, Any]:
    """Note that the caller is interested in a property.

    Args:
        property: The listing id, its address, or its position in the last results.
    """
    call = ctx.context
    pid = resolve.property_id(call, property)
    call.state.last_property = pid
    call.state.shortlist = [*dict.fromkeys([*call.state.shortlist, pid])]
    await interested(call, pid)
    return {"property_id": pid, "address": call.addresses.get(pid, pid)}


async def interested(call: CallContext, pid: str) -> None:
    """Remember the caller's interest in a home (shortlisted, or asked about by name): on a
    later call "that Cronulla place I asked about" is that home. Once per call and home."""
    key = f"{call.call_id}:interest:{pid}"
    with contextlib.suppress(EpisodeConflict):  # recorded at an earlier turn of this call
        await call.memory.record(call.episode(PropertyInterest, key, property_id=pid))


def reply_shortlist(result: dict[str, Any]) -> str:
    return f"I've added {result['address']} to your shortlist. Would you like to book a viewing?"


@function_tool
async def remove_from_shortlist(ctx: RunContextWrapper[CallContext], property: str) -> dict[str, Any]:
    """Note that the caller is no longer interested in a property ("take the second one off my
    shortlist").

    Args:
        property: The listing id, its address, or its position in the last results.
    """
    call = ctx.context
    pid = resolve.property_id(call, property)
    known = call.known()
    kept = pid in call.state.shortlist or any(
        f.name == "INTERESTED_IN" and f.value == pid for f in (known.facts if known else [])
    )
    call.state.shortlist = [p for p in call.state.shortlist if p != pid]
    if kept:
        key = f"{call.call_id}:withdrawn:{pid}"
        with contextlib.suppress(EpisodeConflict):  # recorded at an earlier turn of this call
            await call.memory.record(call.episode(PropertyInterestWithdrawn, key, property_id=pid))
    return {"property_id": pid, "address": call.addresses.get(pid, pid), "removed": kept}


def reply_removed(result: dict[str, Any]) -> str:
    if not result["removed"]:
        return f"{result['address']} isn't on your shortlist, so there's nothing to take off."
    return f"I've taken {result['address']} off your shortlist."


def confirm_removal(args: dict[str, Any]) -> str:
    return "Would you like me to take that home off your shortlist?"


@function_tool
async def property_details(
    ctx: RunContextWrapper[CallContext], property: str | None = None
) -> dict[str, Any]:
    """What one home for sale is like: suburb, bedrooms, bathrooms, kind and price.

    Args:
        property: The listing id, its address, or its position in the last results (defaults to
            the one discussed).
    """
    call = ctx.context
    known = call.known()
    viewings = known.upcoming_bookings if known else []
    if property is None and not (call.state.last_property or call.state.last_results):
        identity.require_verified(call)  # "the place I'm seeing Sunday" of whom they may be
        property = resolve.booked_home(call)
    pid = resolve.property_id(call, property)
    home = await home_of(call, pid)
    if home.status == "listed":
        await interested(call, pid)
    booked = next((b for b in viewings if b.property_id == pid), None)
    viewing = spoken(booked.starts_at, call.tz) if booked else None
    return {**home.model_dump(), "property_id": pid, "viewing": viewing}


async def home_of(call: CallContext, pid: str) -> Listing:
    """The listing as the graph has it now (sold or withdrawn too); it becomes the one discussed."""
    place = call.localities.get(pid)
    with custom_span("memory.listings"):
        homes = await current_listings(call.memory, call.group_id, suburb=place, status=None, limit=1000)
    home = next((h for h in homes if h.property_id == pid), None)
    if home is None:
        raise UnknownProperty("I can't find that listing any more. Shall I search again?")
    call.state.last_property = pid
    return home


def reply_details(result: dict[str, Any]) -> str:
    kind = result["kind"] or "home"
    baths = f", {result['bathrooms']} bathroom" if result["bathrooms"] else ""
    if result["status"] != "listed":
        return f"{result['address']}, {result['suburb']} is no longer for sale ({result['status']})."
    then = f"Your viewing is on {v}." if (v := result.get("viewing")) else "Would you like to book a viewing?"
    return (
        f"{result['address']}, {result['suburb']} is a {result['bedrooms']} bedroom{baths} {kind},"
        f" listed at {money(result['price'])}. {then}"
    )


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
        homes = await current_listings(call.memory, call.group_id, suburb=place, limit=200)
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


@function_tool
async def send_details(
    ctx: RunContextWrapper[CallContext], email: str | None = None, property: str | None = None
) -> dict[str, Any]:
    """The caller wants the details of homes by email: the one they point at, else those read out,
    else the one discussed.
    An agent sends them; the request is noted for the call's summary.

    Args:
        email: Where to send them (the address the caller gave).
        property: One home they mean (an address or a position in the last results).
    """
    call = ctx.context
    if not email:
        raise NotUnderstood("Sure. What email address should we send them to?")
    if property:
        homes = [call.addresses.get(pid := resolve.property_id(call, property), pid)]
    elif call.state.last_results:
        homes = [x.address for x in call.state.last_results]
    elif pid := call.state.last_property:  # the one home discussed, asked about without a search
        homes = [call.addresses.get(pid, pid)]
    else:
        homes = []
    if not homes:
        raise NothingToBook(
            "I haven't read out any homes yet. Shall I search first? Tell me a suburb or a budget."
        )
    call.state.tried.append(f"asked for the details of {len(homes)} home(s) by email")
    return {"email": email, "homes": homes}


def reply_send(result: dict[str, Any]) -> str:
    homes = result["homes"]
    which = homes[0] if len(homes) == 1 else f"those {len(homes)} homes"
    # The address is not read back: the output guardrail holds every contact not on file.
    return f"Will do: one of our agents will send you the details of {which} by email."
