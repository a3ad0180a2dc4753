"""Interest and bookings by suburb, the funnel, and price changes, on the demo world."""

from __future__ import annotations

from backend.analytics import portfolio


async def test_interest_and_bookings_by_suburb_week_by_week(analyst) -> None:  # type: ignore[no-untyped-def]
    weeks = await portfolio.weeks(analyst)
    interest = await portfolio.suburb_interest(analyst)
    booked = await portfolio.bookings_by_suburb(analyst)
    assert len(weeks) >= 8
    assert all(len(v) == len(weeks) for v in [*interest.values(), *booked.values()])
    top = portfolio.top_suburbs(interest, 3)
    assert len(top) == 3 and sum(interest[top[0]]) >= sum(interest[top[-1]])
    assert sum(map(sum, booked.values())) >= 10


async def test_the_funnel_narrows(analyst) -> None:  # type: ignore[no-untyped-def]
    stages = await portfolio.funnel(analyst)
    counts = [s.callers for s in stages]
    assert len(stages) >= 3 and counts[0] >= 25 and counts == sorted(counts, reverse=True) and counts[2] > 0


async def test_price_changes_come_with_interest_before_and_after(analyst) -> None:  # type: ignore[no-untyped-def]
    moves = await portfolio.price_changes(analyst)
    assert moves and all(m.after < m.before for m in moves)  # the demo feed only cuts


async def test_no_price_change_is_dated_after_now(analyst) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    keys = list(await portfolio.listings_by_week(analyst))
    assert keys == sorted(keys) and keys[-1] <= datetime.now(UTC)
    assert all(m.changed_at <= datetime.now(UTC) for m in await portfolio.price_changes(analyst))
