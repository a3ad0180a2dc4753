"""Tenant API keys (``Authorization: Bearer``) → the Principal every /v1 handler acts as."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from backend.api.errors import ApiError
from backend.store import tenants
from backend.store.tenants import Principal

CACHE_S = 5.0
"""How long a checked key is trusted without asking Postgres again (a revoked key stops
working within this time)."""


async def principal(request: HTTPConnection) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "unauthorized", "send a tenant API key: Authorization: Bearer <key>")
    cache: dict[str, tuple[float, Principal]] = request.app.state.keys
    hit = cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < CACHE_S:
        return hit[1]
    state = request.app.state
    who = await tenants.authenticate(state.db, key.strip(), state.settings.business_timezone)
    if who is None:  # failures are not cached: a flood of wrong keys cannot fill memory
        raise ApiError(401, "unauthorized", "unknown or revoked API key")
    if len(cache) > 10_000:
        cache.clear()
    cache[key] = (time.monotonic(), who)
    return who


Caller = Annotated[Principal, Depends(principal)]
