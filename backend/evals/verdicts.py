"""Judging one reply, greeting or read-back against a scenario's expectations.

Each function returns verdicts (an assertion's label and whether it held); the runner
keeps the first that failed. Nothing here does I/O."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from backend.evals import checks
from backend.evals.checks import Named
from backend.evals.scenario import (
    AfterCheck,
    CallState,
    FactExpect,
    GreetingExpect,
    HomeFilter,
    ListingsExpect,
    Persona,
    TurnExpect,
    ViewingAt,
)

BUSINESS_TZ = ZoneInfo("Australia/Sydney")
"""The default tenant's time zone: viewing times are said and checked in it."""


@dataclass(frozen=True)
class Verdict:
    assertion: str
    ok: bool


@dataclass
class Heard:
    """What the caller remembers of the call so far (for 'the first one')."""

    last_listing: list[Named] = field(default_factory=list)


def _v(assertion: str, ok: bool) -> Verdict:
    return Verdict(assertion, ok)


def _filter_text(want: HomeFilter) -> str:
    return ", ".join(f"{k}={v}" for k, v in want.model_dump(exclude_none=True).items())


def listing_verdicts(reply: str, want: ListingsExpect) -> Iterator[Verdict]:
    homes = checks.named_homes(reply)
    rule = _filter_text(want)
    for home in homes:
        if not any(checks.fits(h, want) for h in home.candidates):
            yield _v(f"listed homes fit {{{rule}}}: {checks.describe(home.candidates[0])} does not", False)
            return
    if len(homes) < want.at_least:
        yield _v(f"lists at least {want.at_least} home(s) fitting {{{rule}}}: it names {len(homes)}", False)
    elif not homes:
        ok = want.allow_none and checks.says(reply, "none_found")
        yield _v(f"lists homes fitting {{{rule}}} or says it found none", ok)
    else:
        yield _v(f"listed homes fit {{{rule}}}", True)


def _mentions_home(reply: str, want: HomeFilter) -> Verdict:
    named = checks.named_homes(reply)
    ok = any(checks.fits(h, want) for n in named for h in n.candidates)
    return _v(f"names a home fitting {{{_filter_text(want)}}}", ok)


def _refers_to(reply: str, n: int, heard: Heard) -> Verdict:
    if len(heard.last_listing) < n:
        return _v(f"names home #{n} of the last search (it listed {len(heard.last_listing)})", False)
    wanted = heard.last_listing[n - 1]
    named = {h for x in checks.named_homes(reply) for h in x.candidates}
    return _v(f"names home #{n} of the last search ({wanted.address})", bool(named & set(wanted.candidates)))


def _text_verdicts(reply: str, e: TurnExpect | GreetingExpect) -> Iterator[Verdict]:
    if e.contains:
        yield _v(f"reply contains any of {e.contains}", checks.contains_any(reply, e.contains))
    for phrase in e.excludes or []:
        yield _v(f"reply does not contain {phrase!r}", phrase.lower() not in reply.lower())
    for intent in e.says or []:
        yield _v(f"reply says {intent}", checks.says(reply, intent))


def turn_verdicts(e: TurnExpect, out: dict[str, Any], heard: Heard) -> Iterator[Verdict]:
    """Checks on one turn's JSON answer that need no further request."""
    reply = out.get("reply") or ""
    yield from _text_verdicts(reply, e)
    for phrase in e.contains_all or []:
        yield _v(f"reply contains {phrase!r}", phrase.lower() in reply.lower())
    if e.matches:
        yield _v(f"reply matches /{e.matches}/", bool(re.search(e.matches, reply, re.I)))
    for intent in e.not_says or []:
        yield _v(f"reply does not say {intent}", not checks.says(reply, intent))
    if e.money is not None:
        yield _v(f"reply mentions ${e.money:,.0f}", checks.mentions_money(reply, e.money))
    if e.any_money is not None:
        yield _v(f"reply mentions a dollar amount: {e.any_money}", bool(checks.amounts(reply)) == e.any_money)
    yield from _time_verdicts(reply, e)
    if e.reference is not None:
        got = bool(checks.REFERENCE.search(reply))
        yield _v(
            f"reply {'gives' if e.reference else 'gives no'} booking reference RE-YYYYMMDD-NNN",
            got == e.reference,
        )
    if e.listings:
        yield from listing_verdicts(reply, e.listings)
    if e.mentions_home:
        yield _mentions_home(reply, e.mentions_home)
    if e.names_homes is not None:
        named = [n.address for n in checks.named_homes(reply)]
        yield _v(
            f"reply {'names' if e.names_homes else 'names no'} homes (named {named})",
            bool(named) == e.names_homes,
        )
    if e.refers_to_listed:
        yield _refers_to(reply, e.refers_to_listed, heard)
    yield from _routing_verdicts(e, out)


def _time_verdicts(reply: str, e: TurnExpect) -> Iterator[Verdict]:
    said = checks.clock_times(reply)
    if e.time:
        yield _v(f"reply says {checks.spoken_time(e.time)} (local)", e.time in said)
    for t in e.not_times or []:
        yield _v(f"reply does not say {checks.spoken_time(t)}", t not in said)


def _routing_verdicts(e: TurnExpect, out: dict[str, Any]) -> Iterator[Verdict]:
    if e.agent:
        yield _v(
            f"answered by an agent like {e.agent!r} (got {out.get('agent')!r})",
            e.agent.lower() in str(out.get("agent", "")).lower(),
        )
    if e.handoff_to:
        targets = [str(h.get("to", "")) for h in out.get("handoffs") or []]
        yield _v(
            f"hands off to an agent like {e.handoff_to!r} (got {targets})",
            any(e.handoff_to.lower() in t.lower() for t in targets),
        )
    if e.tool:
        tools = [str(t.get("tool", "")) for t in out.get("tool_calls") or []]
        yield _v(
            f"calls a tool like {e.tool!r} (got {tools})", any(e.tool.lower() in t.lower() for t in tools)
        )
    if e.escalated is not None:
        yield _v(
            f"escalated is {e.escalated} (got {out.get('escalated')!r})",
            bool(out.get("escalated")) == e.escalated,
        )
    if e.brief is not None:
        yield _v(
            f"brief {'present' if e.brief else 'absent'} (got {out.get('brief')!r})",
            bool(out.get("brief")) == e.brief,
        )


def tool_call_shape(out: dict[str, Any]) -> Verdict:
    """Each tool call names its agent, tool and latency (documented; more keys may come)."""
    bad = [t for t in out.get("tool_calls") or [] if not {"agent", "tool", "latency_ms"} <= set(t)]
    return _v(f"tool_calls items have agent, tool, latency_ms (bad: {bad[:1]})", not bad)


def greeting_verdicts(
    e: GreetingExpect, started: dict[str, Any], persona: Persona, ids: Mapping[str, Collection[str | None]]
) -> Iterator[Verdict]:
    """``ids``: every caller id each persona's earlier calls got (a possible match gets one of
    its own until it is checked)."""
    greeting = started.get("greeting") or ""
    yield from _text_verdicts(greeting, e)
    caller = started.get("caller") or {}
    if e.names_caller is not None:
        first = (persona.name or "?").split()[0]
        yield _v(
            f"greeting {'names' if e.names_caller else 'does not name'} {first}",
            (first.lower() in greeting.lower()) == e.names_caller,
        )
    if e.returning is not None:
        yield _v(
            f"caller.returning is {e.returning} (got {caller.get('returning')!r})",
            bool(caller.get("returning")) == e.returning,
        )
    if e.same_caller_as:
        yield _v(
            f"same caller id as {e.same_caller_as}'s earlier call",
            caller.get("id") is not None and caller.get("id") in ids.get(e.same_caller_as, ()),
        )
    if e.different_caller_from:
        yield _v(
            f"a different caller id from {e.different_caller_from}'s",
            caller.get("id") is None or caller.get("id") not in ids.get(e.different_caller_from, ()),
        )


def call_state_verdicts(e: CallState, record: dict[str, Any]) -> Iterator[Verdict]:
    if e.status is not None:
        yield _v(
            f"GET /v1/calls/{{id}} status is {e.status!r} (got {record.get('status')!r})",
            record.get("status") == e.status,
        )
    if e.brief is not None:
        yield _v(f"GET /v1/calls/{{id}} has a brief: {e.brief}", bool(record.get("brief")) == e.brief)


def has_brief(event: Any) -> bool:
    """A non-empty ``brief`` anywhere in an event's payload."""
    if isinstance(event, dict):
        return bool(event.get("brief")) or any(has_brief(v) for v in event.values())
    if isinstance(event, list):
        return any(has_brief(v) for v in event)
    return False


# --- after the call ------------------------------------------------------------------------


def fact_matches(fact: dict[str, Any], want: FactExpect) -> bool:
    if fact.get("name") != want.name:
        return False
    value, obj = fact.get("value"), fact.get("object_name")
    if isinstance(want.value, float):
        try:
            if abs(float(value) - want.value) > 0.005 * abs(want.value):  # type: ignore[arg-type]
                return False
        except (TypeError, ValueError):
            return False
    elif isinstance(want.value, str) and want.value.lower() not in {str(value).lower(), str(obj).lower()}:
        return False
    if want.mentions:
        text = f"{fact.get('fact')} {obj} {value}".lower()
        return want.mentions.lower() in text
    return True


def _fact_text(want: FactExpect) -> str:
    value = f"={want.value:,.0f}" if isinstance(want.value, float) else f"={want.value}" if want.value else ""
    return f"{want.name}{value}{f' ~{want.mentions}' if want.mentions else ''}"


def fact_verdicts(facts: list[dict[str, Any]], check: AfterCheck, *, label: str) -> Iterator[Verdict]:
    for want in check.current_facts or []:
        yield _v(f"{label}: current fact {_fact_text(want)}", any(fact_matches(f, want) for f in facts))
    for want in check.not_current_facts or []:
        yield _v(
            f"{label}: no current fact {_fact_text(want)}", not any(fact_matches(f, want) for f in facts)
        )


def timeline_verdicts(facts: list[dict[str, Any]], check: AfterCheck, *, label: str) -> Iterator[Verdict]:
    for want in check.facts or []:
        yield _v(
            f"{label}: fact {_fact_text(want)} valid just after turn {check.facts_after_turn}",
            any(fact_matches(f, want) for f in facts),
        )


def viewing_verdicts(context: dict[str, Any], check: AfterCheck, *, label: str) -> Iterator[Verdict]:
    bookings = context.get("upcoming_bookings") or []
    if check.upcoming_viewings is not None:
        yield _v(
            f"{label}: {check.upcoming_viewings} upcoming viewing(s) (got {len(bookings)})",
            len(bookings) == check.upcoming_viewings,
        )
    if check.viewing_at:
        local = [t for t in (_local(b.get("starts_at")) for b in bookings) if t]
        got = [f"{t:%A %H:%M}" for t in local]
        yield _v(
            f"{label}: a viewing at {_when(check.viewing_at)} Sydney time (got {got})",
            any(_at(t, check.viewing_at) for t in local),
        )


def _local(starts_at: str | None) -> datetime | None:
    if not starts_at:
        return None
    return datetime.fromisoformat(starts_at.replace("Z", "+00:00")).astimezone(BUSINESS_TZ)


def _at(when: datetime, want: ViewingAt) -> bool:
    return f"{when:%H:%M}" == want.time and (want.weekday is None or f"{when:%A}" == want.weekday)


def _when(want: ViewingAt) -> str:
    return f"{want.weekday + ' ' if want.weekday else ''}{checks.spoken_time(want.time)}"
