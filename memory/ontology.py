"""What the graph can hold, as its owner declares it: entity types, fact types, and what
each episode type means.

The engine knows no vertical. It takes an ``Ontology`` (the way Graphiti takes
``entity_types`` and ``edge_types``): the caller ontology every vertical shares
(``memory.callers``) joined with each vertical's own. A translation is pure (no
graph): reads it needs, such as "which phones does this caller have now", are
declared as ``Expansion`` and resolved by the writer.
"""

from __future__ import annotations

import hashlib
import re
import uuid as uuidlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pydantic import ValidationError

from memory.episodes import Episode
from memory.errors import InvalidEpisode

_NS = uuidlib.UUID("6f1c0d1e-5b0b-4a43-9a51-2a1f0c9e7d10")
_LABEL = re.compile(r"^[A-Z][A-Za-z]{0,39}$")


@lru_cache(maxsize=65_536)
def stable_uuid(*parts: str) -> str:
    """Deterministic ids: the same (tenant, thing) always gets the same uuid: ``uuid5(_NS, …)``,
    computed without building a ``UUID`` (a bulk load makes several per fact)."""
    digest = bytearray(hashlib.sha1(_NS.bytes + "\x1f".join(parts).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True)
class EntityType:
    name: str
    """The node label (``Caller``, ``Property``): a capitalised word."""
    durable: bool = False
    """It outlives the callers who mention it (a listed property): erasure never takes it."""
    personal: bool = False
    """Its names are personal data (callers, phone numbers): never listed by ``Memory.names``."""


@dataclass(frozen=True)
class FactType:
    name: str
    timeline: Literal["subject", "object", "pair", "episode"]
    """What one timeline is: one subject's value (functional), one object's owner
    (a phone number has one caller at a time), one subject–object pair (a set
    member), or one episode (an event that is never closed)."""
    identifying: bool = True
    """Its value names something (a person, suburb, listing) worth finding by full
    text. Status words and times are not: they would match half the graph."""
    lookup: bool = False
    """Its value is indexed for exact lookup (an email finds its caller)."""
    owned: bool = False
    """Its object belongs to the subject (a caller's booking): read with the subject's facts
    and erased with it."""


@dataclass(frozen=True)
class Ref:
    """An entity by type and domain key (caller id, listing id, E.164 number, suburb name)."""

    type: str
    key: str

    def uuid(self, group_id: str) -> str:
        return stable_uuid(group_id, self.type, self.key)


Value = str | int | float | bool | None


@dataclass(frozen=True)
class Entity:
    ref: Ref
    name: str
    attributes: dict[str, Value] = field(default_factory=dict)
    rename: bool = False
    """Overwrite the stored name (a caller's new name); otherwise keep the first."""


@dataclass(frozen=True)
class FactEvent:
    """One asserted or retracted fact, before it becomes a row."""

    fact: str
    subject: Ref
    object: Ref
    text: str
    """The readable sentence stored as the edge's ``fact``."""
    embed_text: str
    """What is embedded: the predicate without the subject, and without identifiers
    (names, numbers, addresses) that carry no meaning to a vector; those are
    found by full text and through the graph. Equal predicates share one
    embedding, so writes rarely wait for the model."""
    value: Value = None
    retract: bool = False


@dataclass(frozen=True)
class Expansion:
    """Retract every current ``fact`` row from ``subject`` (e.g. the old phones of a
    caller whose number changed), except the one to ``keep``; each retraction reads
    ``text`` with ``{name}`` the old object's name."""

    fact: str
    subject: Ref
    keep: Ref
    text: str
    embed_text: str


@dataclass
class Translation:
    entities: list[Entity] = field(default_factory=list)
    facts: list[FactEvent] = field(default_factory=list)
    mentions: list[Ref] = field(default_factory=list)
    requires: list[Ref] = field(default_factory=list)
    """Entities that must already exist (or be created earlier in the same batch)."""
    expansions: list[Expansion] = field(default_factory=list)


Translate = Callable[[Any, str], Translation]
"""(episode, default phone region) → what it means in the graph."""


@dataclass(frozen=True)
class Appointments:
    """Which facts make a caller's upcoming appointments (a viewing, a repair visit): the
    caller ``booked`` it, it ``starts`` at an ISO time, its ``status`` is ``open`` until
    done, and it is ``of`` something whose name is the place."""

    booked: str
    starts: str
    status: str
    open: str
    of: str


def about(ref: Ref, fact: str, text: str, embed: str, value: Value) -> Translation:
    """One literal fact about one existing entity (a budget, a price, a status)."""
    return Translation(facts=[FactEvent(fact, ref, ref, text, embed, value)], mentions=[ref], requires=[ref])


@dataclass(frozen=True)
class Ontology:
    """Entity types, fact types and episode types with their meaning; ``+`` joins two."""

    entity_types: tuple[EntityType, ...]
    fact_types: tuple[FactType, ...]
    episodes: Mapping[type[Episode], Translate]
    appointments: tuple[Appointments, ...] = ()
    _by_fact: dict[str, FactType] = field(init=False, repr=False, compare=False)
    _by_entity: dict[str, EntityType] = field(init=False, repr=False, compare=False)
    _by_type: dict[str, type[Episode]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _unique("entity type", (t.name for t in self.entity_types))
        _unique("fact type", (f.name for f in self.fact_types))
        _unique("episode type", (_type_of(e) for e in self.episodes))
        bad = [t.name for t in self.entity_types if not _LABEL.match(t.name)]
        if bad:
            raise ValueError(f"entity type names must be capitalised words: {bad}")
        object.__setattr__(self, "_by_fact", {f.name: f for f in self.fact_types})
        object.__setattr__(self, "_by_entity", {t.name: t for t in self.entity_types})
        object.__setattr__(self, "_by_type", {_type_of(e): e for e in self.episodes})

    def __add__(self, other: Ontology) -> Ontology:
        """Both ontologies; an entity type both declare alike (a ``Property`` two verticals
        share) is kept once, one declared differently is an error."""
        return Ontology(
            entity_types=tuple(dict.fromkeys((*self.entity_types, *other.entity_types))),
            fact_types=(*self.fact_types, *other.fact_types),
            episodes={**self.episodes, **other.episodes},
            appointments=(*self.appointments, *other.appointments),
        )

    def fact(self, name: str) -> FactType:
        return self._by_fact[name]

    def entity(self, name: str) -> EntityType:
        return self._by_entity[name]

    @property
    def labels(self) -> list[str]:
        return [t.name for t in self.entity_types]

    @property
    def owned(self) -> list[str]:
        """Fact types whose objects are the subject's own (read and erased with it)."""
        return [f.name for f in self.fact_types if f.owned]

    @property
    def episode_types(self) -> list[str]:
        return sorted(self._by_type)

    def translate(self, episode: Episode, region: str) -> Translation:
        """What an episode means in the graph."""
        handler = self.episodes.get(type(episode))
        if handler is None:
            raise InvalidEpisode(f"episode type {episode.type!r} is not in this memory's ontology")
        return handler(episode, region)

    def parse(self, data: Mapping[str, object]) -> Episode:
        """An episode from plain data (JSON from a queue or an API), or InvalidEpisode."""
        kind = data.get("type") if isinstance(data, Mapping) else None
        model = self._by_type.get(kind) if isinstance(kind, str) else None
        if model is None:
            known = ", ".join(self.episode_types)
            raise InvalidEpisode(f"invalid episode: type: {kind!r} is not one of {known}")
        try:
            return model.model_validate(dict(data))
        except ValidationError as exc:
            raise InvalidEpisode(_describe(exc)) from None

    def timeline(self, event: FactEvent, group_id: str, episode_uuid: str) -> str:
        """The timeline key of a fact event: rows with equal keys supersede one another."""
        kind = self.fact(event.fact).timeline
        s, o = event.subject.uuid(group_id), event.object.uuid(group_id)
        part = {"subject": s, "object": o, "pair": f"{s}|{o}", "episode": episode_uuid}[kind]
        return f"{event.fact}|{part}"

    def terms(self, event: FactEvent) -> str:
        """Full-text terms: identifiers only; predicates are found by their vectors."""
        if isinstance(event.value, str) and self.fact(event.fact).identifying:
            return event.value
        return ""


def _type_of(model: type[Episode]) -> str:
    return str(model.model_fields["type"].default)


def _unique(what: str, names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} {name!r} is declared twice")
        seen.add(name)


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "episode"
        parts.append(f"{where}: {err['msg']}")
    return "invalid episode: " + "; ".join(parts)
