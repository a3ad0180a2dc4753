"""Erasing a caller everywhere ingestion keeps them: queued jobs, calls, turns, the
ledger and the graph. A plain function: the API calls it directly, the
``erase_caller`` job calls it for a worker.

It runs under the tenant's graph lock, and an ingestion re-checks its call under the
same lock before writing, so a job in flight either finishes before the erasure (and
its writes are erased) or finds its call gone (and writes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arq.constants import in_progress_key_prefix, job_key_prefix, retry_key_prefix
from redis.asyncio import Redis
from redis.exceptions import WatchError

from backend.store import Database
from backend.store import calls as call_store
from ingest.ledger import job_id_of
from ingest.worker import Limits, group_lock
from memory import ErasureReceipt, Memory, UnknownEntity


@dataclass(frozen=True)
class CallerErased:
    caller_id: str
    group_id: str
    receipt: ErasureReceipt | None
    """Memory's proof of erasure; None when the graph held nothing of the caller."""
    calls: int
    """Calls deleted from Postgres (their turns and ledger rows with them)."""
    jobs_dequeued: int
    """Ingestion jobs removed from the queue before they ran."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "caller_id": self.caller_id,
            "group_id": self.group_id,
            "graph": self.receipt.model_dump() if self.receipt else None,
            "calls": self.calls,
            "jobs_dequeued": self.jobs_dequeued,
        }


async def erase_caller(
    memory: Memory,
    db: Database,
    redis: Redis,
    group_id: str,
    caller_id: str,
    *,
    queue_name: str,
    limits: Limits | None = None,
) -> CallerErased:
    """Remove the caller's queued ingestions, calls, turns, ledger rows and graph data."""
    async with group_lock(redis, group_id, limits):
        call_ids = await calls_of(db, group_id, caller_id)
        dequeued = await dequeue(redis, queue_name, [job_id_of(c) for c in call_ids])
        calls = await call_store.erase_caller(db, group_id, caller_id)
        try:
            receipt: ErasureReceipt | None = await memory.erase_caller(group_id, caller_id)
        except UnknownEntity:
            receipt = None
    return CallerErased(caller_id, group_id, receipt, calls, dequeued)


async def calls_of(db: Database, group_id: str, caller_id: str) -> list[str]:
    rows = await db.pool.fetch(
        "SELECT call_id FROM calls WHERE group_id = $1 AND caller_id = $2", group_id, caller_id
    )
    return [r["call_id"] for r in rows]


async def dequeue(redis: Redis, queue_name: str, job_ids: list[str]) -> int:
    """Take jobs that have not started out of the queue (a running one is left to find
    its call gone); returns how many were removed."""
    removed = 0
    for job_id in job_ids:
        running = in_progress_key_prefix + job_id
        async with redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(running)
                if await pipe.exists(running):
                    continue
                pipe.multi()
                pipe.zrem(queue_name, job_id)
                pipe.delete(job_key_prefix + job_id, retry_key_prefix + job_id)
                taken, _ = await pipe.execute()
            except WatchError:  # it started just now; it will find its call gone
                continue
        removed += int(taken)
    return removed
