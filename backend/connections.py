"""Long-lived clients of the three stores, opened once per process."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import asyncpg
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from graphiti_core.driver.driver import GraphDriver

from backend.config import Settings
from backend.verticals.registry import ONTOLOGY
from memory import Memory, connect_graph
from memory.locks import GroupLocks

CONNECT_TIMEOUT_S = 3.0


async def open_memory(settings: Settings, locks: GroupLocks | None = None) -> Memory:
    """Memory holding every vertical's ontology, writing under ``locks``: ``RedisLocks``
    where other processes write the same graphs (API processes, workers), else this
    process's own."""
    return await Memory.open(settings, ontology=ONTOLOGY, locks=locks)


@dataclass
class Connections:
    """The stores a process talks to; a field is None when its store is unreachable."""

    settings: Settings
    embedded: dict[str, bool]
    """Which stores this data dir's embedded stack provides (see ``Settings.embedded``)."""
    graph: GraphDriver | None = None
    redis: ArqRedis | None = None
    pg: asyncpg.Pool | None = None
    errors: dict[str, str] | None = None
    """Why a store could not be opened, by component name."""

    @classmethod
    async def open(cls, settings: Settings, embedded: dict[str, bool]) -> Connections:
        """Connect to ``settings``' URLs; ``embedded`` comes from the settings as configured,
        before the embedded stack filled the URLs in."""
        conns = cls(settings, embedded, errors={})
        results = await asyncio.gather(
            _open_graph(settings), _open_redis(settings), _open_pg(settings), return_exceptions=True
        )
        for name, result in zip(("graph", "redis", "pg"), results, strict=True):
            if isinstance(result, BaseException):
                conns.errors[name] = _reason(result)
            else:
                setattr(conns, name, result)
        return conns

    async def close(self) -> None:
        if self.graph is not None:
            await self.graph.close()
        if self.redis is not None:
            await self.redis.aclose()
        if self.pg is not None:
            await self.pg.close()


async def _open_graph(settings: Settings) -> GraphDriver:
    if not settings.graph_uri:
        raise ConnectionError("not running")
    password = settings.graph_password.get_secret_value() if settings.graph_password else None
    driver = connect_graph(settings.graph_uri, settings.graph_user, password)
    try:
        await asyncio.wait_for(driver.execute_query("RETURN 1"), CONNECT_TIMEOUT_S)
    except BaseException:
        await driver.close()
        raise
    return driver


async def _open_redis(settings: Settings) -> ArqRedis:
    if not settings.redis_url:
        raise ConnectionError("not running")
    redis_settings = RedisSettings.from_dsn(settings.redis_url)
    redis_settings.conn_timeout = int(CONNECT_TIMEOUT_S)
    redis_settings.conn_retries = 0
    return await create_pool(redis_settings)


async def _open_pg(settings: Settings) -> asyncpg.Pool:
    if not settings.database_url:
        raise ConnectionError("not running")
    pool: Any = await asyncpg.create_pool(
        settings.database_url, min_size=1, max_size=10, timeout=CONNECT_TIMEOUT_S
    )
    return pool


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__
