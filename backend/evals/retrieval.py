"""`switchboard eval retrieval`: does ``memory.search`` find the turns that hold the answer?

Histories from ``backend.evals.histories`` are ingested through the production path
(``Memory.record`` for the caller, ``Memory.ingest_transcript`` one call at a time) into a
fresh group; each question is asked through ``Memory.search`` as its caller, at its time.
In the same run, two baselines rank the same turns: BM25 (bm25s, Snowball stemming,
English stop words) and vector-only (MiniLM, exact cosine), each over the asking caller's
own turns and over the tenant's.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from backend.evals.histories import KINDS, Question, World, generate
from memory.memory import Memory

TUNING_SEED = 1401
"""The set the retrieval changes were tuned on."""
REPORT_SEED = 2914
"""The held-out set: only measured, never tuned on."""
KS = (1, 5, 10)

TurnKey = tuple[str, str]
Ranker = Callable[[Question], Sequence[TurnKey]]


@dataclass
class Scores:
    """Sums over questions, by kind."""

    n: int = 0
    recall: dict[int, float] | None = None
    rr: float = 0.0

    def add(self, ranked: Sequence[TurnKey], evidence: list[TurnKey]) -> None:
        self.recall = self.recall or dict.fromkeys(KS, 0.0)
        self.n += 1
        wanted = set(evidence)
        for k in KS:
            self.recall[k] += len(wanted & set(ranked[:k])) / len(wanted)
        for rank, key in enumerate(ranked[:10], 1):
            if key in wanted:
                self.rr += 1 / rank
                break

    def summary(self) -> dict[str, float]:
        n = max(self.n, 1)
        recall = self.recall or dict.fromkeys(KS, 0.0)
        return {**{f"recall_at_{k}": round(recall[k] / n, 4) for k in KS}, "mrr": round(self.rr / n, 4)}


class Baselines:
    """BM25 and vector rankings over the same turns, outside the graph."""

    def __init__(self, world: World, vectors: np.ndarray) -> None:
        import bm25s
        import Stemmer

        self._bm25s = bm25s
        self.stemmer = Stemmer.Stemmer("english")
        self.keys: list[TurnKey] = []
        self.owner: list[str] = []
        texts: list[str] = []
        for h in world.histories:
            for call in h.calls:
                for line in call.turns:
                    self.keys.append((call.call_id, line.id))
                    self.owner.append(h.caller_id)
                    texts.append(line.text)
        self.texts = texts
        self.vectors = vectors
        self.all = self._index(range(len(texts)))
        self.by_caller: dict[str, tuple[Any, list[int]]] = {}
        for h in world.histories:
            rows = [i for i, o in enumerate(self.owner) if o == h.caller_id]
            self.by_caller[h.caller_id] = (self._index(rows), rows)

    def _index(self, rows: Iterable[int]) -> Any:
        rows = list(rows)
        retriever = self._bm25s.BM25()
        tokens = self._bm25s.tokenize(
            [self.texts[i] for i in rows], stopwords="en", stemmer=self.stemmer, show_progress=False
        )
        retriever.index(tokens, show_progress=False)
        return retriever

    def bm25(self, q: Question, own: bool, k: int = 10) -> list[TurnKey]:
        retriever, rows = self.by_caller[q.caller_id] if own else (self.all, list(range(len(self.keys))))
        tokens = self._bm25s.tokenize([q.text], stopwords="en", stemmer=self.stemmer, show_progress=False)
        if not tokens.vocab:
            return []
        found, scores = retriever.retrieve(tokens, k=min(k, len(rows)), show_progress=False)
        return [self.keys[rows[int(i)]] for i, s in zip(found[0], scores[0], strict=True) if s > 0]

    def vector(self, q: Question, query: np.ndarray, own: bool, k: int = 10) -> list[TurnKey]:
        rows = self.by_caller[q.caller_id][1] if own else list(range(len(self.keys)))
        sims = self.vectors[rows] @ query
        best = np.argsort(-sims)[:k]
        return [self.keys[rows[int(i)]] for i in best]


async def ingest(mem: Memory, group: str, world: World) -> float:
    """Callers, then each call's transcript, through the production writes; seconds taken."""
    started = time.perf_counter()
    for h in world.histories:
        first = h.calls[0].started
        await mem.record(
            {
                "type": "caller_identified",
                "id": f"{h.caller_id}:identified",
                "group_id": group,
                "valid_at": first,
                "caller_id": h.caller_id,
                "name": h.name,
            }
        )
        for call in h.calls:
            turns = [{"id": t.id, "speaker": t.speaker, "text": t.text, "at": t.at} for t in call.turns]
            await mem.ingest_transcript(group, call.call_id, turns, call.started, caller_id=h.caller_id)
    return time.perf_counter() - started


def _search_keys(hits: Iterable[Any]) -> list[TurnKey]:
    keys: list[TurnKey] = []
    for hit in hits:
        if hit.call_id:
            for turn in hit.turn_ids:
                if (hit.call_id, turn) not in keys:
                    keys.append((hit.call_id, turn))
    return keys


SYSTEMS = ("search", "bm25", "vector", "bm25_tenant", "vector_tenant")
"""``search``: memory.search as the caller, over the tenant's graph. ``bm25``, ``vector``: the
baselines over the asking caller's own turns (as a benchmark ranks one conversation's
turns): the harder comparison, and the one the margin is taken against. ``_tenant``: the
same over every turn of the tenant, as an analyst's query without a caller would see them."""


@dataclass
class Prepared:
    """A world ingested into its own group, with its baselines built."""

    world: World
    group: str
    baselines: Baselines
    ingest_seconds: float


async def prepare(mem: Memory, seed: int, callers: int) -> Prepared:
    world = generate(seed, callers)
    group = f"eval-retrieval-{seed}-{uuid.uuid4().hex[:6]}"
    ingest_s = await ingest(mem, group, world)
    baselines = Baselines(world, np.array([], dtype=np.float32))
    vectors = np.array(await mem.embedder.create_batch(baselines.texts), dtype=np.float32)
    baselines.vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return Prepared(world, group, baselines, ingest_s)


async def measure(mem: Memory, prepared: Prepared) -> dict[str, Any]:
    """Every question through search and the baselines; the summary by kind."""
    world, group, baselines = prepared.world, prepared.group, prepared.baselines
    scores = {s: {k: Scores() for k in ("all", *KINDS)} for s in SYSTEMS}
    latencies: list[float] = []
    for q in world.questions:
        qv = np.array(await mem.embed_one(q.text), dtype=np.float32)
        qv /= np.linalg.norm(qv)
        t0 = time.perf_counter()
        hits = await mem.search(group, q.text, caller_id=q.caller_id, as_of=q.asked_at, limit=10)
        latencies.append((time.perf_counter() - t0) * 1000)
        ranked = {
            "search": _search_keys(hits),
            "bm25": baselines.bm25(q, own=True),
            "vector": baselines.vector(q, qv, own=True),
            "bm25_tenant": baselines.bm25(q, own=False),
            "vector_tenant": baselines.vector(q, qv, own=False),
        }
        for system, keys in ranked.items():
            scores[system]["all"].add(keys, q.evidence)
            scores[system][q.kind].add(keys, q.evidence)
    summary = {s: {k: v.summary() | {"questions": v.n} for k, v in by.items()} for s, by in scores.items()}
    latencies.sort()
    return {
        "seed": world.seed,
        "set": "tuning" if world.seed == TUNING_SEED else "report" if world.seed == REPORT_SEED else "other",
        "callers": len(world.histories),
        "turns": world.turns,
        "questions": len(world.questions),
        "recall_at_10": {s: summary[s]["all"]["recall_at_10"] for s in SYSTEMS},
        "mrr": {s: summary[s]["all"]["mrr"] for s in SYSTEMS},
        "by_kind": {kind: {s: summary[s][kind] for s in SYSTEMS} for kind in ("all", *KINDS)},
        "search_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 2) if latencies else 0.0,
        "ingest_seconds": round(prepared.ingest_seconds, 1),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


async def evaluate(mem: Memory, seed: int, callers: int) -> dict[str, Any]:
    """Generate, ingest into a fresh group, measure, drop the group."""
    prepared = await prepare(mem, seed, callers)
    try:
        return await measure(mem, prepared)
    finally:
        await (await mem.store(prepared.group)).drop()


def margin(result: dict[str, Any]) -> float:
    """search's recall@10 above the better of the two (caller-scoped) baselines."""
    r = result["recall_at_10"]
    return round(r["search"] - max(r["bm25"], r["vector"]), 4)


def rows(result: dict[str, Any]) -> list[list[str]]:
    """One row per kind and system: recall@1/5/10, MRR."""
    out: list[list[str]] = []
    for kind, by in result["by_kind"].items():
        for system in SYSTEMS:
            s = by[system]
            out.append(
                [kind, system, str(s["questions"])]
                + [f"{s[f'recall_at_{k}']:.3f}" for k in KS]
                + [f"{s['mrr']:.3f}"]
            )
    return out


HEADER = ["kind", "system", "questions", "recall@1", "recall@5", "recall@10", "MRR"]


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"# Retrieval eval — seed {result['seed']} ({result['set']} set)",
        "",
        f"{result['callers']} callers, {result['turns']} turns, {result['questions']} questions; "
        f"search p95 {result['search_p95_ms']} ms; recall@10 margin over the better baseline "
        f"{margin(result):+.3f}.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows(result)]
    return "\n".join(lines) + "\n"


def write_markdown(path: Path | None, result: dict[str, Any]) -> None:
    if path is not None:
        path.write_text(markdown(result))
