"""Neo4j 5: one database for every group (rows carry ``group_id``), named
vector and full-text indexes, multi-statement transactions.

Neo4j cannot run on our build machines; this module is the only place its
dialect lives, and the shared Cypher it runs is exercised on FalkorDB by the
memory test suite. Differences handled here: vectors are plain lists, index
procedures are ``db.index.*`` with named indexes and return a similarity, and
index hits from other groups are filtered out.
"""

from __future__ import annotations

from typing import Any, Literal

from graphiti_core.driver.neo4j_driver import Neo4jDriver

from memory.embedder import EMBEDDING_DIM
from memory.ontology import Ontology
from memory.store import cypher
from memory.store.base import GraphStore, Record, WriteBatch

_VECTOR = (
    f"OPTIONS {{indexConfig: {{`vector.dimensions`: {EMBEDDING_DIM},"
    " `vector.similarity_function`: 'cosine'}}"
)
SCHEMA = (
    "CREATE VECTOR INDEX fact_embedding IF NOT EXISTS"
    f" FOR ()-[r:RELATES_TO]-() ON (r.fact_embedding) {_VECTOR}",
    "CREATE VECTOR INDEX episode_embedding IF NOT EXISTS"
    f" FOR (n:Episodic) ON (n.content_embedding) {_VECTOR}",
    # Rows point at their Predicate node (written by the shared Cypher; FalkorDB searches by it).
    "CREATE INDEX predicate_uuid IF NOT EXISTS FOR (n:Predicate) ON (n.uuid)",
    "CREATE INDEX relation_predicate IF NOT EXISTS FOR ()-[r:RELATES_TO]-() ON (r.predicate)",
    "CREATE INDEX relation_key IF NOT EXISTS FOR ()-[r:RELATES_TO]-() ON (r.key)",
    "CREATE INDEX relation_lookup IF NOT EXISTS FOR ()-[r:RELATES_TO]-() ON (r.lookup)",
    "CREATE FULLTEXT INDEX relation_terms IF NOT EXISTS FOR ()-[r:RELATES_TO]-() ON EACH [r.terms]",
    "CREATE FULLTEXT INDEX episode_transcript IF NOT EXISTS FOR (n:Episodic) ON EACH [n.transcript]",
    "CREATE INDEX episode_call IF NOT EXISTS FOR (n:Episodic) ON (n.call_id)",
    "CREATE INDEX episode_caller IF NOT EXISTS FOR (n:Episodic) ON (n.caller_uuid)",
)


class Neo4jStore(GraphStore):
    def __init__(self, driver: Neo4jDriver, group_id: str, ontology: Ontology) -> None:
        self.group_id = group_id
        self.ontology = ontology
        self.driver = driver

    async def ensure_schema(self) -> None:
        await self.driver.build_indices_and_constraints()
        for statement in SCHEMA:
            await self.driver.client.execute_query(statement)

    async def query(
        self, cypher_text: str, params: Record | None = None, *, write: bool = False
    ) -> list[Record]:
        routing: Literal["r", "w"] = "w" if write else "r"
        result = await self.driver.client.execute_query(
            cypher_text,
            parameters_={"group_id": self.group_id, **(params or {})},
            routing_=routing,
        )
        return [record.data() for record in result.records]

    async def write(self, batch: WriteBatch) -> None:
        params = batch.params(self.group_id)
        sections = cypher.write_sections(list(batch.nodes), lambda x: x)
        async with self.driver.client.session() as session:

            async def work(tx: Any) -> None:
                for statement in sections:
                    await (await tx.run(statement, params)).consume()

            await session.execute_write(work)

    async def vector_facts(self, vector: list[float], k: int) -> list[Record]:
        return await self.query(
            "CALL db.index.vector.queryRelationships('fact_embedding', $k, $v)"
            " YIELD relationship AS r, score WHERE r.group_id = $group_id"
            " RETURN r.uuid AS uuid, 2 * (1 - score) AS distance",
            {"k": k, "v": vector},
        )

    async def vector_episodes(self, vector: list[float], k: int) -> list[Record]:
        return await self.query(
            "CALL db.index.vector.queryNodes('episode_embedding', $k, $v)"
            " YIELD node, score WHERE node.group_id = $group_id"
            " RETURN node.uuid AS uuid, 2 * (1 - score) AS distance",
            {"k": k, "v": vector},
        )

    async def caller_turns(
        self, subject: str, vector: list[float], at: str, limit: int, besides_call: str | None = None
    ) -> list[Record]:
        # vector.similarity.cosine is (1 + cos) / 2: one minus it orders as the cosine distance.
        statement = cypher.CALLER_TURNS.format(
            distance="1 - vector.similarity.cosine(x.content_embedding, $v)"
        ).replace("WHERE ", "WHERE x.group_id = $group_id AND ", 1)
        params = {"subject": subject, "v": vector, "at": at, "limit": limit, "besides": besides_call}
        return await self.query(statement, params)

    async def fulltext_facts(self, text: str, k: int) -> list[Record]:
        return await self._fulltext(
            "CALL db.index.fulltext.queryRelationships('relation_terms', $q, {limit: $k})"
            " YIELD relationship AS r, score WHERE r.group_id = $group_id"
            " RETURN r.uuid AS uuid, score",
            text,
            k,
        )

    async def fulltext_episodes(self, text: str, k: int) -> list[Record]:
        return await self._fulltext(
            "CALL db.index.fulltext.queryNodes('episode_transcript', $q, {limit: $k})"
            " YIELD node, score WHERE node.group_id = $group_id"
            " RETURN node.uuid AS uuid, score",
            text,
            k,
        )

    async def fulltext_entities(self, text: str, label: str, k: int) -> list[Record]:
        return await self._fulltext(
            "CALL db.index.fulltext.queryNodes('node_name_and_summary', $q, {limit: $k})"
            f" YIELD node, score WHERE node.group_id = $group_id AND node:{label}"
            " RETURN node.uuid AS uuid, node.name AS name, score",
            text,
            k,
        )

    async def _fulltext(self, statement: str, text: str, k: int) -> list[Record]:
        words = ["".join(ch for ch in w if ch.isalnum()) for w in text.split()]
        terms = " OR ".join(w for w in words if len(w) > 1)
        return await self.query(statement, {"q": terms, "k": k}) if terms else []

    async def drop(self) -> None:
        await self.query("MATCH (n) WHERE n.group_id = $group_id DETACH DELETE n", write=True)
