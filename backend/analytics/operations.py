"""How the agents ran: handoff paths, turn and memory-read latency, tool calls per call,
escalations and why, and what an LLM cost. All from the traces and calls in Postgres (the
calls held by the agents: history written by ``seed demo`` has no traces)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from backend.analytics.connect import Analyst

LLM_SPANS = ["response", "generation"]
"""Span kinds the Agents SDK writes for a model call; the policy model writes none."""


def _data(span: dict[str, Any]) -> dict[str, Any]:
    raw = span["data"]
    return json.loads(raw) if isinstance(raw, str) else dict(raw or {})


async def handoff_paths(a: Analyst) -> Counter[tuple[str, str]]:
    """(from agent, to agent) → handoffs, from the traces' handoff spans."""
    paths: Counter[tuple[str, str]] = Counter()
    for span in await a.spans("handoff"):
        d = _data(span)
        if d.get("from_agent") and d.get("to_agent"):
            paths[(d["from_agent"], d["to_agent"])] += 1
    return paths


def percentiles(values: list[float], ps: tuple[int, ...] = (50, 90, 95, 99)) -> dict[str, float]:
    """Nearest-rank percentiles (no interpolation: every figure is a measured value)."""
    if not values:
        return {}
    ordered = sorted(values)
    return {f"p{p}": ordered[min(len(ordered) - 1, max(0, -(-p * len(ordered) // 100) - 1))] for p in ps}


@dataclass(frozen=True)
class Latency:
    what: str
    samples: int
    p50: float
    p90: float
    p95: float
    p99: float


async def latencies(a: Analyst) -> list[Latency]:
    """Turn latency (the ``turn`` span: the agents' run of one caller line) and memory reads
    (the tools' ``memory.*`` spans), in milliseconds."""
    groups: dict[str, list[float]] = defaultdict(list)
    for span in await a.spans("turn", "custom", "function"):
        if span["duration_ms"] is None:
            continue
        if span["kind"] == "turn":
            groups["turn"].append(span["duration_ms"])
        elif span["kind"] == "custom" and (span["name"] or "").startswith("memory."):
            groups["memory read"].append(span["duration_ms"])
            groups[span["name"]].append(span["duration_ms"])
        elif span["kind"] == "function":
            groups["tool call"].append(span["duration_ms"])
    return [Latency(k, len(v), **percentiles(v)) for k, v in groups.items() if v]


async def turn_latencies(a: Analyst) -> dict[str, list[float]]:
    """The raw samples behind ``latencies`` (turns, memory reads), for a distribution plot."""
    out: dict[str, list[float]] = {"turn": [], "memory read": []}
    for span in await a.spans("turn", "custom"):
        if span["duration_ms"] is None:
            continue
        if span["kind"] == "turn":
            out["turn"].append(span["duration_ms"])
        elif (span["name"] or "").startswith("memory."):
            out["memory read"].append(span["duration_ms"])
    return out


async def tool_calls_per_call(a: Analyst) -> Counter[int]:
    """Tool calls in a call → calls, over the calls the agents held (with traces)."""
    traced = {s["call_id"] for s in await a.spans("turn")}
    per_call = Counter(s["call_id"] for s in await a.spans("function"))
    return Counter(per_call.get(c, 0) for c in traced)


async def tools_used(a: Analyst) -> Counter[str]:
    return Counter(s["name"] for s in await a.spans("function"))


@dataclass(frozen=True)
class Escalation:
    call_id: str
    trigger: str
    why: str


async def escalations(a: Analyst) -> list[Escalation]:
    """Calls handed to a person, with the brief's trigger and reason."""
    return [
        Escalation(c["call_id"], c["trigger"] or "?", c["why"] or "")
        for c in await a.calls()
        if c["escalated"]
    ]


@dataclass(frozen=True)
class CallCost:
    call_id: str
    model: str
    input_tokens: int
    output_tokens: int
    dollars: float


async def costs(a: Analyst) -> list[CallCost]:
    """Per call the agents held: the LLM's tokens × ``SWITCHBOARD_LLM_PRICES``; a call the
    policy model answered has no model spans and costs nothing (model ``policy``)."""
    traced = {s["call_id"] for s in await a.spans("turn")}
    tokens: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for span in await a.spans(*LLM_SPANS):
        d = _data(span)
        usage = d.get("usage") or (d.get("response") or {}).get("usage") or {}
        model = str(d.get("model") or (d.get("response") or {}).get("model") or a.settings.llm_model or "?")
        t = tokens[(span["call_id"], model)]
        t[0] += int(usage.get("input_tokens") or usage.get("prompt_tokens") or 0)
        t[1] += int(usage.get("output_tokens") or usage.get("completion_tokens") or 0)
    prices = a.settings.llm_prices
    out = []
    for (call_id, model), (i, o) in tokens.items():
        per_in, per_out = prices.get(model, (0.0, 0.0))
        out.append(CallCost(call_id, model, i, o, (i * per_in + o * per_out) / 1e6))
    priced = {c.call_id for c in out}
    out += [CallCost(c, "policy", 0, 0, 0.0) for c in sorted(traced - priced)]
    return out
