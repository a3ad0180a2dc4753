"""Memory health on the demo world: churn, untouched entities, duplicates, erasures."""

from __future__ import annotations

from backend.analytics import health


async def test_fact_churn_is_counted_by_week(analyst) -> None:  # type: ignore[no-untyped-def]
    churn = await health.supersessions(analyst)
    assert sum(churn.get("HAS_BUDGET", {}).values()) >= 1
    assert all(w.weekday() == 0 for by_week in churn.values() for w in by_week)


async def test_likely_duplicates_share_a_name_not_a_number(analyst) -> None:  # type: ignore[no-untyped-def]
    dupes = await health.likely_duplicates(analyst)
    assert dupes
    assert all(0.5 <= d.confidence <= 0.95 and d.evidence[0] == "same name" for d in dupes)
    assert [d.confidence for d in dupes] == sorted((d.confidence for d in dupes), reverse=True)


async def test_each_erasure_has_a_receipt_and_left_nothing(analyst) -> None:  # type: ignore[no-untyped-def]
    receipts = await health.erasures(analyst)
    assert receipts and all(r.gone_from_graph for r in receipts)
    # Each entry carries its own count, even when a later erasure tombstoned the same number again.
    assert all(r.tombstones >= 1 for r in receipts), receipts


async def test_the_summary_counts_the_world(analyst) -> None:  # type: ignore[no-untyped-def]
    s = await health.summary(analyst)
    assert s.callers >= 25 and s.calls >= 100 and 0 < s.calls_by_agents < s.calls
    assert s.facts > s.callers and s.bookings >= 10 and s.listings >= 10 and s.erasures >= 1


async def test_a_value_said_again_is_no_churn(analyst) -> None:  # type: ignore[no-untyped-def]
    from backend.analytics.portfolio import all_histories
    from backend.analytics.timeline import label

    closed = again = 0
    for facts in (await all_histories(analyst)).values():
        starts = {(f.name, label(f), f.valid_at) for f in facts}
        closed += sum(f.invalid_at is not None for f in facts)
        again += sum((f.name, label(f), f.invalid_at) in starts for f in facts if f.invalid_at)
    churn = sum(sum(w.values()) for w in (await health.supersessions(analyst)).values())
    # said again at the very moment (the history's calls) or a second later (live calls)
    assert again and 0 < churn <= closed - again


async def test_the_listings_no_caller_looked_at_are_untouched(analyst) -> None:  # type: ignore[no-untyped-def]
    from backend.seed.world import OUTSIDE

    lonely = await health.untouched(analyst)
    assert {"X00", "X01"} <= {u.key for u in lonely if u.entity_type == "Property"}
    assert set(OUTSIDE) <= {u.name for u in lonely if u.entity_type == "Suburb"}
