"""Liveness and readiness, with every component's status."""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import APIRouter, Response
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError

from backend.api.deps import Conns
from backend.api.schemas.health import Health
from backend.connections import Connections
from backend.health import CHECK_TIMEOUT_S, check_components
from backend.metrics import QUEUE_DEPTH

router = APIRouter(tags=["health"])


async def _report(conns: Connections) -> Health:
    components = await check_components(conns)
    return Health.model_validate(
        {
            "status": "ok" if all(c.ok for c in components) else "degraded",
            "components": {c.name: c.as_dict() for c in components},
        }
    )


@router.get("/healthz")
async def healthz(conns: Conns) -> Health:
    """The API is alive (always 200); the body says how each component is."""
    return await _report(conns)


@router.get(
    "/readyz",
    responses={503: {"model": Health, "description": "a component is not ready (the body says which)"}},
)
async def readyz(conns: Conns, response: Response) -> Health:
    """503 until every component answers."""
    health = await _report(conns)
    if health.status != "ok":
        response.status_code = 503
    return health


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(conns: Conns) -> Response:
    """Prometheus: turn latency, handoffs, tool calls, memory read latency, queue depth."""
    if conns.redis is not None:
        # The gauge keeps its last value while the queue is away; /readyz says why.
        with contextlib.suppress(RedisError, OSError, TimeoutError):
            depth = await asyncio.wait_for(conns.redis.zcard(conns.settings.queue_name), CHECK_TIMEOUT_S)
            QUEUE_DEPTH.set(depth)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
