"""Liveness and readiness, with every component's status."""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError

from backend.health import CHECK_TIMEOUT_S, check_components
from backend.metrics import QUEUE_DEPTH

router = APIRouter(tags=["health"])


async def _report(request: Request) -> tuple[bool, dict[str, object]]:
    components = await check_components(request.app.state.conns)
    ok = all(c.ok for c in components)
    body = {
        "status": "ok" if ok else "degraded",
        "components": {c.name: c.as_dict() for c in components},
    }
    return ok, body


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """The API is alive (always 200); the body says how each component is."""
    _, body = await _report(request)
    return JSONResponse(body)


@router.get("/readyz", responses={503: {"description": "a component is not ready (the body says which)"}})
async def readyz(request: Request) -> JSONResponse:
    """503 until every component answers."""
    ok, body = await _report(request)
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(request: Request) -> Response:
    """Prometheus: turn latency, handoffs, tool calls, memory read latency, queue depth."""
    conns = request.app.state.conns
    if conns.redis is not None:
        # The gauge keeps its last value while the queue is away; /readyz says why.
        with contextlib.suppress(RedisError, OSError, TimeoutError):
            depth = await asyncio.wait_for(conns.redis.zcard(conns.settings.queue_name), CHECK_TIMEOUT_S)
            QUEUE_DEPTH.set(depth)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
