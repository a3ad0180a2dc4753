"""The queue contract between backend and the ingestion workers: job names, job ids, and
enqueueing on arq's Redis.

Backend knows jobs by name only and never imports ``ingest``; ``ingest.worker`` registers its
functions under the names below, imported from here, so the two cannot drift.
"""

from __future__ import annotations

from arq.connections import ArqRedis
from arq.constants import default_queue_name as ARQ_DEFAULT_QUEUE
from arq.constants import in_progress_key_prefix, job_key_prefix, result_key_prefix, retry_key_prefix
from redis.asyncio import Redis
from redis.exceptions import WatchError

from backend.config import Settings
from backend.store import Database, ingestions

INGEST_CALL = "ingest_call"
"""``(call_id)``: a finished call's transcript, facts and analytics into memory."""
IMPORT_LISTINGS = "import_listings"
"""``(path, group_id)``: a CSV or JSON listings file into a tenant's graph."""
ERASE_CALLER = "erase_caller"
"""``(group_id, caller_id)``: ``backend.erasure.erase_caller`` run by a worker."""
CLIMB_LADDER = "climb_ladder"
"""``(call_id, rung)``: run when a page's timeout passes; pages the next rung unless answered
(``backend.oncall.Ladder.climb``)."""
PING = "ping"
"""``()``: a round trip, for health checks."""

DEFAULT_QUEUE: str = Settings.model_fields["queue_name"].default


def job_id_of(call_id: str) -> str:
    """The arq job id of a call's ingestion: one per call, so a second enqueue is refused."""
    return f"ingest:{call_id}"


def queue_of(redis: ArqRedis, queue_name: str | None) -> str:
    """The queue to use: the one given, the pool's own if it has one, else the default."""
    if queue_name:
        return queue_name
    if redis.default_queue_name != ARQ_DEFAULT_QUEUE:
        return redis.default_queue_name
    return DEFAULT_QUEUE


async def enqueue_ingest(
    redis: ArqRedis, db: Database, call_id: str, group_id: str, *, queue_name: str | None = None
) -> str:
    """Record the call as ``queued`` and enqueue its ingestion once; returns the job id.

    Enqueueing again is harmless: a call already ingested (or dead-lettered: replay it
    on purpose) is not enqueued, and arq refuses a job id that is queued or running.
    """
    job_id = job_id_of(call_id)
    state = await ingestions.open_row(db, call_id, group_id, job_id)
    if state not in ("done", "dead"):
        await _enqueue(redis, call_id, queue_name)
    return job_id


async def replay(redis: ArqRedis, db: Database, call_id: str, *, queue_name: str | None = None) -> str:
    """Ingest a call again (a dead letter after a fix); refuses while its job is queued or running."""
    job_id = job_id_of(call_id)
    if await redis.exists(job_key_prefix + job_id, in_progress_key_prefix + job_id):
        raise RuntimeError(f"{job_id} is queued or running already")
    if not await ingestions.requeue(db, call_id):
        raise LookupError(f"no ingestion of call {call_id} on record")
    await redis.delete(result_key_prefix + job_id)  # arq refuses a job id whose result it still keeps
    await _enqueue(redis, call_id, queue_name)
    return job_id


async def _enqueue(redis: ArqRedis, call_id: str, queue_name: str | None) -> None:
    queue = queue_of(redis, queue_name)
    await redis.enqueue_job(INGEST_CALL, call_id, _job_id=job_id_of(call_id), _queue_name=queue)


def ladder_job_id(call_id: str, rung: int) -> str:
    return f"oncall:{call_id}:{rung}"


async def enqueue_climb(
    redis: ArqRedis, call_id: str, rung: int, after_s: float, *, queue_name: str | None = None
) -> None:
    """Check ``rung``'s page of the call once ``after_s`` has passed (once per rung)."""
    await redis.enqueue_job(
        CLIMB_LADDER,
        call_id,
        rung,
        _job_id=ladder_job_id(call_id, rung),
        _defer_by=after_s,
        _queue_name=queue_of(redis, queue_name),
    )


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
