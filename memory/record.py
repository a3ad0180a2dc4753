"""Turning validated episodes into one atomic write (a ``WriteBatch``).

Everything is read and checked first (idempotency, referenced entities, the
affected timelines); only then is the batch written, in one statement, so a
failed episode leaves nothing behind.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from memory import timeline
from memory.episodes import Episode, utc
from memory.errors import EpisodeConflict, UnknownEntity
from memory.ontology import FactEvent, Ontology, Ref, Translation, stable_uuid
from memory.store import GraphStore, WriteBatch, cypher, iso
from memory.store.base import from_iso

Embed = Callable[[list[str]], Awaitable[list[list[float]]]]


@dataclass
class Recorded:
    """What recording one batch did."""

    episodes: int
    """Episodes written (already-recorded ones are skipped)."""
    facts: int
    closed: int
    replaced: int


@dataclass(frozen=True)
class _Pending:
    episode: Episode
    uuid: str
    content: str
    """The episode as JSON: stored, and hashed for idempotency (serialized once)."""
    hash: str
    translation: Translation


def episode_uuid(group_id: str, episode_id: str) -> str:
    return stable_uuid(group_id, "episode", episode_id)


def predicate_uuid(group_id: str, embed_text: str) -> str:
    """The ``Predicate`` node of every row embedded as ``embed_text`` (``FactEvent.embed_text``)."""
    return stable_uuid(group_id, "predicate", embed_text)


def content_hash(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()[:32]


async def build_batch(
    store: GraphStore,
    ontology: Ontology,
    episodes: Sequence[Episode],
    region: str,
    now: datetime,
    embed: Embed,
) -> tuple[WriteBatch, Recorded]:
    group = store.group_id
    pending = await _new_episodes(store, ontology, episodes, region)
    await _check_references(store, pending)
    events = await _fact_events(store, ontology, pending, now)
    batch = WriteBatch(now=iso(now) or "")
    _add_entities(batch, pending, group)
    plans = await _plan_timelines(store, events, group)
    texts = sorted({e.embed_text for _, e, _ in events})
    by_text = dict(zip(texts, await embed(texts), strict=True))
    created = _add_rows(batch, ontology, events, plans, by_text, group)
    for p in pending:
        _add_episode(batch, p, created.get(p.uuid, []), group)
    recorded = Recorded(
        episodes=len(pending),
        facts=len(batch.edges),
        closed=len(batch.closes),
        replaced=len(batch.replaces),
    )
    return batch, recorded


async def _new_episodes(
    store: GraphStore, ontology: Ontology, episodes: Sequence[Episode], region: str
) -> list[_Pending]:
    """Drop episodes already recorded (same content); refuse a reused id with new content."""
    group = store.group_id
    seen: dict[str, str] = {}
    contents: dict[str, str] = {}
    fresh: list[Episode] = []
    for e in episodes:
        content = e.model_dump_json()
        h = content_hash(content)
        if e.id in seen:
            if seen[e.id] != h:
                raise EpisodeConflict(f"episode {e.id!r} appears twice in the batch with different content")
            continue
        seen[e.id], contents[e.id] = h, content
        fresh.append(e)
    uuids = {episode_uuid(group, e.id): e for e in fresh}
    stored = await store.query(cypher.EXISTING_EPISODES, {"uuids": list(uuids)})
    for row in stored:
        e = uuids.pop(row["uuid"])
        if row["hash"] != seen[e.id]:
            raise EpisodeConflict(f"episode {e.id!r} was already recorded with different content")
    return [
        _Pending(e, u, contents[e.id], seen[e.id], ontology.translate(e, region)) for u, e in uuids.items()
    ]


async def _check_references(store: GraphStore, pending: list[_Pending]) -> None:
    group = store.group_id
    created = {ent.ref.uuid(group) for p in pending for ent in p.translation.entities}
    required = {r.uuid(group): r for p in pending for r in p.translation.requires}
    missing = {u: r for u, r in required.items() if u not in created}
    if not missing:
        return
    found = {row["uuid"] for row in await store.query(cypher.EXISTING_ENTITIES, {"uuids": list(missing)})}
    for u, ref in missing.items():
        if u not in found:
            raise UnknownEntity(f"unknown {ref.type.lower()} {ref.key!r} in group {group!r}")


async def _fact_events(
    store: GraphStore, ontology: Ontology, pending: list[_Pending], now: datetime
) -> list[tuple[_Pending, FactEvent, str]]:
    """Every fact event with its timeline key, expansions resolved against the graph."""
    group = store.group_id
    events: list[tuple[_Pending, FactEvent, str]] = []
    for p in pending:
        facts = list(p.translation.facts)
        for x in p.translation.expansions:
            rows = await store.query(
                cypher.CURRENT_OBJECTS,
                {
                    "subject": x.subject.uuid(group),
                    "fact": x.fact,
                    "at": iso(utc(p.episode.valid_at)),
                    "known": iso(now),
                },
            )
            for row in rows:
                if row["uuid"] == x.keep.uuid(group):
                    continue
                old = Ref(x.keep.type, row["name"])
                text = x.text.format(name=row["name"])
                facts.append(FactEvent(x.fact, x.subject, old, text, x.embed_text, row["name"], retract=True))
        events.extend((p, f, ontology.timeline(f, group, p.uuid)) for f in facts)
    return events


def _row_uuid(group: str, p: _Pending, f: FactEvent) -> str:
    return stable_uuid(group, "fact", p.episode.id, f.fact, f.subject.key, f.object.key, str(f.retract))


def _rank(p: _Pending, f: FactEvent) -> str:
    return "|".join((p.episode.id, f.fact, f.subject.key, f.object.key, str(f.retract)))


def _version_uuid(old: str, end: datetime | None) -> str:
    return stable_uuid("version", old, iso(end) or "open")


async def _plan_timelines(
    store: GraphStore, events: list[tuple[_Pending, FactEvent, str]], group: str
) -> dict[str, timeline.Plan]:
    new_rows: dict[str, list[timeline.Row]] = defaultdict(list)
    for p, f, key in events:
        new_rows[key].append(
            timeline.Row(
                uuid=_row_uuid(group, p, f),
                valid_at=utc(p.episode.valid_at),
                subject=f.subject.uuid(group),
                object=f.object.uuid(group),
                retract=f.retract,
                rank=_rank(p, f),
            )
        )
    stored: dict[str, list[timeline.Row]] = defaultdict(list)
    if new_rows:
        for row in await store.query(cypher.TIMELINE_ROWS, {"keys": list(new_rows)}):
            stored[row["key"]].append(
                timeline.Row(
                    uuid=row["uuid"],
                    valid_at=from_iso(row["valid_at"]),
                    subject=row["subject"],
                    object=row["object"],
                    retract=bool(row["retract"]),
                    invalid_at=from_iso(row["invalid_at"]),
                    origin=row["origin"] if row["origin"] != row["uuid"] else None,
                    rank=row["rank"] or "",
                )
            )
    return {key: timeline.plan(stored[key], rows, _version_uuid) for key, rows in new_rows.items()}


def _add_entities(batch: WriteBatch, pending: list[_Pending], group: str) -> None:
    merged: dict[str, dict[str, object]] = {}
    attrs: dict[str, dict[str, object]] = {}  # by uuid: the properties each row's "attrs" holds
    for p in pending:
        for ent in p.translation.entities:
            u = ent.ref.uuid(group)
            node_attrs = attrs.setdefault(u, {"key": ent.ref.key})
            row = merged.setdefault(
                u,
                {
                    "uuid": u,
                    "name": ent.name,
                    "rename": False,
                    "created_at": batch.now,
                    "label": ent.ref.type,
                    "attrs": node_attrs,
                },
            )
            node_attrs.update({k: v for k, v in ent.attributes.items() if v is not None})
            if ent.rename:
                row["name"], row["rename"] = ent.name, True
    for row in merged.values():
        batch.nodes.setdefault(str(row.pop("label")), []).append(row)


def _add_rows(
    batch: WriteBatch,
    ontology: Ontology,
    events: list[tuple[_Pending, FactEvent, str]],
    plans: dict[str, timeline.Plan],
    vectors: dict[str, list[float]],
    group: str,
) -> dict[str, list[str]]:
    """New rows, closes and versions; returns the new row uuids by episode."""
    ends = {r.uuid: r.invalid_at for plan in plans.values() for r in plan.create}
    created: dict[str, list[str]] = defaultdict(list)
    for p, f, key in events:
        u = _row_uuid(group, p, f)
        if u not in ends:
            continue  # already stored (same episode recorded before)
        end = ends.pop(u)
        vi = batch.vector(vectors[f.embed_text])
        predicate = predicate_uuid(group, f.embed_text)
        batch.predicates.setdefault(predicate, {"uuid": predicate, "text": f.embed_text, "vi": vi})
        batch.edges.append(
            {
                "src": f.subject.uuid(group),
                "dst": f.object.uuid(group),
                "vi": vi,
                "props": {
                    "uuid": u,
                    "predicate": predicate,
                    "origin": u,
                    "rank": _rank(p, f),
                    "group_id": group,
                    "name": f.fact,
                    "fact": f.text,
                    "terms": ontology.terms(f),
                    "value": f.value,
                    "key": key,
                    "polarity": "retract" if f.retract else "assert",
                    "lookup": f.value if ontology.fact(f.fact).lookup else None,
                    "episodes": [p.uuid],
                    "turn_ids": list(p.episode.turn_ids),
                    "call_id": p.episode.call_id,
                    "valid_at": iso(utc(p.episode.valid_at)),
                    "invalid_at": iso(end),
                    "created_at": batch.now,
                    "expired_at": batch.now if end else None,
                },
            }
        )
        created[p.uuid].append(u)
    for plan in plans.values():
        batch.closes += [{"uuid": r.uuid, "invalid_at": iso(r.invalid_at)} for r in plan.close]
        batch.replaces += [
            {"old": old, "uuid": r.uuid, "invalid_at": iso(r.invalid_at)} for old, r in plan.replace
        ]
    return created


def _add_episode(batch: WriteBatch, p: _Pending, rows: list[str], group: str) -> None:
    e = p.episode
    props: dict[str, object] = {
        "uuid": p.uuid,
        "name": e.id,
        "group_id": group,
        "source": "json",
        "source_description": f"switchboard {e.type}",
        "content": p.content,
        "valid_at": iso(utc(e.valid_at)),
        "created_at": batch.now,
        "entity_edges": rows,
        "content_hash": p.hash,
        "episode_type": e.type,
        "call_id": e.call_id,
    }
    for extra in ("outcome", "summary", "channel"):
        if hasattr(e, extra):
            props[extra] = getattr(e, extra)
    batch.episodes.append({"props": props, "vi": None})
    for ref in dict.fromkeys(p.translation.mentions):
        entity = ref.uuid(group)
        batch.mentions.append({"uuid": stable_uuid(p.uuid, entity), "episode": p.uuid, "entity": entity})
