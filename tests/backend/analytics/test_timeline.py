"""A caller's bars across valid time, and what we knew against what was true."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.analytics import timeline
from memory.models import Fact

T0 = datetime(2026, 6, 1, tzinfo=UTC)


def _fact(name: str, value: int, start: int, end: int | None) -> Fact:
    return Fact(
        uuid=f"{name}{value}{start}",
        name=name,
        fact="",
        value=value,
        subject="c",
        object="v",
        valid_at=T0 + timedelta(days=start),
        invalid_at=T0 + timedelta(days=end) if end is not None else None,
        created_at=T0,
    )


def test_a_value_said_again_is_one_bar_and_a_replaced_one_is_superseded() -> None:
    facts = [
        _fact("HAS_BUDGET", 900_000, 0, 10),
        _fact("HAS_BUDGET", 900_000, 10, 20),  # said again in a later call
        _fact("HAS_BUDGET", 1_100_000, 20, None),
        _fact("BOOKED", 1, 0, None),  # not a timeline's fact type
    ]
    bars = timeline.bars(facts)
    assert [(b.value, b.start, b.end, b.superseded) for b in bars] == [
        ("$900,000", T0, T0 + timedelta(days=20), True),
        ("$1,100,000", T0 + timedelta(days=20), None, False),
    ]


async def test_a_caller_history_holds_superseded_values(analyst) -> None:  # type: ignore[no-untyped-def]
    caller, _ = await timeline.correction_example(analyst)
    bars = timeline.bars(await timeline.history(analyst, caller))
    assert bars and any(b.name == "HAS_NAME" for b in bars)
    supersede = [b for b in await _all_bars(analyst) if b.superseded]
    assert supersede  # budgets, bedrooms, suburbs change in the demo world


async def _all_bars(a) -> list[timeline.Bar]:  # type: ignore[no-untyped-def]
    out = []
    for c in sorted({c["caller_id"] for c in await a.calls() if c["caller_id"]})[:10]:
        out += timeline.bars(await timeline.history(a, c))
    return out


async def test_the_late_call_shows_what_we_knew_differs_from_what_was_true(analyst) -> None:  # type: ignore[no-untyped-def]
    late = await timeline.late_arrivals(analyst)
    assert late  # the small world holds one call back three weeks
    caller, day = await timeline.correction_example(analyst)
    assert caller in {x.caller_id for x in late}
    rows = await timeline.knew_vs_true(analyst, caller, day)
    budget = next(r for r in rows if r.name == "HAS_BUDGET")
    assert budget.differs  # known then: the old budget; true then (known now): the new one


def test_a_viewings_status_says_which_viewing() -> None:
    one = _fact("BOOKING_STATUS", 0, 0, 5).model_copy(update={"value": "scheduled", "subject_name": "HR-7Q2"})
    two = one.model_copy(update={"uuid": "b", "subject_name": "HR-9K1"})
    assert [b.value for b in timeline.bars([one, two])] == ["HR-7Q2 scheduled", "HR-9K1 scheduled"]
