"""The turn context: what every agent and tool may rely on in one turn, assembled once
before the model runs, from the graph (the caller's current facts, a few snippets of
earlier calls) and the call's working set. Every item carries its fact or episode id,
and the turn records those ids with the record time they were read at (``known_at``), so
the context can be read again later, bi-temporally, exactly as the agent saw it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend.outages import OUTAGES
from memory import CallerContext, Fact, Hit, Memory, UnknownEntity

Embed = Callable[[str], Awaitable[list[float]]]

SNIPPETS = 3
"""Snippets of earlier calls kept in a turn's context."""
MAX_CHARS = 1_500
"""The context an LLM reads in its instructions is cut to this many characters."""
FACTS_TIMEOUT_S = 2.0
"""How long a turn waits for the caller's facts before going on with the cached ones."""


@dataclass(frozen=True)
class Snippet:
    id: str
    text: str
    call_id: str | None


@dataclass
class TurnContext:
    known_at: datetime
    """The record time memory was read at: a later read at this time sees the same facts."""
    caller: CallerContext | None = None
    snippets: list[Snippet] = field(default_factory=list)
    working_set: dict[str, Any] = field(default_factory=dict)
    """The call's working set as it stood when the turn began."""
    assembly_ms: float = 0.0
    degraded: bool = False
    """Memory could not be read: ``caller`` is the context cached at the call's start."""

    @property
    def facts(self) -> list[Fact]:
        return self.caller.facts if self.caller else []

    def current(self, name: str) -> Fact | None:
        """The current fact of a functional type (``HAS_BUDGET``), if any."""
        return next((f for f in self.facts if f.name == name), None)

    def all(self, name: str) -> list[Fact]:
        return [f for f in self.facts if f.name == name]

    def record(self) -> dict[str, Any]:
        """What the turn keeps: the ids it relied on and when they were read."""
        return {
            "known_at": self.known_at.isoformat(),
            "fact_ids": [f.uuid for f in self.facts],
            "snippets": [s.__dict__ for s in self.snippets],
            "working_set": self.working_set,
        }

    def instructions(self) -> str:
        """The context as an LLM reads it: bounded, each line with its id to cite."""
        lines = ["What memory holds (cite ids in handoff payloads):"]
        lines += [f"- [{f.uuid}] {f.fact}" for f in self.facts]
        lines += [f"- [{s.id}] earlier call: {s.text}" for s in self.snippets]
        if shown := self.working_set.get("results"):
            listed = "; ".join(f"{i + 1}) {r['address']}" for i, r in enumerate(shown))
            lines.append(f"- read out this call: {listed}")
        return "\n".join(lines)[:MAX_CHARS]


async def assemble(
    memory: Memory,
    group_id: str,
    caller_id: str | None,
    call_id: str,
    utterance: str,
    working_set: dict[str, Any],
    *,
    known_at: datetime,
    budget_s: float,
    embed: Embed | None = None,
    cached: CallerContext | None = None,
) -> TurnContext:
    """The caller's facts (always) and snippets of earlier calls (within ``budget_s``).
    ``embed`` gives the utterance's vector when routing needs it too (computed once).
    With memory down (or slower than FACTS_TIMEOUT_S) the turn goes on with ``cached``."""
    began = time.perf_counter()
    context = TurnContext(known_at=known_at, working_set=working_set)
    if caller_id:
        recall = memory.recall_caller(group_id, caller_id=caller_id, as_of=known_at)
        search = asyncio.ensure_future(_snippets(memory, group_id, caller_id, call_id, utterance, embed))
        try:
            context.caller = await asyncio.wait_for(recall, FACTS_TIMEOUT_S)
        except UnknownEntity:  # erased during the call: nothing of theirs to rely on
            context.caller = None
        except OUTAGES:  # TimeoutError is an OSError
            search.cancel()
            context.caller, context.degraded = cached, True
        if not context.degraded:
            left = max(budget_s - (time.perf_counter() - began), 0)
            # past the budget (or with the search failing) the turn goes on without snippets
            with contextlib.suppress(*OUTAGES):  # TimeoutError among them
                context.snippets = await asyncio.wait_for(search, left)
    context.assembly_ms = (time.perf_counter() - began) * 1000
    return context


async def _snippets(
    memory: Memory, group_id: str, caller_id: str, call_id: str, query: str, embed: Embed | None
) -> list[Snippet]:
    vector = await embed(query) if embed else None
    hits: list[Hit] = await memory.earlier_turns(group_id, query, caller_id, call_id, SNIPPETS, vector)
    return [Snippet(id=h.uuid, text=h.text[:300], call_id=h.call_id) for h in hits if h.call_id]
