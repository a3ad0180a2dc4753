"""Mortgage: repayments are computed, never guessed."""

from __future__ import annotations

import re
from typing import Any

from agents import RunContextWrapper, function_tool

from backend.agents.context import CallContext
from backend.agents.policy import parse
from backend.agents.tools.replies import money
from backend.verticals.real_estate.tools import listings, resolve

DEFAULT_RATE = 6.2
DEFAULT_YEARS = 30
DEFAULT_DEPOSIT = 0.20


def monthly_repayment(principal: float, rate_percent: float, years: int) -> float:
    """The standard amortized monthly payment."""
    r, n = rate_percent / 100 / 12, years * 12
    if r == 0:
        return principal / n
    return principal * r / (1 - (1 + r) ** -n)


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
) -> dict[str, Any]:
    """Monthly repayments on a home loan.

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
    """
    call = ctx.context
    last = call.state.last_loan  # a follow-up ("and over 25 years?") changes only what it says
    rate = rate_percent if rate_percent is not None else last.get("rate_percent", DEFAULT_RATE)
    term = years or last.get("years") or DEFAULT_YEARS
    if loan is None and price is None and property is None and last.get("loan"):
        loan = last["loan"]
    if loan:
        call.state.last_loan = {"loan": loan, "rate_percent": rate, "years": term}
        return _repayment(None, 0, loan, rate, term) | {"from_memory": [], "home": None}
    price, home, from_memory = await _price(call, price, property)
    if price is None:
        return {"price": None}
    if deposit is None and deposit_percent is None:  # as said before: the caller's dollars, or a share
        deposit, deposit_percent = last.get("deposit"), last.get("deposit_percent")
    call.state.last_loan = {
        "price": price,
        "deposit": deposit,
        "deposit_percent": deposit_percent,
        "rate_percent": rate,
        "years": term,
    }
    if deposit is None:
        share = deposit_percent / 100 if deposit_percent is not None else DEFAULT_DEPOSIT
        deposit = round(price * share)
    result = _repayment(price, deposit, max(price - deposit, 0), rate, term)
    return result | {"from_memory": from_memory, "home": home}


async def _price(
    call: CallContext, said: float | None, property: str | None
) -> tuple[float | None, str | None, list[str]]:
    """(price, the home it is the asking price of, ["price"] if it was not said): a price
    said, else the home named, the home discussed, the caller's budget, the last price."""
    if said is not None:
        return said, None, []
    if property:
        pid = resolve.property_id(call, property)
        home = await listings.home_of(call, pid)
        call.state.last_property = pid  # "and the other one?", "can I see it Saturday?"
        return home.price, home.address, []
    if pid := call.state.last_property:  # read out, or booked or asked about without a search
        discussed = next((x for x in call.state.last_results if x.property_id == pid), None)
        home = discussed or await listings.home_of(call, pid)
        return home.price, home.address, ["price"]
    budget = next(
        (f.value for f in (call.caller.facts if call.caller else []) if f.name == "HAS_BUDGET"), None
    )
    return (float(budget) if budget is not None else call.state.last_loan.get("price")), None, ["price"]  # type: ignore[arg-type]


def _repayment(price: float | None, deposit: float, loan: float, rate: float, term: int) -> dict[str, Any]:
    monthly = monthly_repayment(loan, rate, term)
    return {
        "price": price,
        "deposit": deposit,
        "loan": loan,
        "rate_percent": rate,
        "years": term,
        "monthly": round(monthly, 2),
        "total_interest": round(monthly * term * 12 - loan, 2),
    }


_BORROWED = re.compile(
    r"\b(?:borrow(?:ed|ing)?|(?:a|the) loan (?:of|for)|loan amount (?:of|is))\s+(?:about |around |roughly )?"
    r"(?P<amount>\$?[\d.,]+\s*(?:k|m|mil|million|thousand|grand)?)",
    re.IGNORECASE,
)


def read_loan(utterance: str, ctx: CallContext) -> float | None:
    """The amount borrowed, said as such ("if I borrowed one point one million")."""
    m = _BORROWED.search(parse.spoken(utterance))
    return parse.money(m["amount"], loose=True) if m else None


def reply_mortgage(result: dict[str, Any]) -> str:
    if "loan" not in result:
        return "What price should I work it out for?"
    loan = f"a {money(result['loan'])} loan at {result['rate_percent']:g}% over {result['years']} years"
    cost = f"is about {money(result['monthly'])} a month."
    if result["price"] is None:  # the amount borrowed was said
        return f"{loan[0].upper()}{loan[1:]} {cost}"
    on = f"{result['home']} at {money(result['price'])}" if result.get("home") else money(result["price"])
    return f"On {on} with {money(result['deposit'])} down, {loan} {cost}"
