"""Guardrails: what callers may ask, what agents may say, what side effects may do."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

from agents import (
    Agent,
    GuardrailFunctionOutput,
    RunContextWrapper,
    input_guardrail,
    output_guardrail,
)
from agents.tool_guardrails import ToolGuardrailFunctionOutput, ToolInputGuardrailData, tool_input_guardrail

from backend import pii
from backend.agents.context import CallContext
from backend.agents.internal_ids import internal_ids
from backend.agents.tools import identity
from backend.agents.tools.failures import GENERIC_SDK_TEXT, NeedsVerification

_INJECTION = re.compile(
    r"ignore (all |the |your )?(previous|prior|above) (instructions|rules)|system prompt|you are now"
    r"|developer mode|jailbreak|disregard (your|the) (rules|instructions)|pretend (you are|to be)"
    r"|reveal (your|the) (prompt|instructions)",
    re.IGNORECASE,
)
_ABUSE = re.compile(r"\b(f+u+c+k+\w*|c+u+n+t+\w*|bitch\w*|wank\w*|retard\w*)\b", re.IGNORECASE)
_AMOUNT = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*(k|m|million)?", re.IGNORECASE)
MAX_DAYS_AHEAD = 90


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return " ".join(str(p.get("content", "")) if isinstance(p, dict) else str(p) for p in (value or []))


@input_guardrail(name="caller input", run_in_parallel=False)  # no tool may run before it
async def screen_input(
    ctx: RunContextWrapper[CallContext], agent: Agent[Any], input: Any
) -> GuardrailFunctionOutput:
    """Prompt injection and abuse stop the run; the runner answers deterministically."""
    items = input if isinstance(input, list) else [{"role": "user", "content": input}]
    last = next((i for i in reversed(items) if isinstance(i, dict) and i.get("role") == "user"), {})
    text = _text(last.get("content", ""))
    verdict = "injection" if _INJECTION.search(text) else "abuse" if _ABUSE.search(text) else None
    return GuardrailFunctionOutput(output_info=verdict, tripwire_triggered=verdict is not None)


def _amounts(text: str) -> set[int]:
    found = set()
    for number, scale in _AMOUNT.findall(text):
        value = float(number.replace(",", ""))
        value *= {"k": 1e3, "m": 1e6, "million": 1e6}.get(scale.lower(), 1)
        found.add(round(value))
    return found


@output_guardrail(name="grounded reply")
async def grounded_reply(
    ctx: RunContextWrapper[CallContext], agent: Agent[Any], output: Any
) -> GuardrailFunctionOutput:
    """No price that no tool or fact produced; no phone or email that is not the caller's; no
    fact of a caller this one only may be (a possible match, before a step-up check); no
    internal id (caller, call, booking, graph uuid) and no SDK error text, ever."""
    problem = reply_problem(ctx.context, str(output or ""))
    return GuardrailFunctionOutput(output_info=problem, tripwire_triggered=any(problem.values()))


def reply_problem(call: CallContext, text: str) -> dict[str, Any]:
    """What ``grounded_reply`` finds wrong with ``text`` (every value empty: nothing); also
    each clause of a streamed reply before it is released."""
    grounded = call.turn.grounding
    unknown_amounts = {a for a in _amounts(text) if a >= 100 and not any(abs(a - g) <= 1 for g in grounded)}
    facts = call.caller.facts if call.caller else []
    own = {str(f.value) for f in facts if f.name in {"HAS_EMAIL", "HAS_PHONE", "USES_PHONE"}}
    strangers = [x for x in (pii.phones(text) + pii.emails(text)) if x not in own]
    problem: dict[str, Any] = {"amounts": sorted(unknown_amounts), "contacts": strangers}
    problem.update(internal_problem(text))
    if unverified := identity.undisclosed(call, text, _amounts(text)):
        problem["unverified_facts"] = unverified  # how many, never which: this is logged
    return problem


def internal_problem(text: str) -> dict[str, Any]:
    """What of our internals a reply would let out: the kinds of internal id in it (never the
    ids: this is logged and traced) and whether it carries the SDK's generic tool-error text."""
    found: dict[str, Any] = {}
    if kinds := internal_ids(text):
        found["internal_ids"] = kinds
    if GENERIC_SDK_TEXT.lower() in text.lower():
        found["sdk_error"] = True
    return found


def ground(call: CallContext, result: Any) -> None:
    """Remember every number a tool returned (raw, or as written in a failure's question:
    "$2,300,000"): replies may quote those and nothing else."""
    text = str(result)
    call.turn.tool_output.append(text)
    for number in re.findall(r"\d+(?:\.\d+)?", text):
        value = float(number)
        if value >= 100:  # as small as the amounts checked: "$927 a week"
            call.turn.grounding.add(round(value))
    call.turn.grounding.update(a for a in _amounts(text) if a >= 100)


@tool_input_guardrail
def side_effect_check(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
    """Side effects need an identified caller who has not opted out, and sane arguments; a
    change to a booking needs a verified one."""
    call: CallContext = data.context.context
    if not call.caller_id:
        return ToolGuardrailFunctionOutput.reject_content("I need your name before I can do that.")
    args = json.loads(data.context.tool_arguments or "{}")
    if data.context.tool_name in identity.BOOKING_ACTIONS and identity.touches_theirs(call, args):
        # A possible match (a name, a typed number) never changes the booking of whom it may be.
        ask = NeedsVerification(identity.ask(call))
        return ToolGuardrailFunctionOutput.reject_content(json.dumps(ask.as_output()))
    facts = call.caller.facts if call.caller else []
    if any(f.name == "OPTED_OUT" for f in facts) and data.context.tool_name != "escalate_to_human":
        return ToolGuardrailFunctionOutput.reject_content(
            "You've asked us not to contact you, so I can't book that."
        )
    when = args.get("when")
    if when:
        try:
            moment = datetime.fromisoformat(when)
        except ValueError:
            return ToolGuardrailFunctionOutput.allow()  # spoken times are read by the tool itself
        # A time gone is the tool's to refuse: it tells the caller which time has passed.
        if moment.tzinfo and moment > call.now + timedelta(days=MAX_DAYS_AHEAD):
            return ToolGuardrailFunctionOutput.reject_content(
                f"Viewings can be booked up to {MAX_DAYS_AHEAD} days ahead. What day suits?"
            )
    return ToolGuardrailFunctionOutput.allow()
