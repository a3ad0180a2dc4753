"""Running one turn of a call through the agent tree, within its ceilings."""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from agents import (
    Agent,
    InputGuardrailTripwireTriggered,
    MaxTurnsExceeded,
    Model,
    ModelBehaviorError,
    OutputGuardrailTripwireTriggered,
    RawResponsesStreamEvent,
    RunConfig,
    Runner,
)
from agents.realtime import RealtimeAgent
from openai.types.responses import ResponseTextDeltaEvent as TextDelta

from backend.agents import sdk, tracing, turn_context
from backend.agents.clock import UTC_ZONE
from backend.agents.context import CallContext, CeilingReached
from backend.agents.gazetteer import Gazetteer
from backend.agents.guardrails import ground
from backend.agents.hooks import TurnHooks
from backend.agents.policy.model import PolicyModel
from backend.agents.policy.router import Router
from backend.agents.realtime import build_realtime
from backend.agents.streaming import ReplyStream
from backend.agents.tools import identity, people
from backend.agents.tools.failures import UNEXPECTED, cause_of
from backend.agents.vertical import Vertical, build
from backend.store import Database
from memory import CallerIdentified, Identification, MalformedPhone, Memory
from memory.embedder import MiniLMEmbedder
from memory.phones import to_e164

log = structlog.get_logger(__name__)

CIVIL = "I'm happy to help, but let's keep it civil. What can I do for you?"
UNGROUNDED = "Let me check that properly before I quote anything. Could you tell me which home you mean?"
NOT_FOR_CALLERS = "That's a detail only our team can see, sorry. What else can I help you with?"
"""What a caller hears instead of a reply that held an internal id."""
BRINGING_IN = (
    "I'm going to bring in one of our team to help with this. They'll have the details of this call."
)
GUARDRAIL_STRIKES = 2
"""Turns stopped by the input guardrail (abuse, injection, in any mix) after which the call goes
to a person: the first gets a warning, the second a transfer."""
NAMES_TTL_S = 60.0
"""How stale a tenant's gazetteer may be (a listing import shows within this)."""
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
    context: dict[str, Any] | None = None
    """The turn context's record (ids read and their known_at), kept with the turn."""
    context_ms: float = 0.0
    """Time spent assembling the turn context."""
    streamed: str = ""
    """What of the reply was released as the model wrote it (a prefix of ``reply``, unless a
    guardrail or a ceiling replaced the reply after)."""


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
        memory_budget_s: float = 0.15,
        neighbours: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.vertical = vertical
        self.memory = memory
        self.db = db
        self.memory_budget_s = memory_budget_s
        """How long a turn may wait for snippets of earlier calls (facts are always read)."""
        self.neighbours = vertical.neighbours if neighbours is None else neighbours
        self._shared_embedder = isinstance(memory.embedder, MiniLMEmbedder)
        """Routing and memory embed alike: one vector per utterance serves both."""
        sdk.install()
        self.agents = build(vertical)
        self.router = Router(
            vertical, memory.embedder if isinstance(memory.embedder, MiniLMEmbedder) else None
        )
        self.model = model
        """An LLM; None means the policy model. Either way the policy model is the fallback."""
        self.traces = tracing.install(upload=upload_traces)
        self._flushing: set[asyncio.Task[int]] = set()
        self._names: dict[str, tuple[float, Gazetteer]] = {}
        self._loading: dict[str, asyncio.Task[Any]] = {}

    @functools.cached_property
    def realtime_agents(self) -> dict[str, RealtimeAgent[CallContext]]:
        """The tree as realtime agents, for phone calls a realtime model answers."""
        return build_realtime(self.vertical)

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
        tz: ZoneInfo = UTC_ZONE,
        identify: bool = True,
        phone_verified: bool = False,
    ) -> CallContext:
        """Recognize the caller (or identify a new one) and prepare the call's context;
        ``tz``: the tenant's business time zone (spoken times are read and said in it).
        ``identify`` False: a new caller is not recorded here; whoever opens the call calls
        ``identify`` once its own writes are in (a call start is all or nothing).
        ``phone_verified``: ``phone`` is the telephony caller id (voice), not typed. Only a
        verified match becomes the call's caller; a possible one (a name, a typed number, an
        email) gets a new caller of its own, linked for analysts, until a step-up check."""
        found = await self.memory.identify(
            group_id, phone=phone, name=name, email=email, caller_id=caller_id, phone_verified=phone_verified
        )
        known = found.caller
        if known is None:
            caller_id = caller_id or f"caller-{uuid.uuid4().hex[:12]}"
        call = CallContext(
            group_id=group_id,
            call_id=call_id,
            memory=self.memory,
            db=self.db,
            now=now,
            tz=tz,
            caller_id=known.caller.id if known else caller_id,
            caller=known,
            candidates=found.possible,
            identity=found,
            phone_verified=phone_verified,
            shown=self.vertical.results,
        )
        call.state.candidates = identity.candidates_of(found, self._e164(phone), email)
        if known is not None:
            await identity.read_out_before(call)
        if identify:
            await self.identify(call, name=name, phone=phone, email=email)
        await self.refresh(call)
        return call

    def _e164(self, phone: str | None) -> str | None:
        try:
            return to_e164(phone, self.memory.region) if phone else None
        except MalformedPhone:
            return None

    async def identify(
        self, call: CallContext, *, name: str | None, phone: str | None, email: str | None
    ) -> None:
        """Make a caller memory did not recognize known to it (nothing for a known caller), with
        a possible-duplicate link to each caller they may be. A number or email on file for
        someone else is not taken from them: a verified number given with a name is linked as one
        this caller also uses (a household's phone); otherwise it is left out (it is in the link)."""
        if call.caller is not None:
            return
        found = call.identity or Identification()
        held_phone = bool(phone) and found.phone_held
        # A household member says who they are; a nameless call from a shared number links nothing.
        shared = held_phone and call.phone_verified and bool(name)
        episode = CallerIdentified(
            id=f"{call.call_id}:identified",
            group_id=call.group_id,
            valid_at=call.now,
            call_id=call.call_id,
            caller_id=call.caller_id,
            name=name,
            phone=None if held_phone and not shared else phone,
            phone_shared=shared,
            email=None if found.email_held else email,
        )
        assert call.caller_id is not None
        links = identity.links(call.group_id, call.call_id, call.now, call.caller_id, found)
        await self.memory.record_many([episode, *links])

    async def refresh(self, call: CallContext) -> None:
        """The names slot filling matches against (the vertical's gazetteer), per tenant,
        re-read in the background once older than NAMES_TTL_S (stale-while-revalidate)."""
        group = call.group_id
        cached = self._names.get(group)
        if cached is None:
            cached = await self._load_names(group)
        elif time.monotonic() - cached[0] > NAMES_TTL_S and group not in self._loading:
            self._loading[group] = task = asyncio.create_task(self._load_names(group))
            task.add_done_callback(lambda _: self._loading.pop(group, None))
        names = cached[1]
        call.suburbs, call.addresses, call.localities = names.suburbs, names.addresses, names.localities
        call.neighbours = self.neighbours

    async def _load_names(self, group: str) -> tuple[float, Gazetteer]:
        loaded = (time.monotonic(), await self.vertical.gazetteer(self.memory, group))
        self._names[group] = loaded
        return loaded

    async def turn(self, call: CallContext, text: str, agent_name: str) -> TurnResult:
        """Run one caller turn from ``agent_name`` (the call's owner); store its trace."""
        try:
            result = await self._turn(call, text, agent_name)
            if result.brief is not None:
                await self.remember_transfer(call, result)
            return result
        finally:  # off the turn's path; settle() waits for it
            task = asyncio.create_task(self.traces.flush(self.db))
            self._flushing.add(task)
            task.add_done_callback(self._flushed)

    def _flushed(self, task: asyncio.Task[int]) -> None:
        self._flushing.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            # A lost trace is an analytics gap, not a failed turn: said once, with its cause.
            log.warning("trace flush failed", error=type(error).__name__, detail=str(error)[:200])

    async def settle(self) -> None:
        """Wait until every finished turn's trace is in Postgres."""
        await asyncio.gather(*self._flushing, return_exceptions=True)

    async def _turn(self, call: CallContext, text: str, agent_name: str) -> TurnResult:
        call.state.turns += 1
        call.turn = type(call.turn)()
        call.state.speaking = identity.on_the_phone(call, text)
        agent = self.agents.get(agent_name, self.agents[self.vertical.root.name])
        history = [*call.state.history, {"role": "user", "content": text}]
        await self.assemble(call, text)
        if call.caller:
            ground(call, [f.value for f in call.caller.facts])
        try:
            call.enter(agent.name)
            result = await self._run(agent, history, call, self.model)
        except (CeilingReached, MaxTurnsExceeded) as exc:
            return self._escalate(call, str(exc))
        except InputGuardrailTripwireTriggered as exc:
            return self._screened(call, exc.guardrail_result.output.output_info, agent.name)
        except OutputGuardrailTripwireTriggered as exc:
            problem = exc.guardrail_result.output.output_info
            call.turn.errors.append(f"output guardrail: {problem}")
            return self.result(call, _unsafe_reply(problem), agent.name)
        except ModelBehaviorError as exc:
            call.turn.errors.append(f"rejected: {exc}")
            return self.result(call, "Sorry, I couldn't pass that on. Could you say it again?", agent.name)
        if not str(result.final_output or "").strip() and self.model is not None:
            call.turn.errors.append("LLM gave no reply, policy model answered")  # never silence
            result = await self._run(agent, history, call, None)
        call.state.history = result.to_input_list()[-HISTORY:]
        return self.result(call, str(result.final_output or ""), result.last_agent.name)

    async def assemble(self, call: CallContext, text: str) -> None:
        """The turn context, read once before the model runs: facts as known now (every tool
        defaults from them), snippets of earlier calls within the memory budget."""
        call.context = await turn_context.assemble(
            self.memory,
            call.group_id,
            call.caller_id,
            call.call_id,
            text,
            call.state.working_set(),
            known_at=datetime.now(UTC),
            budget_s=self.memory_budget_s,
            embed=self.router.embedding if self._shared_embedder else None,
            cached=call.caller,
        )
        if call.context.degraded:
            call.turn.errors.append("memory unreachable: the turn used the caller context cached at start")
        call.caller = call.context.caller or call.caller
        if not call.context.degraded:  # a rebuilt call knows its possible matches by id only
            await identity.load(call)

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
            run = Runner.run_streamed(
                agent,
                history,
                context=call,
                max_turns=call.limits.max_turns,
                run_config=config,
                hooks=TurnHooks(),
            )
            reply = ReplyStream(call)
            async for event in run.stream_events():
                if isinstance(event, RawResponsesStreamEvent) and isinstance(event.data, TextDelta):
                    reply.feed(event.data.delta)
            return run
        except (
            CeilingReached,
            MaxTurnsExceeded,
            ModelBehaviorError,
            InputGuardrailTripwireTriggered,
            OutputGuardrailTripwireTriggered,
        ):
            raise
        except Exception as exc:  # an LLM failure of any kind: answer deterministically
            if ceiling := cause_of(exc, CeilingReached):
                raise ceiling from None  # raised in a hook or a tool, wrapped by the SDK
            if model is None:
                raise
            call.turn.errors.append(f"LLM failed, policy model answered: {type(exc).__name__}")
            return await self._run(agent, history, call, None)

    def _screened(self, call: CallContext, verdict: str, agent: str) -> TurnResult:
        """A turn the input guardrail stopped; the call's second such turn goes to a person."""
        call.turn.errors.append(f"input guardrail: {verdict}")
        call.state.flagged += 1
        if call.state.flagged >= GUARDRAIL_STRIKES:
            return self._escalate(call, f"guardrail: {verdict} ({call.state.flagged} turns)", "guardrail")
        # Off topic: what the line can do, as its front desk says it.
        return self.result(call, CIVIL if verdict == "abuse" else self.vertical.root.fallback, agent)

    def _escalate(self, call: CallContext, why: str, trigger: people.Trigger = "ceiling") -> TurnResult:
        """The loop guard's, the ceilings' and the guardrail's answer: never an exception to the
        caller, always a transfer to a person with a brief."""
        call.turn.transfer = people.brief(call, why, trigger)
        call.turn.errors.append(why)
        return self.result(call, people.transfer_reply(call, BRINGING_IN), self.vertical.escalation)

    async def remember_transfer(self, call: CallContext, result: TurnResult) -> None:
        """The transfer as an Escalated episode; a memory failure must not undo the transfer
        (Postgres holds it), so it is reported on the turn instead of raised."""
        assert result.brief is not None
        try:
            await people.record_escalation(call, result.brief, result.agent)
        except Exception as exc:
            result.errors.append(f"escalation not recorded in memory: {type(exc).__name__}")

    @staticmethod
    def result(call: CallContext, reply: str, agent: str) -> TurnResult:
        """The turn's result as the call's turn log holds it."""
        context = call.context
        return TurnResult(
            reply=reply,
            agent=agent,
            handoffs=list(call.turn.handoffs),
            tool_calls=list(call.turn.tool_calls),
            facts_used=list(dict.fromkeys(call.turn.facts_used)),
            errors=list(call.turn.errors),
            escalated=call.turn.transfer is not None,
            brief=call.turn.transfer,
            context=context.record() if context else None,
            context_ms=context.assembly_ms if context else 0.0,
            streamed=call.turn.streamed,
        )


def _unsafe_reply(problem: dict[str, Any]) -> str:
    """What the caller hears instead of a reply the output guardrail stopped."""
    if problem.get("sdk_error"):
        return UNEXPECTED
    if problem.get("unverified_facts"):
        return identity.NOT_YET
    if problem.get("internal_ids"):
        return NOT_FOR_CALLERS
    return UNGROUNDED
