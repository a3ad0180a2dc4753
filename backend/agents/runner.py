"""Running one turn of a call through the agent tree, within its ceilings."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agents import (
    Agent,
    InputGuardrailTripwireTriggered,
    MaxTurnsExceeded,
    Model,
    ModelBehaviorError,
    OutputGuardrailTripwireTriggered,
    RunConfig,
    RunContextWrapper,
    RunHooks,
    Runner,
    Tool,
)

from backend.agents import sdk, tracing
from backend.agents.context import CallContext, CeilingReached
from backend.agents.guardrails import ground
from backend.agents.policy.model import PolicyModel
from backend.agents.policy.router import Router
from backend.agents.tools import people
from backend.agents.vertical import Vertical, build
from backend.store import Database
from memory import CallerIdentified, Memory

ON_TOPIC = "I can help with buying, selling, viewings and home loans. What would you like to do?"
CIVIL = "I'm happy to help, but let's keep it civil. What can I do for you?"
UNGROUNDED = "Let me check that properly before I quote anything. Could you tell me which home you mean?"
NAMES_TTL_S = 60.0
"""How stale the suburb and address lists may be (a listing import shows within this)."""
HISTORY = 40
"""Conversation items kept between turns (what an LLM sees; the policy model reads the last)."""


@dataclass
class TurnResult:
    reply: str
    agent: str
    """The agent that owns the conversation now (persist it: the next turn resumes there)."""
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    facts_used: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    escalated: bool = False
    brief: dict[str, Any] | None = None


class _Hooks(RunHooks[CallContext]):
    """Counts tool calls against the call's ceiling and times each one."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}

    async def on_agent_start(self, context: RunContextWrapper[CallContext], agent: Agent[Any]) -> None:
        context.context.emit({"type": "agent_updated", "agent": agent.name})

    async def on_tool_start(
        self, context: RunContextWrapper[CallContext], agent: Agent[Any], tool: Tool
    ) -> None:
        context.context.count_tool_call(tool.name)
        self.started[tool.name] = time.perf_counter()
        context.context.emit({"type": "tool_started", "agent": agent.name, "tool": tool.name})

    async def on_tool_end(
        self, context: RunContextWrapper[CallContext], agent: Agent[Any], tool: Tool, result: str
    ) -> None:
        ground(context.context, result)
        elapsed = (time.perf_counter() - self.started.pop(tool.name, time.perf_counter())) * 1000
        call = {"agent": agent.name, "tool": tool.name, "latency_ms": round(elapsed, 2)}
        context.context.turn.tool_calls.append(call)
        context.context.emit({"type": "tool", **call})


class AgentRuntime:
    """The vertical's agents, router and models, shared by every call of a process."""

    def __init__(
        self,
        vertical: Vertical,
        memory: Memory,
        db: Database,
        model: Model | None = None,
        *,
        upload_traces: bool = False,
    ) -> None:
        self.vertical = vertical
        self.memory = memory
        self.db = db
        sdk.install()
        self.agents = build(vertical)
        self.router = Router(vertical)
        self.model = model
        """An LLM; None means the policy model. Either way the policy model is the fallback."""
        self.traces = tracing.install(upload=upload_traces)
        self._flushing: set[asyncio.Task[int]] = set()
        self._names: dict[str, tuple[float, dict[str, str], dict[str, str]]] = {}
        self._loading: dict[str, asyncio.Task[Any]] = {}

    async def open_call(
        self,
        group_id: str,
        call_id: str,
        *,
        now: datetime,
        caller_id: str | None = None,
        name: str | None = None,
        phone: str | None = None,
        email: str | None = None,
    ) -> CallContext:
        """Recognize the caller (or identify a new one) and prepare the call's context."""
        known = await self.memory.recall_caller(
            group_id, phone=phone, name=name, email=email, caller_id=caller_id
        )
        if known is None:
            caller_id = caller_id or f"caller-{uuid.uuid4().hex[:12]}"
            await self.memory.record(
                CallerIdentified(
                    id=f"{call_id}:identified",
                    group_id=group_id,
                    valid_at=now,
                    call_id=call_id,
                    caller_id=caller_id,
                    name=name,
                    phone=phone,
                    email=email,
                )
            )
        call = CallContext(
            group_id=group_id,
            call_id=call_id,
            memory=self.memory,
            db=self.db,
            now=now,
            caller_id=known.caller.id if known else caller_id,
            caller=known,
        )
        await self.refresh(call)
        return call

    async def refresh(self, call: CallContext) -> None:
        """The names slot filling matches against: suburbs and listing addresses, per tenant,
        re-read in the background once older than NAMES_TTL_S (stale-while-revalidate)."""
        group = call.group_id
        cached = self._names.get(group)
        if cached is None:
            cached = await self._load_names(group)
        elif time.monotonic() - cached[0] > NAMES_TTL_S and group not in self._loading:
            self._loading[group] = task = asyncio.create_task(self._load_names(group))
            task.add_done_callback(lambda _: self._loading.pop(group, None))
        call.suburbs, call.addresses = cached[1], cached[2]

    async def _load_names(self, group: str) -> tuple[float, dict[str, str], dict[str, str]]:
        loaded = (
            time.monotonic(),
            await self.memory.names(group, "Suburb"),
            await self.memory.names(group, "Property"),
        )
        self._names[group] = loaded
        return loaded

    async def turn(self, call: CallContext, text: str, agent_name: str) -> TurnResult:
        """Run one caller turn from ``agent_name`` (the call's owner); store its trace."""
        try:
            return await self._turn(call, text, agent_name)
        finally:  # off the turn's path; settle() waits for it
            task = asyncio.create_task(self.traces.flush(self.db))
            self._flushing.add(task)
            task.add_done_callback(self._flushing.discard)

    async def settle(self) -> None:
        """Wait until every finished turn's trace is in Postgres."""
        await asyncio.gather(*self._flushing, return_exceptions=True)

    async def _turn(self, call: CallContext, text: str, agent_name: str) -> TurnResult:
        call.state.turns += 1
        call.turn = type(call.turn)()
        agent = self.agents.get(agent_name, self.agents[self.vertical.root.name])
        history = [*call.state.history, {"role": "user", "content": text}]
        if call.caller:
            ground(call, [f.value for f in call.caller.facts])
        try:
            call.enter(agent.name)
            result = await self._run(agent, history, call, self.model)
        except (CeilingReached, MaxTurnsExceeded) as exc:
            return self._escalate(call, str(exc))
        except InputGuardrailTripwireTriggered as exc:
            verdict = exc.guardrail_result.output.output_info
            call.turn.errors.append(f"input guardrail: {verdict}")
            reply = CIVIL if verdict == "abuse" else ON_TOPIC
            return self._result(call, reply, agent.name)
        except OutputGuardrailTripwireTriggered as exc:
            call.turn.errors.append(f"output guardrail: {exc.guardrail_result.output.output_info}")
            return self._result(call, UNGROUNDED, agent.name)
        except ModelBehaviorError as exc:
            call.turn.errors.append(f"rejected: {exc}")
            return self._result(call, "Sorry, I couldn't pass that on. Could you say it again?", agent.name)
        call.state.history = result.to_input_list()[-HISTORY:]
        return self._result(call, str(result.final_output or ""), result.last_agent.name)

    async def _run(
        self, agent: Agent[CallContext], history: list[Any], call: CallContext, model: Model | None
    ) -> Any:
        policy = PolicyModel(self.vertical, self.router, call)
        config = RunConfig(
            model=model or policy,
            workflow_name=f"call {self.vertical.name}",
            group_id=call.call_id,
            trace_metadata={"group_id": call.group_id, "call_id": call.call_id},
            trace_include_sensitive_data=False,
        )
        try:
            return await Runner.run(
                agent,
                history,
                context=call,
                max_turns=call.limits.max_turns,
                run_config=config,
                hooks=_Hooks(),
            )
        except (
            CeilingReached,
            MaxTurnsExceeded,
            ModelBehaviorError,
            InputGuardrailTripwireTriggered,
            OutputGuardrailTripwireTriggered,
        ):
            raise
        except Exception as exc:  # an LLM failure of any kind: answer deterministically
            if ceiling := _cause(exc, CeilingReached):
                raise ceiling from None  # raised in a hook or a tool, wrapped by the SDK
            if model is None:
                raise
            call.turn.errors.append(f"LLM failed, policy model answered: {type(exc).__name__}")
            return await self._run(agent, history, call, None)

    def _escalate(self, call: CallContext, why: str) -> TurnResult:
        """The loop guard's and the ceilings' answer: never an exception to the caller."""
        brief = people.brief(call, why)
        call.turn.errors.append(why)
        result = self._result(
            call,
            "I'm going to bring in one of our team to help with this. They'll have the details of this call.",
            self.vertical.escalation,
        )
        result.escalated, result.brief = True, brief
        return result

    @staticmethod
    def _result(call: CallContext, reply: str, agent: str) -> TurnResult:
        return TurnResult(
            reply=reply,
            agent=agent,
            handoffs=list(call.turn.handoffs),
            tool_calls=list(call.turn.tool_calls),
            facts_used=list(dict.fromkeys(call.turn.facts_used)),
            errors=list(call.turn.errors),
        )


def _cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """``exc`` or the first exception of ``kind`` in its chain."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
