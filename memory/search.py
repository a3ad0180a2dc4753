"""Hybrid retrieval: BM25 + vector + graph proximity to the caller, fused by weighted RRF.

Candidates come from the engine's native indexes (full text, HNSW vectors), so
cost grows with k, not with the graph. Only rows visible at ``as_of`` (as known
now) survive; each hit keeps its provenance.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime

from rapidfuzz import fuzz

from memory import turns
from memory.models import Hit
from memory.recall import to_fact
from memory.store import GraphStore, cypher, iso
from memory.store.base import Record, from_iso

RRF_K = 60
OVERFETCH = 5
"""Candidates per signal, as a multiple of the limit (rows invisible at as_of are dropped)."""
W_TURNS = 2.0
"""Weight of a known caller's own turns in the fusion (``memory.turns``): they outranked
every tenant-wide list on the retrieval eval; the facts' lists keep weight 1."""


async def search(
    store: GraphStore,
    embed_one: Callable[[str], Awaitable[list[float]]],
    query: str,
    subject: str | None,
    at: datetime,
    now: datetime,
    limit: int,
) -> list[Hit]:
    if not query.strip() or limit <= 0:
        return []
    k = max(limit * OVERFETCH, 20)
    vector = await embed_one(query)
    when = {"at": iso(at), "known": iso(now)}
    turn_rows: dict[str, Record] = {}
    if subject:
        # A known caller: their own turns, ranked here, instead of the tenant's (which hold
        # other callers' words, and rank a caller's far below a BM25 of their own).
        vf, ft, near, mine = await asyncio.gather(
            store.vector_facts(vector, k),
            store.fulltext_facts(query, k),
            _caller_facts(store, subject, when),
            store.caller_turns(subject, vector, when["at"] or "", turns.MAX_TURNS),
        )
        ranked = [t.row for t in turns.rank(query, mine)[:k]]
        turn_rows = {r["uuid"]: r for r in ranked}
        lists = [(vf, 1.0), (ft, 1.0), (ranked, W_TURNS)]
    else:
        vf, ft, ve, fe = await asyncio.gather(
            store.vector_facts(vector, k),
            store.fulltext_facts(query, k),
            store.vector_episodes(vector, k),
            store.fulltext_episodes(query, k),
        )
        near = []
        lists = [(vf, 1.0), (ft, 1.0), (ve, 1.0), (fe, 1.0)]
    ranked_near = sorted(near, key=lambda r: -fuzz.token_set_ratio(query, r["fact"]))
    scores: dict[str, float] = defaultdict(float)
    for ranking, weight in [*lists, (ranked_near, 1.0)]:
        for rank, row in enumerate(ranking):
            scores[row["uuid"]] += weight / (RRF_K + rank + 1)
    facts = {r["uuid"]: r for r in near}
    missing = [u for u in scores if u not in facts and u not in turn_rows]
    for row in await store.query(cypher.FACT_ROWS, {"uuids": missing, **when}):
        facts[row["uuid"]] = row
    episodes = dict(turn_rows)
    if not subject:
        rows = await store.query(cypher.EPISODE_ROWS, {"uuids": missing, "at": when["at"]})
        episodes |= {r["uuid"]: r for r in rows}
    hits = [_fact_hit(r, scores[u], subject) for u, r in facts.items()]
    hits += [_episode_hit(r, scores[u], subject) for u, r in episodes.items()]
    hits.sort(key=lambda h: (-h.score, h.uuid))
    return hits[:limit]


async def earlier_turns(
    store: GraphStore,
    embed_one: Callable[[str], Awaitable[list[float]]],
    query: str,
    subject: str,
    at: datetime,
    besides_call: str,
    limit: int,
) -> list[Hit]:
    """A known caller's own turns in calls other than ``besides_call``, best first: the list
    ``search`` fuses for their turns, alone (one read instead of four: no facts)."""
    if not query.strip() or limit <= 0:
        return []
    vector = await embed_one(query)
    rows = await store.caller_turns(subject, vector, iso(at) or "", turns.MAX_TURNS, besides_call)
    return [_episode_hit(t.row, t.score, subject) for t in turns.rank(query, rows)[:limit]]


async def _caller_facts(store: GraphStore, subject: str, when: dict[str, str | None]) -> list[Record]:
    return await store.query(cypher.FACTS_OF, {"subject": subject, "owned": store.ontology.owned, **when})


def _proximity(touches: bool) -> float:
    """Graph proximity as one more ranked list: the caller's own rows rank first."""
    return 1 / (RRF_K + 1) if touches else 0.0


def _fact_hit(row: Record, score: float, subject: str | None) -> Hit:
    fact = to_fact(row)
    touches = subject is not None and subject in (fact.subject, fact.object)
    return Hit(
        text=fact.fact,
        kind="fact",
        score=round(score + _proximity(touches), 6),
        uuid=fact.uuid,
        fact_type=fact.name,
        valid_at=fact.valid_at,
        invalid_at=fact.invalid_at,
        episode_ids=fact.episodes,
        turn_ids=fact.turn_ids,
    )


def _episode_hit(row: Record, score: float, subject: str | None) -> Hit:
    touches = subject is not None and row.get("caller") == subject
    return Hit(
        text=row["content"],
        kind="episode",
        score=round(score + _proximity(touches), 6),
        uuid=row["uuid"],
        valid_at=from_iso(row["valid_at"]),
        episode_ids=[row["uuid"]],
        turn_ids=[row["turn_id"]] if row.get("turn_id") else [],
        call_id=row.get("call_id"),
    )
