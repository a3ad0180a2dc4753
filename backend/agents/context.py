"""What every agent, tool and guardrail of one call can see: the run context."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from backend.agents.clock import UTC_ZONE, BusinessHours
from backend.agents.turn_context import TurnContext
from backend.store import Database
from memory import CallerContext, Identification, Memory

E = TypeVar("E", bound=BaseModel)


def _ignore(event: dict[str, Any]) -> None:
    pass


class CeilingReached(RuntimeError):
    """A per-call or per-turn limit was hit; the turn ends in a deterministic escalation."""


@dataclass(frozen=True)
class Limits:
    max_turns: int = 8
    """Model calls in one turn (the SDK's max_turns)."""
    max_tool_calls: int = 40
    """Tool calls in one call."""
    max_handoffs: int = 20
    """Handoffs in one call."""
    max_visits: int = 2
    """Times one agent may be entered in one turn before the loop guard trips."""


_SHARED_ITEMS = frozenset({"history", "last_results"})


def text_of(item: Any) -> str:
    """The text of a conversation item (a caller's line, or the agent's)."""
    content = item.get("content") if isinstance(item, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


@dataclass
class CallState:
    """What the conversation so far has established (kept between turns)."""

    last_results: list[Any] = field(default_factory=list)
    """The last results read out (the vertical's ``Vertical.results`` models: listings), for
    "the second one"."""
    last_property: str | None = None
    last_booking: str | None = None
    last_loan: dict[str, Any] = field(default_factory=dict)
    """The terms of the last repayment worked out (price or loan, deposit as said, rate, years):
    a follow-up ("and over 25 years?", "what if rates went up to seven?") changes only what it says."""
    day_discussed: str | None = None
    """The local date (ISO) of the viewing time last asked for, booked or refused: "what about
    2pm then?" is on that day."""
    suburb_discussed: str | None = None
    """The suburb last named of a home or a search ("14 Curlewis St in Bondi"): what "there"
    means ("what have you got on Ocean Street there?")."""
    street_discussed: str | None = None
    """A street named that we list elsewhere ("74 Glenayr Ave in Bondi": we have it in Coogee):
    "the Coogee one" next is the home on it there."""
    speaking: str | None = None
    """The first name of someone with the caller who has taken the phone ("my wife Noelene wants
    a word" … "Hello, it's Noelene"): what we hold is said as the caller's, not as theirs."""
    homes_named: list[str] = field(default_factory=list)
    """The homes of ours named by address together ("13 Victoria Road and 32 Bay Street"): "the
    other one" is among them when none of them was read out."""
    search: dict[str, Any] = field(default_factory=dict)
    """The last search's criteria (suburbs, max_price, min_bedrooms): widening starts there."""
    widened: list[str] = field(default_factory=list)
    """The widening steps applied to that search, in order (price, bedrooms, suburbs)."""
    shortlist: list[str] = field(default_factory=list)
    """Property ids shortlisted in this call."""
    pending: dict[str, Any] | None = None
    """A tool call waiting for the caller's yes (``{"tool", "args"}``)."""
    last_tool: str | None = None
    """The last tool that ran ("and the second one?" asks it again about another home)."""
    turns: int = 0
    tool_calls: int = 0
    handoffs: int = 0
    tried: list[str] = field(default_factory=list)
    """What the agents did for this caller (tool names and outcomes), for a human's brief."""
    flagged: int = 0
    """Turns of this call the input guardrail stopped (abuse, injection); the second transfers."""
    candidates: list[dict[str, Any]] = field(default_factory=list)
    """Existing callers this one may be (``{"id", "matched_on", "confidence", "checks"}``): a
    name, a typed number or an email is no proof. Until a step-up check passes, nothing of
    theirs is said or changed; ``checks``: what may prove it ("phone_digits", "email", "text_code")."""
    step_up_failures: int = 0
    """Failed step-up checks in this call (a few, then no more tries)."""
    step_up_asked: bool = False
    """The last reply asked for the step-up check: digits or an email said next answer it."""
    after_check: str | None = None
    """What the caller asked that the step-up check stood in front of: answered once it passes."""
    text_code: dict[str, str] | None = None
    """The one-time code texted to a possible match's number on file (``{"caller_id", "salt",
    "digest", "expires"}``): the check for a caller with nothing else on file to ask for."""
    history: list[Any] = field(default_factory=list)
    """The conversation as model input items (an LLM reads it; the policy model reads the last).
    Not part of the working set: it is rebuilt from the transcript."""

    def working_set(self) -> dict[str, Any]:
        """Everything but the history, as JSON: stored with each turn, so any API process
        (or this one after a restart) takes the next turn where this one left off."""
        kept = {k: v for k, v in self.__dict__.items() if k not in {"history", "last_results"}}
        return {**kept, "results": [x.model_dump() for x in self.last_results]}

    def snapshot(self) -> CallState:
        """A copy to undo a turn with. The history and the read-out results are copied as
        lists, their items shared: a turn appends or replaces items, never edits one in
        place. (A deep copy of the growing history cost a turn about 1 ms of CPU.)"""
        kept = {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k not in _SHARED_ITEMS}
        return CallState(**kept, history=list(self.history), last_results=list(self.last_results))

    @classmethod
    def restore(cls, stored: dict[str, Any], results: type[BaseModel] | None = None) -> CallState:
        """The state a working set holds; ``results``: the model its read-out results are."""
        known = {k: v for k, v in stored.items() if k in cls.__dataclass_fields__}
        read_out = [results.model_validate(x) for x in stored.get("results", [])] if results else []
        return cls(**known, last_results=read_out)


@dataclass
class TurnLog:
    """What happened in one turn, for the API's answer and the trace."""

    visits: dict[str, int] = field(default_factory=dict)
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    facts_used: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    grounding: set[int] = field(default_factory=set)
    """Amounts tools returned this turn (and the caller's facts): a reply may quote only these."""
    tool_output: list[str] = field(default_factory=list)
    """What tools returned this turn, as text (a reply may repeat it)."""
    transfer: dict[str, Any] | None = None
    """The brief, when this turn hands the call to a person (a tool, a guardrail, a ceiling)."""
    streamed: str = ""
    """The reply's text already released to listeners as the model wrote it."""
    texts: list[tuple[str, str]] = field(default_factory=list)
    """Text messages to send before the reply is given (number, body): the call desk sends them."""


@dataclass
class CallContext:
    group_id: str
    call_id: str
    memory: Memory
    db: Database
    now: datetime
    """The call's clock (UTC): relative dates ("Saturday") are read against it in ``tz``."""
    tz: ZoneInfo = UTC_ZONE
    """The tenant's business time zone: spoken times are read and said in it."""
    hours: BusinessHours = field(default_factory=BusinessHours)
    on_call: bool = False
    """The tenant pages an on-call ladder on a transfer: a person is being fetched at any hour,
    so no after-hours reply is said."""
    channel: str = "voice"
    """How the caller reaches us ("voice", "chat")."""
    can_text: bool = False
    """The tenant can text callers (a Twilio account and number): a step-up check may send a code."""
    caller_id: str | None = None
    caller: CallerContext | None = None
    """The caller this call is about: a verified match, or a caller new with this call."""
    candidates: list[CallerContext] = field(default_factory=list)
    """The possible matches of ``state.candidates``, read from memory: never said to the caller,
    only checked against (the step-up check, the output guardrail)."""
    identity: Identification | None = None
    """What the evidence at the call's start pointed at (how a new caller is recorded)."""
    phone_verified: bool = False
    """The call's number is the telephony caller id (voice), not one the caller typed."""
    context: TurnContext | None = None
    """This turn's context (facts, snippets, working set), assembled before the model runs."""
    state: CallState = field(default_factory=CallState)
    turn: TurnLog = field(default_factory=TurnLog)
    limits: Limits = field(default_factory=Limits)
    suburbs: dict[str, str] = field(default_factory=dict)
    """Suburbs known to the graph, by key."""
    addresses: dict[str, str] = field(default_factory=dict)
    """Listing addresses known to the graph, by listing id."""
    localities: dict[str, str] = field(default_factory=dict)
    """The suburb of each listing, by listing id ("King St in Glebe")."""
    neighbours: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Which suburbs border which (widening a search adds them)."""
    emit: Callable[[dict[str, Any]], None] = _ignore
    """Where the run's events go as they happen (agent updated, handoff, tool): the API's stream."""
    shown: type[BaseModel] | None = None
    """The model of what the vertical reads out (``Vertical.results``): a known caller's last list
    is read back as it."""

    def known(self) -> CallerContext | None:
        """The caller as this turn read them (their facts, their bookings), else as the call has them."""
        return self.context.caller if self.context and self.context.caller else self.caller

    @property
    def thanked_for(self) -> str:
        """What a caller is thanked for: a chat is not thanked for calling."""
        return "getting in touch" if self.channel == "chat" else "calling"

    def episode(self, kind: type[E], id: str, **fields: Any) -> E:
        """An episode of this call: tenant, time, call and caller filled in."""
        common: dict[str, Any] = {"group_id": self.group_id, "valid_at": self.now, "call_id": self.call_id}
        if "caller_id" in kind.model_fields and "caller_id" not in fields:
            common["caller_id"] = self.caller_id
        return kind(id=id, **{**common, **fields})

    def count_tool_call(self, name: str) -> None:
        self.state.tool_calls += 1
        if self.state.tool_calls > self.limits.max_tool_calls:
            raise CeilingReached(f"more than {self.limits.max_tool_calls} tool calls in this call")

    def enter(self, agent: str) -> None:
        visits = self.turn.visits.get(agent, 0) + 1
        self.turn.visits[agent] = visits
        if visits > self.limits.max_visits:
            raise CeilingReached(f"loop: {agent} entered {visits} times in one turn")
