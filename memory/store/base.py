"""The engine interface: what memory asks of a graph, in domain terms."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from memory.ontology import Ontology

Record = dict[str, Any]


def iso(moment: datetime | None) -> str | None:
    """The one stored form of a time: UTC, fixed width, so strings order as times."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


@overload
def from_iso(value: str) -> datetime: ...
@overload
def from_iso(value: str | None) -> datetime | None: ...
def from_iso(value: str | None) -> datetime | None:
    """A stored time back as a datetime: a stored string gives a time, a missing one None."""
    return None if value is None else datetime.fromisoformat(value)


@dataclass(frozen=True)
class StoredRow:
    """A fact row's temporal state as stored."""

    uuid: str
    key: str
    subject: str
    object: str
    valid_at: datetime
    invalid_at: datetime | None
    retract: bool


@dataclass
class WriteBatch:
    """Everything one atomic write creates or changes in one group's graph."""

    now: str
    nodes: dict[str, list[Record]] = field(default_factory=dict)
    """By entity label: {uuid, name, rename, created_at, attrs}."""
    predicates: dict[str, Record] = field(default_factory=dict)
    """By uuid: {uuid, text, vi}: the ``Predicate`` nodes the new rows point at (``props.predicate``),
    created if new. Their embedding is the one the vector index holds, not the rows'."""
    edges: list[Record] = field(default_factory=list)
    """New fact rows: {src, dst, props, vi} (``vi``: index into ``vectors``)."""
    closes: list[Record] = field(default_factory=list)
    """{uuid, invalid_at}: close an open row in place."""
    replaces: list[Record] = field(default_factory=list)
    """{old, uuid, invalid_at}: replace a closed row by a shorter version."""
    episodes: list[Record] = field(default_factory=list)
    """{props, vi}: Episodic nodes (``vi`` None: no embedding)."""
    mentions: list[Record] = field(default_factory=list)
    """{uuid, episode, entity}."""

    vectors: list[list[float]] = field(default_factory=list)
    """Distinct embeddings of the batch: rows sharing a predicate share one entry,
    so the (large) vectors cross the wire once per batch."""
    _index: dict[int, int] = field(default_factory=dict, repr=False)

    def vector(self, embedding: list[float]) -> int:
        """The index of ``embedding`` in ``vectors`` (same list object, same index)."""
        key = id(embedding)
        if key not in self._index:
            self._index[key] = len(self.vectors)
            self.vectors.append(embedding)
        return self._index[key]

    def params(self, group_id: str) -> Record:
        """The parameters of ``cypher.write_sections``."""
        params: Record = {
            "group_id": group_id,
            "now": self.now,
            "predicates": list(self.predicates.values()),
            "edges": self.edges,
            "closes": self.closes,
            "replaces": self.replaces,
            "episodes": self.episodes,
            "mentions": self.mentions,
            "vectors": self.vectors,
        }
        for label, rows in self.nodes.items():
            params[f"nodes_{label}"] = rows
        return params

    def __bool__(self) -> bool:
        return bool(self.episodes or self.edges or self.nodes)


class GraphStore(ABC):
    """One group's graph (tenant) on one engine, holding what its ontology declares."""

    group_id: str
    ontology: Ontology

    @abstractmethod
    async def ensure_schema(self) -> None: ...

    @abstractmethod
    async def query(self, cypher: str, params: Record | None = None, *, write: bool = False) -> list[Record]:
        """Run one statement, atomically; rows as dicts."""

    @abstractmethod
    async def write(self, batch: WriteBatch) -> None:
        """Apply a batch atomically: all of it or nothing."""

    @abstractmethod
    async def vector_facts(self, vector: list[float], k: int) -> list[Record]:
        """Nearest fact rows: {uuid, distance} (0 = identical)."""

    @abstractmethod
    async def vector_episodes(self, vector: list[float], k: int) -> list[Record]: ...

    @abstractmethod
    async def caller_turns(
        self, subject: str, vector: list[float], at: str, limit: int, besides_call: str | None = None
    ) -> list[Record]:
        """The caller's most recent transcript turns valid at ``at``: {uuid, text, content,
        call_id, turn_id, valid_at, caller, distance} (cosine distance to ``vector``); none of
        ``besides_call``."""

    @abstractmethod
    async def fulltext_facts(self, text: str, k: int) -> list[Record]:
        """{uuid, score} by BM25 over the fact sentence."""

    @abstractmethod
    async def fulltext_episodes(self, text: str, k: int) -> list[Record]: ...

    @abstractmethod
    async def fulltext_entities(self, text: str, label: str, k: int) -> list[Record]:
        """{uuid, name, score} for entities of one label."""

    @abstractmethod
    async def drop(self) -> None:
        """Delete the whole graph (tests and benchmarks)."""

    async def rewrite_files(self, timeout_s: float = 300.0) -> bool:
        """Rewrite the engine's files on disk so that deleted data is gone from them too;
        False when the engine gives no way to (Neo4j rotates its transaction logs itself)."""
        return False
