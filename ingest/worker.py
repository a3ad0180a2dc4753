"""The arq worker that runs ingestion jobs and its limits (the per-tenant graph write lock
is memory's: ``memory.locks``, on Redis here).

Delivery is at least once: arq keeps a job in its queue until it finishes, so a
worker killed mid-job (SIGKILL) leaves it there, and once the job's in-progress
marker expires (the job timeout + 15 s, arq 0.25) another worker — or this one
restarted — runs it again. Every write a job makes is idempotent, so a re-run
adds nothing twice.

A worker outlives its Redis: when the server goes away or restarts (and then
answers ``LOADING`` while it reads its append-only file back), the worker waits
for it and carries on, instead of exiting as arq does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from arq import cron
from arq.connections import RedisSettings
from arq.worker import Worker, func
from redis.asyncio import Redis
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from backend.config import Settings
from backend.connections import open_memory
from backend.queue import INGEST_CALL
from backend.store import Database
from ingest.extract.interface import Extractor, Transcript
from memory import Memory, Turn
from memory.embedder import set_threads
from memory.locks import RedisLocks

HEALTH_CHECK_INTERVAL_S = 1
"""A worker's heartbeat; it lives one interval more (arq), so /healthz sees a dead worker
within 2 s."""
REDIS_DOWN = (BusyLoadingError, RedisConnectionError, RedisTimeoutError, OSError)
"""Redis is away, or restarting (it answers LOADING while it reads its files back)."""
REDIS_WAIT_S = (0.2, 2.0)
"""First and longest pause between pings while waiting for Redis to come back."""
NAMES_TTL_S = 10.0
"""How long a worker reuses a tenant's suburb and listing names for extraction."""
log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Limits:
    """How hard a worker tries (``max_tries`` comes from ``SWITCHBOARD_INGEST_MAX_TRIES``)."""

    max_tries: int = 5
    """Tries of one call before it goes to the dead-letter list."""
    job_timeout_s: float = 60.0
    """Longest a try may run; a killed worker's job is re-run this + 15 s later."""
    backoff_s: float = 2.0
    """Delay before the second try; doubles each try."""
    backoff_cap_s: float = 300.0
    lock_timeout_s: float = 30.0
    """A group lock held longer than this (a killed holder) is released by Redis."""
    lock_wait_s: float = 20.0
    """Longest a job waits for its tenant's graph lock before retrying later."""
    max_jobs: int = 10
    """Jobs one worker process runs at a time."""
    model_threads: int | None = None
    """Threads of the embedding model in a worker process (None: the runtime's default, one
    per core). With torch on a quiet 2-core machine two were faster (10.3 against 8.7
    calls/s); when other work shares the cores, one was (7.3 against 5.0)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(max_tries=settings.ingest_max_tries)

    def backoff(self, job_try: int) -> float:
        """Seconds to wait after failed try number ``job_try`` (1-based)."""
        return min(self.backoff_cap_s, self.backoff_s * 2 ** (job_try - 1))

    def locks(self, redis: Redis) -> RedisLocks:
        """The tenants' graph write locks with these limits (memory writes under them)."""
        return RedisLocks(redis, timeout_s=self.lock_timeout_s, wait_s=self.lock_wait_s)


class ExtractorUnavailable(RuntimeError):
    pass


def load_extractor(settings: Settings) -> Extractor:
    """The offline extractor (imported late: it loads spaCy, and another team owns it)."""
    try:
        from ingest.extract.offline import OfflineExtractor
    except ImportError as exc:
        raise ExtractorUnavailable(f"the offline extractor cannot be imported: {exc}") from None
    return OfflineExtractor(region=settings.default_region)


class EmbedBatcher:
    """Texts of the jobs running at the same time embedded in one model call.

    On two cores the model runs several times faster on one batch of 200 texts than
    on ten of 20. Results land in Memory's vector cache, where the writes under the
    tenant's lock find them, so no job embeds while holding the lock.
    """

    def __init__(self, embed: Callable[[list[str]], Awaitable[Any]]) -> None:
        self._embed = embed
        self._pending: list[tuple[list[str], asyncio.Future[None]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def warm(self, texts: list[str]) -> None:
        if not texts:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((texts, done))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        await done

    async def _drain(self) -> None:
        # Whatever arrives while the model runs goes into the next batch.
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._embed([t for texts, _ in batch for t in texts])
            except Exception as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)


@dataclass
class Deps:
    """What a worker process opens once and its jobs share."""

    settings: Settings
    limits: Limits
    memory: Memory
    db: Database
    embeddings: EmbedBatcher
    extractor: Extractor | None = None
    _names: dict[tuple[str, str], tuple[float, dict[str, str]]] = field(default_factory=dict)

    @classmethod
    async def open(cls, settings: Settings, limits: Limits, redis: Redis) -> Deps:
        memory = await open_memory(settings, limits.locks(redis))
        db = await Database.open(settings.database_url or "", max_size=max(4, limits.max_jobs))
        return cls(settings, limits, memory, db, EmbedBatcher(memory.embed))

    async def close(self) -> None:
        await self.db.close()
        await self.memory.close()

    def extractor_or_fail(self) -> Extractor:
        if self.extractor is None:
            self.extractor = load_extractor(self.settings)
        return self.extractor

    async def names(self, group_id: str, entity_type: str) -> dict[str, str]:
        """``Memory.names``, cached briefly: every call of a tenant asks for the same lists."""
        key = (group_id, entity_type)
        hit = self._names.get(key)
        if hit is None or time.monotonic() - hit[0] > NAMES_TTL_S:
            hit = (time.monotonic(), await self.memory.names(group_id, entity_type))
            self._names[key] = hit
        return hit[1]

    def forget_names(self, group_id: str) -> None:
        for key in [k for k in self._names if k[0] == group_id]:
            del self._names[key]


async def on_startup(ctx: dict[str, Any]) -> None:
    ctx["deps"] = deps = await Deps.open(ctx["settings"], ctx["limits"], ctx["redis"])
    await _warm_up(deps)


async def on_shutdown(ctx: dict[str, Any]) -> None:
    if "deps" in ctx:
        await ctx.pop("deps").close()


async def _warm_up(deps: Deps) -> None:
    """Load the embedding model and the extractor before the first job (seconds, once),
    so that no job spends its timeout on it."""
    await deps.memory.embed(["warm up"])
    try:
        extractor = deps.extractor_or_fail()
        at = datetime.now().astimezone()
        turn = Turn(id="t0", speaker="caller", text="Hello, I'm looking in Bondi.", at=at)
        await extractor.extract(Transcript("warmup", "warmup", "warmup", at, [turn]))
    except Exception as exc:  # a missing extractor fails the jobs that need it, with the reason
        log.warning("extractor not ready", error=type(exc).__name__)


class IngestWorker(Worker):
    """arq's worker, waiting out Redis outages: arq 0.25 lets the first connection error of
    its poll loop end ``run()``, and a job slot leaks if it strikes while a job starts."""

    async def _poll_iteration(self) -> None:
        try:
            await super()._poll_iteration()
        except REDIS_DOWN as exc:
            await self._wait_for_redis(exc)

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        try:
            await super().start_jobs(job_ids)
        except REDIS_DOWN:
            # arq took a slot for the job it was starting and gives it back only on success.
            self.sem.release()
            raise

    async def _wait_for_redis(self, exc: BaseException) -> None:
        """Ping until Redis answers (a restarting server answers LOADING for a while).
        Jobs caught mid-write stay queued and run again once their marker expires."""
        lost_at, pause = time.monotonic(), REDIS_WAIT_S[0]
        log.warning("queue unreachable, waiting", error=type(exc).__name__)
        while True:
            await asyncio.sleep(pause)
            try:
                await self.pool.ping()
            except REDIS_DOWN as again:
                if type(again) is not type(exc):
                    log.info("queue still unavailable", error=type(again).__name__)
                    exc = again
                pause = min(REDIS_WAIT_S[1], pause * 2)
                continue
            log.info("queue back", down_s=round(time.monotonic() - lost_at, 1))
            return


def build_worker(settings: Settings, *, burst: bool = False, limits: Limits | None = None) -> Worker:
    """A worker on ``settings.redis_url`` (which must be concrete by now)."""
    from ingest.jobs import FUNCTIONS, ingest_call, purge_recordings  # jobs import this module

    assert settings.redis_url, "resolve the embedded stack's URLs before building a worker"
    limits = limits or Limits.from_settings(settings)
    # One try more than max_tries for arq: the extra try only marks the call dead
    # (arq itself would drop the job silently, leaving the ledger at 'running').
    ingest = func(
        ingest_call, name=INGEST_CALL, max_tries=limits.max_tries + 1, timeout=limits.job_timeout_s + 5
    )
    return IngestWorker(
        functions=[ingest, *FUNCTIONS],
        # Hourly; a burst worker (tests, one-off drains) runs only what is queued.
        cron_jobs=[] if burst else [cron(purge_recordings, minute=7)],
        queue_name=settings.queue_name,
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        burst=burst,
        health_check_interval=HEALTH_CHECK_INTERVAL_S,
        max_jobs=limits.max_jobs,
        job_timeout=limits.job_timeout_s + 5,
        keep_result=3600,
        ctx={"settings": settings, "limits": limits},
        on_startup=on_startup,
        on_shutdown=on_shutdown,
    )


def run_worker(settings: Settings, limits: Limits | None = None) -> None:
    """Run until SIGINT/SIGTERM (arq cancels running jobs; they are re-queued, not lost)."""
    limits = limits or Limits.from_settings(settings)
    use_model_threads(limits)
    build_worker(settings, limits=limits).run()


def use_model_threads(limits: Limits) -> None:
    """Set the model's threads for this whole process: call it in a process that is a worker
    (``run_worker``, the benchmark), not in one that also serves other work."""
    if limits.model_threads:
        set_threads(limits.model_threads)
