"""``switchboard bench memory``: build a synthetic caller graph and time the memory API.

N facts over N/10 callers (name, phone, email, two budgets and two bedroom
counts, each the second superseding the first, two preferred suburbs, one
interest) plus listings; then recall_caller, search, and stock Graphiti search
on the same graph, in the same run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from graphiti_core.search.search import search as search_recipe
from graphiti_core.search.search_config_recipes import EDGE_HYBRID_SEARCH_RRF
from graphiti_core.search.search_filters import SearchFilters

from backend.bench.report import percentiles
from backend.verticals.real_estate.episodes import (
    BedroomsWanted,
    BudgetStated,
    ListingAdded,
    PropertyInterest,
    SuburbPreferred,
)
from memory import CallerIdentified, Episode, Memory
from memory.graphiti import build_graphiti

GROUP = "bench"
FACTS_PER_CALLER = 10
FIRST = ["Jane", "Omar", "Li", "Priya", "Tom", "Ana", "Kofi", "Mia", "Raj", "Zoe", "Sam", "Ivy"]
LAST = ["Smith", "Haddad", "Chen", "Patel", "Nguyen", "Rossi", "Mensah", "Brown", "Kaur", "Lee"]
SUBURBS = [
    "Bondi",
    "Coogee",
    "Manly",
    "Newtown",
    "Paddington",
    "Surry Hills",
    "Glebe",
    "Randwick",
    "Mosman",
    "Balmain",
    "Marrickville",
    "Chatswood",
    "Parramatta",
    "Cronulla",
    "Dee Why",
    "Leichhardt",
    "Rozelle",
    "Maroubra",
    "Bronte",
    "Neutral Bay",
]
QUERIES = [
    "what is their budget",
    "budget around 900 thousand",
    "wants three bedrooms",
    "looking for a place in Bondi",
    "interested in a property",
    "how many bedrooms",
    "which suburbs do they like",
    "phone number",
    "email address",
    "price range for a house",
]
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def listings(count: int) -> list[Episode]:
    return [
        ListingAdded(
            id=f"listing-{i}",
            group_id=GROUP,
            valid_at=T0,
            property_id=f"P{i}",
            address=f"{i + 1} {random.choice(['Ocean', 'Hill', 'Park', 'Beach'])} St",
            suburb=SUBURBS[i % len(SUBURBS)],
            price=600_000 + 25_000 * (i % 60),
            bedrooms=1 + i % 5,
        )
        for i in range(count)
    ]


def phone_of(i: int) -> str:
    return f"04{i:08d}"


def caller_episodes(i: int, listing_count: int, rng: random.Random) -> list[Episode]:
    cid = f"caller-{i}"
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    at = T0 + timedelta(minutes=i)
    common = {"group_id": GROUP, "caller_id": cid}
    budget = 500_000 + 50_000 * rng.randrange(20)
    beds = 1 + rng.randrange(5)
    suburbs = rng.sample(SUBURBS, 2)
    return [
        CallerIdentified(
            id=f"{cid}:id",
            valid_at=at,
            name=f"{first} {last}",
            phone=phone_of(i),
            email=f"{first}.{last}.{i}@example.com".lower(),
            **common,
        ),
        BudgetStated(id=f"{cid}:b1", valid_at=at + timedelta(days=1), amount=budget, **common),
        BudgetStated(id=f"{cid}:b2", valid_at=at + timedelta(days=9), amount=budget + 50_000, **common),
        BedroomsWanted(id=f"{cid}:r1", valid_at=at + timedelta(days=1), bedrooms=beds, **common),
        BedroomsWanted(id=f"{cid}:r2", valid_at=at + timedelta(days=9), bedrooms=beds + 1, **common),
        SuburbPreferred(id=f"{cid}:s1", valid_at=at + timedelta(days=1), suburb=suburbs[0], **common),
        SuburbPreferred(id=f"{cid}:s2", valid_at=at + timedelta(days=2), suburb=suburbs[1], **common),
        PropertyInterest(
            id=f"{cid}:p1",
            valid_at=at + timedelta(days=3),
            property_id=f"P{rng.randrange(listing_count)}",
            **common,
        ),
    ]


def batches(callers: int, listing_count: int, size: int, seed: int) -> Iterator[list[Episode]]:
    rng = random.Random(seed)
    batch: list[Episode] = []
    for i in range(callers):
        batch += caller_episodes(i, listing_count, rng)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def checkpoints(total: int) -> list[int]:
    """Where record throughput is sampled: 10k, 100k, 1M, … below ``total``, and ``total``."""
    marks, mark = [], 10_000
    while mark < total:
        marks.append(mark)
        mark *= 10
    return [*marks, total]


def _mark(growth: list[dict[str, float]], facts: int, elapsed_s: float) -> dict[str, float]:
    """Throughput from 0 and since the previous mark: the second shows how writes slow
    as the graph grows, which the average from 0 hides."""
    before = growth[-1] if growth else {"facts": 0, "s": 0.0}
    return {
        "facts": facts,
        "s": round(elapsed_s, 2),
        "facts_per_s": round(facts / elapsed_s, 1),
        "since_previous_facts_per_s": round((facts - before["facts"]) / (elapsed_s - before["s"]), 1),
    }


async def timed(samples: list[float], call: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = await call()
    samples.append((time.perf_counter() - started) * 1000)
    return result


async def stock_search(mem: Memory, rng: random.Random, count: int) -> list[float]:
    """Graphiti's own hybrid edge search (the recipe ``Graphiti.search`` uses) on the
    same graph, called the fair way: one driver for the group, a private copy of
    the recipe (``Graphiti.search`` would clone a driver and rebuild its indexes on
    every call, and mutate the shared recipe)."""
    store = await mem.store(GROUP)
    graphiti = build_graphiti(store.driver, embedder=mem.embedder)  # type: ignore[attr-defined]
    config = EDGE_HYBRID_SEARCH_RRF.model_copy(deep=True)
    config.limit = 10
    samples: list[float] = []
    await search_recipe(graphiti.clients, QUERIES[0], [GROUP], config, SearchFilters(), driver=store.driver)  # type: ignore[attr-defined]
    for _ in range(count):
        q = rng.choice(QUERIES)
        await timed(
            samples,
            lambda q=q: search_recipe(
                graphiti.clients,
                q,
                [GROUP],
                config,
                SearchFilters(),
                driver=store.driver,  # type: ignore[attr-defined]
            ),
        )
    return samples


async def server_rss_mb(mem: Memory) -> float | None:
    """The graph server's resident memory (FalkorDB's ``INFO memory``); None on Neo4j."""
    client = getattr(mem.driver, "client", None)
    connection = getattr(client, "connection", None)
    if connection is None:
        return None
    info = await connection.info("memory")
    return round(int(info["used_memory_rss"]) / 2**20, 1)


async def run(
    mem: Memory,
    facts: int,
    *,
    samples: int = 200,
    stock_samples: int = 20,
    seed: int = 7,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> dict[str, Any]:
    random.seed(seed)
    store = await mem.store(GROUP)
    await store.drop()
    mem._stores.pop(GROUP, None)
    listing_count = max(50, facts // 1000)
    callers = max(1, (facts - 3 * listing_count) // FACTS_PER_CALLER)
    total = 3 * listing_count + callers * FACTS_PER_CALLER

    started = time.perf_counter()
    await mem.record_many(listings(listing_count))
    written = 3 * listing_count
    marks = checkpoints(total)
    growth: list[dict[str, float]] = []
    for batch in batches(callers, listing_count, 800, seed):
        done = await mem.record_many(batch)
        written += done.facts
        progress(written, total)
        if marks and written >= marks[0]:
            marks = [m for m in marks if m > written]
            growth.append(_mark(growth, written, time.perf_counter() - started))
            growth[-1]["server_rss_mb"] = await server_rss_mb(mem)
    record_s = time.perf_counter() - started

    rng = random.Random(seed + 1)
    recall_ms: list[float] = []
    for _ in range(5):
        await mem.recall_caller(GROUP, phone=phone_of(0))
    for _ in range(samples):
        i = rng.randrange(callers)
        ctx = await timed(recall_ms, lambda i=i: mem.recall_caller(GROUP, phone=phone_of(i)))
        assert ctx is not None and ctx.caller.id == f"caller-{i}", "benchmark graph is inconsistent"

    search_ms: list[float] = []
    for q in QUERIES:
        await mem.search(GROUP, q)
    for n in range(samples):
        q, who = rng.choice(QUERIES), f"caller-{rng.randrange(callers)}" if n % 2 else None
        await timed(search_ms, lambda q=q, who=who: mem.search(GROUP, q, caller_id=who))

    stock_ms = await stock_search(mem, rng, stock_samples)

    return {
        "facts": written,
        "callers": callers,
        "listings": listing_count,
        "record_s": round(record_s, 2),
        "record_facts_per_s": round(written / record_s, 1),
        "record_growth": growth,
        "recall_caller_ms": percentiles(recall_ms),
        "search_ms": percentiles(search_ms),
        "graphiti_search_ms": percentiles(stock_ms),
        "search_speedup_p95": round(
            percentiles(stock_ms)["p95"] / max(percentiles(search_ms)["p95"], 1e-9), 1
        ),
    }
