"""Erasing a caller: their node, facts, episodes, transcript turns, embeddings
(they live on the rows and episodes) and the entities left orphaned."""

from __future__ import annotations

from typing import TYPE_CHECKING

from memory.errors import UnknownEntity
from memory.models import ErasureReceipt
from memory.ontology import caller
from memory.store import GraphStore, cypher

if TYPE_CHECKING:
    from memory.memory import Memory


async def erase(memory: Memory, store: GraphStore, caller_id: str) -> ErasureReceipt:
    """Several statements, the caller's node last: if one fails, erasing again
    finishes the job (the caller is still there to be found)."""
    group = store.group_id
    subject = caller(caller_id).uuid(group)
    plan = await store.query(cypher.ERASE_PLAN, {"subject": subject})
    if not plan:
        raise UnknownEntity(f"unknown caller {caller_id!r} in group {group!r}")
    bookings: list[str] = plan[0]["bookings"]
    calls = [c for c in plan[0]["calls"] if c]
    episodes: list[str] = plan[0]["episodes"]
    subjects = [subject, *bookings]
    neighbours = [r["uuid"] for r in await store.query(cypher.ERASE_NEIGHBOURS, {"subjects": subjects})]
    facts = await _count(store, cypher.ERASE_EDGES, {"subjects": subjects})
    facts += await _count(store, cypher.ERASE_HANDOFFS, {"episodes": episodes})
    removed_episodes = await _count(store, cypher.ERASE_EPISODES, {"episodes": episodes})
    removed_episodes += await _count(store, cypher.ERASE_TRANSCRIPTS, {"calls": calls})
    orphans = [
        r["uuid"]
        for r in await store.query(cypher.ORPHANS, {"uuids": [n for n in neighbours if n not in subjects]})
    ]
    entities = await _count(store, cypher.ERASE_NODES, {"uuids": [*bookings, *orphans]})
    callers = await _count(store, cypher.ERASE_NODES, {"uuids": [subject]})
    return ErasureReceipt(
        caller_id=caller_id,
        group_id=group,
        callers=callers,
        facts=facts,
        episodes=removed_episodes,
        entities=entities,
        recheck=await _recheck(memory, store, subject, caller_id, calls),
    )


async def _count(store: GraphStore, statement: str, params: dict[str, object]) -> int:
    rows = await store.query(statement, params, write=True)
    return int(rows[0]["n"]) if rows else 0


async def _recheck(
    memory: Memory, store: GraphStore, subject: str, caller_id: str, calls: list[str]
) -> dict[str, int]:
    """Look again, the way a reader would: nothing of the caller may remain."""
    recall = await memory.recall_caller(store.group_id, caller_id=caller_id)
    nodes = await store.query(cypher.EXISTING_ENTITIES, {"uuids": [subject]})
    turns = await store.query(
        "MATCH (x:Episodic) WHERE x.call_id IN $calls OR x.caller_uuid = $subject RETURN x.uuid AS uuid",
        {"calls": calls, "subject": subject},
    )
    return {
        "recall_caller": int(recall is not None),
        "caller_nodes": len(nodes),
        "episodes": len(turns),
    }
