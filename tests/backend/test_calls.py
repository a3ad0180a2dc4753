"""The call lifecycle in process: nothing a caller said is lost when the queue is down."""

from __future__ import annotations

import functools
import uuid

from arq import create_pool
from arq.connections import RedisSettings

from backend.agents.runner import AgentRuntime
from backend.calls import CallDesk
from backend.config import Settings
from backend.queue import enqueue_ingest
from backend.store import Database, tenants
from backend.store import calls as store
from backend.store.ingestions import row
from backend.verticals.real_estate.agents import REAL_ESTATE
from memory import Memory


async def test_an_ended_call_waits_for_the_queue_and_is_replayed(
    stack: Settings, mem: Memory, db: Database
) -> None:
    enqueue = functools.partial(enqueue_ingest, queue_name=stack.queue_name)
    desk = CallDesk(
        {"real_estate": AgentRuntime(REAL_ESTATE, mem, db)}, db, None, enqueue
    )  # the queue is down
    _, key = await tenants.create(db, "replay-" + uuid.uuid4().hex[:6])
    who = await tenants.authenticate(db, key)
    assert who is not None
    started = await desk.start(who, "chat", name="Nell Okafor")
    await desk.turn(who, started.call_id, "we're after a 2 bedroom unit in Manly")
    job_id = await desk.end(who, started.call_id)
    assert job_id == f"ingest:{started.call_id}"
    assert await row(db, started.call_id) is None, "nothing reached the queue"
    assert len(await store.turns(db, started.call_id)) == 3, "the transcript is kept"

    desk.redis = await create_pool(RedisSettings.from_dsn(stack.redis_url or ""))
    try:
        assert await desk.replay_pending(older_than_s=0) >= 1
        ledger = await row(db, started.call_id)
        assert ledger is not None and ledger["state"] == "queued" and ledger["job_id"] == job_id
        assert await desk.redis.exists(f"arq:job:{job_id}")
        await desk.replay_pending(older_than_s=0)  # again: arq refuses the same job id
        queued = await desk.redis.zrange(stack.queue_name, 0, -1)
        assert [j for j in queued if j.decode() == job_id] == [job_id.encode()]
    finally:
        await desk.redis.aclose()
