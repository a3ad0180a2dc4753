"""Liveness and readiness, with every component's status."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backend.health import check_components

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
