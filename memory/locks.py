"""The graph write lock: one writer per tenant at a time, across every process.

Record times and the timeline plan (read, then write) assume no other writer of the group in
between. ``Memory`` takes every write under its ``GroupLocks``: in-process locks by default,
a Redis lock when several processes write (API processes, ingestion workers, erasure).
Holding a group's lock is re-entrant within one task, so a caller may hold it across several
writes (check, then write) and the writes inside pass through.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from typing import Protocol

import structlog
from redis.asyncio import Redis
from redis.exceptions import LockError, LockNotOwnedError

log = structlog.get_logger(__name__)
_HELD: ContextVar[frozenset[str]] = ContextVar("switchboard_graph_locks_held", default=frozenset())


class GroupLocks(Protocol):
    def hold(self, group_id: str) -> AbstractAsyncContextManager[None]:
        """Exclusive use of one group's graph for writing."""
        ...


class LocalLocks:
    """One process's writers queue here (keyed by event loop too: an asyncio lock must not
    cross loops)."""

    def __init__(self) -> None:
        self._locks: dict[tuple[int, str], asyncio.Lock] = {}

    def lock(self, group_id: str) -> asyncio.Lock:
        key = (id(asyncio.get_running_loop()), group_id)
        return self._locks.setdefault(key, asyncio.Lock())

    @asynccontextmanager
    async def hold(self, group_id: str) -> AsyncIterator[None]:
        async with self.lock(group_id):
            yield


class RedisLocks:
    """Every process's writers: a Redis lock per group, queued for locally first so that
    only one task per process polls Redis. Raises ``redis.exceptions.LockError`` if the lock
    stays busy for ``wait_s``; a holder killed mid-write loses it after ``timeout_s``."""

    def __init__(self, redis: Redis, *, timeout_s: float = 30.0, wait_s: float = 20.0) -> None:
        self.redis = redis
        self.timeout_s = timeout_s
        self.wait_s = wait_s
        self._local = LocalLocks()

    @staticmethod
    def key(group_id: str) -> str:
        return f"switchboard:graph-lock:{group_id}"

    @asynccontextmanager
    async def hold(self, group_id: str) -> AsyncIterator[None]:
        lock = self.redis.lock(
            self.key(group_id),
            timeout=self.timeout_s,
            sleep=0.01,
            blocking_timeout=self.wait_s,
            thread_local=False,
        )
        async with self._local.hold(group_id):
            if not await lock.acquire():
                raise LockError(f"the graph lock of group {group_id} stayed busy for {self.wait_s:g}s")
            try:
                yield
            finally:
                try:
                    await lock.release()
                except LockNotOwnedError:
                    # Our writes are atomic; at worst another writer overlapped the last of them.
                    log.warning("graph lock expired before release", group_id=group_id)


@asynccontextmanager
async def held(locks: GroupLocks, group_id: str) -> AsyncIterator[None]:
    """``locks.hold(group_id)``, unless this task holds it already."""
    taken = _HELD.get()
    if group_id in taken:
        yield
        return
    async with locks.hold(group_id):
        token = _HELD.set(taken | {group_id})
        try:
            yield
        finally:
            _HELD.reset(token)
