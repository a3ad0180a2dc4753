"""The FastAPI application: one factory, settings passed in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from backend.api.routes import health
from backend.config import Settings
from backend.connections import Connections


def create_app(settings: Settings, embedded: dict[str, bool] | None = None) -> FastAPI:
    """``settings`` with concrete URLs; ``embedded`` as in ``Connections.open``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.conns = await Connections.open(settings, embedded or settings.embedded)
        try:
            yield
        finally:
            await app.state.conns.close()

    app = FastAPI(title="Switchboard", version="0.1.0", lifespan=lifespan)
    app.include_router(health.router)
    return app
