"""Which exceptions mean a store is down (or still loading), as opposed to a bug: the API
answers them with 503 and Retry-After, and a turn degrades around a graph outage."""

from __future__ import annotations

import asyncpg
from redis import exceptions as redis_errors

RETRY_AFTER_S = 5
"""What a client is told to wait before retrying during an outage."""

_REDIS: tuple[type[BaseException], ...] = (
    redis_errors.ConnectionError,  # not the builtin; BusyLoadingError (AOF/RDB reload) is one
    redis_errors.TimeoutError,
    redis_errors.TryAgainError,
    redis_errors.ClusterDownError,
    redis_errors.ReadOnlyError,  # a replica during failover
    redis_errors.LockError,  # the graph write lock stayed busy (memory.locks): the graph is swamped
)
_POSTGRES: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08: the connection is gone
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InternalClientError,  # the protocol broke mid-query (seen when a server died)
)


def _neo4j() -> tuple[type[BaseException], ...]:
    try:
        from neo4j import exceptions as neo4j_errors
    except ImportError:  # the driver is optional
        return ()
    return (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired)


OUTAGES: tuple[type[BaseException], ...] = (*_REDIS, *_POSTGRES, *_neo4j(), OSError)
"""OSError covers refused and reset sockets and the builtin ConnectionError and TimeoutError
(asyncio's timeouts, e.g. a pool that cannot hand out a connection)."""


REFUSING_WRITES = ("NOREPLICAS", "MASTERDOWN", "MISCONF", "OOM", "READONLY")
"""Redis and FalkorDB error codes of a server that is up but cannot take writes now (redis-py
raises them as a plain ResponseError, like a bad query)."""


def is_outage(exc: BaseException) -> bool:
    if isinstance(exc, redis_errors.ResponseError):
        return str(exc).split(" ", 1)[0] in REFUSING_WRITES
    return isinstance(exc, OUTAGES)
