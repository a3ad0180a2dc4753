"""The graph write lock belongs to memory: writers in different processes (here, two Memory
objects on one Redis, as an API process and a worker are) take turns per tenant."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from arq.connections import ArqRedis
from redis.asyncio import Redis
from redis.exceptions import LockError

from backend.config import Settings
from backend.connections import open_memory
from backend.outages import is_outage
from backend.verticals.real_estate.episodes import BudgetStated
from memory import CallerIdentified, Memory, RedisLocks

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _budgets(group: str, n: int) -> list[BudgetStated]:
    """Budgets said over ``n`` days, in a shuffled order of arrival: late ones land inside
    earlier intervals, so each write's plan reads what the others wrote."""
    said = [
        BudgetStated(
            id=f"b{i}",
            group_id=group,
            caller_id="c1",
            valid_at=START + timedelta(days=i),
            amount=Decimal(1_000_000 + 10_000 * i),
        )
        for i in range(n)
    ]
    random.Random(7).shuffle(said)
    return said


async def _timeline(mem: Memory, group: str) -> list[tuple[object, datetime, datetime | None]]:
    """The budget believed true on each day, with its interval."""
    history = []
    for day in range(32):
        for f in await mem.facts(group, "c1", valid_at=START + timedelta(days=day, hours=1)):
            if f.name == "HAS_BUDGET":
                history.append((f.value, f.valid_at, f.invalid_at))
    return history


async def test_concurrent_writers_in_two_processes_give_the_sequential_timeline(
    settings: Settings, redis: ArqRedis
) -> None:
    # Two processes' memories: each its own driver and locks object, one Redis between them.
    api, worker = [await open_memory(settings, RedisLocks(redis)) for _ in range(2)]
    together, alone = f"g{uuid.uuid4().hex[:12]}", f"g{uuid.uuid4().hex[:12]}"
    try:
        for mem, group in ((api, together), (api, alone)):
            await mem.record(CallerIdentified(id="who", group_id=group, valid_at=START, caller_id="c1"))
        said = _budgets(together, 30)
        # Each "process" records its half one episode at a time, interleaved with the other.
        await asyncio.gather(*(m.record(e) for m, e in zip([api, worker] * 15, said, strict=True)))
        for e in _budgets(alone, 30):
            await api.record(e)
        assert await _timeline(api, together) == await _timeline(api, alone)
        assert not await redis.exists(RedisLocks.key(together)), "released after the writes"
    finally:
        await asyncio.gather(api.close(), worker.close())


async def test_a_lock_that_stays_busy_is_an_outage_not_a_bug(stack: Settings) -> None:
    """A writer that cannot get the graph lock in time raises LockError, which the API answers
    as a store outage (503 and Retry-After) and a turn queues for replay, never as a 500."""
    redis = Redis.from_url(stack.redis_url or "")
    group = "busy" + uuid.uuid4().hex[:8]
    try:
        await redis.set(RedisLocks.key(group), "another writer", px=5_000)
        with pytest.raises(LockError) as busy:
            async with RedisLocks(redis, wait_s=0.2).hold(group):
                pass
        assert is_outage(busy.value)
    finally:
        await redis.delete(RedisLocks.key(group))
        await redis.aclose()
