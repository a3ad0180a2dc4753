"""Bodies of /healthz and /readyz."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class ComponentStatus(BaseModel):
    name: str
    ok: bool
    version: str | None
    location: str
    """Where its data lives (never with credentials)."""
    detail: str
    fix: str | None = None
    """What to do when it is not ok."""


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    components: dict[str, ComponentStatus]
    """By name: graph, queue, postgres, worker."""
