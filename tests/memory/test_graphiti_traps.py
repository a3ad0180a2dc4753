"""The Graphiti and FalkorDB traps from DESIGN.md, each shown and each handled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import numpy as np
from graphiti_core.driver.driver import GraphProvider
from graphiti_core.search.search_config_recipes import EDGE_HYBRID_SEARCH_RRF
from graphiti_core.search.search_filters import (
    ComparisonOperator,
    DateFilter,
    SearchFilters,
    edge_search_filter_query_constructor,
)

from backend.verticals.real_estate.episodes import BudgetStated
from memory import CallerIdentified, Memory
from memory.graphiti import build_graphiti
from memory.store.falkordb import _VECTOR_OPTIONS

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


async def two_budgets(mem: Memory, group: str) -> None:
    await mem.record_many(
        [
            CallerIdentified(id="i", group_id=group, valid_at=T0, caller_id="c1", name="Ann Lee"),
            BudgetStated(
                id="b1",
                group_id=group,
                valid_at=T0 + timedelta(days=1),
                caller_id="c1",
                amount=700_000,
            ),
            BudgetStated(
                id="b2",
                group_id=group,
                valid_at=T0 + timedelta(days=2),
                caller_id="c1",
                amount=800_000,
            ),
        ]
    )


async def test_range_index_on_date_strings_breaks_less_than(mem: Memory, group: str) -> None:
    """FalkorDB's range index on a string property answers `<` wrongly; Graphiti puts
    one on every time property. Our reads wrap the property and stay right."""
    await two_budgets(mem, group)
    store = await mem.store(group)
    indexes = await store.query("CALL db.indexes() YIELD label, properties, types RETURN label, types")
    relates = next(r["types"] for r in indexes if r["label"] == "RELATES_TO")
    assert "RANGE" in relates["valid_at"], "Graphiti's range index is present"
    cut = "2026-03-02T12:00:00.000000+00:00"
    naive = await store.query(
        "MATCH ()-[r:RELATES_TO {name: 'HAS_BUDGET'}]->() WHERE r.valid_at < $cut RETURN r.value AS v",
        {"cut": cut},
    )
    wrapped = await store.query(
        "MATCH ()-[r:RELATES_TO {name: 'HAS_BUDGET'}]->() WHERE coalesce(r.valid_at, '') < $cut"
        " RETURN r.value AS v",
        {"cut": cut},
    )
    assert [r["v"] for r in wrapped] == [700_000]
    assert sorted(r["v"] for r in naive) == [700_000, 800_000], "the index ignored `<`"
    facts = await mem.facts(group, "c1", valid_at=T0 + timedelta(days=1, hours=12))
    assert [f.value for f in facts if f.name == "HAS_BUDGET"] == [700_000]


async def test_stock_search_returns_invalidated_facts_ours_does_not(mem: Memory, group: str) -> None:
    await two_budgets(mem, group)
    store = await mem.store(group)
    graphiti = build_graphiti(store.driver, embedder=mem.embedder)  # type: ignore[attr-defined]
    stock = await graphiti.search("budget", group_ids=[group], num_results=10)
    assert {e.attributes.get("value") for e in stock if e.name == "HAS_BUDGET"} == {
        700_000,
        800_000,
    }
    ours = await mem.search(group, "budget", caller_id="c1")
    assert [h.text for h in ours if h.fact_type == "HAS_BUDGET"] == ["The caller's budget is $800,000 AUD"]


async def test_stock_search_mutates_the_shared_recipe(mem: Memory, group: str) -> None:
    await two_budgets(mem, group)
    store = await mem.store(group)
    graphiti = build_graphiti(store.driver, embedder=mem.embedder)  # type: ignore[attr-defined]
    before = EDGE_HYBRID_SEARCH_RRF.limit
    try:
        await graphiti.search("budget", group_ids=[group], num_results=3)
        assert EDGE_HYBRID_SEARCH_RRF.limit == 3, "Graphiti.search wrote into the module recipe"
    finally:
        EDGE_HYBRID_SEARCH_RRF.limit = before
    # Ours takes its limit per call: concurrent searches do not disturb each other.
    one, many = await asyncio.gather(
        mem.search(group, "budget", limit=1), mem.search(group, "budget", limit=5)
    )
    assert len(one) == 1 and len(many) > 1


def test_search_filter_date_parameters_clash() -> None:
    """Two OR groups on one date field reuse the same parameter names: the first
    group's date is lost. We never build date filters with SearchFilters."""
    early, late = datetime(2019, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC)
    filters = SearchFilters(
        valid_at=[
            [DateFilter(date=late, comparison_operator=ComparisonOperator.greater_than_equal)],
            [DateFilter(date=early, comparison_operator=ComparisonOperator.greater_than_equal)],
        ]
    )
    _, params = edge_search_filter_query_constructor(filters, GraphProvider.FALKORDB)
    assert late not in params.values(), "the first OR group's date was overwritten"


async def test_every_fact_row_is_embedded_and_found_through_its_predicate(mem: Memory, group: str) -> None:
    """A row without fact_embedding silently drops out of stock Graphiti's vector search (a
    scan); ours finds rows through their predicate's HNSW index, and the rows stay unindexed."""
    await two_budgets(mem, group)
    store = await mem.store(group)
    rows = await store.query(
        "MATCH ()-[r:RELATES_TO]->() RETURN count(r) AS n, sum(CASE WHEN r.fact_embedding IS NULL"
        " OR r.predicate IS NULL THEN 1 ELSE 0 END) AS missing"
    )
    assert rows[0]["n"] >= 3 and rows[0]["missing"] == 0
    indexes = await store.query("CALL db.indexes() YIELD label, types RETURN label, types")
    types = {r["label"]: r["types"] for r in indexes}
    assert "VECTOR" in types["Predicate"]["embedding"]
    assert "VECTOR" not in types["RELATES_TO"].get("fact_embedding", [])
    vector = await mem.embed_one("budget of $800,000 AUD")
    nearest = await store.vector_facts(vector, 3)
    assert nearest and all(-1e-6 <= r["distance"] <= 2 for r in nearest)  # 0 = identical, float32
    budget = await store.query(
        "MATCH ()-[r:RELATES_TO {name: 'HAS_BUDGET'}]->() WHERE r.value = 800000 RETURN r.uuid AS uuid"
    )
    assert nearest[0]["uuid"] == budget[0]["uuid"] and abs(nearest[0]["distance"]) < 1e-6
    # Through Memory.search, by vector alone: no identifier of the query is in the rows' terms.
    assert not await store.fulltext_facts("what can they spend", 10)
    hits = await mem.search(group, "what can they spend")
    assert budget[0]["uuid"] in [h.uuid for h in hits]


async def test_a_graph_written_before_predicates_gets_them_when_opened(mem: Memory, group: str) -> None:
    """A graph from before ``Predicate`` nodes (an HNSW index on the rows, rows without
    ``predicate``) is found by vector again once its store is opened, without the rows' index."""
    await two_budgets(mem, group)
    store = await mem.store(group)
    await store.query("MATCH ()-[r:RELATES_TO]->() SET r.predicate = NULL", write=True)
    await store.query("MATCH (q:Predicate) DELETE q", write=True)
    await store.query(
        f"CREATE VECTOR INDEX FOR ()-[e:RELATES_TO]-() ON (e.fact_embedding) {_VECTOR_OPTIONS}", write=True
    )
    vector = await mem.embed_one("budget of $800,000 AUD")
    assert not await store.vector_facts(vector, 3)

    await store.ensure_schema()
    await store.ensure_schema()  # again, as another process would: nothing left to do
    budget = await store.query(
        "MATCH ()-[r:RELATES_TO {name: 'HAS_BUDGET'}]->() WHERE r.value = 800000 RETURN r.uuid AS uuid"
    )
    nearest = await store.vector_facts(vector, 3)
    assert nearest[0]["uuid"] == budget[0]["uuid"] and abs(nearest[0]["distance"]) < 1e-6
    left = await store.query("MATCH ()-[r:RELATES_TO]->() WHERE r.predicate IS NULL RETURN count(r) AS n")
    assert left[0]["n"] == 0
    indexes = await store.query("CALL db.indexes() YIELD label, types RETURN label, types")
    relates = next(r["types"] for r in indexes if r["label"] == "RELATES_TO")
    assert "VECTOR" not in relates.get("fact_embedding", [])
    # New rows with the same text get the text's predicate: both are found.
    await mem.record_many(
        [
            BudgetStated(
                id="b3", group_id=group, valid_at=T0 + timedelta(days=3), caller_id="c1", amount=800_000
            )
        ]
    )
    both = await store.query(
        "MATCH ()-[r:RELATES_TO {name: 'HAS_BUDGET'}]->() WHERE r.value = 800000 RETURN r.uuid AS uuid"
    )
    exact = {r["uuid"] for r in await store.vector_facts(vector, 3) if abs(r["distance"]) < 1e-6}
    assert len(both) == 2 and exact == {r["uuid"] for r in both}


async def test_stored_vectors_are_the_embedded_ones(mem: Memory, group: str) -> None:
    """Vectors reach FalkorDB as parameter text spelled by memory.store._falkor_params (not
    the client's per-float stringify): each stored embedding is the one memory computed."""
    await mem.record(CallerIdentified(id="i", group_id=group, valid_at=T0, caller_id="c1", name="Ann Lee"))
    said = ["My budget is about 1.2 million.", "We want three bedrooms in Bondi."]
    turns = [{"id": f"t{n}", "speaker": "caller", "text": t, "at": T0} for n, t in enumerate(said)]
    await mem.ingest_transcript(group, "call-1", turns, T0, caller_id="c1")
    store = await mem.store(group)
    rows = await store.query(
        "MATCH (x:Episodic {call_id: 'call-1'}) RETURN x.transcript AS text, x.content_embedding AS v"
    )
    assert sorted(r["text"] for r in rows) == sorted(said)
    for row, expected in zip(rows, await mem.embed([r["text"] for r in rows]), strict=True):
        assert np.array_equal(np.asarray(row["v"], dtype=np.float32), np.asarray(expected, dtype=np.float32))
