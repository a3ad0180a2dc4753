"""Recording episodes: supersession, set-valued facts, idempotency, atomicity."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from backend.verticals.real_estate.episodes import (
    BudgetStated,
    ListingAdded,
    SuburbPreferred,
    SuburbRetracted,
)
from backend.verticals.registry import ONTOLOGY
from memory import (
    CallerIdentified,
    ContactChanged,
    EpisodeConflict,
    InvalidEpisode,
    InvalidGroupId,
    MalformedPhone,
    Memory,
    UnknownEntity,
)
from memory.episodes import MAX_TEXT
from memory.ontology import _NS, stable_uuid

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize("parts", [("acme", "Caller", "c-42"), ("g", "fact", "e1", "naïve – 🏠"), ("",)])
def test_stable_uuids_are_uuid5_as_stored_before(parts: tuple[str, ...]) -> None:
    assert stable_uuid(*parts) == str(uuid.uuid5(_NS, "\x1f".join(parts)))


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


async def identify(mem: Memory, group: str, caller_id: str = "c1", **kw: object) -> None:
    await mem.record(
        CallerIdentified(id=f"id-{caller_id}", group_id=group, valid_at=T0, caller_id=caller_id, **kw)
    )


def budget(group: str, eid: str, n: float, amount: int, caller_id: str = "c1") -> BudgetStated:
    return BudgetStated(id=eid, group_id=group, valid_at=day(n), caller_id=caller_id, amount=amount)


async def values(mem: Memory, group: str, name: str, **kw: object) -> list[object]:
    return [f.value for f in await mem.facts(group, "c1", **kw) if f.name == name]  # type: ignore[arg-type]


async def test_functional_fact_supersedes(mem: Memory, group: str) -> None:
    await identify(mem, group)
    await mem.record(budget(group, "b1", 1, 850_000))
    done = await mem.record(budget(group, "b2", 3, 900_000))
    assert (done.facts, done.closed) == (1, 1)
    assert await values(mem, group, "HAS_BUDGET") == [900_000]
    assert await values(mem, group, "HAS_BUDGET", valid_at=day(2)) == [850_000]
    assert await values(mem, group, "HAS_BUDGET", valid_at=day(0.5)) == []
    store = await mem.store(group)
    rows = await store.query(
        "MATCH ()-[r:RELATES_TO {name: 'HAS_BUDGET'}]->() RETURN r.value AS v, r.valid_at AS va,"
        " r.invalid_at AS ia, r.created_at AS ca, r.expired_at AS ea ORDER BY va"
    )
    old, new = rows
    assert old["ia"] == new["va"], "the earlier edge ends where the new one starts"
    assert old["ea"] == new["ca"], "and it expired at the record time of the new one"
    assert new["ia"] is None and new["ea"] is None


async def test_recording_twice_changes_nothing(mem: Memory, group: str) -> None:
    await identify(mem, group)
    episode = budget(group, "b1", 1, 850_000)
    first = await mem.record(episode)
    again = await mem.record(episode)
    assert first.episodes == 1 and again.episodes == 0 and again.facts == 0
    as_dict = episode.model_dump(mode="json")
    assert (await mem.record_many([as_dict, as_dict])).episodes == 0
    store = await mem.store(group)
    rows = await store.query("MATCH ()-[r:RELATES_TO {name: 'HAS_BUDGET'}]->() RETURN count(r) AS n")
    assert rows[0]["n"] == 1


async def test_reused_id_with_new_content_is_refused(mem: Memory, group: str) -> None:
    await identify(mem, group)
    await mem.record(budget(group, "b1", 1, 850_000))
    with pytest.raises(EpisodeConflict, match="b1"):
        await mem.record(budget(group, "b1", 1, 999_000))
    assert await values(mem, group, "HAS_BUDGET") == [850_000]


async def test_a_failed_batch_writes_nothing(mem: Memory, group: str) -> None:
    await identify(mem, group)
    good = budget(group, "b1", 1, 850_000)
    bad = budget(group, "b2", 2, 900_000, caller_id="nobody")
    with pytest.raises(UnknownEntity, match="nobody"):
        await mem.record_many([good, bad])
    assert await values(mem, group, "HAS_BUDGET") == []
    store = await mem.store(group)
    assert (await store.query("MATCH (x:Episodic) RETURN count(x) AS n"))[0]["n"] == 1


async def test_late_episode_lands_where_it_belongs(mem: Memory, group: str) -> None:
    await identify(mem, group)
    await mem.record(budget(group, "b1", 1, 800_000))
    await mem.record(budget(group, "b3", 3, 900_000))
    done = await mem.record(budget(group, "b2", 2, 850_000))  # arrives last
    assert done.replaced == 1, "b1 had been closed at day 3; its version now ends at day 2"
    assert await values(mem, group, "HAS_BUDGET", valid_at=day(1.5)) == [800_000]
    assert await values(mem, group, "HAS_BUDGET", valid_at=day(2.5)) == [850_000]
    assert await values(mem, group, "HAS_BUDGET", valid_at=day(4)) == [900_000]


async def test_set_valued_facts_accumulate_until_retracted(mem: Memory, group: str) -> None:
    await identify(mem, group)
    for i, suburb in enumerate(("Bondi", "coogee", "Manly")):
        await mem.record(
            SuburbPreferred(id=f"s{i}", group_id=group, valid_at=day(1 + i), caller_id="c1", suburb=suburb)
        )
    await mem.record(
        SuburbRetracted(id="r1", group_id=group, valid_at=day(5), caller_id="c1", suburb="bondi")
    )
    assert sorted(await values(mem, group, "PREFERS_SUBURB")) == ["Coogee", "Manly"]
    assert sorted(await values(mem, group, "PREFERS_SUBURB", valid_at=day(4))) == [
        "Bondi",
        "Coogee",
        "Manly",
    ]


async def test_phone_moves_to_a_new_caller(mem: Memory, group: str) -> None:
    await identify(mem, group, "c1", name="Ann Lee", phone="0412 345 678")
    await mem.record(
        CallerIdentified(
            id="id-c2",
            group_id=group,
            valid_at=day(10),
            caller_id="c2",
            name="Bob Ray",
            phone="+61 412 345 678",
        )
    )
    now = await mem.recall_caller(group, phone="0412345678")
    assert now is not None and now.caller.id == "c2"
    assert await values(mem, group, "HAS_PHONE", valid_at=day(5)) == ["+61412345678"]
    assert await values(mem, group, "HAS_PHONE") == []


async def test_changed_phone_retires_the_old_number(mem: Memory, group: str) -> None:
    await identify(mem, group, "c1", name="Ann Lee", phone="0412 345 678")
    await mem.record(
        ContactChanged(id="cc", group_id=group, valid_at=day(2), caller_id="c1", phone="0498 765 432")
    )
    assert await values(mem, group, "HAS_PHONE") == ["+61498765432"]
    assert await mem.recall_caller(group, phone="0412 345 678") is None


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {
                "type": "budget_stated",
                "id": "x",
                "group_id": "g",
                "valid_at": "2026-03-01T09:00:00",
                "caller_id": "c1",
                "amount": 5,
            },
            "valid_at",
        ),
        ({"type": "teleported", "id": "x", "group_id": "g", "valid_at": T0.isoformat()}, "type"),
        (
            {
                "type": "budget_stated",
                "id": "x",
                "group_id": "bad group!",
                "valid_at": T0.isoformat(),
                "caller_id": "c1",
                "amount": 5,
            },
            "group_id",
        ),
        (
            {
                "type": "caller_identified",
                "id": "x",
                "group_id": "g",
                "valid_at": T0.isoformat(),
                "caller_id": "c1",
                "name": "n" * (MAX_TEXT + 1),
            },
            "name",
        ),
        (
            {
                "type": "budget_stated",
                "id": "x",
                "group_id": "g",
                "valid_at": T0.isoformat(),
                "caller_id": "c1",
                "amount": -1,
            },
            "amount",
        ),
    ],
)
def test_bad_episodes_are_typed_errors(data: dict[str, object], error: str) -> None:
    with pytest.raises(InvalidEpisode, match=error):
        ONTOLOGY.parse(data)


async def test_bad_group_id_and_phone(mem: Memory, group: str) -> None:
    with pytest.raises(InvalidGroupId):
        await mem.facts("../etc", "c1")
    with pytest.raises(MalformedPhone):
        await identify(mem, group, phone="not a number")
    with pytest.raises(MalformedPhone):
        await mem.recall_caller(group, phone="12")
    with pytest.raises(UnknownEntity):
        await mem.facts(group, "nobody")


async def test_groups_are_separate_graphs(mem: Memory, group: str) -> None:
    other = group + "b"
    await identify(mem, group, name="Ann Lee", phone="0412 345 678")
    assert await mem.recall_caller(other, phone="0412 345 678") is None
    # Written to the group's own graph, not Graphiti's default one (the add_triplet trap).
    graphs = await mem.driver.client.list_graphs()  # type: ignore[attr-defined]
    assert group in graphs
    default = mem.driver.client.select_graph("default_db")  # type: ignore[attr-defined]
    if "default_db" in graphs:
        rows = await default.query("MATCH (c:Caller) RETURN count(c) AS n")
        assert rows.result_set[0][0] == 0


async def test_listing_price_supersedes_and_status(mem: Memory, group: str) -> None:
    listing = ListingAdded(
        id="l1",
        group_id=group,
        valid_at=T0,
        property_id="P1",
        address="12 Ocean St",
        suburb="Bondi",
        price=1_200_000,
        bedrooms=3,
    )
    await mem.record(listing)
    await mem.record(listing)
    store = await mem.store(group)
    rows = await store.query("MATCH (p:Property) RETURN count(p) AS n, collect(p.address) AS a")
    assert rows[0]["n"] == 1 and rows[0]["a"] == ["12 Ocean St"]


async def test_an_escalation_is_a_fact_from_the_caller_to_the_agent(mem: Memory, group: str) -> None:
    from memory import Escalated

    await identify(mem, group, name="Pia Larsen")
    common = {"group_id": group, "caller_id": "c1", "agent": "Escalation"}
    first = Escalated(id="call-e1:escalated", call_id="call-e1", valid_at=day(1), trigger="request",
                      reason="wants a person", fact_ids=["f1", "f2"], **common)  # fmt: skip
    assert (await mem.record(first)).facts == 1
    assert (await mem.record(first)).facts == 0, "idempotent"
    again = Escalated(id="call-e2:escalated", call_id="call-e2", valid_at=day(2), trigger="ceiling", **common)
    await mem.record(again)
    rows = [f for f in await mem.facts(group, "c1") if f.name == "ESCALATED"]
    assert [f.value for f in rows] == ["request", "ceiling"], "events accumulate, never closed"
    assert rows[0].object_name == "Escalation" and "wants a person" in rows[0].fact
    assert [f.value for f in await mem.facts(group, "c1", valid_at=day(1.5)) if f.name == "ESCALATED"] == [
        "request"
    ]
    [recorded] = await mem.call_episodes(group, "call-e1")
    assert recorded == first, "the episode reads back typed, with the fact ids it relied on"
    with pytest.raises(InvalidEpisode):
        ONTOLOGY.parse({**first.model_dump(mode="json"), "trigger": "whim"})
