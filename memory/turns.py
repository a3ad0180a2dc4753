"""A known caller's own transcript turns, ranked for a query.

When the caller is known, their history is the haystack (a few hundred turns, never
another caller's), fetched in one read with each turn's cosine distance to the query
computed by the engine. Ranking, each step measured by ``switchboard eval retrieval``
(docs/memory.md, "Search"):

- BM25 with stemming over the turn text without the speaker's name, and the vector
  similarity, min-max normalised and added with weights (not RRF: a weak list would
  count as much as a strong one);
- a turn borrows part of its neighbours' score within the call: answers ("Make it 1.2
  million") follow the question that names the topic ("what's your budget?"), and a turn
  that asks ranks below the answer it gets;
- time: a question about the present ("now", "latest", "these days") favours later turns;
  a "when" question favours turns that say a time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from memory import bm25
from memory.store.base import Record

MAX_TURNS = 2_000
"""A caller's most recent turns that are ranked (a very long history is cut, newest kept)."""

W_BM25 = 0.3
W_VECTOR = 0.7
W_PREVIOUS = 0.5
"""Share of the previous turn's score a turn borrows (the question before an answer)."""
W_NEXT = 0.15
W_RECENT = 0.35
W_TIME_SAID = 0.15
ASKING = 0.6
"""Factor on the score of a turn that asks (ends with "?"): a question names the topic, and
its answer, the next turn, holds the fact."""

_PRESENT = re.compile(
    r"\b(now|currently|current|latest|these days|at the moment|anymore|still|final|today)\b", re.I
)
_WHEN = re.compile(r"\b(when|what date|what day|by when|how long ago)\b", re.I)
_TIME_SAID = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|yesterday|tomorrow|"
    r"tonight|morning|afternoon|week|month|year|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|\d{1,2}(st|nd|rd|th)|\d{4})\b",
    re.I,
)


@dataclass(frozen=True)
class RankedTurn:
    row: Record
    score: float


def _normalised(values: Sequence[float]) -> list[float]:
    low, high = min(values), max(values)
    if high - low <= 1e-12:
        return [0.0 for _ in values]
    return [(v - low) / (high - low) for v in values]


def rank(query: str, rows: Sequence[Record]) -> list[RankedTurn]:
    """``rows``: {uuid, text, call_id, turn_id, valid_at, distance}, any order."""
    if not rows:
        return []
    ordered = sorted(rows, key=lambda r: (r["valid_at"] or "", r["call_id"] or "", r["turn_id"] or ""))
    texts = [r["text"] or "" for r in ordered]
    lexical = _normalised(bm25.scores(query, texts))
    semantic = _normalised([1.0 - float(1.0 if r["distance"] is None else r["distance"]) for r in ordered])
    own = [W_BM25 * b + W_VECTOR * v for b, v in zip(lexical, semantic, strict=True)]
    n = len(ordered)
    present, when = bool(_PRESENT.search(query)), bool(_WHEN.search(query))
    ranked: list[RankedTurn] = []
    for i, row in enumerate(ordered):
        score = own[i] * (ASKING if texts[i].rstrip().endswith("?") else 1.0)
        if i > 0 and ordered[i - 1]["call_id"] == row["call_id"]:
            score += W_PREVIOUS * own[i - 1]
        if i + 1 < n and ordered[i + 1]["call_id"] == row["call_id"]:
            score += W_NEXT * own[i + 1]
        if present and n > 1:
            score += W_RECENT * i / (n - 1)
        if when and _TIME_SAID.search(texts[i]):
            score += W_TIME_SAID
        ranked.append(RankedTurn(row, score))
    ranked.sort(key=lambda t: (-t.score, t.row["uuid"]))
    return ranked
