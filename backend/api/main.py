"""The FastAPI application: one factory, settings passed in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from backend.agents.models import from_settings
from backend.agents.real_estate import REAL_ESTATE
from backend.agents.runner import AgentRuntime
from backend.api import errors
from backend.api.routes import callers, calls, health, traces
from backend.calls import CallDesk
from backend.config import Settings
from backend.connections import Connections
from backend.store import Database, tenants
from memory import Memory

log = structlog.get_logger(__name__)
CONSOLE = Path(__file__).with_name("console")


def create_app(settings: Settings, embedded: dict[str, bool] | None = None) -> FastAPI:
    """``settings`` with concrete URLs; ``embedded`` as in ``Connections.open``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        conns = await Connections.open(settings, embedded or settings.embedded)
        app.state.conns, app.state.settings, app.state.keys = conns, settings, {}
        app.state.memory = await Memory.open(settings)
        app.state.db = db = await Database.open(settings.database_url or "")
        await _local_tenant(db, settings)
        runtime = AgentRuntime(
            REAL_ESTATE, app.state.memory, db, from_settings(settings), upload_traces=settings.upload_traces
        )
        app.state.desk = CallDesk(
            runtime, db, conns.redis, _enqueue, memory_budget_s=settings.memory_budget_ms / 1000
        )
        try:
            yield
        finally:
            await db.close()
            await app.state.memory.close()
            await conns.close()

    app = FastAPI(title="Switchboard", version="0.1.0", lifespan=lifespan)
    errors.install(app)
    for module in (health, calls, callers, traces):
        app.include_router(module.router)
    app.mount("/console", StaticFiles(directory=CONSOLE, html=True), name="console")
    return app


async def _enqueue(redis: Any, db: Database, call_id: str, group_id: str) -> str:
    from ingest import enqueue_ingest

    return await enqueue_ingest(redis, db, call_id, group_id)


async def _local_tenant(db: Database, settings: Settings) -> None:
    """The embedded default's tenant; its key is printed once, when it is made."""
    wanted = settings.api_key.get_secret_value() if settings.api_key else None
    tenant, key = await tenants.ensure_local(db, wanted)
    if key and not wanted:
        print(f"Local tenant {tenant.name!r} created. API key (shown once): {key}", flush=True)
