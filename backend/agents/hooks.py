"""What each tool call leaves in the call's turn log (counted, timed, grounded, streamed), for
the chat runner (as run hooks) and for realtime sessions (which have no hooks: their tools are
wrapped instead)."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from agents import Agent, FunctionTool, RunContextWrapper, RunHooks, Tool

from backend.agents.context import CallContext
from backend.agents.guardrails import ground
from backend.agents.policy.model import tool_result


def tool_started(call: CallContext, agent: str, tool: str) -> float:
    """Count the call against the call's ceiling; the start time."""
    call.count_tool_call(tool)
    call.emit({"type": "tool_started", "agent": agent, "tool": tool})
    return time.perf_counter()


def tool_ended(call: CallContext, agent: str, tool: str, result: Any, started: float) -> None:
    """Ground the reply in the result (the prices a reply may quote) and log the call."""
    ground(call, result)
    call.state.last_tool = tool
    output = tool_result(result)
    said = output if isinstance(output, dict) else {}
    record = {
        "agent": agent,
        "tool": tool,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        "from_memory": said.get("from_memory", []),
        "failure": said.get("failure"),
    }
    call.turn.tool_calls.append(record)
    call.emit({"type": "tool", **record})


class TurnHooks(RunHooks[CallContext]):
    """The chat runner's: agent changes and tool calls, as they happen."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}

    async def on_agent_start(self, context: RunContextWrapper[CallContext], agent: Agent[Any]) -> None:
        context.context.emit({"type": "agent_updated", "agent": agent.name})

    async def on_tool_start(
        self, context: RunContextWrapper[CallContext], agent: Agent[Any], tool: Tool
    ) -> None:
        self.started[tool.name] = tool_started(context.context, agent.name, tool.name)

    async def on_tool_end(
        self, context: RunContextWrapper[CallContext], agent: Agent[Any], tool: Tool, result: str
    ) -> None:
        started = self.started.pop(tool.name, time.perf_counter())
        tool_ended(context.context, agent.name, tool.name, result, started)


def observed(tool: FunctionTool, agent: str) -> FunctionTool:
    """``tool`` for a realtime agent: the same tool, logged as the chat runner's hooks log it.
    Grounding happens before the result goes back to the model, so the output guardrail, which
    checks the reply as it is spoken, already knows the prices the reply may quote."""
    invoke = tool.on_invoke_tool

    async def logged(ctx: Any, arguments: str) -> Any:
        started = tool_started(ctx.context, agent, tool.name)
        result = await invoke(ctx, arguments)
        tool_ended(ctx.context, agent, tool.name, result, started)
        return result

    return dataclasses.replace(tool, on_invoke_tool=logged)
