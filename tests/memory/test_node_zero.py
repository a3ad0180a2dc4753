"""A FalkorDB trap: an edge index built over existing rows (loading a rewritten AOF, as after
an erasure) leaves out the edges of node id 0. Our graphs keep id 0 for a placeholder, so the
first entity written keeps its facts across such a restart.

A stack of its own in a tmp dir: it is restarted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.config import load_settings
from backend.connections import open_memory
from backend.embedded.stack import EmbeddedStack
from backend.verticals.real_estate.demo import seed_demo
from backend.verticals.real_estate.listings import current_listings

pytestmark = pytest.mark.integration  # starts its own servers

ANCHORED = (
    "MATCH (x:Probe {k: 0}) WITH x OPTIONAL MATCH (x)-[r:RELATES_TO]->(o) WHERE r.name = 'HAS'"
    " RETURN count(r) AS n"
)


async def _restarted(data_dir: Path, group: str, first: bool) -> tuple[int, int]:
    """(listings with a price, status and suburb; the raw graph's anchored edges) after this start."""
    with EmbeddedStack(load_settings(data_dir=data_dir)) as settings:
        memory = await open_memory(settings)
        try:
            store = await memory.store(group)
            raw = store.graph.client.select_graph("raw-node-zero")
            if first:
                await seed_demo(memory, group)
                await raw.query("CREATE INDEX FOR ()-[e:RELATES_TO]-() ON (e.name)")
                await raw.query("CREATE (:Probe {k: 0})-[:RELATES_TO {name: 'HAS'}]->(:Probe {k: 1})")
                await memory.rewrite_files(group)
            homes = await current_listings(memory, group, status=None, limit=1_000)
            (anchored,) = (await raw.query(ANCHORED)).result_set[0]
            return len(homes), anchored
        finally:
            await memory.close()


async def test_the_first_entity_keeps_its_facts_after_a_rewrite_and_a_restart(tmp_path: Path) -> None:
    group = f"zero{datetime.now(UTC):%H%M%S}"
    assert await _restarted(tmp_path, group, first=True) == (120, 1), "before the restart"
    homes, anchored = await _restarted(tmp_path, group, first=False)
    assert anchored == 0, "the trap: a graph without the placeholder lost node 0's edge"
    assert homes == 120, "ours kept every listing's facts"
