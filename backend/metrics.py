"""Prometheus metrics (served at /metrics)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import Counter, Gauge, Histogram

if TYPE_CHECKING:
    from backend.agents.runner import TurnResult

_MS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

TURN_LATENCY = Histogram("switchboard_turn_seconds", "End-to-end turn latency", ["agent"], buckets=_MS)
HANDOFFS = Counter("switchboard_handoffs_total", "Handoffs between agents", ["to_agent"])
TOOL_CALLS = Counter("switchboard_tool_calls_total", "Tool calls", ["tool"])
VOICE_STAGE = Histogram(
    "switchboard_voice_stage_seconds", "Phone turn stages (stt, agents, tts_first)", ["stage"], buckets=_MS
)
MEMORY_READ = Histogram("switchboard_memory_read_seconds", "Caller recall latency", buckets=_MS)
QUEUE_DEPTH = Gauge("switchboard_queue_depth", "Jobs waiting in the ingestion queue")


def observe_turn(result: TurnResult, latency_ms: float) -> None:
    TURN_LATENCY.labels(result.agent).observe(latency_ms / 1000)
    for handoff in result.handoffs:
        HANDOFFS.labels(str(handoff.get("to", "?"))).inc()
    for call in result.tool_calls:
        TOOL_CALLS.labels(call["tool"]).inc()
