"""Content checks on what a caller hears: robust to phrasing, strict on facts.

Listed homes are recognised by their street address and checked against the demo
listing set itself (bedrooms, price, suburb), so a reply is judged on which homes it
names rather than on how it words them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from backend.evals.scenario import HomeFilter, Intent
from backend.verticals.real_estate.demo import SUBURBS, demo_listings

_CLOCK = r"\d{1,2}(?:[:.]\d{2})?\s*[ap]\.?\s*m\b"
# Phrase sets a caller would recognise as "it said X"; regular expressions, case-insensitive.
INTENTS: dict[Intent, tuple[str, ...]] = {
    "greeting": (
        r"\b(hi|hello|hey|welcome|g'?day|good (morning|afternoon|evening))\b",
        r"thanks for (calling|getting in touch|reaching out|contacting)",
    ),
    "none_found": (
        r"(couldn'?t|could not|can'?t|cannot|didn'?t|did not|wasn'?t able to) find",
        r"\bno (homes|listings|properties|matches|results|houses|apartments|units)\b",
        r"\bnothing (for sale|listed|that|matching|in|under|up to|available|came up|fits|right now|yet)",
        r"found no\b",
        r"(don'?t|do not) (currently )?have any (homes|listings|properties|houses|apartments|units)",
        r"\bnone (that|match|available|listed|fit|right now|of (our|the))",
        r"there (aren'?t|are no|isn'?t)",
        r"no luck",
    ),
    "offer_widen": (
        r"widen",
        r"broaden",
        r"expand",
        r"relax",
        r"wider",
        r"stretch",
        r"(raise|increase|lift|bump( up)?|up) (your|the) (budget|price|limit)",
        r"nearby",
        r"neighbou?r",
        r"other (suburbs|areas)",
        r"surrounding",
        r"fewer bedrooms",
        r"look further",
    ),
    "booked": (
        r"\bbooked\b",
        r"\bconfirmed\b",
        r"\bscheduled\b",
        r"all set",
        r"locked (you )?in",
        r"pencilled",
    ),
    "rescheduled": (
        r"\bmoved\b",
        r"reschedul",
        r"\bchanged\b",
        r"\bupdated\b",
        r"\b(is|are) now\b",
        r"\bnow (on|at|for)\b",
        r"new time",
        r"shifted",
    ),
    "cancelled": (r"cancel+ed", r"cancellation", r"called off", r"\bremoved\b"),
    "taken": (
        r"\btaken\b",
        r"already (booked|has a viewing|been booked)",
        r"(not|isn'?t|no longer) (available|free)",
        r"unavailable",
        r"booked out",
        r"fully booked",
        r"someone else",
        r"clash",
    ),
    "other_times": (
        r"(another|other|different|alternative|next available|nearest|free|open) (times?|slots?)",
        _CLOCK + r"[\s\S]*?" + _CLOCK,  # two times: the one asked for and another
        r"\b(how about|would|what about|does|could you do|could we do|try) " + _CLOCK,
    ),
    "past_time": (
        r"in the past",
        r"(has|have|had|already) (passed|gone)",
        r"already over",
        r"earlier than now",
        r"(a )?(future|later|upcoming) (date|time|day)",
        r"can'?t (book|go) (back|into the past)",
        r"that'?s (gone|over|been)",
    ),
    "outside_hours": (
        r"business hours",
        r"opening hours",
        r"office hours",
        r"trading hours",
        r"open(ing)? (from|between)",
        r"between 9",
        r"\b9\s*(:00\s*)?(a\.?m\.?\s*)?(and|to|-|–|until)\s*6",
        r"outside (of )?(our )?(hours|business)",
        r"after hours",
        r"too (early|late)",
        r"viewings (run|are|happen) (from|between)",
    ),
    "not_listed": (
        r"(don'?t|do not|can'?t|cannot|couldn'?t|could not) (currently )?(have|find|see|locate) "
        r"(a |an |any |that |this )?(listing|home|house|property|place|one|address)",
        r"(don'?t|do not) (currently )?list\b",
        r"no (such )?listing",
        r"\bnot (one of our|on our books|a listing|listed|in our listings)",
        r"isn'?t (one of our|listed|on our books|in our listings)",
        r"no (home|property|house|listing)s? (on|at)",
        r"not (something|one) we",
    ),
    "nothing_to_pick": (
        r"(didn'?t|did not|haven'?t|have not|hasn'?t) (find|found|shown|turn(ed)? up|c[oa]me up|got)",
        r"\bno (homes|listings|results|properties|matches)\b",
        r"nothing to (book|pick|choose|view)",
        r"\b(which|what) (home|property|house|listing|place|address|one)\b",
        r"search (first|again)",
        r"found nothing",
        r"(couldn'?t|could not) find",
        r"no (first|second|such) (one|home)",
        r"wasn'?t anything",
    ),
    "holding": (
        r"member of (the|our) team",
        r"team member",
        r"(someone|somebody|a colleague|a person|an agent|one of our \w+) (will|'ll) be "
        r"(with you|right with you|on the line|in touch)",
        r"with you (shortly|soon|in a moment|in a minute|momentarily)",
        r"(connecting|transferring|putting) you",
        r"please (hold|bear with)",
        r"on hold",
        r"(will|'ll) (call|ring|phone|get back to) you( back)?",  # after hours: a call-back
        r"passed (on )?your details",
    ),
    "unknown_place": (
        r"(don'?t|do not) (currently )?(cover|list|service|work in)\b",
        r"(don'?t|do not) (currently )?have (any )?(listings|homes|properties|anything) (in|there|for)",
        r"(don'?t|do not) know (that|where|of)",
        r"\bnot (one of|a suburb|somewhere|an area|familiar|sure where)",
        r"isn'?t (one of|a suburb|an area|somewhere)",
        r"\bno listings\b",
        r"(couldn'?t|could not|can'?t|cannot) (find|recognise|recognize|place)",
        r"(suburbs|areas) (we|i)",
        r"we (cover|list|work in)",
        r"outside (our|the) area",
    ),
    "clarify": (
        r"\bsorry\b",
        r"didn'?t (quite )?catch",
        r"(could|can) you (say|repeat|tell|let)",
        r"say that again",
        r"how can i help",
        r"what can i (do|help)",
        r"help (you )?with",
        r"rephrase",
        r"not sure (i|what)",
        r"did you mean",
        r"which \w+ do you mean",
        r"(are|were) you looking",
    ),
    "repayment": (
        r"(a|per|each|every|/)\s?(month|mo|fortnight|week)\b",  # "about $3,216 a week" is one too
        r"monthly",
        r"repayments? (of|would|is|are|come)",
    ),
}

GENERIC_ERRORS = ("an error occurred while running the tool", "traceback")
INTERNAL_ID = re.compile(r"\b(caller|call)-[0-9a-f]{8,}", re.I)
REFERENCE = re.compile(r"\bRE-\d{8}-\d{3}\b")


def invariant_violations(reply: str) -> list[str]:
    """The global rules every reply obeys, whatever the scenario."""
    found = []
    if not reply.strip():
        found.append("reply is empty")
    lowered = reply.lower()
    found += [f"reply has generic error text {e!r}" for e in GENERIC_ERRORS if e in lowered]
    if match := INTERNAL_ID.search(reply):
        found.append(f"reply leaks an internal id {match.group(0)!r}")
    return found


def says(reply: str, intent: Intent) -> bool:
    return any(re.search(p, reply, re.I) for p in INTENTS[intent])


def contains_any(reply: str, phrases: list[str]) -> bool:
    lowered = reply.lower()
    return any(p.lower() in lowered for p in phrases)


# --- money ---------------------------------------------------------------------------------

_AMOUNT = re.compile(
    r"(?P<dollar>\$)?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<unit>million|mil\b|mn\b|m\b|k\b|thousand\b))?",
    re.I,
)
_SCALE = {"million": 1e6, "mil": 1e6, "mn": 1e6, "m": 1e6, "k": 1e3, "thousand": 1e3}


def amounts(reply: str) -> list[float]:
    """Dollar amounts however written: $1,300,000, $1.3M, 1.3 million, 900k."""
    found = []
    for m in _AMOUNT.finditer(reply):
        unit = (m.group("unit") or "").lower()
        has_commas = "," in m.group("num")
        if not (m.group("dollar") or unit or has_commas):
            continue  # a bare number: bedrooms, years, a street number
        value = float(m.group("num").replace(",", "")) * _SCALE.get(unit, 1)
        found.append(value)
    return found


def mentions_money(reply: str, amount: float) -> bool:
    return any(abs(a - amount) <= 0.005 * amount for a in amounts(reply))


# --- clock times ---------------------------------------------------------------------------

_TWELVE = re.compile(r"(?<![\d$,.])(1[0-2]|0?[1-9])(?:[:.]([0-5]\d))?\s*([ap])\.?\s*m\b\.?", re.I)
_TWENTY_FOUR = re.compile(r"(?<![\d$,.])([01]?\d|2[0-3]):([0-5]\d)(?!\d)(?!\s*[ap]\.?\s*m\b)", re.I)
_NOON = re.compile(r"\b(noon|midday)\b", re.I)


def clock_times(reply: str) -> set[str]:
    """Clock times said in the reply, as HH:MM (24-hour)."""
    times = set()
    for hour, minute, half in _TWELVE.findall(reply):
        h = int(hour) % 12 + (12 if half.lower() == "p" else 0)
        times.add(f"{h:02d}:{minute or '00'}")
    times |= {f"{int(h):02d}:{m}" for h, m in _TWENTY_FOUR.findall(reply)}
    if _NOON.search(reply):
        times.add("12:00")
    return times


def spoken_time(hhmm: str) -> str:
    """'10:00' → '10 AM' for messages."""
    h, m = (int(x) for x in hhmm.split(":"))
    return f"{h % 12 or 12}{f':{m:02d}' if m else ''} {'PM' if h >= 12 else 'AM'}"


# --- homes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Home:
    property_id: str
    address: str
    suburb: str
    bedrooms: int
    price: float


@cache
def demo_homes() -> tuple[Home, ...]:
    return tuple(
        Home(x.property_id, x.address, x.suburb, x.bedrooms, float(x.price)) for x in demo_listings("eval")
    )


_STREET_WORDS = {"street": "st", "road": "rd", "avenue": "ave", "highway": "hwy"}
_STREET_WORD = re.compile(r"\b(" + "|".join(_STREET_WORDS) + r")\b", re.I)


def normalise_streets(text: str) -> str:
    """'Darling Street' → 'Darling st', so spoken and written addresses compare alike."""
    return _STREET_WORD.sub(lambda m: _STREET_WORDS[m.group(1).lower()], text)


@cache
def _address_pattern() -> re.Pattern[str]:
    addresses = sorted({h.address.lower() for h in demo_homes()}, key=len, reverse=True)
    return re.compile(r"(?<!\d)(" + "|".join(re.escape(a) for a in addresses) + r")\b\.?", re.I)


def _suburb_after(text: str, start: int) -> str | None:
    """The suburb named right after an address ('132 Ocean St, Bondi' / '… in Bondi')."""
    window = text[start : start + 40].lower()
    hits = [(window.find(s.lower()), s) for s in SUBURBS if s.lower() in window]
    return min(hits)[1] if hits else None


@dataclass(frozen=True)
class Named:
    """A home the reply names; ``candidates`` when the address alone is ambiguous."""

    address: str
    candidates: tuple[Home, ...]


def named_homes(reply: str) -> list[Named]:
    """Demo homes the reply names, in the order it names them (each once)."""
    text = normalise_streets(reply)
    named: list[Named] = []
    for m in _address_pattern().finditer(text):
        address = m.group(1).lower()
        same_address = [h for h in demo_homes() if h.address.lower() == address]
        suburb = _suburb_after(text, m.end())
        exact = [h for h in same_address if suburb and h.suburb == suburb]
        elsewhere = [h for h in same_address if h.suburb.lower() in text.lower()]
        candidates = tuple(exact or elsewhere or same_address)
        if all(n.candidates != candidates for n in named):
            named.append(Named(same_address[0].address, candidates))
    return named


_ONE_FOUND = re.compile(
    r"\b(?:1|one|only one|a single) (?:home|house|property|place|listing|apartment|unit)\b", re.IGNORECASE
)


def is_listing(reply: str) -> bool:
    """A reply that reads out homes: two or more, or one counted as found ("I found 1 home");
    a booking, a repayment or a home's details name one home without counting it."""
    named = named_homes(reply)
    return len(named) >= 2 or (len(named) == 1 and bool(_ONE_FOUND.search(reply)))


def fits(home: Home, want: HomeFilter) -> bool:
    suburbs = {s.lower() for s in want.suburbs or []}
    street = normalise_streets(want.street).lower() if want.street else None
    return (
        (not suburbs or home.suburb.lower() in suburbs)
        and (street is None or street in home.address.lower())
        and (want.min_bedrooms is None or home.bedrooms >= want.min_bedrooms)
        and (want.max_bedrooms is None or home.bedrooms <= want.max_bedrooms)
        and (want.min_price is None or home.price >= want.min_price)
        and (want.max_price is None or home.price <= want.max_price)
    )


def describe(home: Home) -> str:
    return f"{home.address}, {home.suburb}, {home.bedrooms} bed, ${home.price:,.0f}"
