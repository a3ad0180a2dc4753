"""Bodies of /healthz and /readyz."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from backend.health import Component


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    components: dict[str, Component]
    """By name: graph, queue, postgres, worker."""
