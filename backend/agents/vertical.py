"""A vertical is data: agents, their skills (tools with examples and reply
templates) and who hands off to whom, as a tree (a ladder of rungs: each agent hands
down to its team and back up to the agent above). ``build`` turns it into SDK agents;
a second vertical needs a new declaration and its tools, not new orchestration."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents import Agent, FunctionTool, RunContextWrapper
from agents.tool import set_function_tool_failure_error_function
from pydantic import BaseModel

from backend.agents.context import CallContext
from backend.agents.gazetteer import Gazetteer
from backend.agents.guardrails import grounded_reply, screen_input, side_effect_check
from backend.agents.handoffs import recorded_handoff
from backend.agents.tools.failures import spoken_failure
from memory import Memory

Reply = Callable[[dict[str, Any]], str]
Reader = Callable[[str, CallContext], Any]
"""Reads one tool parameter from what the caller said (None: not said)."""


async def _no_names(memory: Memory, group_id: str) -> Gazetteer:
    return Gazetteer()


@dataclass(frozen=True)
class Skill:
    """One tool of an agent, as the policy model needs it."""

    tool: FunctionTool
    examples: tuple[str, ...]
    """Things callers say that mean: use this tool."""
    reply: Reply
    """Turns the tool's result into what the policy model says."""
    side_effect: bool = False
    """It writes something (gets an idempotency key and a tool guardrail)."""
    cues: tuple[str, ...] = ()
    """Regular expressions of words that point at this tool; they add to its similarity.
    A pattern starting with ``!`` is a veto: "my viewing" is not a new booking."""
    confirm: Callable[[dict[str, Any]], str] | None = None
    """The question the policy model asks before running it when none of its cues was heard:
    what it undoes must not rest on likeness alone ("we were chatting about Balmain earlier")."""
    then: Callable[[dict[str, Any]], tuple[str, dict[str, Any]] | None] | None = None
    """What the policy model does next with this tool's result, instead of replying
    (noting a budget and a suburb is followed by a search)."""
    readers: Mapping[str, Reader] = field(default_factory=dict)
    """How the policy model reads this tool's own parameters, by name; the rest are read by
    name and type (money, times, suburbs, properties: ``policy.slots``)."""
    alone: Mapping[str, str] = field(default_factory=dict)
    """The parameters a whole number said alone after this tool may be, each with how it is
    said ("{n}% down", "over {n} years"): the caller is asked which ("Twenty-five.")."""

    @property
    def name(self) -> str:
        return self.tool.name


@dataclass(frozen=True)
class AgentSpec:
    name: str
    description: str
    """When to hand off to this agent (the handoff's description)."""
    instructions: str
    examples: tuple[str, ...] = ()
    """Things callers say that this agent (not its peers) should handle."""
    skills: tuple[Skill, ...] = ()
    fallback: str = "Sorry, I didn't catch that. Could you say it another way?"
    """What the policy model says when nothing fits."""
    team: tuple[AgentSpec, ...] = ()
    """The agents this one hands down to (a lead's specialists); they hand back up to it."""


@dataclass(frozen=True)
class Vertical:
    name: str
    root: AgentSpec
    """Owns intent and call state; the first agent of every call."""
    specialists: tuple[AgentSpec, ...]
    """The root's team: the first rung below it."""
    escalation: str
    """The specialist that reaches a human; the loop guard's destination."""
    greeting: Callable[[CallContext], str] = field(default=lambda ctx: "Hello, how can I help?")
    examples_file: Path | None = None
    """More examples, as JSON lines ``{"text", "tool"}`` (callers' phrasings gathered
    for the vertical), added to each tool's declared ones."""
    gazetteer: Callable[[Memory, str], Awaitable[Gazetteer]] = _no_names
    """Reads a tenant's place names from its graph (re-read every minute or so)."""
    neighbours: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Which suburbs border which (widening a search adds them); settings may replace it."""
    results: type[BaseModel] | None = None
    """What its tools read out as a list (listings), kept between turns for "the second one"."""
    readers: Mapping[str, Reader] = field(default_factory=dict)
    """How the policy model reads parameters many of its tools share (``property``,
    ``suburb``); a skill's own readers come first. ``pointed``: a home pointed at in so many
    words (an address, "the second one"), else None: such a turn is never off topic."""
    off_topic: tuple[str, ...] = ()
    """What callers say that no agent here handles (sport, the weather, a joke): nearer to
    one of these than to every skill's example, nothing fits and the agent says its fallback."""

    def readers_of(self, tool_name: str) -> dict[str, Reader]:
        skill = self.skill(tool_name)
        return {**self.readers, **(skill.readers if skill else {})}

    def examples(self, skill: Skill) -> tuple[str, ...]:
        return (*skill.examples, *self._gathered().get(skill.name, ()))

    def _gathered(self) -> dict[str, tuple[str, ...]]:
        if self.examples_file is None:
            return {}
        found: dict[str, list[str]] = {}
        for line in self.examples_file.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                found.setdefault(row["tool"], []).append(row["text"])
        return {tool: tuple(texts) for tool, texts in found.items()}

    @property
    def agents(self) -> tuple[AgentSpec, ...]:
        """Every agent of the tree, the root first, each before its team."""
        return _tree(self.root, self.specialists)

    def team(self, spec: AgentSpec) -> tuple[AgentSpec, ...]:
        return self.specialists if spec is self.root else spec.team

    def parent(self, name: str) -> AgentSpec | None:
        """The agent above ``name`` (None for the root)."""
        return next((s for s in self.agents if any(t.name == name for t in self.team(s))), None)

    def below(self, name: str) -> tuple[AgentSpec, ...]:
        """``name`` and every agent under it."""
        spec = self.spec(name)
        return _tree(spec, self.team(spec))

    def branch(self, name: str) -> list[str]:
        """The tools of ``name`` and of every agent under it."""
        return [skill.name for spec in self.below(name) for skill in spec.skills]

    def spec(self, name: str) -> AgentSpec:
        return next(s for s in self.agents if s.name == name)

    def skill(self, tool_name: str) -> Skill | None:
        for spec in self.agents:
            for skill in spec.skills:
                if skill.name == tool_name:
                    return skill
        return None


def _tree(top: AgentSpec, team: tuple[AgentSpec, ...]) -> tuple[AgentSpec, ...]:
    return (top, *(s for member in team for s in _tree(member, member.team)))


def build(vertical: Vertical) -> dict[str, Agent[CallContext]]:
    """SDK agents: each hands down to its team and back up to the agent above it."""
    prepare_tools(vertical)
    agents: dict[str, Agent[CallContext]] = {
        spec.name: Agent[CallContext](
            name=spec.name,
            instructions=with_context(spec.instructions),
            tools=[skill.tool for skill in spec.skills],
            # Every agent can start a turn (the owner resumes), and input guardrails run
            # only for the starting agent, output guardrails only for the last.
            input_guardrails=[screen_input],
            output_guardrails=[grounded_reply],
        )
        for spec in vertical.agents
    }
    wire(vertical, agents)
    return agents


def prepare_tools(vertical: Vertical) -> None:
    for spec in vertical.agents:
        for skill in spec.skills:
            # The SDK's generic failure text must never reach a caller.
            set_function_tool_failure_error_function(skill.tool, spoken_failure)
            if skill.side_effect:
                skill.tool.tool_input_guardrails = [side_effect_check]


def wire(vertical: Vertical, agents: Mapping[str, Any]) -> None:
    """The tree's handoffs: each agent down to its team and back up to the agent above."""
    for spec in vertical.agents:
        down = [recorded_handoff(spec.name, agents[m.name], m.description) for m in vertical.team(spec)]
        above = vertical.parent(spec.name)
        up = (
            [
                recorded_handoff(
                    spec.name,
                    agents[above.name],
                    f"Back to {above.name}: the caller wants something {spec.name} does not do.",
                )
            ]
            if above
            else []
        )
        agents[spec.name].handoffs = [*down, *up]


CONTEXT_BREAK = "\n\n"
"""Separates an agent's own instructions from the turn context appended to them."""


def with_context(instructions: str) -> Callable[[RunContextWrapper[CallContext], Any], str]:
    """An agent's instructions followed by the turn context (the facts and snippets it may
    rely on, with their ids), so an LLM acts on what memory knows and can cite it."""

    def render(ctx: RunContextWrapper[CallContext], agent: Any) -> str:
        context = ctx.context.context
        return f"{instructions}{CONTEXT_BREAK}{context.instructions()}" if context else instructions

    return render
