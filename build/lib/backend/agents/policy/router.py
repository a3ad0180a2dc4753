"""Intent routing by embedding similarity to each target's examples (k-nearest)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
from agents.handoffs import Handoff

from backend.agents.vertical import AgentSpec, Vertical
from memory.embedder import MiniLMEmbedder

THRESHOLD = 0.32
"""Below this score nothing fits and the agent says its fallback."""
CUE_BOOST = 0.2
"""Added to a target's similarity when one of its cue words is in the utterance."""
VETO = 0.1
"""Taken off when one of its veto cues (``!pattern``) is: "my viewing" is not a new booking."""


def handoff_name(agent: str) -> str:
    """The tool name the SDK gives a handoff to ``agent`` ("transfer_to_viewing_scheduler")."""
    return Handoff.default_tool_name(SimpleNamespace(name=agent))  # type: ignore[arg-type]


def targets(vertical: Vertical) -> dict[str, tuple[str, ...]]:
    """Every routing target (tool or handoff tool name) with the utterances that mean it."""
    out: dict[str, tuple[str, ...]] = {}

    def domain(spec: AgentSpec) -> tuple[str, ...]:
        return (spec.description, *spec.examples, *(e for s in spec.skills for e in vertical.examples(s)))

    for spec in (vertical.root, *vertical.specialists):
        for skill in spec.skills:
            out[skill.name] = (skill.tool.description.split("\n")[0], *vertical.examples(skill))
    for spec in vertical.specialists:
        out[handoff_name(spec.name)] = domain(spec)
    # A specialist hands back up when the caller wants what another agent does.
    out[handoff_name(vertical.root.name)] = tuple(
        e for spec in (vertical.root, *vertical.specialists) for e in domain(spec)
    )
    return out


@dataclass
class Route:
    target: str | None
    score: float


class Router:
    """Embeds every example once; a route costs one utterance embedding."""

    def __init__(self, vertical: Vertical, embedder: MiniLMEmbedder | None = None) -> None:
        self.embedder = embedder or MiniLMEmbedder()
        self.examples = targets(vertical)
        self.root_back = handoff_name(vertical.root.name)
        self.owner: dict[str, str] = {}
        self.cues: dict[str, list[re.Pattern[str]]] = {}
        self.vetoes: dict[str, list[re.Pattern[str]]] = {}
        for spec in (vertical.root, *vertical.specialists):
            for skill in spec.skills:
                self.owner[skill.name] = spec.name
                self.cues[skill.name] = [_compile(c) for c in skill.cues if not c.startswith("!")]
                self.vetoes[skill.name] = [_compile(c[1:]) for c in skill.cues if c.startswith("!")]
            if spec is not vertical.root:  # a specialist is cued by any of its skills' cues
                self.cues[handoff_name(spec.name)] = [
                    c for skill in spec.skills for c in self.cues[skill.name]
                ]
        texts = [t for examples in self.examples.values() for t in examples]
        self.labels = [name for name, examples in self.examples.items() for _ in examples]
        self.matrix = np.asarray(self.embedder.embed_sync(texts), dtype=np.float32)
        self._cache: dict[str, np.ndarray] = {}

    def vector(self, utterance: str) -> np.ndarray:
        if utterance not in self._cache:
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[utterance] = np.asarray(self.embedder.embed_sync([utterance])[0], np.float32)
        return self._cache[utterance]

    def scores(self, utterance: str, candidates: set[str]) -> dict[str, float]:
        """Nearest-example similarity per candidate, plus a boost where a cue word is heard."""
        sims = self.matrix @ self.vector(utterance)
        best: dict[str, float] = {}
        for label, sim in zip(self.labels, sims.tolist(), strict=True):
            if label in candidates and sim > best.get(label, -1.0):
                best[label] = sim
        for label in best:
            best[label] += self._cue(label, utterance, candidates)
        return best

    def _cue(self, label: str, utterance: str, candidates: set[str]) -> float:
        if label == self.root_back:  # back up: a cue of something this agent cannot do
            others = [t for t in self.owner if t not in candidates]
            return max((self._cue(t, utterance, candidates) for t in others), default=0.0)
        if any(v.search(utterance) for v in self.vetoes.get(label, [])):
            return -VETO
        return CUE_BOOST if any(c.search(utterance) for c in self.cues.get(label, [])) else 0.0

    def route(self, utterance: str, candidates: set[str]) -> Route:
        scores = self.scores(utterance, candidates)
        if not scores:
            return Route(None, 0.0)
        target = max(scores, key=lambda k: scores[k])
        return Route(target if scores[target] >= THRESHOLD else None, scores[target])

    def domain_of(self, utterance: str) -> str | None:
        """Which specialist (or the root's own skill) the utterance belongs to, at the root."""
        handoffs = {n for n in self.examples if n.startswith("transfer_to_") and n != self.root_back}
        return self.route(utterance, handoffs | {n for n, o in self.owner.items()}).target


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)
