"""The memory API: one object, opened from settings, used by agents, workers and notebooks."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from graphiti_core.driver.driver import GraphDriver, GraphProvider
from graphiti_core.driver.falkordb_driver import FalkorDriver
from graphiti_core.embedder.client import EmbedderClient

from memory import recall as recall_
from memory import search as search_
from memory.callers import CALLERS
from memory.callers import caller as caller_ref
from memory.embedder import MiniLMEmbedder, minilm_embedder, openai_embedder
from memory.engine import connect_graph
from memory.episodes import Episode, Turn, utc
from memory.errors import InvalidGroupId, UnknownEntity
from memory.locks import GroupLocks, LocalLocks, held
from memory.models import CallerContext, Current, EntityState, ErasureReceipt, Fact, Hit, Identification
from memory.ontology import Ontology, Ref
from memory.record import Recorded, build_batch
from memory.store import GraphStore, WriteBatch, cypher, iso
from memory.store.falkordb import FalkorStore

_GROUP_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_EMBED_CACHE = 50_000


class MemorySettings(Protocol):
    """What ``Memory.open`` reads from the application's settings."""

    graph_uri: str | None
    graph_user: str | None
    graph_password: Any
    default_region: str
    embedder: str
    llm: str
    llm_api_key: Any


@runtime_checkable
class _Secret(Protocol):
    """A pydantic SecretStr, or anything else that hides its text the same way."""

    def get_secret_value(self) -> str: ...


def _secret(value: _Secret | str | None) -> str | None:
    """Plain text from a pydantic SecretStr (or a str, or None)."""
    return value.get_secret_value() if isinstance(value, _Secret) else value


def _given(vector: Sequence[float]) -> Callable[[str], Awaitable[list[float]]]:
    async def embed(_: str) -> list[float]:
        return list(vector)

    return embed


def now_utc() -> datetime:
    return datetime.now(UTC)


class Memory:
    """The bi-temporal caller graph of every tenant (group), holding what ``ontology``
    declares (the caller ontology alone unless a vertical's is added), written one writer per
    group at a time under ``locks``."""

    def __init__(
        self,
        driver: GraphDriver,
        *,
        ontology: Ontology = CALLERS,
        region: str = "AU",
        embedder: EmbedderClient | None = None,
        locks: GroupLocks | None = None,
    ):
        self.driver = driver
        self.ontology = ontology
        self.region = region
        self.embedder = embedder or MiniLMEmbedder()
        self.locks = locks or LocalLocks()
        self._stores: dict[str, GraphStore] = {}
        self._last_write: dict[str, datetime] = {}
        self._vectors: OrderedDict[str, list[float]] = OrderedDict()

    @classmethod
    async def open(
        cls, settings: MemorySettings, *, ontology: Ontology = CALLERS, locks: GroupLocks | None = None
    ) -> Memory:
        if not settings.graph_uri:
            raise ValueError("Memory.open needs a graph URI (start the embedded stack first)")
        password = settings.graph_password
        driver = connect_graph(settings.graph_uri, settings.graph_user, _secret(password))
        embedder: EmbedderClient
        if settings.embedder == "openai":
            base_url = settings.llm if settings.llm.startswith("http") else None
            embedder = openai_embedder(_secret(settings.llm_api_key), base_url)
        else:
            embedder = minilm_embedder(settings.embedder)
        return cls(driver, ontology=ontology, region=settings.default_region, embedder=embedder, locks=locks)

    async def close(self) -> None:
        # graphiti declares the abstract GraphDriver.close without annotations (its drivers' are typed)
        await self.driver.close()  # type: ignore[no-untyped-call]

    # -- writing -------------------------------------------------------------

    def writing(self, group_id: str) -> AbstractAsyncContextManager[None]:
        """The group's write lock, for a caller that checks and then writes (an ingestion job,
        an erasure): memory's own writes inside it pass through."""
        return held(self.locks, group_id)

    def parse(self, data: dict[str, Any]) -> Episode:
        """An episode of this memory's ontology from plain data, or InvalidEpisode."""
        return self.ontology.parse(data)

    async def record(self, episode: Episode | dict[str, Any]) -> Recorded:
        """Write one typed episode; recording it again changes nothing."""
        return await self.record_many([episode])

    async def record_many(self, episodes: Sequence[Episode | dict[str, Any]]) -> Recorded:
        """Write a batch atomically per group (all of a group's episodes or none)."""
        parsed = [e if not isinstance(e, dict) else self.parse(e) for e in episodes]
        total = Recorded(0, 0, 0, 0)
        by_group: dict[str, list[Episode]] = {}
        for e in parsed:
            by_group.setdefault(e.group_id, []).append(e)
        for group, batch in by_group.items():
            store = await self.store(group)
            async with self.writing(group):
                now = self._record_time(group)
                write, done = await build_batch(store, self.ontology, batch, self.region, now, self.embed)
                if write:
                    await store.write(write)
            for field in ("episodes", "facts", "closed", "replaced"):
                setattr(total, field, getattr(total, field) + getattr(done, field))
        return total

    async def ingest_transcript(
        self,
        group_id: str,
        call_id: str,
        turns: Sequence[Turn | dict[str, Any]],
        reference_time: datetime,
        caller_id: str | None = None,
    ) -> int:
        """Store a call's turns as searchable episodes; returns how many were new."""
        from memory.transcripts import transcript_batch

        store = await self.store(group_id)
        utc(reference_time)
        async with self.writing(group_id):
            now = self._record_time(group_id)
            batch: WriteBatch = await transcript_batch(store, call_id, turns, caller_id, now, self.embed)
            if batch:
                await store.write(batch)
        return len(batch.episodes)

    async def erase_caller(self, group_id: str, caller_id: str) -> ErasureReceipt:
        """Remove a caller and everything that is theirs; the receipt proves it."""
        from memory.erasure import erase

        store = await self.store(group_id)
        async with self.writing(group_id):
            return await erase(self, store, caller_id)

    async def contact_holders(
        self, group_id: str, *, phone: str | None = None, email: str | None = None
    ) -> dict[str, bool]:
        """Callers who ever held the number or email (any validity): caller id → owner
        (False: a household member who only calls from the owner's number)."""
        from memory.erasure import holders

        return await holders(await self.store(group_id), self.region, phone, email)

    async def contacts_of(self, group_id: str, caller_id: str) -> tuple[list[str], list[str]]:
        """The phone numbers (E.164) and emails the caller ever held as their own."""
        from memory.erasure import contacts_of

        return await contacts_of(await self.store(group_id), caller_id)

    async def same_person(self, group_id: str, caller_id: str) -> list[str]:
        """Callers a step-up check showed to be this one (``SAME_AS``, either way)."""
        from memory.erasure import same_person

        return await same_person(await self.store(group_id), caller_id)

    async def erase_contact(
        self, group_id: str, *, phone: str | None = None, email: str | None = None
    ) -> int:
        """After its holders are erased: the number's node (and the links of anyone else who
        calls from it) and any row left with the email; how many went."""
        from memory.erasure import erase_contact

        store = await self.store(group_id)
        async with self.writing(group_id):
            return await erase_contact(store, self.region, phone, email)

    async def erase_turns(self, group_id: str, call_id: str, turn_ids: list[str] | None = None) -> int:
        """Transcript turns of one call (every turn when ``turn_ids`` is None); how many went."""
        from memory.erasure import erase_turns

        store = await self.store(group_id)
        async with self.writing(group_id):
            return await erase_turns(store, call_id, turn_ids)

    async def rewrite_files(self, group_id: str, timeout_s: float = 300.0) -> bool:
        """Rewrite the graph server's files so erased data is gone from disk as well (FalkorDB:
        its query log of the group, the append-only file, the snapshot); False when the engine
        has no such step (Neo4j)."""
        return await (await self.store(group_id)).rewrite_files(timeout_s)

    # -- reading -------------------------------------------------------------

    async def recall_caller(
        self,
        group_id: str,
        phone: str | None = None,
        name: str | None = None,
        email: str | None = None,
        caller_id: str | None = None,
        as_of: datetime | None = None,
        phone_verified: bool = False,
    ) -> CallerContext | None:
        """Recognize a returning caller; None when nobody matches. ``as_of`` (default now) is
        both the valid and the record time read: a later read as of it sees the same. The match
        says what it rests on (``matched_on``) and whether that alone identifies the caller
        (``verified``); ``phone_verified``: the number is the telephony caller id, not typed."""
        store = await self.store(group_id)
        at = utc(as_of) if as_of else now_utc()
        return await recall_.recall(store, self.region, phone, name, email, caller_id, at, phone_verified)

    async def identify(
        self,
        group_id: str,
        phone: str | None = None,
        name: str | None = None,
        email: str | None = None,
        caller_id: str | None = None,
        phone_verified: bool = False,
    ) -> Identification:
        """Who a call's evidence points at: a verified match, or possible matches (never to be
        disclosed before a step-up check), and whether the number or email given is on file."""
        store = await self.store(group_id)
        return await recall_.identify(
            store, self.region, phone, name, email, caller_id, now_utc(), phone_verified
        )

    async def facts(
        self,
        group_id: str,
        caller_id: str,
        valid_at: datetime | None = None,
        known_at: datetime | None = None,
    ) -> list[Fact]:
        """What was true at ``valid_at``, as known at ``known_at`` (defaults: now)."""
        store = await self.store(group_id)
        now = now_utc()
        subject = caller_ref(caller_id).uuid(group_id)
        if not await store.query(cypher.ENTITY, {"uuid": subject}):
            raise UnknownEntity(f"unknown caller {caller_id!r} in group {group_id!r}")
        return await recall_.facts_of(
            store, subject, utc(valid_at) if valid_at else now, utc(known_at) if known_at else now
        )

    async def search(
        self,
        group_id: str,
        query: str,
        caller_id: str | None = None,
        as_of: datetime | None = None,
        limit: int = 10,
        vector: Sequence[float] | None = None,
    ) -> list[Hit]:
        """Hybrid retrieval over facts and transcript turns valid at ``as_of``. ``vector`` is
        the query's embedding when the caller has it already (from this memory's embedder)."""
        store = await self.store(group_id)
        subject = caller_ref(caller_id).uuid(group_id) if caller_id else None
        at = utc(as_of) if as_of else now_utc()
        embed = self.embed_one if vector is None else _given(vector)
        return await search_.search(store, embed, query, subject, at, now_utc(), limit)

    async def earlier_turns(
        self,
        group_id: str,
        query: str,
        caller_id: str,
        besides_call: str,
        limit: int = 3,
        vector: Sequence[float] | None = None,
    ) -> list[Hit]:
        """What the caller said in their other calls, best first for ``query``: ``search``'s
        ranking of the caller's own turns, without the facts (which the caller's context has)."""
        store = await self.store(group_id)
        subject = caller_ref(caller_id).uuid(group_id)
        embed = self.embed_one if vector is None else _given(vector)
        return await search_.earlier_turns(store, embed, query, subject, now_utc(), besides_call, limit)

    async def entities(
        self,
        group_id: str,
        entity_type: str,
        facts: Sequence[str],
        *,
        linked: tuple[str, Ref] | None = None,
        valid_at: datetime | None = None,
    ) -> list[EntityState]:
        """Every entity of a type (``Property``) with the current values of some of its
        facts, true at ``valid_at`` as known now; ``linked`` = (fact, entity): only those with
        such a fact to that entity (the properties ``IN_SUBURB`` Bondi)."""
        self._listable(entity_type)
        store = await self.store(group_id)
        now = now_utc()
        params: dict[str, Any] = {"facts": list(facts), "at": iso(utc(valid_at) if valid_at else now)}
        params["known"] = iso(now)
        if linked:
            fact, target = linked
            params |= {"via": self.ontology.fact(fact).name, "object": target.uuid(group_id)}
            rows = await store.query(cypher.ENTITIES_LINKED.format(label=entity_type), params)
        else:
            rows = await store.query(cypher.ENTITIES.format(label=entity_type), params)
        return [_entity_state(r) for r in rows]

    async def call_episodes(self, group_id: str, call_id: str) -> list[Episode]:
        """The structured episodes recorded for one call (not its transcript), in time order."""
        store = await self.store(group_id)
        rows = await store.query(cypher.CALL_EPISODES, {"call": call_id})
        return [self.parse(json.loads(r["content"])) for r in rows if r["content"]]

    async def names(self, group_id: str, entity_type: str) -> dict[str, str]:
        """Names of every entity of a type (``Suburb``, ``Property``, ``Agent``) by key; never
        of personal ones (callers, phone numbers)."""
        self._listable(entity_type)
        rows = await (await self.store(group_id)).query(cypher.NAMES_OF.format(label=entity_type))
        return {r["key"]: r["name"] for r in rows}

    # -- plumbing ------------------------------------------------------------

    def _listable(self, entity_type: str) -> None:
        """Entities of a declared, impersonal type may be listed (never callers or numbers)."""
        if entity_type not in self.ontology.labels or self.ontology.entity(entity_type).personal:
            raise ValueError(f"no entity list for {entity_type!r}")

    async def store(self, group_id: str) -> GraphStore:
        if not isinstance(group_id, str) or not _GROUP_ID.match(group_id):
            raise InvalidGroupId(f"group id {group_id!r}: use 1-64 letters, digits, '-' or '_'")
        store = self._stores.get(group_id)
        if store is None:
            store = self._open_store(group_id)
            await store.ensure_schema()
            self._stores[group_id] = store
        return store

    def _open_store(self, group_id: str) -> GraphStore:
        # connect_graph opens graphiti's one driver class for each provider
        if self.driver.provider == GraphProvider.NEO4J:
            from graphiti_core.driver.neo4j_driver import Neo4jDriver

            from memory.store.neo4j import Neo4jStore

            assert isinstance(self.driver, Neo4jDriver)
            return Neo4jStore(self.driver, group_id, self.ontology)
        assert isinstance(self.driver, FalkorDriver)
        return FalkorStore(self.driver, group_id, self.ontology)

    def _record_time(self, group_id: str) -> datetime:
        """Strictly increasing per group, so "as known at T" is never ambiguous."""
        now = now_utc()
        last = self._last_write.get(group_id)
        if last is not None and now <= last:
            now = last + timedelta(microseconds=1)
        self._last_write[group_id] = now
        return now

    async def embed(self, texts: list[str]) -> list[list[float]]:
        """Embeddings by text, through a bounded cache (equal predicates share one)."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for text, vector in zip(missing, await self.embedder.create_batch(missing), strict=True):
                self._vectors[text] = [round(x, 5) for x in vector]
        result = [self._vectors[t] for t in texts]
        while len(self._vectors) > _EMBED_CACHE:
            self._vectors.popitem(last=False)
        return result

    async def embed_one(self, text: str) -> list[float]:
        return (await self.embed([text]))[0]


def _entity_state(row: dict[str, Any]) -> EntityState:
    facts: dict[str, list[Current]] = {}
    for name, value, key, object_name in row["facts"]:
        if name is not None:
            facts.setdefault(name, []).append(Current(value=value, object=key, object_name=object_name))
    attributes = {k: v for k, v in (row["attributes"] or {}).items() if k not in _NODE_FIELDS}
    return EntityState(key=row["key"], name=row["name"], attributes=attributes, facts=facts)


_NODE_FIELDS = frozenset({"uuid", "name", "key", "group_id", "created_at", "summary", "name_embedding"})
