"""Tenant API keys (``Authorization: Bearer``) → the Principal every /v1 handler acts as."""

from __future__ import annotations

import time

from backend.api.errors import ApiError
from backend.store import Database, tenants
from backend.store.tenants import Principal

CACHE_S = 5.0
"""How long a checked key is trusted without asking Postgres again (a revoked key stops
working within this time)."""
CACHE_KEYS = 10_000


class Keys:
    """Checks keys against Postgres, trusting a checked one for ``CACHE_S`` in process."""

    def __init__(self, db: Database, default_timezone: str) -> None:
        self.db, self.default_timezone = db, default_timezone
        self._checked: dict[str, tuple[float, Principal]] = {}

    async def principal(self, authorization: str) -> Principal:
        """Who the ``Authorization`` header's key belongs to; ApiError 401 if nobody."""
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise ApiError(401, "unauthorized", "send a tenant API key: Authorization: Bearer <key>")
        hit = self._checked.get(key)
        if hit is not None and time.monotonic() - hit[0] < CACHE_S:
            return hit[1]
        who = await tenants.authenticate(self.db, key.strip(), self.default_timezone)
        if who is None:  # failures are not cached: a flood of wrong keys cannot fill memory
            raise ApiError(401, "unauthorized", "unknown or revoked API key")
        if len(self._checked) > CACHE_KEYS:
            self._checked.clear()
        self._checked[key] = (time.monotonic(), who)
        return who
