"""The arq worker that runs ingestion jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arq.connections import RedisSettings
from arq.worker import Worker

from ingest.jobs import FUNCTIONS

if TYPE_CHECKING:
    from backend.config import Settings

HEALTH_CHECK_INTERVAL_S = 5


def build_worker(settings: Settings, *, burst: bool = False) -> Worker:
    """A worker on ``settings.redis_url`` (which must be concrete by now)."""
    assert settings.redis_url, "resolve the embedded stack's URLs before building a worker"
    return Worker(
        functions=FUNCTIONS,
        queue_name=settings.queue_name,
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        burst=burst,
        health_check_interval=HEALTH_CHECK_INTERVAL_S,
        ctx={"settings": settings},
    )


def run_worker(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM (arq handles both and finishes the running jobs)."""
    build_worker(settings).run()
