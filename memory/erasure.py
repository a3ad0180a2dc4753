"""Erasing a caller: their node, facts, what they own (their bookings), episodes, transcript
turns, embeddings (they live on the rows, episodes and predicates) and the entities and
predicates left orphaned; and what an erasure by phone number or email needs: who held it,
and its own node."""

from __future__ import annotations

from typing import TYPE_CHECKING

from memory.callers import caller, phone
from memory.errors import UnknownEntity
from memory.models import ErasureReceipt
from memory.phones import to_e164
from memory.store import GraphStore, cypher
from memory.transcripts import turn_uuid

if TYPE_CHECKING:
    from memory.memory import Memory


async def erase(memory: Memory, store: GraphStore, caller_id: str) -> ErasureReceipt:
    """Several statements, the caller's node last: if one fails, erasing again
    finishes the job (the caller is still there to be found)."""
    group = store.group_id
    subject = caller(caller_id).uuid(group)
    ontology = store.ontology
    plan = await store.query(cypher.ERASE_PLAN, {"subject": subject, "owned": ontology.owned})
    if not plan:
        raise UnknownEntity(f"unknown caller {caller_id!r} in group {group!r}")
    owned: list[str] = plan[0]["owned"]
    calls = [c for c in plan[0]["calls"] if c]
    episodes: list[str] = plan[0]["episodes"]
    subjects = [subject, *owned]
    neighbours = [r["uuid"] for r in await store.query(cypher.ERASE_NEIGHBOURS, {"subjects": subjects})]
    erased = await store.query(cypher.ERASE_EDGES, {"subjects": subjects}, write=True)
    facts = int(erased[0]["n"]) if erased else 0
    facts += await _count(store, cypher.ERASE_HANDOFFS, {"episodes": episodes})
    removed_episodes = await _count(store, cypher.ERASE_EPISODES, {"episodes": episodes})
    removed_episodes += await _count(store, cypher.ERASE_TRANSCRIPTS, {"calls": calls})
    durable = [t.name for t in ontology.entity_types if t.durable]
    left = {"uuids": [n for n in neighbours if n not in subjects], "durable": durable}
    orphans = [r["uuid"] for r in await store.query(cypher.ORPHANS, left)]
    entities = await _count(store, cypher.ERASE_NODES, {"uuids": [*owned, *orphans]})
    callers = await _count(store, cypher.ERASE_NODES, {"uuids": [subject]})
    predicates = [p for p in erased[0]["predicates"] if p] if erased else []
    await store.query(cypher.ERASE_UNUSED_PREDICATES, {"predicates": predicates}, write=True)
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


# -- by contact detail -------------------------------------------------------------------


async def holders(store: GraphStore, region: str, number: str | None, email: str | None) -> dict[str, bool]:
    """Callers who ever held the number or email: caller id → owner (False: a household
    member who only calls from the owner's number)."""
    found: dict[str, bool] = {}
    rows: list[dict[str, object]] = []
    if number:
        rows += await store.query(cypher.HOLDERS_OF_PHONE, {"phone": _phone_uuid(store, region, number)})
    if email:
        rows += await store.query(
            cypher.HOLDERS_OF_EMAIL, {"email": email.strip().lower(), "group_id": store.group_id}
        )
    for r in rows:
        found[str(r["caller_id"])] = found.get(str(r["caller_id"]), False) or bool(r["owner"])
    return found


async def contacts_of(store: GraphStore, caller_id: str) -> tuple[list[str], list[str]]:
    """The numbers (E.164) and emails the caller ever held as theirs, whatever the validity."""
    rows = await store.query(cypher.CONTACTS_OF, {"subject": caller(caller_id).uuid(store.group_id)})
    phones = sorted({str(r["value"]) for r in rows if r["name"] == "HAS_PHONE" and r["value"]})
    emails = sorted({str(r["value"]) for r in rows if r["name"] == "HAS_EMAIL" and r["value"]})
    return phones, emails


async def same_person(store: GraphStore, caller_id: str) -> list[str]:
    """Callers a step-up check showed to be this one (``SAME_AS``)."""
    rows = await store.query(cypher.SAME_PERSON, {"subject": caller(caller_id).uuid(store.group_id)})
    return sorted(str(r["caller_id"]) for r in rows)


async def erase_contact(store: GraphStore, region: str, number: str | None, email: str | None) -> int:
    """The number's node (with the links of household members who call from it) and any
    email row left once its holders are erased; how many went."""
    removed = 0
    if number:
        held = _phone_uuid(store, region, number)
        removed += await _count(store, cypher.ERASE_CONTACT_NODE, {"uuid": held})
    if email:
        removed += await _count(
            store, cypher.ERASE_EMAIL_ROWS, {"email": email.strip().lower(), "group_id": store.group_id}
        )
    return removed


async def erase_turns(store: GraphStore, call_id: str, turn_ids: list[str] | None) -> int:
    """A call's transcript turns (all of them when ``turn_ids`` is None); how many went."""
    if turn_ids is None:
        return await _count(store, cypher.ERASE_TRANSCRIPTS, {"calls": [call_id]})
    episodes = [turn_uuid(store.group_id, call_id, t) for t in turn_ids]
    return await _count(store, cypher.ERASE_EPISODES, {"episodes": episodes})


def _phone_uuid(store: GraphStore, region: str, number: str) -> str:
    return phone(to_e164(number, region)).uuid(store.group_id)
