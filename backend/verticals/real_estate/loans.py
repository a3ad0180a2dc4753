"""Home-loan arithmetic: what a loan's terms come to a month, and how that is said."""

from __future__ import annotations

from typing import Any

from backend.agents.tools.replies import money

DEFAULT_RATE = 6.2
DEFAULT_YEARS = 30
DEFAULT_DEPOSIT = 0.20
"""The share of the price put down when the caller names no deposit."""


PER_YEAR = {"monthly": 12, "fortnightly": 26, "weekly": 52}
"""Repayments a year, by how often they are made."""
EACH = {"monthly": "a month", "fortnightly": "a fortnight", "weekly": "a week"}


def repayment(principal: float, rate_percent: float, years: int, per_year: int = 12) -> float:
    """The standard amortized payment, ``per_year`` payments a year."""
    r, n = rate_percent / 100 / per_year, years * per_year
    if r == 0:
        return principal / n
    return principal * r / (1 - (1 + r) ** -n)


def worked_out(terms: dict[str, Any]) -> dict[str, Any] | None:
    """The repayment ``terms`` come to (a loan said, or a price less its deposit, in dollars
    or as a share); None without a loan or a price."""
    rate = DEFAULT_RATE if terms.get("rate_percent") is None else float(terms["rate_percent"])
    years = int(terms.get("years") or DEFAULT_YEARS)
    price, deposit = terms.get("price"), terms.get("deposit")
    if terms.get("loan"):
        price, deposit, loan = None, 0.0, float(terms["loan"])
    elif price is None:
        return None
    else:
        if deposit is None:
            share = terms.get("deposit_percent")
            deposit = round(price * (share / 100 if share is not None else DEFAULT_DEPOSIT))
        loan = max(price - float(deposit), 0)
    monthly = repayment(loan, rate, years)
    often = terms.get("frequency") or "monthly"
    each = repayment(loan, rate, years, PER_YEAR[often])
    return {
        "price": price,
        "deposit": float(deposit),
        "loan": loan,
        "rate_percent": rate,
        "years": years,
        "monthly": round(monthly, 2),
        "frequency": often,
        "payment": round(each, 2),
        "total_interest": round(each * years * PER_YEAR[often] - loan, 2),
    }


def said(result: dict[str, Any]) -> str:
    """ "On 65 George St at $2,100,000 with $420,000 down, a $1,680,000 loan at 6% over 30
    years is about $10,072 a month." (``home``: the address, if any)."""
    loan = f"a {money(result['loan'])} loan at {result['rate_percent']:g}% over {result['years']} years"
    often = result.get("frequency") or "monthly"
    cost = f"is about {money(result.get('payment', result['monthly']))} {EACH[often]}."
    if income := result.get("income"):  # "can we afford it on 180k?": the share, not advice
        cost += f" That's about {result['monthly'] * 12 / income:.0%} of a {money(income)} yearly income."
    if result["price"] is None:  # the amount borrowed was said
        return f"{loan[0].upper()}{loan[1:]} {cost}"
    on = f"{result['home']} at {money(result['price'])}" if result.get("home") else money(result["price"])
    return f"On {on} with {money(result['deposit'])} down, {loan} {cost}"
