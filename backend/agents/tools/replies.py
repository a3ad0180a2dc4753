"""How tools' replies say values to a caller."""

from __future__ import annotations


def money(value: float | None) -> str:
    """Dollars as a reply reads them: ``$1,250,000``."""
    return "-" if value is None else f"${value:,.0f}"
