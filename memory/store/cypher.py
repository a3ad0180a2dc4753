"""Cypher both engines understand. Engine-specific pieces (vector literals,
index procedures, DDL) are in ``falkordb.py`` and ``neo4j.py``.

Times are fixed-width UTC ISO strings (``base.iso``). Every comparison on a
time goes through ``coalesce``: FalkorDB's range index on a string property
answers ``<`` and ``<=`` wrongly, and Graphiti creates such indexes on every
time property; wrapped, the planner cannot use them.
"""

from __future__ import annotations

from collections.abc import Callable


def visible(r: str, at: str = "$at", known: str = "$known") -> str:
    """``timeline.visible`` in Cypher: row ``r`` true at ``at`` as known at ``known``."""
    return (
        f"coalesce({r}.created_at, '') <= {known}"
        f" AND ({r}.replaced_at IS NULL OR coalesce({r}.replaced_at, '') > {known})"
        f" AND coalesce({r}.valid_at, '') <= {at}"
        f" AND ({r}.invalid_at IS NULL OR coalesce({r}.expired_at, '') > {known}"
        f" OR coalesce({r}.invalid_at, '') > {at})"
    )


FACT_FIELDS = (
    "r.uuid AS uuid, r.name AS name, r.fact AS fact, r.value AS value, r.episodes AS episodes,"
    " r.turn_ids AS turn_ids, r.valid_at AS valid_at, r.invalid_at AS invalid_at,"
    " r.created_at AS created_at, r.expired_at AS expired_at,"
    " startNode(r).uuid AS subject, endNode(r).uuid AS object,"
    " startNode(r).name AS subject_name, endNode(r).name AS object_name"
)


def write_sections(labels: list[str], vec: Callable[[str], str]) -> list[str]:
    """The statements of one write, in order: entities, predicates, rows, closes, versions,
    episodes, mentions. Each reads its own ``$parameter`` list. Every section
    has its own variable names: FalkorDB mis-types a name reused across ``WITH``."""
    nodes = [
        f"UNWIND $nodes_{label} AS n{i}"
        f" MERGE (x{i}:Entity:{label} {{uuid: n{i}.uuid}})"
        f" ON CREATE SET x{i}.name = n{i}.name, x{i}.group_id = $group_id,"
        f" x{i}.created_at = n{i}.created_at, x{i}.summary = ''"
        f" SET x{i} += n{i}.attrs"
        f" SET x{i}.name = CASE WHEN n{i}.rename THEN n{i}.name ELSE x{i}.name END"
        for i, label in enumerate(labels)
    ]
    return [
        *nodes,
        # One node per distinct predicate holds the vector index (a few thousand vectors, not
        # one per row: HNSW inserts were most of a write's server time at 100k rows).
        "UNWIND $predicates AS qr"
        " MERGE (qx:Predicate {uuid: qr.uuid})"
        " ON CREATE SET qx.text = qr.text, qx.group_id = $group_id,"
        f" qx.embedding = {vec('$vectors[qr.vi]')}",
        "UNWIND $edges AS er"
        " MATCH (ea:Entity {uuid: er.src}) MATCH (eb:Entity {uuid: er.dst})"
        " CREATE (ea)-[ee:RELATES_TO]->(eb)"
        f" SET ee = er.props SET ee.fact_embedding = {vec('$vectors[er.vi]')}",
        "UNWIND $closes AS cr"
        " MATCH ()-[ce:RELATES_TO {uuid: cr.uuid}]->()"
        " SET ce.invalid_at = cr.invalid_at, ce.expired_at = $now",
        "UNWIND $replaces AS vr"
        " MATCH (va)-[vo:RELATES_TO {uuid: vr.old}]->(vb)"
        " SET vo.replaced_at = $now"
        " CREATE (va)-[ve:RELATES_TO]->(vb)"
        " SET ve = properties(vo)"
        " SET ve.uuid = vr.uuid, ve.invalid_at = vr.invalid_at, ve.created_at = $now,"
        " ve.expired_at = $now, ve.replaced_at = null, ve.replaces = vr.old",
        "UNWIND $episodes AS pr"
        " CREATE (px:Episodic)"
        f" SET px = pr.props SET px.content_embedding = {vec('$vectors[pr.vi]')}",
        "UNWIND $mentions AS mr"
        " MATCH (mx:Episodic {uuid: mr.episode}) MATCH (my:Entity {uuid: mr.entity})"
        " CREATE (mx)-[me:MENTIONS]->(my)"
        " SET me.uuid = mr.uuid, me.group_id = $group_id, me.created_at = $now",
    ]


EXISTING_EPISODES = (
    "UNWIND $uuids AS u MATCH (x:Episodic {uuid: u}) RETURN x.uuid AS uuid, x.content_hash AS hash"
)

EXISTING_ENTITIES = "UNWIND $uuids AS u MATCH (x:Entity {uuid: u}) RETURN x.uuid AS uuid"

TIMELINE_ROWS = (
    "UNWIND $keys AS k MATCH (a)-[r:RELATES_TO {key: k}]->(b) WHERE r.replaced_at IS NULL"
    " RETURN r.uuid AS uuid, r.key AS key, a.uuid AS subject, b.uuid AS object,"
    " r.valid_at AS valid_at, r.invalid_at AS invalid_at, r.polarity = 'retract' AS retract,"
    " r.origin AS origin, r.rank AS rank"
)

CURRENT_OBJECTS = (
    "MATCH (a:Entity {uuid: $subject})-[r:RELATES_TO {name: $fact}]->(b)"
    f" WHERE r.polarity = 'assert' AND {visible('r')}"
    " RETURN DISTINCT b.uuid AS uuid, b.name AS name, labels(b) AS labels"
)

FACTS_OF = (
    "MATCH (c:Entity {uuid: $subject})-[r:RELATES_TO]->(o)"
    f" WHERE r.polarity = 'assert' AND {visible('r')}"
    f" RETURN {FACT_FIELDS}"
    " UNION ALL "
    # What the caller owns (their bookings): its facts are read with theirs.
    "MATCH (c:Entity {uuid: $subject})-[b:RELATES_TO]->(k:Entity)-[r:RELATES_TO]->(o)"
    f" WHERE b.name IN $owned AND b.polarity = 'assert' AND {visible('b')}"
    f" AND r.polarity = 'assert' AND {visible('r')}"
    f" RETURN {FACT_FIELDS}"
)

# Every read starts from an ``:Entity {uuid}`` (or ``:Episodic {uuid}``): those are
# the indexed lookups. A pattern such as ``(p:PhoneNumber {uuid: $u})`` scans the label.
CALLER_BY_PHONE = (
    "MATCH (p:Entity {uuid: $phone})<-[r:RELATES_TO]-(c:Caller)"
    f" WHERE r.name = 'HAS_PHONE' AND r.polarity = 'assert' AND {visible('r')}"
    " RETURN c.uuid AS uuid, c.name AS name"
)

CALLERS_ON_PHONE = (
    # Its owner (HAS_PHONE) first, then the callers who also call from it (USES_PHONE: a household).
    "MATCH (p:Entity {uuid: $phone})<-[r:RELATES_TO]-(c:Caller)"
    " WHERE r.name IN ['HAS_PHONE', 'USES_PHONE'] AND r.polarity = 'assert'"
    f" AND {visible('r')}"
    " RETURN DISTINCT c.uuid AS uuid, c.name AS name, r.name = 'HAS_PHONE' AS owner"
    " ORDER BY owner DESC, uuid"
)

CALLER_BY_EMAIL = (
    "MATCH (c:Caller)-[r:RELATES_TO {lookup: $email}]->(c)"
    " WHERE r.group_id = $group_id AND r.name = 'HAS_EMAIL' AND r.polarity = 'assert'"
    f" AND {visible('r')}"
    " RETURN c.uuid AS uuid, c.name AS name"
)

ENTITY = "MATCH (x:Entity {uuid: $uuid}) RETURN x.uuid AS uuid, x.name AS name, labels(x) AS labels"

LAST_CALLS = (
    # The WITH keeps FalkorDB from scanning every episode to apply the filter first.
    "MATCH (c:Entity {uuid: $subject})<-[:MENTIONS]-(x:Episodic)"
    " WITH x WHERE x.episode_type = 'call_completed' AND coalesce(x.valid_at, '') <= $at"
    " RETURN x.uuid AS uuid, x.call_id AS call_id, x.valid_at AS at, x.outcome AS outcome,"
    " x.summary AS summary, x.channel AS channel"
    " ORDER BY at DESC LIMIT $limit"
)

FACT_ROWS = (
    "UNWIND $uuids AS u MATCH ()-[r:RELATES_TO {uuid: u}]->()"
    f" WHERE r.polarity = 'assert' AND {visible('r')}"
    f" RETURN {FACT_FIELDS}"
)

EPISODE_ROWS = (
    "UNWIND $uuids AS u MATCH (x:Episodic {uuid: u})"
    " WHERE x.episode_type = 'transcript' AND coalesce(x.valid_at, '') <= $at"
    " RETURN x.uuid AS uuid, x.content AS content, x.valid_at AS valid_at,"
    " x.call_id AS call_id, x.turn_id AS turn_id, x.caller_uuid AS caller"
)

# A caller's turns, newest first; {distance} is the engine's cosine distance expression.
CALLER_TURNS = (
    "MATCH (x:Episodic {{caller_uuid: $subject}})"
    " WHERE x.episode_type = 'transcript' AND coalesce(x.valid_at, '') <= $at"
    " AND ($besides IS NULL OR x.call_id <> $besides)"
    " RETURN x.uuid AS uuid, x.transcript AS text, x.content AS content, x.call_id AS call_id,"
    " x.turn_id AS turn_id, x.valid_at AS valid_at, x.caller_uuid AS caller, {distance} AS distance"
    " ORDER BY valid_at DESC LIMIT $limit"
)

CALL_EPISODES = (
    "MATCH (x:Episodic {call_id: $call}) WHERE x.episode_type <> 'transcript'"
    " RETURN x.content AS content ORDER BY x.valid_at, x.name"
)

# Erasure: the caller, the rows touching them and what they own (their bookings), the episodes
# that mention them or carry their calls, then entities nothing else links to.
ERASE_PLAN = (
    "MATCH (c:Entity {uuid: $subject}) WHERE c:Caller"
    " OPTIONAL MATCH (c)-[b:RELATES_TO]->(k:Entity) WHERE b.name IN $owned"
    " WITH c, collect(DISTINCT k) AS owned"
    " OPTIONAL MATCH (x:Episodic)-[:MENTIONS]->(c)"
    " WITH c, owned, collect(DISTINCT x.call_id) AS calls, collect(DISTINCT x) AS mentioned"
    " RETURN c.uuid AS caller, [k IN owned | k.uuid] AS owned, calls,"
    " [x IN mentioned | x.uuid] AS episodes"
)

ERASE_NEIGHBOURS = (
    "UNWIND $subjects AS s MATCH (a:Entity {uuid: s})-[r:RELATES_TO]-(n:Entity)"
    " RETURN DISTINCT n.uuid AS uuid"
)

ERASE_EDGES = (
    "UNWIND $subjects AS s MATCH (a:Entity {uuid: s})-[r:RELATES_TO]-()"
    " WITH DISTINCT r WITH r, r.predicate AS p DELETE r"
    " RETURN count(r) AS n, collect(DISTINCT p) AS predicates"
)

# A predicate can name what only the erased caller said ("wants an appraisal of 3 Elm St"):
# it goes with the last row that uses it.
ERASE_UNUSED_PREDICATES = (
    "UNWIND $predicates AS p MATCH (q:Predicate {uuid: p})"
    " OPTIONAL MATCH ()-[r:RELATES_TO {predicate: p}]->()"
    " WITH q, count(r) AS used WHERE used = 0 DELETE q RETURN count(q) AS n"
)

ERASE_EPISODES = "UNWIND $episodes AS u MATCH (x:Episodic {uuid: u}) DETACH DELETE x RETURN count(x) AS n"

ERASE_TRANSCRIPTS = (
    "UNWIND $calls AS c MATCH (x:Episodic {call_id: c}) WHERE x.episode_type = 'transcript'"
    " DETACH DELETE x RETURN count(x) AS n"
)

ERASE_NODES = "UNWIND $uuids AS u MATCH (x:Entity {uuid: u}) DETACH DELETE x RETURN count(x) AS n"

ORPHANS = (
    "UNWIND $uuids AS u MATCH (x:Entity {uuid: u})"
    " WHERE NOT (x)-[:RELATES_TO]-() AND NOT any(l IN labels(x) WHERE l IN $durable)"
    " RETURN x.uuid AS uuid"
)

ERASE_HANDOFFS = (
    "MATCH (:Agent)-[r:RELATES_TO {name: 'HANDED_OFF'}]->(:Agent)"
    " WHERE any(e IN r.episodes WHERE e IN $episodes)"
    " DELETE r RETURN count(r) AS n"
)

# Erasure by contact detail: everyone who ever held the number or email, whatever the row's
# validity (an owner, HAS_PHONE; or a household member who only calls from it, USES_PHONE).
HOLDERS_OF_PHONE = (
    "MATCH (p:Entity {uuid: $phone})<-[r:RELATES_TO]-(c:Caller)"
    " WHERE r.name IN ['HAS_PHONE', 'USES_PHONE']"
    " RETURN c.key AS caller_id, max(CASE WHEN r.name = 'HAS_PHONE' THEN 1 ELSE 0 END) AS owner"
)

HOLDERS_OF_EMAIL = (
    "MATCH (c:Caller)-[r:RELATES_TO {lookup: $email}]->(c)"
    " WHERE r.group_id = $group_id AND r.name = 'HAS_EMAIL'"
    " RETURN DISTINCT c.key AS caller_id, 1 AS owner"
)

CONTACTS_OF = (
    # The numbers and emails a caller ever held as theirs (not a household's phone they use).
    "MATCH (c:Entity {uuid: $subject})-[r:RELATES_TO]->()"
    " WHERE r.name IN ['HAS_PHONE', 'HAS_EMAIL']"
    " RETURN DISTINCT r.name AS name, r.value AS value"
)

SAME_PERSON = (
    # Callers a step-up check showed to be this one (SAME_AS), in either direction. Two directed
    # patterns: on an undirected one FalkorDB filters ``r.name`` by an edge index scan that
    # sees outgoing edges only.
    "MATCH (c:Entity {uuid: $subject})-[r:RELATES_TO]->(o:Caller) WHERE r.name = 'SAME_AS'"
    " RETURN o.key AS caller_id"
    " UNION MATCH (c:Entity {uuid: $subject})<-[r:RELATES_TO]-(o:Caller) WHERE r.name = 'SAME_AS'"
    " RETURN o.key AS caller_id"
)

ERASE_CONTACT_NODE = "MATCH (p:Entity {uuid: $uuid}) DETACH DELETE p RETURN count(p) AS n"

ERASE_EMAIL_ROWS = (
    "MATCH (c:Caller)-[r:RELATES_TO {lookup: $email}]->(c)"
    " WHERE r.group_id = $group_id DELETE r RETURN count(r) AS n"
)

_ENTITY_TAIL = (
    " OPTIONAL MATCH (x)-[r:RELATES_TO]->(o:Entity)"
    f" WHERE r.name IN $facts AND r.polarity = 'assert' AND {visible('r')}"
    " RETURN x.key AS key, x.name AS name, properties(x) AS attributes,"
    " collect([r.name, r.value, o.key, o.name]) AS facts"
)

# ``{label}`` is a declared entity type (``Ontology`` checks its form): never caller input.
ENTITIES = "MATCH (x:{label}) WITH x" + _ENTITY_TAIL

ENTITIES_LINKED = (
    "MATCH (o0:Entity {{uuid: $object}})<-[i:RELATES_TO]-(x:{label})"
    f" WHERE i.name = $via AND i.polarity = 'assert' AND {visible('i')} WITH DISTINCT x" + _ENTITY_TAIL
)

NAMES_OF = "MATCH (x:{label}) RETURN x.name AS name, x.key AS key"
