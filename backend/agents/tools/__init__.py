"""The real-estate vertical's tools. Each reads memory through the memory API and
writes structured episodes (and the bookings ledger); none writes free text."""


def money(value: float | None) -> str:
    """Dollars as a reply reads them: ``$1,250,000``."""
    return "-" if value is None else f"${value:,.0f}"
