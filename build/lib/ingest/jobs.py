"""The jobs workers run. The API enqueues them by name only."""

from __future__ import annotations

from typing import Any


async def ping(ctx: dict[str, Any]) -> str:
    """A no-op round trip through the queue, for health checks and tests."""
    return "pong"


FUNCTIONS = [ping]
