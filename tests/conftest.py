"""Shared fixtures: one embedded stack (real FalkorDB and Postgres) per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.config import Settings, load_settings
from backend.embedded.loopback import serving
from backend.embedded.stack import EmbeddedStack, free_port  # noqa: F401  (tests import it from here)

SERVERS = frozenset({"stack", "data_dir"})
"""Fixtures that start real servers (or a data dir a test starts its own stack in)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``integration``: the test talks to real servers (through a server fixture, or it starts
    its own: a module marks itself); every other test is ``unit`` (``pytest -m unit``: seconds)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("integration") is None and not fixtures & SERVERS:
            item.add_marker(pytest.mark.unit)
        else:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings whose URLs point at a running embedded stack."""
    settings = load_settings(data_dir=tmp_path_factory.mktemp("stack"))
    with EmbeddedStack(settings) as resolved:
        yield resolved


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(scope="session")
async def mem(stack: Settings):  # type: ignore[no-untyped-def]
    """One Memory on the session's embedded FalkorDB."""
    from backend.connections import open_memory

    memory = await open_memory(stack)
    yield memory
    await memory.close()


@pytest.fixture(scope="session")
async def db(stack: Settings):  # type: ignore[no-untyped-def]
    """One Postgres pool (migrated) on the session's embedded stack."""
    from backend.store import Database

    database = await Database.open(stack.database_url or "")
    yield database
    await database.close()


@pytest.fixture(scope="session")
async def runtime(mem, db):  # type: ignore[no-untyped-def]
    """The real-estate agents with the policy model (its router is built once: ~3.5 s)."""
    from backend.agents.runner import AgentRuntime
    from backend.verticals.real_estate.agents import REAL_ESTATE

    return AgentRuntime(REAL_ESTATE, mem, db)


@pytest.fixture
def settings(stack: Settings) -> Settings:
    """The session stack with a queue of this test's own (other tests enqueue too)."""
    import uuid

    return stack.model_copy(update={"queue_name": "test:" + uuid.uuid4().hex[:8]})


@pytest.fixture
async def redis(settings: Settings):  # type: ignore[no-untyped-def]
    """An arq pool on this test's own queue."""
    from arq import create_pool
    from arq.connections import RedisSettings

    pool = await create_pool(
        RedisSettings.from_dsn(settings.redis_url or ""), default_queue_name=settings.queue_name
    )
    yield pool
    await pool.aclose()


@pytest.fixture
def group() -> str:
    """A fresh tenant (its own graph) per test."""
    import uuid

    return "t" + uuid.uuid4().hex[:12]


API_KEY = "sb_testkey_local-tenant-key-for-tests"


class Api:
    """A real HTTP server (uvicorn in a thread) on the session's embedded stack."""

    def __init__(self, base_url: str, key: str) -> None:
        self.base_url, self.key = base_url, key

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@pytest.fixture(scope="session")
def api(stack: Settings) -> Iterator[Api]:

    from pydantic import SecretStr

    from backend.api.main import create_app

    settings = stack.model_copy(update={"api_key": SecretStr(API_KEY), "max_turn_chars": 2000})
    # No replayer: it would enqueue other tests' ended calls (tests/backend/test_calls.py covers it).
    with serving(create_app(settings, replay_every_s=None)) as base_url:
        yield Api(base_url, API_KEY)


@pytest.fixture(scope="session")
async def local_group(api: Api, db, mem) -> str:  # type: ignore[no-untyped-def]
    """The local tenant's graph group, with the demo listings in it."""
    from backend.store import tenants
    from backend.verticals.real_estate.demo import seed_demo

    who = await tenants.authenticate(db, api.key)
    assert who is not None
    await seed_demo(mem, who.tenant.group_id)
    return who.tenant.group_id


def a_phone() -> str:
    """A fresh AU mobile number: each test's callers are its own."""
    import uuid

    return f"0412{uuid.uuid4().int % 10**6:06d}"


async def start_call(client, **body):  # type: ignore[no-untyped-def]
    """POST /v1/calls (chat unless said), asserting 201."""
    response = await client.post("/v1/calls", json={"channel": "chat", **body})
    assert response.status_code == 201, response.text
    return response.json()


async def say(client, call_id: str, text: str):  # type: ignore[no-untyped-def]
    """One turn, asserting 200."""
    response = await client.post(f"/v1/calls/{call_id}/turns", json={"text": text})
    assert response.status_code == 200, response.text
    return response.json()


SEED_TENANT = "nbdemo"
"""The tenant the session's small demo world is seeded into (its own graph)."""


@pytest.fixture(scope="session")
async def seeded(stack: Settings):  # type: ignore[no-untyped-def]
    """``switchboard seed demo --small`` once per session, as the command runs it: the API
    served over HTTP, a real worker on a queue of its own; the settings and the report."""
    import asyncio

    from arq import create_pool
    from arq.connections import RedisSettings

    from backend.api.main import create_app
    from backend.connections import open_memory
    from backend.seed.demo import Seeder, Size
    from backend.store import Database
    from ingest.worker import build_worker
    from memory.locks import RedisLocks

    settings = stack.model_copy(update={"queue_name": "test:seed"})
    # Migrated before the worker starts: two processes' first migrations race on CREATE TABLE.
    db = await Database.open(settings.database_url or "")
    worker = build_worker(settings)
    running = asyncio.create_task(worker.async_run())
    redis = await create_pool(
        RedisSettings.from_dsn(settings.redis_url or ""), default_queue_name="test:seed"
    )
    memory = await open_memory(settings, RedisLocks(redis))
    try:
        with serving(create_app(settings, replay_every_s=None)) as url:
            seeder = Seeder(db, memory, redis, url, settings.data_dir, settings.queue_name)
            seeding = asyncio.create_task(seeder.run(SEED_TENANT, Size.small()))
            # A worker that dies (its startup failed) fails the seed now, not at a job's timeout.
            await asyncio.wait({seeding, running}, return_when=asyncio.FIRST_COMPLETED)
            if not seeding.done():
                seeding.cancel()
                raise RuntimeError(f"the seed's worker stopped: {running.exception()!r}")
            report = seeding.result()
        yield settings, report, seeder
    finally:
        running.cancel()
        await worker.close()
        await memory.close()
        await db.close()
        await redis.aclose()
