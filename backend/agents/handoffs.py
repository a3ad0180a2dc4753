"""Typed, recorded handoffs between agents."""

from __future__ import annotations

import uuid
from typing import Any

from agents import Agent, Handoff, RunContextWrapper, custom_span, handoff
from agents.realtime import RealtimeAgent, realtime_handoff
from pydantic import BaseModel, ConfigDict, Field

from backend.agents.context import CallContext, CeilingReached
from backend.outages import OUTAGES
from backend.pii import redact
from backend.store.traces import HANDOFF_PAYLOAD
from memory import Handoff as HandoffEpisode


class Slot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=40)
    value: str = Field(max_length=200)


class HandoffPayload(BaseModel):
    """What one agent tells the next: validated strictly at the boundary."""

    model_config = ConfigDict(extra="forbid")

    intent: str = Field(min_length=1, max_length=60, description="What the caller wants, e.g. book_viewing")
    slots: list[Slot] = Field(default_factory=list, max_length=20, description="Values already heard")
    fact_ids: list[str] = Field(default_factory=list, max_length=50, description="Memory facts relied on")
    episode_ids: list[str] = Field(default_factory=list, max_length=50)
    reason: str = Field(min_length=1, max_length=500, description="Why this agent is the right one")


def recorded_handoff(
    source: str, target: Agent[CallContext] | RealtimeAgent[CallContext], description: str
) -> Handoff[Any, Any]:
    """A handoff whose payload is checked, counted, traced and written to memory (between
    chat agents, or between realtime agents: the same record either way)."""

    async def on_handoff(ctx: RunContextWrapper[CallContext], payload: HandoffPayload) -> None:
        call = ctx.context
        call.state.handoffs += 1
        if call.state.handoffs > call.limits.max_handoffs:
            raise CeilingReached(f"more than {call.limits.max_handoffs} handoffs in this call")
        call.enter(target.name)
        record = {
            "from": source,
            "to": target.name,
            **payload.model_dump(exclude={"slots"}),
            "slots": {s.name: s.value for s in payload.slots},
        }
        call.turn.handoffs.append(record)
        call.emit({"type": "handoff", **record})
        with custom_span(HANDOFF_PAYLOAD, data=redact(record)):
            pass  # the SDK's handoff span names the agents; this one keeps the payload
        episode = call.episode(
            HandoffEpisode,
            f"{call.call_id}:handoff:{uuid.uuid4().hex[:12]}",
            from_agent=source,
            to_agent=target.name,
            intent=payload.intent,
            reason=payload.reason,
            fact_ids=payload.fact_ids,
            episode_ids=payload.episode_ids,
        )
        try:
            await call.memory.record(episode)
        except OUTAGES as exc:  # the call goes on; the payload is in the trace (Postgres)
            call.turn.errors.append(f"handoff not in memory: {type(exc).__name__}")

    if isinstance(target, RealtimeAgent):
        return realtime_handoff(
            target, input_type=HandoffPayload, on_handoff=on_handoff, tool_description_override=description
        )
    return handoff(
        target, input_type=HandoffPayload, on_handoff=on_handoff, tool_description_override=description
    )
