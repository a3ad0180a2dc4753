"""The FastAPI application: one factory, settings passed in."""

from __future__ import annotations

import asyncio
import functools
import json
import os
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from agents.realtime import OpenAIRealtimeWebSocketModel, RealtimeModel
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from backend.agents.models import from_settings
from backend.agents.runner import AgentRuntime
from backend.api import errors
from backend.api.auth import Keys
from backend.api.deps import Services
from backend.api.limits import BodyLimit
from backend.api.routes import callers, calls, health, traces, twilio
from backend.calls import CallDesk
from backend.config import Settings, load_settings
from backend.connections import Connections, open_memory
from backend.embedded.process import die_with_parent
from backend.logs import configure_logging
from backend.queue import enqueue_ingest
from backend.store import Database, tenants
from backend.store.tenants import DEFAULT_VERTICAL
from backend.texts import Texts
from backend.verticals import registry
from backend.verticals.real_estate.demo import seed_demo
from memory import Memory, RedisLocks
from memory.embedder import set_threads

log = structlog.get_logger(__name__)
CONSOLE = Path(__file__).with_name("console")
REPLAY_EVERY_S = 15
EMBEDDED_ENV = "SWITCHBOARD_SERVE_EMBEDDED"
"""Set by ``serve`` for its API processes: which stores (JSON, as ``Settings.embedded``) its
embedded stack runs; their URLs come in the usual ``SWITCHBOARD_*`` variables."""
API_MODEL_THREADS = 1
"""An API process embeds each caller utterance (MiniLM, a few ms) while other turns run: one
model thread per embedding, the turns being the parallelism. Measured on 2 cores: 2.8 ms of
CPU per utterance, against 3.7 ms with ONNX Runtime's default two (spinning) threads."""


def create_app(
    settings: Settings,
    embedded: dict[str, bool] | None = None,
    *,
    replay_every_s: float | None = REPLAY_EVERY_S,
    realtime: Callable[[], RealtimeModel] = OpenAIRealtimeWebSocketModel,
) -> FastAPI:
    """``settings`` with concrete URLs; ``embedded`` as in ``Connections.open``;
    ``replay_every_s``: how often ended calls that never reached the queue are sent (None:
    never, for a test server sharing its database with other tests' calls); ``realtime``:
    connects to the realtime speech model (tests give a scripted one)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        conns = await Connections.open(settings, embedded or settings.embedded)
        memory = await open_memory(settings, RedisLocks(conns.redis) if conns.redis else None)
        db = await Database.open(settings.database_url or "")
        local = await _local_tenant(db, settings)
        if (embedded or settings.embedded)["graph"]:
            await _demo_listings(memory, local.group_id)
        model, neighbours = from_settings(settings), _neighbours(settings)

        def build(name: str) -> AgentRuntime:
            return AgentRuntime(
                registry.vertical(name),
                memory,
                db,
                model,
                upload_traces=settings.upload_traces,
                memory_budget_s=settings.memory_budget_ms / 1000,
                neighbours=neighbours,
            )

        # The verticals tenants have now; one a new tenant chooses is built on its first call.
        runtimes = {name: build(name) for name in {DEFAULT_VERTICAL, *await tenants.verticals(db)}}
        desk = CallDesk(
            runtimes,
            db,
            conns.redis,
            functools.partial(enqueue_ingest, queue_name=settings.queue_name),
            queue_name=settings.queue_name,
            build=build,
            texts=Texts(settings, db),
        )
        # Routes reach these only through backend.api.deps.
        keys = Keys(db, settings.business_timezone)
        app.state.services = Services(settings, conns, memory, db, desk, keys, realtime)
        replayer = asyncio.create_task(_replay_forever(desk, replay_every_s)) if replay_every_s else None
        try:
            yield
        finally:
            if replayer:
                replayer.cancel()
            await desk.settle()  # the last turns' traces, before their database closes
            await desk.events.close()
            await db.close()
            await memory.close()
            await conns.close()

    # No redirect from a path with a trailing slash: ids ending in "//" are a 404, not a 307.
    app = FastAPI(title="Switchboard", version="0.1.0", lifespan=lifespan, redirect_slashes=False)
    app.add_middleware(BodyLimit)
    errors.install(app)  # after the body limit: its 500 guard must be the outermost layer
    for module in (health, calls, callers, traces, twilio):
        app.include_router(module.router)
    app.add_api_route("/", _to_console, include_in_schema=False)
    app.add_api_route("/console", _to_console, include_in_schema=False)
    app.mount("/console", StaticFiles(directory=CONSOLE, html=True), name="console")
    return app


async def _to_console() -> RedirectResponse:
    """Slashes are not redirected (above); someone typing the console's address still gets it."""
    return RedirectResponse("/console/")


def from_environment() -> FastAPI:
    """The app of one of ``serve --api-workers N``'s processes (uvicorn imports it by name):
    the stores ``serve`` started once, prepared once (``prepare``), reached through the URLs
    in the environment; this process stops with ``serve``."""
    die_with_parent()
    settings = load_settings()
    configure_logging(settings.log_level)
    set_threads(API_MODEL_THREADS)
    return create_app(settings, json.loads(os.environ[EMBEDDED_ENV]))


async def prepare(settings: Settings, embedded: dict[str, bool]) -> None:
    """What every API process's start does, done once before N of them start together:
    migrations (concurrent first migrations race on CREATE TABLE), the local tenant (its key
    printed once) and the demo listings; each process then finds them done."""
    db = await Database.open(settings.database_url or "")
    try:
        local = await _local_tenant(db, settings)
        if embedded["graph"]:
            memory = await open_memory(settings)
            try:
                await _demo_listings(memory, local.group_id)
            finally:
                await memory.close()
    finally:
        await db.close()


async def _replay_forever(desk: CallDesk, every_s: float) -> None:
    """Ended calls whose ingestion could not be enqueued (queue down) are sent again."""
    while True:
        await asyncio.sleep(every_s)
        try:
            if sent := await desk.replay_pending():
                log.info("ingestion replayed", calls=sent)
        except Exception as exc:  # the next round tries again; the calls stay in Postgres
            log.warning("ingestion replay failed", error=type(exc).__name__)


async def _local_tenant(db: Database, settings: Settings) -> tenants.Tenant:
    """The embedded default's tenant; its key is printed once, when it is made."""
    wanted = settings.api_key.get_secret_value() if settings.api_key else None
    tenant, key = await tenants.ensure_local(db, wanted, settings.business_timezone)
    if key and not wanted:
        print(f"Local tenant {tenant.name!r} created. API key (shown once): {key}", flush=True)
    return tenant


async def _demo_listings(memory: Memory, group_id: str) -> None:
    """The embedded default ships with generated demo listings until real ones are imported."""
    if not await memory.names(group_id, "Property"):
        added = await seed_demo(memory, group_id)
        log.info("demo listings seeded", listings=added)


def _neighbours(settings: Settings) -> Mapping[str, Sequence[str]] | None:
    """The tenant's suburb adjacency (``SWITCHBOARD_NEIGHBOURS_FILE``); None: each vertical's."""
    if settings.neighbours_file is None:
        return None
    table = json.loads(settings.neighbours_file.read_text())
    return {str(k): tuple(str(n) for n in v) for k, v in table.items()}
