"""Transcripts as episodes: one Episodic node per turn, embedded for search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from memory.callers import caller
from memory.episodes import Turn, utc
from memory.errors import InvalidEpisode, UnknownEntity
from memory.ontology import stable_uuid
from memory.record import Embed
from memory.store import GraphStore, WriteBatch, cypher, iso


def turn_uuid(group_id: str, call_id: str, turn_id: str) -> str:
    """Keyed by (tenant, call, turn): re-ingesting a call writes nothing twice."""
    return stable_uuid(group_id, "turn", call_id, turn_id)


async def transcript_batch(
    store: GraphStore,
    call_id: str,
    turns: Sequence[Turn | dict[str, Any]],
    caller_id: str | None,
    now: datetime,
    embed: Embed,
) -> WriteBatch:
    group = store.group_id
    try:
        parsed = [t if isinstance(t, Turn) else Turn.model_validate(t) for t in turns]
    except ValidationError as exc:
        raise InvalidEpisode(f"invalid turn: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from None
    if not call_id or len(call_id) > 128:
        raise InvalidEpisode("call_id must be 1-128 characters")
    subject = caller(caller_id).uuid(group) if caller_id else None
    if subject and not await store.query(cypher.EXISTING_ENTITIES, {"uuids": [subject]}):
        raise UnknownEntity(f"unknown caller {caller_id!r} in group {group!r}")
    by_uuid = {turn_uuid(group, call_id, t.id): t for t in parsed}
    stored = await store.query(cypher.EXISTING_EPISODES, {"uuids": list(by_uuid)})
    for row in stored:
        by_uuid.pop(row["uuid"], None)
    batch = WriteBatch(now=iso(now) or "")
    # Indexed and embedded without the speaker's name: "Caroline: ..." made a name in a question
    # match every turn of that speaker (the retrieval eval, docs/memory.md). ``content`` keeps it.
    texts = [t.text for t in by_uuid.values()]
    vectors = await embed(texts) if texts else []
    for (u, t), text, vector in zip(by_uuid.items(), texts, vectors, strict=True):
        batch.episodes.append(
            {
                "props": {
                    "uuid": u,
                    "name": f"{call_id}#{t.id}",
                    "group_id": group,
                    "source": "message",
                    "source_description": "switchboard transcript turn",
                    "content": f"{t.speaker}: {text}",
                    "transcript": text,
                    "valid_at": iso(utc(t.at)),
                    "created_at": batch.now,
                    "entity_edges": [],
                    "episode_type": "transcript",
                    "call_id": call_id,
                    "turn_id": t.id,
                    "speaker": t.speaker,
                    "caller_uuid": subject,
                },
                "vi": batch.vector(vector),
            }
        )
        if subject:
            batch.mentions.append({"uuid": stable_uuid(u, subject), "episode": u, "entity": subject})
    return batch
