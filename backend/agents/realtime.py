"""The vertical's agent tree as OpenAI Realtime agents: the same instructions (with the turn
context), tools, tool guardrails, recorded handoffs and output guardrail as chat's, for a
speech-to-speech model that runs the turns itself. What realtime sessions lack, and how the
bridge makes up for it, is in docs/voice.md."""

from __future__ import annotations

from agents.realtime import RealtimeAgent

from backend.agents.context import CallContext
from backend.agents.guardrails import grounded_reply
from backend.agents.hooks import observed
from backend.agents.vertical import Vertical, prepare_tools, wire, with_context

ON_THE_PHONE = (
    "You are speaking on the phone. Keep replies short and spoken: one or two sentences, no "
    "lists, no symbols; read at most three homes and offer more."
)


def build_realtime(vertical: Vertical) -> dict[str, RealtimeAgent[CallContext]]:
    prepare_tools(vertical)
    agents: dict[str, RealtimeAgent[CallContext]] = {
        spec.name: RealtimeAgent[CallContext](
            name=spec.name,
            instructions=with_context(f"{spec.instructions}\n\n{ON_THE_PHONE}"),
            tools=[observed(skill.tool, spec.name) for skill in spec.skills],
            output_guardrails=[grounded_reply],
        )
        for spec in vertical.agents
    }
    wire(vertical, agents)
    return agents
