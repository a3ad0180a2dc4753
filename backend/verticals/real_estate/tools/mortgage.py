"""Mortgage: repayments are computed, never guessed."""

from __future__ import annotations

import contextlib
import re
from typing import Any, Literal

from agents import RunContextWrapper, function_tool
from pydantic import ValidationError

from backend.agents.context import CallContext
from backend.agents.policy import parse, slots
from backend.agents.tools import identity
from backend.outages import OUTAGES
from backend.speech.numbers import rate_move
from backend.verticals.real_estate import loans
from backend.verticals.real_estate.episodes import RepaymentWorkedOut
from backend.verticals.real_estate.listings import Listing
from backend.verticals.real_estate.ontology import loan_terms
from backend.verticals.real_estate.tools import listings, resolve
from backend.verticals.real_estate.tools.preferences import episode_id
from memory import EpisodeConflict

_MONEY = {"price", "loan", "deposit"}


@function_tool
async def mortgage_repayment(
    ctx: RunContextWrapper[CallContext],
    price: float | None = None,
    deposit: float | None = None,
    deposit_percent: float | None = None,
    rate_percent: float | None = None,
    years: int | None = None,
    property: str | None = None,
    loan: float | None = None,
    rate_change: float | None = None,
    frequency: Literal["monthly", "fortnightly", "weekly"] | None = None,
    income: float | None = None,
) -> dict[str, Any]:
    """Repayments on a home loan (monthly, unless asked weekly or fortnightly).

    Args:
        price: The purchase price in dollars (defaults to the property discussed or the budget).
        deposit: The deposit in dollars (defaults to 20% of the price).
        deposit_percent: The deposit as a percentage of the price, when given that way.
        rate_percent: The yearly interest rate in percent.
        years: The loan term in years.
        property: A home they name ("the Church Street one", an address, a position in the
            last results): its asking price is the price.
        loan: The amount borrowed, when that is what they say ("if I borrowed 1.1 million"):
            no deposit comes off it.
        rate_change: How far the rate moves from the last one, in points ("if rates go up
            half a percent": 0.5; down: negative).
        frequency: How often they would repay, when they ask ("what's that weekly?").
        income: Their yearly income, when they ask whether they can afford it: the share of it
            the repayments are is said, never advice.
    """
    call = ctx.context
    # A follow-up ("and over 25 years?") changes only what it says; on a later call the terms
    # last worked out for the caller stand in ("same deposit and rate as last time").
    last = call.state.last_loan or terms_on_file(call)
    remembered = [k for k, v in (("rate_percent", rate_percent), ("years", years)) if v is None and k in last]
    rate = rate_percent if rate_percent is not None else last.get("rate_percent", loans.DEFAULT_RATE)
    if rate_percent is None and rate_change:
        rate = round(rate + rate_change, 3)
    term = years or last.get("years") or loans.DEFAULT_YEARS
    often = frequency or last.get("frequency") or "monthly"  # "what about weekly?" holds for the call
    if loan is None and property is None and last.get("loan"):
        if price is not None and deposit is None and deposit_percent is None:
            loan, price = price, None  # "what about 900k?" after a loan of 850k: the new loan
        elif price is None:
            loan, remembered = float(last["loan"]), [*remembered, "loan"]
    if loan:
        call.state.last_loan = {"loan": loan, "rate_percent": rate, "years": term, "frequency": often}
        await _worked_out(call, call.state.last_loan)
        return _figures(call.state.last_loan) | {"home": None, "from_memory": remembered, "income": income}
    price, home, from_memory = await _price(call, price, property, last)
    if price is None:
        identity.require_verified(call)  # "what was the monthly you worked out?": theirs, once checked
        return {"price": None}
    if deposit is None and deposit_percent is None:  # as said before: the caller's dollars, or a share
        deposit, deposit_percent = last.get("deposit"), last.get("deposit_percent")
        remembered += ["deposit"] if deposit is not None or deposit_percent is not None else []
    call.state.last_loan = {
        "price": price,
        "property_id": home.property_id if home else None,
        "deposit": deposit,
        "deposit_percent": deposit_percent,
        "rate_percent": rate,
        "years": term,
        "frequency": often,
    }
    await _worked_out(call, call.state.last_loan)
    result = _figures(call.state.last_loan)
    home_said = home.address if home else None
    return result | {"from_memory": from_memory + remembered, "home": home_said, "income": income}


def terms_on_file(call: CallContext) -> dict[str, Any]:
    """The terms of the repayments last worked out for the caller (a ``DISCUSSED_LOAN`` fact)."""
    known = call.known()
    fact = next((f for f in known.facts if f.name == "DISCUSSED_LOAN"), None) if known else None
    return loan_terms(fact.value) if fact else {}


async def _worked_out(call: CallContext, terms: dict[str, Any]) -> None:
    """The terms, for the caller's next call (one episode per turn: a retry writes it once)."""
    if not call.caller_id:
        return
    # Money is positive: a deposit of nothing is not kept (the next call assumes the default).
    kept = {k: v for k, v in terms.items() if v is not None and k != "frequency"}  # how often: this call's
    said = {k: round(v, 2) if k in _MONEY else v for k, v in kept.items()}
    said = {k: v for k, v in said.items() if not (k in _MONEY and v <= 0)}
    of = said.get("property_id") or "loan"  # two homes in one turn are two episodes
    try:  # a term no loan has (a 0-year term) is answered, not kept
        episode = call.episode(RepaymentWorkedOut, episode_id(call, f"repayment:{of}"), **said)
    except ValidationError:
        return
    try:
        with contextlib.suppress(EpisodeConflict):  # the same home asked twice in one turn
            await call.memory.record(episode)
    except OUTAGES as exc:  # the graph is down: the sum is still answered, the terms not kept
        call.turn.errors.append(f"repayment terms not in memory: {type(exc).__name__}")


async def _price(
    call: CallContext, said: float | None, property: str | None, last: dict[str, Any]
) -> tuple[float | None, Listing | None, list[str]]:
    """(price, the home it is the asking price of, ["price"] if it was not said): a price
    said, else the home named, the home discussed, the home of the last repayments worked
    out, the caller's budget, the last price."""
    if said is not None:
        return said, None, []
    if property:
        pid = resolve.property_id(call, property)
        home = await listings.home_of(call, pid)
        call.state.last_property = pid  # "and the other one?", "can I see it Saturday?"
        return home.price, home, []
    if pid := call.state.last_property or last.get("property_id"):
        # read out, or booked or asked about without a search; or worked out on a last call
        discussed = next((x for x in call.state.last_results if x.property_id == pid), None)
        home = discussed or await listings.home_of(call, pid)
        call.state.last_property = pid
        return home.price, home, ["price"]
    known = call.known()
    budget = next((f.value for f in (known.facts if known else []) if f.name == "HAS_BUDGET"), None)
    return (float(budget) if budget is not None else last.get("price")), None, ["price"]  # type: ignore[arg-type]


def _figures(terms: dict[str, Any]) -> dict[str, Any]:
    worked = loans.worked_out(terms)
    assert worked is not None  # a loan or a price is in every term sheet made here
    return worked


_BORROWED = re.compile(
    r"\b(?:borrow(?:ed|ing)?|(?:a|the) loan (?:of|for)|loan amount (?:of|is))\s+(?:about |around |roughly )?"
    r"(?P<amount>\$?[\d.,]+\s*(?:k|m|mil|million|thousand|grand)?)",
    re.IGNORECASE,
)


def read_rate_change(utterance: str, ctx: CallContext) -> float | None:
    return rate_move(utterance)


_OFTEN = re.compile(
    r"\b(?P<weekly>weekly|(?:a|per|each|every) week)\b|\b(?P<fortnightly>fortnightly|(?:a|per|each|every)"
    r" fortnight|every (?:two|2) weeks)\b|\b(?P<monthly>monthly|(?:a|per|each|every) month)\b",
    re.IGNORECASE,
)
_INCOME = re.compile(
    r"\b(?:income|salary|salaries|earn(?:ings|s)?|wages?|take[- ]home|on)\s+(?:(?:is|of|about|around)\s+)?"
    r"(?P<amount>\$?[\d.,]+\s*(?:k|m|mil|million|thousand|grand)?)(?=[^.?!]{0,30}\b(?:income|salary|a year"
    r"|per year|annually|combined|together|between us)\b)|\b(?:income|salary|salaries|earnings|wages?)\b"
    r"[^.?!\d$]{0,20}(?P<named>\$?[\d.,]+\s*(?:k|m|mil|million|thousand|grand)?)",
    re.IGNORECASE,
)
"""A yearly income said ("on a combined income of 180k", "our salaries are 95k each"): no price."""


_RENT = re.compile(
    r"\b(?:leases?|rents?|renting|let|lets|get|fetch|bring in)\b[^.?!]{0,40}?"
    r"\b(?:a|per|each|every) (?:week|fortnight|month)\b",
    re.IGNORECASE,
)
"""A rent said ("it'd lease for around seven-fifty a week"): not how often they would repay."""


_INSTEAD_OF = re.compile(
    r"\b(?:instead of|rather than|not)\s+(?:every |each |per |a )?\w+ly\b", re.IGNORECASE
)


def read_frequency(utterance: str, ctx: CallContext) -> str | None:
    """How often they would repay, when they say: the last said ("monthly? no, weekly")."""
    said = _INSTEAD_OF.sub(" ", _RENT.sub(" ", utterance))  # "fortnightly instead of monthly"
    found = list(_OFTEN.finditer(said))
    return next(k for k, v in found[-1].groupdict().items() if v) if found else None


def read_income(utterance: str, ctx: CallContext) -> float | None:
    m = _INCOME.search(parse.spoken(utterance))
    return parse.money(m["amount"] or m["named"], loose=True) if m else None


def read_price(utterance: str, ctx: CallContext) -> float | None:
    """The price, unless the only amount said is an income, or the deposit said again ("put
    down three hundred, no, three-twenty. Three hundred and twenty thousand")."""
    without = _INCOME.sub(" ", parse.spoken(utterance))
    price = slots.read("price", "number", without, ctx)
    return None if price is not None and price == slots.read("deposit", "number", utterance, ctx) else price


def read_loan(utterance: str, ctx: CallContext) -> float | None:
    """The amount borrowed, said as such ("if I borrowed one point one million")."""
    m = _BORROWED.search(parse.spoken(utterance))
    return parse.money(m["amount"], loose=True) if m else None


def reply_mortgage(result: dict[str, Any]) -> str:
    if "loan" not in result:
        return "What price should I work it out for?"
    return loans.said(result)
