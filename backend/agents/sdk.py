"""A workaround for openai-agents 0.24.0 (pinned), applied once when the runtime is built.

After every run that used a tool, the SDK snapshots its tool-use tracker and, for that,
rebuilds an identity map of the whole agent graph, normalizing every agent's definition
(instructions, tools, schemas) to sort same-named agents: about 40% of a policy-model
turn's CPU in our profile. Our agent graph is built once per process and never changes,
so the map is computed once per starting agent. tests/backend/agents/test_runner.py checks the cached
map equals the SDK's own.
"""

from __future__ import annotations

from typing import Any

import agents.run_internal.tool_use_tracker as tool_use_tracker
import agents.run_state as run_state
from agents import Agent
from agents import _run_state_agent_identity as identity

_original = identity._build_agent_identity_keys_by_id
_cache: dict[int, tuple[Agent[Any], dict[int, str]]] = {}


def _cached_identity_keys(initial_agent: Agent[Any]) -> dict[int, str]:
    hit = _cache.get(id(initial_agent))
    if hit is None or hit[0] is not initial_agent:  # keeps the agent alive: its id is never reused
        hit = (initial_agent, _original(initial_agent))
        _cache[id(initial_agent)] = hit
    return hit[1]


def install() -> None:
    for module in (tool_use_tracker, run_state):
        module._build_agent_identity_keys_by_id = _cached_identity_keys  # type: ignore[attr-defined]
