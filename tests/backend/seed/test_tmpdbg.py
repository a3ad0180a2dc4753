import asyncio
async def test_feed(stack):
    from ingest.worker import build_worker
    from arq import create_pool
    from arq.connections import RedisSettings
    from backend.connections import open_memory
    from backend.seed.demo import Seeder, Size
    from backend.store import Database
    from memory.locks import RedisLocks
    from backend.seed.world import plan
    from datetime import datetime, UTC
    settings = stack.model_copy(update={"queue_name": "test:seed3"})
    worker = build_worker(settings)
    running = asyncio.create_task(worker.async_run())
    redis = await create_pool(RedisSettings.from_dsn(settings.redis_url or ""), default_queue_name="test:seed3")
    db = await Database.open(settings.database_url or "")
    memory = await open_memory(settings, RedisLocks(redis))
    seeder = Seeder(db, memory, redis, "http://x", settings.data_dir, settings.queue_name)
    w = plan("gdbg", 30, 2, datetime(2026,12,1,tzinfo=UTC))
    try:
        await asyncio.wait_for(seeder._feed("gdbg", 0, w.weeks[0].feed), 40)
    except Exception as e:
        print("ERR", repr(e), running.done(), running.done() and running.exception())
        print(await redis.keys("*"))
        print(worker.jobs_complete, worker.jobs_failed, worker.jobs_retried)
        raise
    running.cancel()
