"""Slot filling from a tool's JSON schema: each parameter is read by its name and type."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from backend.agents.clock import local
from backend.agents.context import CallContext
from backend.agents.policy import parse
from backend.speech.clauses import CORRECTION
from backend.speech.numbers import NUMBER_WORDS, RATE_SAID, rate_move, rates, spoken_decimals, words_to_number

MONEY = {"budget", "max_price", "price", "deposit", "amount"}
"""Parameters that are sums of money (read as such wherever they are asked for)."""
REFERENCE = re.compile(r"\bRE-\d{8}-\d{3}\b", re.IGNORECASE)
"""A viewing's booking reference, as the ledger issues it."""
_ADDRESS = re.compile(
    r"(?<![\d/])(?:\d+[a-z]?/)?\d+[a-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:St|Street|Rd|Road|Ave|Avenue|Pde|Parade|Cres|Crescent"
    r"|Dr|Drive|Pl|Place|Ln|Lane|Way|Tce|Terrace|Ct|Court|Hwy|Highway)\b\.?"
)


_TYPED_ADDRESS = re.compile(
    r"(?<![\d/])\d+[a-z]?\s+(?:[a-z]+\s+){1,2}(?:st|rd|ave|pde|cres|hwy|street|road|avenue|parade|crescent"
    r"|highway)\b",
    re.IGNORECASE,
)
"""An address typed in lower case ("9 beach rd"), by the street words no other phrase ends in."""


def address_at(utterance: str) -> int | None:
    """Where a street address ("65 Ocean Street", "47 station st") is said first, or None."""
    found = [m.start() for pattern in (_ADDRESS, _TYPED_ADDRESS) if (m := pattern.search(utterance))]
    return min(found, default=None)


def _nullable(spec: dict[str, Any]) -> bool:
    return any(option.get("type") == "null" for option in spec.get("anyOf", []))


def _kind(spec: dict[str, Any]) -> str | None:
    if "type" in spec:
        return str(spec["type"])
    return next((o["type"] for o in spec.get("anyOf", []) if o.get("type") != "null"), None)


RATE_MAX = 15
"""A home loan's yearly rate is at most this; a larger share said alone is the deposit."""
_AMOUNT = r"\$?\s*\d[\d.,]*\s*(?:k|m|mil|million|thousand|grand|%|percent|per cent)?(?:\s*dollars?)?"
_ABOUT = r"(?:about |around |roughly |maybe )?"
_DEPOSIT = re.compile(
    rf"(?P<amount>{_AMOUNT})\s*(?:(?:saved )?(?:for |as )?(?:a |the |our |my )?(?:deposit|dep\b)"
    r"|down|up ?front|saved(?: up)?|in savings)\b"
    # "deposit of 150,000", "Deposit, ah, four hundred and sixty thousand"
    rf"|deposit(?:'s| is| of| would be| will be| of about|:|,(?:\s*(?:um|uh|ah|er|erm)\s*,)?)?"
    rf"(?: (?:up |down )?to)?\s+{_ABOUT}"
    rf"(?P<after>{_AMOUNT}|{NUMBER_WORDS}\b)"
    rf"|\b(?:put(?:ting)?|pay(?:ing)?) (?:down|in) {_ABOUT}(?P<put>{_AMOUNT})"
    rf"|\bput(?:ting)? (?:down |in )?(?:a (?:bit|little|lot|touch|fair bit) )?(?:more|less|extra)"
    r"(?: down| in)?\W+"
    rf"(?:say |like |maybe |about |so |of )?(?P<more>{_AMOUNT}|{NUMBER_WORDS}\b)"
    rf"|\bput(?:ting)? {_ABOUT}(?P<towards>{_AMOUNT}) (?:towards|into|in)\b"
    rf"|\bsaved (?:up )?{_ABOUT}(?P<saved>{_AMOUNT})"
    rf"|\b(?:(?:scrap|cobbl|pull|get|got|put)\w* together|c[oa]me up with|raise|raised)"
    rf" {_ABOUT}(?P<found>{_AMOUNT})"
    rf"|\b(?:we'?ve|i'?ve|we|i) (?:got|have) {_ABOUT}(?P<got>{_AMOUNT})"
    r"(?= (?:saved|in savings|cash)|[,.](?!\d)|$)"
    rf"|(?P<gathered>{_AMOUNT})\s+(?:[a-z]+\s+){{1,2}}?for (?:the |a |my |our )?deposit\b",
    re.IGNORECASE,
)
"""A deposit, in dollars or as a share: "$200k deposit", "20% down", "a deposit of 150,000",
"putting in 150k", "we've saved 80 thousand", "we've got 250k, what would...", "if we could only
scrape together fifteen percent", "350k together for the deposit"."""
_SHARE_DOWN = re.compile(
    r"\b(?P<share>a quarter|a third|half|a fifth|a tenth)\s+(?:down|(?:as )?(?:a |the )?deposit)\b",
    re.IGNORECASE,
)
"""A deposit said as a fraction of the price: "we'd put a quarter down"."""
_SHARES = {"a quarter": 25.0, "a third": 100 / 3, "half": 50.0, "a fifth": 20.0, "a tenth": 10.0}


_LVR = re.compile(
    r"\b(?P<in>\d{2}(?:\.\d)?|(?:sixty|seventy|eighty|ninety)(?:[ -]five)?)\s*(?:%|per ?cent)?\s*"
    r"(?:lvr|loan[- ]to[- ]value)\b"
    r"|\b(?:lvr|loan[- ]to[- ]value)(?: ratio)?(?: of| at|'s| is)?\s*(?P<of>\d{2}(?:\.\d)?)\b",
    re.IGNORECASE,
)
"""A loan-to-value ratio ("80 LVR", "an LVR of 90%"): the deposit is the rest of the price."""
_RATE = re.compile(rf"\b{RATE_SAID}\s+[\w.]+(?:\s+point\s+\w+)?", re.IGNORECASE)
"""The rate said ("the rate's about five point nine"): never the price."""


_CORRECTED = re.compile(
    rf",?\s*(?:no,? )?(?:{CORRECTION.pattern}),?\s*"
    r"(?P<to>(?:\d[\d.,]*|(?:[a-z]+[ -]?){1,3}?)(?:\s*(?:k|grand|thousand))?)(?=[,.](?!\d)|$|\s+at\b)",
    re.IGNORECASE,
)
"""A bare amount right after a deposit, putting it right ("400 grand, no sorry, four fifty")."""


def _deposit(utterance: str) -> tuple[float | None, float | None]:
    """(dollars, percent) from "$200k deposit", "20% down", "a deposit of 150,000"; a deposit
    corrected ("two fifty k down, no wait, three hundred k down") is the one it corrects to."""
    spoken = parse.spoken(utterance)
    said = list(_DEPOSIT.finditer(spoken))
    if not said:
        share = _SHARE_DOWN.search(spoken)
        return None, (_SHARES[share["share"].lower()] if share else None)
    m = said[0]
    for later in said[1:]:
        if CORRECTION.search(spoken, m.end(), later.start()):
            m = later
    said = next((v for v in m.groupdict().values() if v), "")
    if (words := words_to_number(said)) is not None:
        said = f"{words:g}"  # "the deposit up to two fifty"
    share = parse.percent(said)
    if share is not None and (fixed := _CORRECTED.match(spoken, m.end())):
        again = words_to_number(fixed["to"]) or parse.percent(fixed["to"] + "%")
        if again and 0 < again < 100:  # "ten percent down, no, fifteen": fifteen percent
            return None, again
    if (fixed := _CORRECTED.match(spoken, m.end())) and parse.money(said, minimum=1):
        # "put down 400 grand, no sorry, four fifty": the hundreds of thousands it corrects to
        to = fixed["to"].replace(",", "")
        again = words_to_number(to) or parse.money(to, loose=True)
        again = float(to) if again is None and to.replace(".", "", 1).isdigit() else again
        if again:
            return again * 1000 if again < 1000 else again, None  # no deposit is under a thousand
    if share is not None:
        return None, share
    dollars = parse.money(said, minimum=1)
    return (dollars * 1000 if dollars is not None and dollars < 1000 else dollars), None  # "two fifty": 250k


_WIDEN = re.compile(
    r"\b(widen|wider|broaden|broader|expand|relax|what else|anything else"
    r"|(more|other) (options|homes|places))\b",
    re.IGNORECASE,
)


_NEARBY = re.compile(
    r"\b(nearby|near ?by|close by|surrounding|neighbou?ring|next door|around (it|there|here|them|that)"
    r"|(suburbs?|areas?) (around|near|close|next)|(what|anything) else\b.*\b(around|near|close to))\b",
    re.IGNORECASE,
)


def _rate(text: str) -> float | None:
    """The rate said: the first that can be one, or the one a correction puts it right to."""
    text = spoken_decimals(text)
    said = rates(text, RATE_MAX)
    if not said:
        return None
    at, rate = said[0]
    for later, again in said[1:]:
        if later > at and CORRECTION.search(text, at, later):
            at, rate = later, again
    return rate


def _when(utterance: str, ctx: CallContext) -> datetime | None:
    """The moment meant, on the tenant's wall clock; a time said without a day ("what about 2pm
    then?") is on the day last discussed, as a person hearing it would take it."""
    now = local(ctx.now, ctx.tz)
    moment = parse.when(utterance, now)
    day = ctx.state.day_discussed
    if moment is None or day is None or parse.said(utterance, now).named:
        return moment
    on = date.fromisoformat(day)
    return parse.existing(moment.replace(year=on.year, month=on.month, day=on.day))


def numeric(spec: dict[str, Any]) -> bool:
    """The parameter is a figure (a price, a rate, a count)."""
    return _kind(spec) in {"number", "integer"}


def choice(spec: dict[str, Any]) -> bool:
    """The parameter is one of a few words ("monthly", "fortnightly", "weekly")."""
    return "enum" in spec or any("enum" in o for o in spec.get("anyOf", []))


def read(name: str, kind: str | None, utterance: str, ctx: CallContext) -> Any:
    """One parameter's value from the utterance, or None."""
    if name == "deposit":
        return _deposit(utterance)[0]
    if name == "deposit_percent":
        if lvr := _LVR.search(parse.spoken(utterance)):  # "at 80 LVR": a 20 per cent deposit
            said = lvr["in"] or lvr["of"]
            return 100.0 - (float(said) if said[0].isdigit() else float(words_to_number(said) or 100))
        share = _deposit(utterance)[1]
        said = parse.percent(parse.spoken(utterance)) if share is None else None
        return said if said is not None and said > RATE_MAX else share  # "with the 25 per cent"
    if name in MONEY:
        # nor the deposit, nor the rate, nor a house number ("I ask about 106 King Street")
        spoken = _RATE.sub(" ", _DEPOSIT.sub(" ", parse.spoken(utterance)))
        spoken = _TYPED_ADDRESS.sub(" ", _ADDRESS.sub(" ", spoken))
        if name == "price" and (rate := _rate(spoken)) is not None:  # "the bank said about six point three"
            spoken = re.sub(rf"(?<![\d.]){re.escape(f'{rate:g}')}(?![\d.])", " ", spoken_decimals(spoken))
        return parse.money(spoken, loose=True)
    if "bedroom" in name:
        return parse.count(utterance, near="bed")
    if name == "years":
        return parse.years(utterance)
    if "rate" in name:
        if rate_move(utterance) is not None:
            return None  # "if rates go up half a percent": a move, not the rate
        return _rate(_DEPOSIT.sub(" ", parse.spoken(utterance)))
    if name == "when":
        if parse.shift(utterance) or parse.same_time(utterance) or parse.same_day(utterance):
            return utterance  # "an hour later", "Sunday, same time", "the same day as my booking"
        if parse.free_asked(utterance):
            return utterance  # "any time Sunday morning?": the tool offers the free times
        try:
            moment = _when(utterance, ctx)
        except parse.ImpossibleDate:
            return utterance  # the tool reads it again and asks which day was meant
        return moment.isoformat() if moment else None
    if name == "reference":
        m = REFERENCE.search(utterance)
        return m.group(0).upper() if m else None
    if name == "address":
        m = _ADDRESS.search(utterance)
        return m.group(0) if m else None
    if name == "widen":
        return bool(_WIDEN.search(utterance))
    if name == "nearby":
        return bool(_NEARBY.search(utterance))
    if name == "digits":
        return parse.digits(utterance)
    if name == "email":
        return parse.email(utterance)
    if name == "reason":
        return utterance
    if kind == "integer":
        return parse.count(utterance)
    return None


def fill(
    schema: dict[str, Any],
    utterance: str,
    ctx: CallContext,
    readers: Mapping[str, Callable[[str, CallContext], Any]] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Arguments for a tool, and the required parameters nobody said; ``readers``: the
    vertical's and the tool's own ways of reading some parameters, before the generic ones."""
    args: dict[str, Any] = {}
    missing: list[str] = []
    own = readers or {}
    for name, spec in schema.get("properties", {}).items():
        value = own[name](utterance, ctx) if name in own else read(name, _kind(spec), utterance, ctx)
        args[name] = value
        if value is None and not _nullable(spec):
            missing.append(name)
    return args, missing


QUESTIONS = {
    "when": "What day and time would suit you?",
    "property": "Which property do you mean?",
    "suburb": "Which suburb?",
    "address": "What's the address?",
    "reason": "Could you tell me what it's about?",
}


def ask(missing: list[str], args: Mapping[str, Any], ctx: CallContext) -> str:
    """The question for the first value missing; a time for a home named says which home, and
    a home pointed at that is none we know ("the first one" with nothing read out) is asked
    about first."""
    pointed = args.get("property")
    if pointed is not None and str(pointed) not in ctx.addresses:
        return QUESTIONS["property"]
    home = ctx.addresses.get(str(pointed))
    if missing[0] == "when" and home:
        return f"What day and time would suit you for {home}?"
    return QUESTIONS.get(missing[0], f"Could you tell me the {missing[0].replace('_', ' ')}?")
