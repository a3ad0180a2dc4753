"""Liveness and readiness, with every component's status."""

from __future__ import annotations

import contextlib

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from backend.health import check_components
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


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """503 until every component answers."""
    ok, body = await _report(request)
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Prometheus: turn latency, handoffs, tool calls, memory read latency, queue depth."""
    conns = request.app.state.conns
    if conns.redis is not None:
        with contextlib.suppress(ConnectionError):  # the gauge keeps its last value; /readyz says why
            QUEUE_DEPTH.set(await conns.redis.zcard(conns.settings.queue_name))
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
