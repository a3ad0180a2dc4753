"""Intent routing: a softmax classifier over sentence embeddings, cue words and the words
of the examples, trained on the vertical's examples when the router is built.

Every target is a tool. An utterance gets a probability per tool (all tools of the
vertical, whoever owns them); a handoff scores as its best tool: a handoff down the tree
reaches the tools of the agent's whole team, a handoff back up reaches every tool outside
the current agent's own branch. "Book a viewing" heard at Triage goes to the Viewing
Scheduler because ``book_viewing`` is likeliest, and heard at Mortgage goes back up to
Triage because Mortgage does not own that tool.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from types import SimpleNamespace

import numpy as np
from agents.handoffs import Handoff

from backend.agents.vertical import Vertical
from memory.embedder import MiniLMEmbedder

THRESHOLD = 0.36
"""Below this similarity to the nearest example (and with no cue word heard) nothing fits
and the agent says its fallback: small talk ("hello", "hi") sits at 0.28-0.34."""
SCALE = 10.0
"""Embeddings are unit vectors with small components; scaled so that gradient descent
weighs them against the 0/1 cue features within a few hundred steps."""
WORDS = 3.0
"""Weight of the word features (words and word pairs seen in at least two examples):
MiniLM hears "add Bondi" and "remove Bondi" as nearly the same sentence; the words differ."""
L2 = 1e-3
STEPS = 300
RATE = 0.5
HARD = "!!"
"""A cue starting with it is a hard veto: heard, the tool is never chosen ("the one in Coogee"
is a home, never a suburb question). A plain "!" veto is a feature the classifier weighs."""
IMPLAUSIBLE = 0.1
"""Below it, a specialist's own tool is not what the caller means when another's is cued."""
STAY = 20.0
"""Prior odds that a caller talking to a specialist means one of its tools: it keeps
follow-ups ("and over 25 years?", which alone look like nothing much) and hands back up
what clearly belongs elsewhere (a booking heard by Mortgage is thousands of times likelier)."""


def handoff_name(agent: str) -> str:
    """The tool name the SDK gives a handoff to ``agent`` ("transfer_to_viewing_scheduler")."""
    return Handoff.default_tool_name(SimpleNamespace(name=agent))  # type: ignore[arg-type]


def training_set(vertical: Vertical, tools: list[str]) -> tuple[list[str], np.ndarray]:
    """Texts and their target distributions over ``tools``: a tool's description and
    examples mean that tool; an agent's description and examples mean "one of its tools"
    (spread evenly: "my budget has changed" is Property Search, whichever tool)."""
    index = {name: i for i, name in enumerate(tools)}
    texts: list[str] = []
    rows: list[np.ndarray] = []

    def add(text: str, owned: list[str]) -> None:
        row = np.zeros(len(tools))
        row[[index[t] for t in owned]] = 1.0 / len(owned)
        texts.append(text)
        rows.append(row)

    for spec in vertical.agents:
        for skill in spec.skills:
            for text in (skill.tool.description.split("\n")[0], *vertical.examples(skill)):
                add(text, [skill.name])
        branch = vertical.branch(spec.name)
        if spec is not vertical.root and branch:
            for text in (spec.description, *spec.examples):
                add(text, branch)
    return texts, np.stack(rows)


_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+|\?")


def words(text: str) -> list[str]:
    """Lower-cased words and adjacent word pairs ("how_much", "my_budget")."""
    said = _TOKEN.findall(text.lower().replace("\u2019", "'"))
    return said + [f"{a}_{b}" for a, b in pairwise(said)]


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _fit(features: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression by full-batch gradient descent from zero weights:
    deterministic, no seed; float32 throughout (about 0.5 s for a thousand examples)."""
    x = features.astype(np.float32)
    x_t = np.ascontiguousarray(x.T)
    y = wanted.astype(np.float32)
    weights = np.zeros((x.shape[1], y.shape[1]), np.float32)
    bias = np.zeros(y.shape[1], np.float32)
    rate, l2 = np.float32(RATE), np.float32(L2)
    for _ in range(STEPS):
        error = (_softmax(x @ weights + bias) - y) / np.float32(len(x))
        weights -= rate * (x_t @ error + l2 * weights)
        bias -= rate * error.sum(axis=0)
    return weights, bias


@dataclass
class Route:
    target: str | None
    score: float


class Router:
    """Embeds every example and trains the classifier once; a route costs one embedding."""

    def __init__(self, vertical: Vertical, embedder: MiniLMEmbedder | None = None) -> None:
        self.embedder = embedder or MiniLMEmbedder()
        self.root = vertical.root.name
        self.owner: dict[str, str] = {}
        self.cues: dict[str, list[re.Pattern[str]]] = {}
        self.vetoes: dict[str, list[re.Pattern[str]]] = {}
        self.never: dict[str, list[re.Pattern[str]]] = {}
        for spec in vertical.agents:
            for skill in spec.skills:
                self.owner[skill.name] = spec.name
                self.cues[skill.name] = [_compile(c) for c in skill.cues if not c.startswith("!")]
                soft = [c for c in skill.cues if c.startswith("!") and not c.startswith(HARD)]
                self.vetoes[skill.name] = [_compile(c[1:]) for c in soft]
                self.never[skill.name] = [_compile(c[2:]) for c in skill.cues if c.startswith(HARD)]
        self.tools = list(self.owner)
        # Each agent's branch (its own tools and its team's), and the handoff back up.
        self.branch = {spec.name: set(vertical.branch(spec.name)) for spec in vertical.agents}
        self.by_handoff = {handoff_name(spec.name): spec.name for spec in vertical.agents}
        self.above: dict[str, str | None] = {
            spec.name: (p.name if (p := vertical.parent(spec.name)) else None) for spec in vertical.agents
        }
        texts, wanted = training_set(vertical, self.tools)
        seen = Counter(w for text in texts for w in set(words(text)))
        self.vocabulary = {w: i for i, w in enumerate(sorted(w for w, n in seen.items() if n >= 2))}
        self.matrix = np.asarray(self.embedder.embed_sync(texts), dtype=np.float64)
        self.weights, self.bias = _fit(self._features(self.matrix, texts), wanted)
        self.off_topic = np.asarray(self.embedder.embed_sync(list(vertical.off_topic)), np.float64)
        self._cache: dict[str, np.ndarray] = {}

    async def embedding(self, utterance: str) -> list[float]:
        """The utterance's embedding, computed off the event loop and kept for routing (the
        turn context searches memory with the same vector: one embedding per turn)."""
        if utterance not in self._cache:
            vector = (await self.embedder.create_batch([utterance]))[0]
            self._keep(utterance, np.asarray(vector, np.float64))
        return [float(x) for x in self._cache[utterance]]

    def _keep(self, utterance: str, vector: np.ndarray) -> None:
        if len(self._cache) > 4096:
            self._cache.clear()
        self._cache[utterance] = vector

    def vector(self, utterance: str) -> np.ndarray:
        if utterance not in self._cache:
            self._keep(utterance, np.asarray(self.embedder.embed_sync([utterance])[0], np.float64))
        return self._cache[utterance]

    def _features(self, vectors: np.ndarray, texts: list[str]) -> np.ndarray:
        """[scaled embedding | a cue of tool t heard | a veto of tool t heard | words] per text."""
        heard = np.array(
            [
                [float(any(c.search(text) for c in self.cues[t])) for t in self.tools]
                + [float(any(v.search(text) for v in self.vetoes[t])) for t in self.tools]
                for text in texts
            ]
        )
        said = np.zeros((len(texts), len(self.vocabulary)))
        for row, text in enumerate(texts):
            for w in words(text):
                if w in self.vocabulary:
                    said[row, self.vocabulary[w]] = 1.0
        said /= np.maximum(1.0, np.linalg.norm(said, axis=1, keepdims=True))
        return np.hstack([SCALE * vectors, heard, WORDS * said])

    def probabilities(self, utterance: str) -> dict[str, float]:
        """How likely each tool of the vertical is what the caller wants; a tool whose hard veto
        is heard is out, whatever the embedding says."""
        features = self._features(self.vector(utterance)[None, :], [utterance])
        probs = dict(zip(self.tools, _softmax(features @ self.weights + self.bias)[0].tolist(), strict=True))
        ruled_out = {t for t in self.tools if any(v.search(utterance) for v in self.never[t])}
        left = sum(p for t, p in probs.items() if t not in ruled_out)
        if not ruled_out or left <= 0:
            return probs
        return {t: (0.0 if t in ruled_out else p / left) for t, p in probs.items()}

    def fits(self, utterance: str) -> bool:
        """Something in the vertical is close enough to what was said (or a cue word is heard),
        and nearer than anything off topic."""
        if self.off_topic_said(utterance):  # unless a cue is heard ("make it 2pm, forgot i have netball")
            return self.cued_any(utterance)
        return float((self.matrix @ self.vector(utterance)).max()) >= THRESHOLD or self.cued_any(utterance)

    def cued_any(self, utterance: str) -> bool:
        """A cue word of some tool is heard."""
        return any(c.search(utterance) for cues in self.cues.values() for c in cues)

    def off_topic_said(self, utterance: str) -> bool:
        """Nearer to something off topic (the footy, the weather) than to any skill's example."""
        vector = self.vector(utterance)
        return bool(len(self.off_topic)) and float((self.off_topic @ vector).max()) > float(
            (self.matrix @ vector).max()
        )

    def up(self, agent: str) -> str | None:
        """The handoff back up from ``agent`` (None at the root)."""
        above = self.above.get(agent)
        return handoff_name(above) if above else None

    def reach(self, agent: str, target: str) -> set[str]:
        """The tools a handoff from ``agent`` leads to: down, the target's branch; back up,
        everything outside ``agent``'s own."""
        if target == self.up(agent):
            return set(self.tools) - self.branch[agent]
        return self.branch.get(self.by_handoff.get(target, ""), set())

    def scores(self, utterance: str, candidates: set[str], agent: str | None = None) -> dict[str, float]:
        """Each candidate's probability: a tool's own, a handoff's best tool's."""
        agent = agent or self.root
        probs = self.probabilities(utterance)
        own = {t for t in candidates if t in probs}
        if own and agent != self.root and not self._elsewhere(utterance, probs, own):
            # A specialist holds the conversation: weigh its tools by the prior odds.
            probs = {t: p * (STAY if t in own else 1.0) for t, p in probs.items()}
            total = sum(probs.values())
            probs = {t: p / total for t, p in probs.items()}
        out: dict[str, float] = {t: probs[t] for t in own}
        for target in candidates - own:
            out[target] = max((probs[t] for t in self.reach(agent, target)), default=0.0)
        return out

    def _elsewhere(self, utterance: str, probs: dict[str, float], own: set[str]) -> bool:
        """Another agent's tool is cued, the likeliest, and none of the specialist's own is
        plausible ("book the cheaper one for sat 2pm" heard by Property Search): no prior keeps it."""
        likeliest = max(probs, key=lambda t: probs[t])
        return (
            likeliest not in own
            and self.cued(likeliest, utterance)
            and max(probs[t] for t in own) < IMPLAUSIBLE
        )

    def route(
        self, utterance: str, candidates: set[str], agent: str | None = None, *, on_topic: bool = False
    ) -> Route:
        """The likeliest candidate, when the utterance fits the vertical (``on_topic``: it is
        known to, it names one of the tenant's homes)."""
        scores = self.scores(utterance, candidates, agent)
        if not scores:
            return Route(None, 0.0)
        target = max(scores, key=lambda k: scores[k])
        return Route(target if on_topic or self.fits(utterance) else None, scores[target])

    def cued(self, tool: str, utterance: str) -> bool:
        """One of the tool's own cue words was heard."""
        return any(c.search(utterance) for c in self.cues.get(tool, []))

    def domain_of(self, utterance: str) -> str | None:
        """The tool the caller wants, whoever owns it (the intent of a handoff)."""
        if not self.fits(utterance):
            return None
        probs = self.probabilities(utterance)
        return max(probs, key=lambda k: probs[k])


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)
