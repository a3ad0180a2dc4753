"""FalkorDB: one graph per group, native vector and full-text indexes."""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from collections.abc import Awaitable, Callable

import structlog
from falkordb.asyncio import FalkorDB
from graphiti_core.driver.falkordb_driver import FalkorDriver
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from memory.bm25 import STOPWORDS
from memory.embedder import EMBEDDING_DIM
from memory.ontology import Ontology, stable_uuid
from memory.store import _falkor_params, cypher
from memory.store.base import GraphStore, Record, WriteBatch

log = structlog.get_logger(__name__)

# HNSW build parameters: M 8 / efConstruction 32 insert 41% faster than 16 / 64 at 200k facts
# (2,244 against 1,596 facts/s), search latency unchanged; see docs/memory.md.
_VECTOR_OPTIONS = (
    f"OPTIONS {{dimension: {EMBEDDING_DIM}, similarityFunction: 'cosine', M: 8, efConstruction: 32}}"
)

_POLL_S = 0.05
"""How often a rewrite or save in progress is polled."""

SCHEMA = (
    # Facts are found by vector through their predicate (``Predicate``, one per distinct
    # ``embed_text``): the rows' own ``fact_embedding`` (Graphiti's) is left unindexed, as an
    # HNSW index on a million rows made writes slow down as the graph grew (docs/benchmarks.md).
    f"CREATE VECTOR INDEX FOR (n:Predicate) ON (n.embedding) {_VECTOR_OPTIONS}",
    "CREATE INDEX FOR (n:Predicate) ON (n.uuid)",
    "CREATE INDEX FOR ()-[e:RELATES_TO]-() ON (e.predicate)",
    f"CREATE VECTOR INDEX FOR (n:Episodic) ON (n.content_embedding) {_VECTOR_OPTIONS}",
    "CREATE INDEX FOR ()-[e:RELATES_TO]-() ON (e.key, e.lookup)",
    # Joins Graphiti's full-text index on RELATES_TO as one more field.
    "CREATE FULLTEXT INDEX FOR ()-[e:RELATES_TO]-() ON (e.terms)",
    # Transcript text only: structured episodes' JSON content would match everything.
    "CREATE FULLTEXT INDEX FOR (n:Episodic) ON (n.transcript)",
    "CREATE INDEX FOR (n:Episodic) ON (n.call_id)",
    # A known caller's turns are read by owner (search ranks them itself: memory.turns).
    "CREATE INDEX FOR (n:Episodic) ON (n.caller_uuid)",
)


_MIGRATION_PAGE = 5_000
_ROWS_WITHOUT_PREDICATE = (
    "MATCH ()-[r:RELATES_TO]->() WHERE r.predicate IS NULL AND r.fact_embedding IS NOT NULL"
    " RETURN r.uuid AS uuid, r.fact_embedding AS v LIMIT $limit"
)
_MIGRATING = "MERGE (:Migration {name: 'predicates'})"
_GIVE_PREDICATES = (
    "UNWIND $predicates AS q"
    " MERGE (x:Predicate {uuid: q.uuid})"
    " ON CREATE SET x.group_id = $group_id, x.embedding = vecf32(q.v)"
    " WITH q UNWIND q.rows AS u MATCH ()-[r:RELATES_TO {uuid: u}]->() SET r.predicate = q.uuid"
)


def _vector_uuid(group_id: str, vector: tuple[float, ...]) -> str:
    """The predicate of old rows embedded as ``vector``."""
    digest = hashlib.sha1(_falkor_params.value(list(vector)).encode()).hexdigest()
    return stable_uuid(group_id, "predicate-vector", digest)


class FalkorStore(GraphStore):
    """One group's graph. Queries go to the FalkorDB client directly (not through
    Graphiti's driver, which logs parameters, and so caller data, on errors)."""

    def __init__(self, driver: FalkorDriver, group_id: str, ontology: Ontology) -> None:
        self.group_id = group_id
        self.ontology = ontology
        self.driver = driver.clone(database=group_id)
        client: FalkorDB = driver.client
        self.graph = client.select_graph(group_id)

    async def ensure_schema(self) -> None:
        # Graphiti's own indexes (uuid lookups, full text) first, then ours.
        init = getattr(self.driver, "_init_task", None)
        if init is not None:
            await init
        else:
            await self.driver.build_indices_and_constraints()
        for statement in SCHEMA:
            try:
                await self.graph.query(statement)
            except ResponseError as exc:
                if "already indexed" not in str(exc):
                    raise
        await self._reserve_node_zero()
        await self._predicates_for_old_rows()

    async def _reserve_node_zero(self) -> None:
        """FalkorDB leaves the edges of the node with internal id 0 out of an edge index it
        builds over existing rows (loading a rewritten AOF after an erasure, a new index), so a
        read from that node filtered on ``r.name`` misses them: after a restart the first
        listing of every tenant had no suburb, price or status. A new graph's first node is a
        ``Reserved`` placeholder no read matches (docs/memory.md, Engines and traps)."""
        first = await self.query("MATCH (n) WHERE id(n) = 0 RETURN labels(n) AS labels")
        if not first:
            await self.query("CREATE (:Reserved)", write=True)
        elif "Reserved" not in first[0]["labels"]:  # written before the placeholder: say so once
            log.warning("graph keeps an entity at node id 0: reseed it", group_id=self.group_id)

    async def _predicates_for_old_rows(self) -> None:
        """A graph written before ``Predicate`` nodes has an HNSW index on its rows and rows with
        no ``predicate``: drop that index first (a row updated under it is re-indexed: slow),
        then give each distinct row vector a predicate (the text it was embedded from is not
        stored: the uuid is the vector's). A ``Migration`` node marks the work from the drop
        until done, so a process stopped half way resumes it. Idempotent: processes opening
        the graph at once agree."""
        indexes = await self.query("CALL db.indexes() YIELD label, types RETURN label, types")
        rows_index: dict[str, list[str]] = next(
            (r["types"] for r in indexes if r["label"] == "RELATES_TO"), {}
        )
        if "VECTOR" in rows_index.get("fact_embedding", []):
            await self.query(_MIGRATING, write=True)
            try:
                await self.graph.query("DROP VECTOR INDEX FOR ()-[e:RELATES_TO]-() ON (e.fact_embedding)")
            except ResponseError as exc:
                if "no such index" not in str(exc):  # another process dropped it first
                    raise
        elif not await self.query("MATCH (m:Migration {name: 'predicates'}) RETURN m.name AS name"):
            return
        while rows := await self.query(_ROWS_WITHOUT_PREDICATE, {"limit": _MIGRATION_PAGE}):
            by_vector: dict[tuple[float, ...], list[str]] = defaultdict(list)
            for row in rows:
                by_vector[tuple(row["v"])].append(row["uuid"])
            predicates = [
                {"uuid": _vector_uuid(self.group_id, v), "v": list(v), "rows": uuids}
                for v, uuids in by_vector.items()
            ]
            await self.query(
                _GIVE_PREDICATES, {"predicates": predicates, "group_id": self.group_id}, write=True
            )
        await self.query("MATCH (m:Migration {name: 'predicates'}) DELETE m", write=True)

    async def query(
        self, cypher_text: str, params: Record | None = None, *, write: bool = False
    ) -> list[Record]:
        # The parameters go as text either way: ours is the client's text, built faster.
        statement = _falkor_params.header(params) + cypher_text
        if write:
            result = await self.graph.query(statement)
        else:
            result = await self.graph.ro_query(statement)
        header = [h[1] for h in result.header]
        return [dict(zip(header, row, strict=False)) for row in result.result_set]

    async def write(self, batch: WriteBatch) -> None:
        # One GRAPH.QUERY is atomic on FalkorDB: chain every section into one statement.
        sections = cypher.write_sections(list(batch.nodes), lambda x: f"vecf32({x})")
        statement = " WITH count(*) AS _n ".join(sections) + " RETURN 1"
        await self.graph.query(_falkor_params.header(batch.params(self.group_id)) + statement)

    async def vector_facts(self, vector: list[float], k: int) -> list[Record]:
        # The k nearest predicates, nearest first, each expanded to its rows until k rows: the
        # rows a row index would give (rows sharing a predicate share its vector), ties apart.
        return await self._knn(
            "CALL db.idx.vector.queryNodes('Predicate', 'embedding', $k, vecf32($v))"
            " YIELD node, score WITH node.uuid AS p, score ORDER BY score"
            " MATCH ()-[r:RELATES_TO {predicate: p}]->()"
            " RETURN r.uuid AS uuid, score AS distance LIMIT $k",
            vector,
            k,
        )

    async def vector_episodes(self, vector: list[float], k: int) -> list[Record]:
        return await self._knn(
            "CALL db.idx.vector.queryNodes('Episodic', 'content_embedding', $k, vecf32($v))"
            " YIELD node, score RETURN node.uuid AS uuid, score AS distance",
            vector,
            k,
        )

    async def _knn(self, statement: str, vector: list[float], k: int) -> list[Record]:
        try:
            return await self.query(statement, {"k": k, "v": vector})
        except ResponseError as exc:
            # An empty graph, or an index still building in the background.
            if "Invalid arguments" in str(exc) or "not indexed" in str(exc):
                return []
            raise

    async def caller_turns(
        self, subject: str, vector: list[float], at: str, limit: int, besides_call: str | None = None
    ) -> list[Record]:
        statement = cypher.CALLER_TURNS.format(distance="vec.cosineDistance(x.content_embedding, vecf32($v))")
        params = {"subject": subject, "v": vector, "at": at, "limit": limit, "besides": besides_call}
        return await self.query(statement, params)

    async def fulltext_facts(self, text: str, k: int) -> list[Record]:
        return await self._fulltext(
            "CALL db.idx.fulltext.queryRelationships('RELATES_TO', $q)"
            " YIELD relationship AS r, score"
            " RETURN r.uuid AS uuid, score ORDER BY score DESC LIMIT $k",
            text,
            k,
            field="terms",
        )

    async def fulltext_episodes(self, text: str, k: int) -> list[Record]:
        return await self._fulltext(
            "CALL db.idx.fulltext.queryNodes('Episodic', $q) YIELD node, score"
            " RETURN node.uuid AS uuid, score ORDER BY score DESC LIMIT $k",
            text,
            k,
            field="transcript",
        )

    async def fulltext_entities(self, text: str, label: str, k: int) -> list[Record]:
        return await self._fulltext(
            "CALL db.idx.fulltext.queryNodes('Entity', $q) YIELD node, score"
            f" WHERE node:{label}"
            " RETURN node.uuid AS uuid, node.name AS name, score ORDER BY score DESC LIMIT $k",
            text,
            k,
        )

    async def _fulltext(self, statement: str, text: str, k: int, field: str | None = None) -> list[Record]:
        terms = fulltext_terms(text)
        if not terms:
            return []
        query = f"@{field}:({terms})" if field else terms
        return await self.query(statement, {"q": query, "k": k})

    async def drop(self) -> None:
        try:
            await self.graph.delete()
        except ResponseError as exc:
            if "empty key" not in str(exc):
                raise

    async def rewrite_files(self, timeout_s: float = 300.0) -> bool:
        """After an erasure: drop the graph's query log, then rewrite the append-only file and
        the snapshot, waiting for each. Deleted nodes leave the server's memory at once, but
        the AOF holds every write as it was sent (parameters inlined) and the snapshot holds
        the graph as it was, until rewritten. FalkorDB also keeps its last queries, with their
        parameters, in a stream per graph (``telemetry{graph}``) that both files persist."""
        conn = self.graph.client.connection
        await conn.delete(f"telemetry{{{self.group_id}}}")
        async with asyncio.timeout(timeout_s):
            if (await conn.info("persistence")).get("aof_enabled"):
                await _background(
                    conn, conn.bgrewriteaof, "aof_rewrite_in_progress", "aof_last_bgrewrite_status"
                )
            await _background(conn, conn.bgsave, "rdb_bgsave_in_progress", "rdb_last_bgsave_status")
        return True


async def _background(conn: Redis, start: Callable[[], Awaitable[object]], busy: str, status: str) -> None:
    """Start a background rewrite or save and wait until it is done. One already running is
    waited out first: it started before the erasure and would write the erased data back."""
    while True:
        try:
            await start()
            break
        except ResponseError as exc:  # "already in progress", "another child process is active"
            if "progress" not in str(exc) and "child" not in str(exc):
                raise
            await asyncio.sleep(_POLL_S)
    while True:
        info = await conn.info("persistence")
        if not info.get(busy) and not info.get("aof_rewrite_scheduled"):
            break
        await asyncio.sleep(_POLL_S)
    if info.get(status) != "ok":
        raise RuntimeError(f"FalkorDB {busy.removesuffix('_in_progress')} failed: {info.get(status)}")


def fulltext_terms(text: str) -> str:
    """A RediSearch query matching any of the words (punctuation and stop words dropped: the
    index keeps "what", "my", "did", which matched nearly every turn)."""
    words = ["".join(ch for ch in w if ch.isalnum()) for w in text.split()]
    words = [w for w in words if len(w) > 1 and w.lower() not in STOPWORDS][:32]
    return " | ".join(words)
