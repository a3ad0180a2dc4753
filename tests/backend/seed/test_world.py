"""The demo world's plan: big enough, varied enough, the same every time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.seed.world import plan

ANCHOR = datetime(2026, 12, 1, tzinfo=UTC)


def test_the_default_world_has_500_callers_and_2000_calls_over_six_months() -> None:
    world = plan("g1", 500, 6, ANCHOR)
    calls = world.calls
    assert len(world.people) == 500
    assert len(calls) + len(world.live) >= 2000 + 5 * 10  # 2,000 left when five callers are erased
    assert min(c.started_at for c in calls) <= ANCHOR - timedelta(days=180)
    assert {c.caller_id for c in calls} == set(world.people)  # everyone calls at least once


def test_the_world_changes_the_way_a_market_does() -> None:
    world = plan("g1", 500, 6, ANCHOR)
    said = [text for c in world.calls for who, text in c.lines if who == "caller"]
    assert sum("budget is now" in t for t in said) > 50
    assert sum("also consider" in t for t in said) > 50
    assert sum("no longer looking in" in t for t in said) > 20
    steps = {s.kind for c in world.calls for s in c.bookings} | {s.kind for w in world.weeks for s in w.steps}
    assert steps == {"made", "moved", "cancelled", "attended"}
    feed = world.weeks[-1].feed
    assert any(r.status == "sold" for r in feed)
    assert any(r.changed_at and r.status == "listed" for r in feed)  # a price cut
    assert world.reassigned and world.erasures and any(c.late for c in world.calls)
    assert any("real person" in line for call in world.live for line in call.lines)


def test_the_plan_is_the_same_every_time() -> None:
    one, two = plan("g1", 60, 2, ANCHOR), plan("g1", 60, 2, ANCHOR)
    assert [(c.call_id, c.started_at, c.lines) for c in one.calls] == [
        (c.call_id, c.started_at, c.lines) for c in two.calls
    ]
    assert [c.lines for c in one.live] == [c.lines for c in two.live]


def test_the_small_world_still_has_a_late_call_a_duplicate_a_reassigned_number_and_an_erasure() -> None:
    world = plan("g1", 30, 2, ANCHOR)
    late = [c for c in world.calls if c.late]
    assert late and world.reassigned and world.erasures
    names = [p.name for p in world.people.values()]
    assert len(set(names)) < len(names)  # a likely duplicate caller
    weeks = len(world.weeks)
    assert all(c.started_at < ANCHOR - timedelta(weeks=c.late) for c in late)  # it arrives before the end
    assert weeks >= 8


def test_a_callers_first_call_comes_before_their_others_week_by_week() -> None:
    # The seed records a caller at their first call and writes the weeks in order: a later
    # call (or a viewing it books) in an earlier week names a caller memory does not know yet.
    for callers, months in ((500, 6), (30, 2)):
        world = plan("g1", callers, months, ANCHOR)
        first: dict[str, int] = {}
        for week in world.weeks:
            for call in week.calls:
                assert call.new_caller == (call.caller_id not in first), call.call_id
                first.setdefault(call.caller_id, week.number)
                assert abs(call.started_at - week.start) < timedelta(weeks=1, days=1)


def test_some_listings_are_in_suburbs_no_caller_looks_in() -> None:
    from backend.seed.world import OUTSIDE

    world = plan("g1", 30, 2, ANCHOR)
    outside = {r.listing.property_id for r in world.weeks[-1].feed if r.listing.suburb in OUTSIDE}
    assert len(outside) == 2
    said = " ".join(text for c in world.calls for _, text in c.lines) + " ".join(
        line for c in world.live for line in c.lines
    )
    assert not any(s in said for s in OUTSIDE) and all(p not in said for p in outside)
    assert not {s for p in world.people.values() for s in p.suburbs} & set(OUTSIDE)


def test_calls_are_spread_over_the_weeks_not_piled_on_the_last() -> None:
    world = plan("g1", 500, 6, ANCHOR)
    per_week = [len(w.calls) for w in world.weeks]
    assert max(per_week) < 2.5 * (sum(per_week) / len(per_week))
