"""Bi-temporal properties on the real graph: any ingestion order, exact "as known at"."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.verticals.real_estate.episodes import BudgetStated, SuburbPreferred, SuburbRetracted
from memory import CallerIdentified, Episode, Memory

T0 = datetime(2026, 1, 1, tzinfo=UTC)
GRID = [T0 + timedelta(hours=h) for h in range(0, 14)]


def events(group: str, spec: list[tuple[str, int, int]]) -> list[Episode]:
    """(kind, hour, value) → episodes; ids are stable so permutations are comparable."""
    out: list[Episode] = []
    for i, (kind, hour, value) in enumerate(spec):
        at = T0 + timedelta(hours=hour)
        common = {"id": f"e{i}", "group_id": group, "valid_at": at, "caller_id": "c1"}
        if kind == "budget":
            out.append(BudgetStated(**common, amount=100_000 * (value + 1)))
        elif kind == "prefer":
            out.append(SuburbPreferred(**common, suburb=["Bondi", "Manly"][value % 2]))
        else:
            out.append(SuburbRetracted(**common, suburb=["Bondi", "Manly"][value % 2]))
    return out


async def timeline(mem: Memory, group: str, known_at: datetime | None = None) -> list[tuple]:
    """The whole valid-time timeline on a grid, as (hour, sorted facts) pairs."""
    out = []
    for at in GRID:
        facts = await mem.facts(group, "c1", valid_at=at, known_at=known_at)
        out.append((at, sorted((f.name, str(f.value)) for f in facts if f.name != "HAS_NAME")))
    return out


async def fresh(mem: Memory) -> str:
    group = "h" + uuid.uuid4().hex[:12]
    await mem.record(
        CallerIdentified(id="id", group_id=group, valid_at=T0 - timedelta(days=1), caller_id="c1", name="Ann")
    )
    return group


SPEC = st.lists(
    st.tuples(st.sampled_from(["budget", "prefer", "retract"]), st.integers(1, 12), st.integers(0, 3)),
    min_size=2,
    max_size=6,
)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(spec=SPEC, data=st.data())
async def test_any_ingestion_order_gives_the_same_timeline(
    mem: Memory, spec: list, data: st.DataObject
) -> None:
    in_order = await fresh(mem)
    for e in events(in_order, spec):
        await mem.record(e)
    shuffled = await fresh(mem)
    permutation = data.draw(st.permutations(events(shuffled, spec)))
    for e in permutation:
        await mem.record(e)
    batched = await fresh(mem)
    await mem.record_many(events(batched, spec))
    expected = await timeline(mem, in_order)
    assert await timeline(mem, shuffled) == expected
    assert await timeline(mem, batched) == expected


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(spec=SPEC, data=st.data())
async def test_known_at_reproduces_what_was_read_then(mem: Memory, spec: list, data: st.DataObject) -> None:
    group = await fresh(mem)
    snapshots = []
    for e in data.draw(st.permutations(events(group, spec))):
        await mem.record(e)
        seen = await timeline(mem, group)
        # Any moment between this read and the next write is "then"; taken after the
        # read because record times are bumped 1 µs past the last one when the clock
        # has not moved, and so may lie a microsecond ahead of the wall clock.
        snapshots.append((datetime.now(UTC), seen))
    for read_at, seen in snapshots:
        assert await timeline(mem, group, known_at=read_at) == seen
