"""The agent tree: a vertical of SDK agents, its tools, the policy model, the runner."""

from backend.agents.runner import AgentRuntime, TurnResult

__all__ = ["AgentRuntime", "TurnResult"]
