"""Turning what a caller said into graph entities: "the second one", "12 Ocean St", "Bondi".
What cannot be resolved raises a typed failure whose message is the question to ask."""

from __future__ import annotations

import calendar
import itertools
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from backend.agents.clock import local
from backend.agents.context import CallContext
from backend.agents.policy import parse
from backend.agents.tools.failures import (
    AmbiguousReference,
    NothingToBook,
    NotUnderstood,
    ToolFailure,
    UnknownProperty,
    UnknownSuburb,
)
from backend.agents.tools.replies import money
from backend.speech.clauses import CORRECTION
from backend.speech.numbers import STREET_KINDS
from backend.verticals.real_estate.demo import NICKNAMES
from backend.verticals.real_estate.listings import Listing
from backend.verticals.real_estate.ontology import loan_terms

_PROPERTY_ID = re.compile(r"\bP\d+\b")
_STREET = re.compile(
    rf"\b((?:(?:\d+[a-z]?/)?\d+[a-z]?\s+)?(?:[a-z']+\s+){{1,3}}(?:{STREET_KINDS})"
    r"(?:\s+(?:street|road|avenue|parade|crescent|drive|place|lane|way|terrace|court|close))?)\b",
    re.IGNORECASE,
)
_LEAD = re.compile(r"^(?:.*\b(?:on|in|at|of)\s+)?(?:the\s+)?", re.IGNORECASE)
_NOT_A_NAME = frozenset({
    "is", "it", "its", "it's", "so", "too", "very", "how", "quite", "really", "pretty", "that",
    "this", "any", "some", "a", "the", "my", "your", "our", "their", "best", "nice", "good", "same",
    "other", "one", "which", "what",
})  # fmt: skip
"""Words no street is named with: "is it close to the beach?" names no street called Close."""
_STREET_TYPES = {
    "street": "st", "road": "rd", "avenue": "ave", "parade": "pde", "crescent": "cres", "drive": "dr",
    "place": "pl", "lane": "ln", "terrace": "tce", "court": "ct", "highway": "hwy", "boulevard": "blvd",
}  # fmt: skip


def booked_home(ctx: CallContext) -> str | None:
    """The one home a (verified) caller is to see, when no home is pointed at or discussed:
    "so what's the address?", "yes Monday 11 pls" after a move."""
    if ctx.state.last_property or ctx.state.last_results:
        return None
    known = ctx.known()
    homes = {b.property_id for b in known.upcoming_bookings} if known else set()
    return homes.pop() if len(homes) == 1 else None


def property_id(ctx: CallContext, said: str | None) -> str:
    """A listing id from an id, an address, an ordinal into the last results, a suburb among
    them ("the one in Coogee"), or "it" (the one discussed)."""
    text = (said or "").strip()
    if text in ctx.addresses:
        return text
    if m := _PROPERTY_ID.search(text):
        return m.group(0)
    if len(named := _addresses_named(ctx, text)) > 1:
        ctx.state.homes_named = named
    results = ctx.state.last_results
    if position := parse.ordinal(text):
        return _nth(results, position).property_id
    if parse.other_one(text) and (other := _other(ctx, results)):
        return other
    if (compared := _compared(text, results)) is not None:
        return compared.property_id
    if (kinded := _of_kind(text, results)) is not None:
        return kinded.property_id
    if said := _listed_street(ctx, text):
        return _on_street(ctx, said, suburb(ctx, text))
    if (named := street(text)) and not _a_suburbs_home(ctx, named):
        where = f" in {place}" if (place := suburb(ctx, text)) else ""
        ctx.state.suburb_discussed = place or ctx.state.suburb_discussed
        found = _did_you_mean(ctx, _address_key(named)[1], place)
        raise UnknownProperty(f"I don't have a listing on {named}{where}.{found}", street=named)
    if (chosen := _in_suburb(ctx, text, results)) is not None:
        return chosen
    if _SEEING.search(text) and (seen := _seeing(ctx, text)):
        return seen
    if ctx.state.last_property:
        return ctx.state.last_property
    if len(results) == 1:
        return results[0].property_id
    if results:
        raise AmbiguousReference(f"Which of these do you mean: {_read_out(results)}?")
    raise NotUnderstood("Which home do you mean? You can give me the address, or I can search first.")


_KIND = re.compile(
    r"(?<!not )(?<!no )\bthe (?P<kind>apartment|unit|flat|house|townhouse|terrace)\b", re.IGNORECASE
)
_KINDS = {"unit": "apartment", "flat": "apartment"}


def _of_kind(text: str, results: list[Listing]) -> Listing | None:
    """ "The apartment, not the house": the one home of that kind read out."""
    if not (m := _KIND.search(text)):
        return None
    kind = _KINDS.get(m["kind"].lower(), m["kind"].lower())
    found = [x for x in results if (x.kind or "").lower() == kind]
    return found[0] if len(found) == 1 else None


_SEEING = re.compile(
    r"\b(?:the|that) (?:place|house|home|one|unit|apartment|flat|property|terrace)(?: (?:that|which))?"
    r" (?:i'?m|im|we'?re|i am|we are) (?:seeing|viewing|inspecting|booked (?:in )?(?:for|to see))\b"
    r"|\bmy (?:viewing|inspection|booking)\b",
    re.IGNORECASE,
)
"""A home pointed at by the caller's booking: "the place I'm seeing on Saturday"."""


def _seeing(ctx: CallContext, text: str) -> str | None:
    """The home of the one upcoming viewing meant (on the day named, if one is)."""
    known = ctx.known()
    mine = known.upcoming_bookings if known else []
    day = re.search(r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b", text, re.IGNORECASE)
    if day:
        mine = [b for b in mine if f"{local(b.starts_at, ctx.tz):%A}".lower() == day.group(0).lower()]
    homes = {b.property_id for b in mine}
    return homes.pop() if len(homes) == 1 else None


_COMPARED = re.compile(
    r"(?:\bthe |(?:^\W*|[.,!?]\s*)(?=[\w ]{3,20} (?:one\b|of (?:the lot|them|those|the \w+)\b))"
    r"|\bwhich(?: one| of (?:them|those|the two))?(?: is|'s)(?: the)? )"
    r"(?:(?P<cheap>cheaper|cheapest|less expensive|least expensive)"
    r"|(?P<dear>dearer|dearest|more expensive|most expensive|pricier|priciest)"
    r"|(?P<big>bigger|biggest|big|larger|largest)(?= (?:one|place|house|home)\b))",
    re.IGNORECASE,
)
"""A home pointed at by comparison among those read out: "the cheaper one", "the big one",
"Cheaper one. Twenty down", "Right. Cheapest of the lot.", "which is cheaper?" (not "Cheaper
ones in Bondi?")."""


def _compared(text: str, results: list[Listing]) -> Listing | None:
    m = _COMPARED.search(text)
    if not m or not results:
        return None
    if m["cheap"]:
        return min(results, key=lambda x: x.price)
    if m["dear"]:
        return max(results, key=lambda x: x.price)
    return max(results, key=lambda x: (x.bedrooms or 0, x.price))


def _other(ctx: CallContext, results: list[Listing]) -> str | None:
    """The home read out (or named with it) besides the one discussed; None when none was."""
    pool = [x.property_id for x in results]
    if ctx.state.last_property not in pool:
        pool = ctx.state.homes_named
    others = [p for p in pool if p != ctx.state.last_property]
    if not ctx.state.last_property or len(others) == len(pool) or not others:
        return None
    if len(others) > 1:
        read = [x for x in results if x.property_id in others]
        listed = _read_out(read) if read else "; ".join(_full(ctx, p) for p in others)
        raise AmbiguousReference(f"Which of these do you mean: {listed}?")
    return others[0]


def _addresses_named(ctx: CallContext, text: str) -> list[str]:
    """The homes of ours the caller named by number and street, in the order said."""
    said = " ".join(_STREET_TYPES.get(w, w) for w in re.findall(r"[\w/']+", text.lower()))
    found = {
        m.start(): pid
        for pid, address in ctx.addresses.items()
        if (m := re.search(rf"\b{re.escape(' '.join(filter(None, _address_key(address))))}\b", said))
    }
    return [found[at] for at in sorted(found)]


def _listed_street(ctx: CallContext, text: str) -> tuple[str | None, str] | None:
    """(number, street) of a street we list that the caller named ("65 Ocean Street")."""
    said = " ".join(
        _STREET_TYPES.get(w, w) if w.isalnum() else w for w in re.findall(r"[\w/']+|,", text.lower())
    )
    streets = {_address_key(a)[1] for a in ctx.addresses.values()}
    named = sorted(
        (m.start(), m.group(1), name)
        for name in streets
        for m in re.finditer(rf"(?:\b(\d[\w/]*)\s+)?\b{re.escape(name)}\b", said)
    )
    last = named[-1][2] if named else ""
    again = [n for _, _, n in named[:-1]].count(last) > 0 and not named[-1][1]
    if len({n for *_, n in named}) > 1 and (again or CORRECTION.search(said, named[0][0], named[-1][0])):
        # "81 Victoria Road, no, the George Street one first, okay fine, Victoria Road first";
        # "32 Bay St and 124 Station St. What's the monthly on the Bay St one?"
        return next((number for _, number, n in reversed(named) if n == last and number), None), last
    for name in sorted(streets, key=len, reverse=True):
        if m := re.search(rf"(?:\b(\d[\w/]*)\s+)?\b{re.escape(name)}\b", said):
            return m.group(1), name
    return None


def _on_street(ctx: CallContext, said: tuple[str | None, str], place: str | None) -> str:
    """The listing on the street named ("King Street in Glebe", "65 Ocean St"): the number
    and the suburb narrow it down when given."""
    number, name = said
    named = f"{number} {name.title()}" if number else name.title()
    homes = {
        pid: _address_key(address)
        for pid, address in ctx.addresses.items()
        if place is None or ctx.localities.get(pid) == place
    }
    on_street = [pid for pid, (_, street_name) in homes.items() if street_name == name]
    read_out = {x.property_id for x in ctx.state.last_results}
    if place is None and len(heard := [p for p in on_street if p in read_out]) == 1 and not number:
        return heard[0]  # "the one on Darling Street": of the homes just read out
    booked = known.upcoming_bookings if (known := ctx.known()) else []
    talked_of = {ctx.state.last_property, *ctx.state.homes_named, *(b.property_id for b in booked)}
    if place is None and len(ours := [p for p in on_street if p in talked_of]) == 1 and not number:
        return ours[0]  # "book Arden Street for twelve": the one just booked or talked about
    exact = [pid for pid in on_street if number and homes[pid][0] == number]
    chosen = exact or ([] if number else on_street)
    if len(chosen) > 1 and len(heard := [p for p in chosen if p in read_out | talked_of]) == 1:
        return heard[0]  # "132 bay st. asking?": the 132 Bay St just read out, of two
    if len(chosen) == 1:
        return chosen[0]
    where = f" in {place}" if place else ""
    if len(chosen) > 1:
        listed = "; ".join(_full(ctx, p) for p in chosen)
        raise AmbiguousReference(f"I have {len(chosen)} homes on {named}{where}: {listed}. Which one?")
    if number and on_street and (place or len(on_street) == 1):
        # "seven Park Avenue in Paddington": the number misheard or misread, the street ours there
        listed = " and ".join(ctx.addresses[p] if place else _full(ctx, p) for p in on_street)
        one = on_street[0] if len(on_street) == 1 else None
        ctx.state.last_property = one or ctx.state.last_property
        raise UnknownProperty(
            f"I don't have a listing at {named}{where}. On {name.title()}{where} I have {listed}."
            f" {'Is that the one?' if one else 'Is it one of those?'}",
            street=named,
            suggested=one,
        )
    elsewhere = sorted({ctx.localities.get(p, "") for p in _on(ctx, name)} - {"", place})
    hint = f" I have homes on {name.title()} in {' and '.join(elsewhere)}." if elsewhere else ""
    ctx.state.street_discussed = name if elsewhere else ctx.state.street_discussed
    same = [p for p in _on(ctx, name) if number and _address_key(ctx.addresses[p])[0] == number]
    suggested = same[0] if place and len(same) == 1 else None
    if suggested:  # "74 Glenayr Avenue in Bondi": ours is in Coogee
        hint = f" We do have {named} in {ctx.localities.get(suggested)}. Is that the one?"
        ctx.state.last_property = suggested  # "yes, that one, Sunday at ten"
    raise UnknownProperty(
        f"I don't have a listing at {named}{where}.{hint or _did_you_mean(ctx, name, place)}",
        street=named,
        suggested=suggested,
    )


def street_of(address: str) -> str:
    """ "ocean st" from "65 Ocean Street": the street of an address, as ``listed_street`` gives it."""
    return _address_key(address)[1]


def listed_street(ctx: CallContext, said: str, place: str | None) -> str:
    """The street we list that ``said`` names ("Glenayr Avenue" is "glenayr ave"), or
    UnknownProperty naming the suburbs it has homes in or the closest listed streets."""
    found = _listed_street(ctx, said)
    if found is None:
        named = street(said) or said
        hint = _did_you_mean(ctx, said, place)
        raise UnknownProperty(f"I don't have a listing on {named}.{hint}", street=named)
    if place and not any(ctx.localities.get(p) == place for p in _on(ctx, found[1])):
        elsewhere = sorted({ctx.localities.get(p, "") for p in _on(ctx, found[1])} - {""})
        raise UnknownProperty(
            f"I don't have a listing on {found[1].title()} in {place}; I have homes on it in"
            f" {' and '.join(elsewhere)}. Which suburb did you mean?",
            street=found[1].title(),
        )
    return found[1]


_NAMED_STREET = re.compile(
    r"\b(street|road|avenue|crescent|parade|drive|highway|boulevard|terrace|lane|st|rd|ave|cres|pde|hwy)$",
    re.IGNORECASE,
)
"""The kinds of street no search for a home is said with ("a three bedroom place", "close to
the beach"): a street of one of these kinds is one the caller named."""


def read_street(utterance: str, ctx: CallContext) -> str | None:
    """A street we list that the caller named, for narrowing a search ("the place on Glenayr
    Avenue"), or a street we do not list ("anything on Wattle Grove Crescent?": the search says
    so); "a three bedroom place" names none."""
    if found := _listed_street(ctx, utterance):
        return found[1]
    named = street(utterance)
    return named if named and _NAMED_STREET.search(named) else None


def _on(ctx: CallContext, street_name: str) -> list[str]:
    return [pid for pid, a in ctx.addresses.items() if _address_key(a)[1] == street_name]


def _address_key(address: str) -> tuple[str | None, str]:
    """("65", "ocean st") from "65 Ocean Street": the number and the street, abbreviated."""
    words = address.lower().replace(",", " ").split()
    number = words.pop(0) if words and words[0][0].isdigit() else None
    return number, " ".join(_STREET_TYPES.get(w, w) for w in words)


def _nth(results: list[Listing], position: int) -> Listing:
    if not results:
        raise NothingToBook(
            "I haven't read out any homes on this call yet, so I'm not sure which one you mean."
            " Shall I search? Tell me a suburb or a budget."
        )
    if position > len(results):
        shown = len(results)
        raise AmbiguousReference(f"I only read out {shown}: {_read_out(results)}. Which one?", count=shown)
    return results[position - 1 if position > 0 else -1]


def _in_suburb(ctx: CallContext, text: str, results: list[Listing]) -> str | None:
    """ "The one in Coogee": the only listing read out in that suburb, else the only one there
    the caller is known to be interested in ("that Cronulla place I asked about last time")."""
    place = suburb(ctx, text)
    if place is None:
        return None
    there = [x for x in results if x.suburb == place]
    if len(there) > 1:
        raise AmbiguousReference(f"{len(there)} of those are in {place}: {_read_out(there)}. Which one?")
    if there:
        return there[0].property_id
    on_street = [p for p in _on(ctx, ctx.state.street_discussed or "") if ctx.localities.get(p) == place]
    if len(on_street) == 1:  # "Is it Coogee? Yes, the Coogee one then"
        return on_street[0]
    if remembered := _remembered(ctx, place):
        return remembered
    if results:
        raise UnknownProperty(f"None of the homes I read out is in {place}: {_read_out(results)}. Which one?")
    return None


def _remembered(ctx: CallContext, place: str) -> str | None:
    """The one home in ``place`` the caller's facts name (an interest, a booking); several are
    asked about by address."""
    if (known := ctx.caller) is None:
        return None
    homes = [str(f.value) for f in known.facts if f.name == "INTERESTED_IN"]
    homes += [b.property_id for b in known.upcoming_bookings if b.property_id]
    loans = [loan_terms(f.value) for f in known.facts if f.name == "DISCUSSED_LOAN"]
    homes += [str(t["property_id"]) for t in loans if "property_id" in t]
    there = [pid for pid in dict.fromkeys(homes) if ctx.localities.get(pid) == place and pid in ctx.addresses]
    if len(there) > 1:
        named = " or ".join(_full(ctx, pid) for pid in there)
        raise AmbiguousReference(f"You've asked about {len(there)} homes in {place}: {named}. Which one?")
    return there[0] if there else None


def _a_suburbs_home(ctx: CallContext, named: str) -> bool:
    """ "The Maroubra place" is the home in Maroubra, no street called Maroubra Place."""
    *name, kind = named.split()
    return kind.lower() == "place" and " ".join(name).lower() in {s.lower() for s in ctx.suburbs.values()}


def street(text: str) -> str | None:
    """The street the caller named, as they would hear it back ("Wattle Grove Crescent")."""
    for m in _STREET.finditer(text):
        words = _LEAD.sub("", m.group(1)).split()
        if len(words) > 1 and not any(w.lower() in _NOT_A_NAME for w in words[:-1]):  # "the place": none
            return " ".join(w if w[0].isdigit() else w.capitalize() for w in words)
    return None


def _did_you_mean(ctx: CallContext, street_name: str, place: str | None) -> str:
    """The closest listings by street name, in the suburb named first."""
    keys = {pid: _address_key(a)[1] for pid, a in ctx.addresses.items()}
    if place:
        keys = {pid: k for pid, k in keys.items() if ctx.localities.get(pid) == place} or keys
    close = process.extract(street_name, keys, scorer=fuzz.ratio, score_cutoff=70, limit=2)
    if close:
        return f" Did you mean {' or '.join(_full(ctx, c[2]) for c in close)}?"
    there = [pid for pid in ctx.addresses if place and ctx.localities.get(pid) == place][:3]
    if there:  # nothing like it in that suburb: what is there
        return f" In {place} I have {' and '.join(_full(ctx, pid) for pid in there)}. Is it one of those?"
    return " Could you give me the address of the home you mean, or shall I search?"


def _full(ctx: CallContext, pid: str) -> str:
    """ "106 King St, Glebe": an address as a caller can tell it apart."""
    return f"{ctx.addresses[pid]}, {ctx.localities[pid]}" if pid in ctx.localities else ctx.addresses[pid]


def _read_out(homes: list[Listing]) -> str:
    return "; ".join(f"{i + 1}) {h.address}, {h.suburb}, {money(h.price)}" for i, h in enumerate(homes))


def known_suburb(ctx: CallContext, said: str) -> str:
    """The suburb named, or a failure that says which ones we cover."""
    place = suburb(ctx, said)
    if place is None:
        some = ", ".join(sorted(ctx.suburbs.values())[:6])
        raise UnknownSuburb(f"I don't have listings in {said}. I cover suburbs such as {some}. Which suits?")
    return place


_NICKNAMED = re.compile(rf"\b({'|'.join(NICKNAMES)})\b(?! hills)", re.IGNORECASE)


def _by_name(ctx: CallContext, said: str) -> str:
    """``said`` with a suburb's nickname ("paddo") as the suburb's name, where we list it."""
    known = set(ctx.suburbs.values())
    return _NICKNAMED.sub(lambda m: n if (n := NICKNAMES[m[1].lower()]) in known else m[0], said)


def suburb(ctx: CallContext, said: str | None) -> str | None:
    """The known suburb named in ``said`` (fuzzy and caseless, so "maroubraa" is Maroubra), or None."""
    if not said or not ctx.suburbs:
        return None
    said = _by_name(ctx, said)
    names = list(ctx.suburbs.values())
    lowered = said.lower()
    for name in sorted(names, key=len, reverse=True):
        run_together = name.lower().replace(" ", "")  # "deewhy", typed
        if re.search(rf"\b(?:{re.escape(name.lower())}|{re.escape(run_together)})\b", lowered):
            return name
    best = process.extractOne(
        said, names, scorer=fuzz.partial_ratio, processor=utils.default_process, score_cutoff=88
    )
    return str(best[0]) if best else None


# -- slot readers: what the policy model fills ``suburb`` and ``property`` parameters with --


def read_suburb(utterance: str, ctx: CallContext) -> str | None:
    """The suburb named first, one said loosely, or a place we do not know (the tool says so)."""
    named = _first_suburb(ctx, utterance) or suburb(ctx, utterance) or _place(utterance)
    return named or (ctx.state.suburb_discussed if _THERE.search(utterance) else None)


_THERE = re.compile(
    r"\b(?:st(?:reet)?|rd|road|ave(?:nue)?|in|around|round|near|up|down|over|out)\s+there\b", re.IGNORECASE
)
"""The suburb just discussed ("on Ocean Street there", "anything around there"); "what else is
there?" asks for more, of no place."""


def read_property(utterance: str, ctx: CallContext) -> str | None:
    """The property pointed at; the utterance itself when it points at one we cannot resolve
    (the tool resolves it again and asks the specific question)."""
    try:
        return property_id(ctx, utterance)
    except NotUnderstood:
        return None
    except ToolFailure:
        return utterance


def read_pointed(utterance: str, ctx: CallContext) -> str | None:
    """A home the caller points at ("the second one", "65 Ocean St", an id); None when they
    point at none (then a tool means all the homes read out, not "which one?")."""
    if (
        parse.ordinal(utterance)
        or parse.other_one(utterance)
        or _COMPARED.search(utterance)
        or _KIND.search(utterance)
        or _PROPERTY_ID.search(utterance)
        or street(utterance)
        or _ONE_IN.search(utterance)
        or _SEEING.search(utterance)
    ):
        return read_property(utterance, ctx)
    return None


_ONE_IN = re.compile(
    r"\bthe (?:[a-z]+ ){1,2}one\b|\bthe one (?:in|at)\b"
    r"|\b(?:the|that) (?:[a-z]+ ){1,2}(?:place|house|home|unit|apartment|flat|terrace)\b"
    r"(?= (?:i|we|you)\b|[,.?])",
    re.IGNORECASE,
)
"""A home pointed at by its suburb: "the Maroubra one", "the one in Coogee", "that Cronulla
place I asked about"."""


def read_suburbs(utterance: str, ctx: CallContext) -> str | None:
    """For a search: suburbs named as alternatives ("Cronulla or Maroubra", "Bondi, Coogee and
    Bronte") all, as one value; otherwise the one ``read_suburb`` reads."""
    named = _named_suburbs(ctx, utterance)
    between = [utterance[a.end : b.start] for a, b in itertools.pairwise(named)]
    if len(named) > 1 and all(_ALTERNATIVES.fullmatch(gap) for gap in between):
        return " or ".join(m.name for m in named)
    if corrected := _corrected(utterance, named):
        return corrected
    return read_suburb(utterance, ctx)


_MEANT = re.compile(r"\W*(?:i mean|i meant)\b", re.IGNORECASE)


def _corrected(utterance: str, named: list[_Named]) -> str | None:
    """The suburb a correction puts in place of the one before it: "Randwick, no sorry,
    Maroubra I mean", "Bronte, actually Bondi"."""
    last = None
    for before, after in itertools.pairwise(named):
        if CORRECTION.search(utterance, before.end, after.start) or _MEANT.match(utterance, after.end):
            last = after.name
    return last


def suburbs(ctx: CallContext, said: str) -> list[str]:
    """Every known suburb ``said`` names, in order; else the one ``suburb`` finds, if any."""
    if named := [m.name for m in _named_suburbs(ctx, said)]:
        return named
    place = suburb(ctx, said)
    return [place] if place else []


def known_suburbs(ctx: CallContext, said: str) -> list[str]:
    """``suburbs``, or a failure that says which ones we cover."""
    return suburbs(ctx, said) or [known_suburb(ctx, said)]


_ALTERNATIVES = re.compile(r"\W*(?:(?:or|and|either|maybe|possibly|even)\W+)*", re.IGNORECASE)


@dataclass(frozen=True)
class _Named:
    name: str
    start: int
    end: int


def _named_suburbs(ctx: CallContext, utterance: str) -> list[_Named]:
    """The known suburbs named, in order; of overlapping names the longer ("Bondi Junction")."""
    found: list[_Named] = []
    for name in sorted((ctx.suburbs or {}).values(), key=len, reverse=True):
        called = "".join(f"|{re.escape(nick)}" for nick, full in NICKNAMES.items() if full == name)
        for m in re.finditer(rf"\b(?:{re.escape(name)}{called})\b", utterance, re.IGNORECASE):
            if not any(f.start < m.end() and m.start() < f.end for f in found):
                found.append(_Named(name, m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def _first_suburb(ctx: CallContext, utterance: str) -> str | None:
    """The suburb named first ("Bondi and Coogee are the areas we like" is Bondi)."""
    named = _named_suburbs(ctx, utterance)
    return named[0].name if named else None


_PLACE = re.compile(r"\b(?:in|around|near) ((?:[A-Z][a-z]+)(?: [A-Z][a-z]+)?)\b")
_TYPED_PLACE = re.compile(
    r"\b(?:in|around|near) ([a-z]{4,}(?: (?!under|below|with|max\b)[a-z]{4,})?)"
    r"(?=\s*(?:[?,.!]|$|under|below|up to|for|with|max|\d|or\b|and\b))"
)
"""A place typed in lower case ("got anything in penrith under 900k?", "in wolli creek under
1m"): only where a place
would end a phrase, so "interested in buying a house" is none."""
_NOT_PLACES = {
    *calendar.month_name[1:], *calendar.day_name, "The", "My", "Our", "Total", "Mind", "Person", "Cash",
    "Time", "Touch", "Advance", "General", "Particular", "Future", "There", "Here", "That", "This",
    "Them", "Savings", "Full", "Budget", "Town", "Question", "Between",
}  # fmt: skip


def _place(utterance: str) -> str | None:
    """A place the caller named that we do not know ("a house in Atlantis"): the tool says so."""
    m = _PLACE.search(utterance)
    if m and m.group(1).split()[0] not in _NOT_PLACES:
        return m.group(1)
    typed = _TYPED_PLACE.search(utterance)
    place = typed.group(1).title() if typed else None  # "wolli creek" is Wolli Creek
    return place if place and place.split()[0] not in _NOT_PLACES else None
