"""Mortgage: repayments are computed, never guessed."""

from __future__ import annotations

from typing import Any

from agents import RunContextWrapper, function_tool

from backend.agents.context import CallContext
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
) -> dict[str, Any]:
    """Monthly repayments on a home loan.

    Args:
        price: The purchase price in dollars (defaults to the property discussed or the budget).
        property: A home they name ("the Church Street one", an address, a position in the
            last results): its asking price is the price.
        deposit: The deposit in dollars (defaults to 20% of the price).
        deposit_percent: The deposit as a percentage of the price, when given that way.
        rate_percent: The yearly interest rate in percent.
        years: The loan term in years.
    """
    call = ctx.context
    if price is None and property:
        price = (await listings.home_of(call, resolve.property_id(call, property))).price
    from_memory = ["price"] if price is None else []
    if price is None:
        listing = next(
            (x for x in call.state.last_results if x.property_id == call.state.last_property), None
        )
        budget = next(
            (f.value for f in (call.caller.facts if call.caller else []) if f.name == "HAS_BUDGET"),
            None,
        )
        price = listing.price if listing else (float(budget) if budget is not None else None)  # type: ignore[arg-type]
    price = price or call.state.last_price
    if price is None:
        return {"price": None}
    call.state.last_price = price
    if deposit is None:
        share = deposit_percent / 100 if deposit_percent is not None else DEFAULT_DEPOSIT
        deposit = round(price * share)
    rate = rate_percent if rate_percent is not None else DEFAULT_RATE
    term = years or DEFAULT_YEARS
    loan = max(price - deposit, 0)
    monthly = monthly_repayment(loan, rate, term)
    return {
        "price": price,
        "deposit": deposit,
        "loan": loan,
        "rate_percent": rate,
        "years": term,
        "monthly": round(monthly, 2),
        "total_interest": round(monthly * term * 12 - loan, 2),
        "from_memory": from_memory,
    }


def reply_mortgage(result: dict[str, Any]) -> str:
    if result["price"] is None:
        return "What price should I work it out for?"
    return (
        f"On {money(result['price'])} with {money(result['deposit'])} down, a {money(result['loan'])} loan"
        f" at {result['rate_percent']:g}% over {result['years']} years is about"
        f" {money(result['monthly'])} a month."
    )
