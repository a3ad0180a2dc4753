"""The call lifecycle in process: nothing a caller said is lost when the queue is down."""

from __future__ import annotations

import asyncio
import functools
import threading
import uuid

from arq import create_pool
from arq.connections import RedisSettings

from backend.agents.models import from_settings
from backend.agents.runner import AgentRuntime
from backend.calls import CallDesk
from backend.config import Settings
from backend.queue import enqueue_ingest
from backend.store import Database, tenants
from backend.store import calls as store
from backend.store.ingestions import row
from backend.store.tenants import Principal
from backend.verticals.real_estate.agents import REAL_ESTATE
from memory import Memory
from tests.llm_server import compatible_llm


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


async def _llm_desk(stack: Settings, mem: Memory, db: Database, url: str) -> tuple[CallDesk, Principal, str]:
    model = from_settings(stack.model_copy(update={"llm": url, "llm_model": "local-model"}))
    desk = CallDesk(
        {"real_estate": AgentRuntime(REAL_ESTATE, mem, db, model=model)}, db, None, enqueue_ingest
    )
    _, key = await tenants.create(db, "stream-" + uuid.uuid4().hex[:6])
    who = await tenants.authenticate(db, key)
    assert who is not None
    return desk, who, (await desk.start(who, "voice", name="Rae Stream")).call_id


async def test_the_reply_is_released_as_the_model_writes_it(
    stack: Settings, mem: Memory, db: Database
) -> None:
    """The voice bridge speaks the first clause while the model is still writing the rest."""
    gate = threading.Event()  # the model writes its second clause once the first was heard
    with compatible_llm(("Sure, let me look. ", "I can help with that."), gate) as llm:
        desk, who, call_id = await _llm_desk(stack, mem, db, llm.url)
        heard: list[str] = []

        def hear(piece: str) -> None:
            heard.append(piece)
            gate.set()

        result, _ = await desk.turn(who, call_id, "hello", on_text=hear)
    assert "".join(heard) == result.reply == "Sure, let me look. I can help with that."
    assert llm.opened and all(llm.opened), "the first clause was heard while the model was writing"


async def test_a_clause_the_guardrail_would_stop_is_never_streamed(
    stack: Settings, mem: Memory, db: Database
) -> None:
    with compatible_llm(("Good news. ", "It is $4,750,000. ", "Shall I book?")) as llm:
        desk, who, call_id = await _llm_desk(stack, mem, db, llm.url)
        events = await desk.subscribe(who, call_id)
        result, _ = await desk.turn(who, call_id, "what's the price of 12 Ocean St?")
        seen = []
        while not seen or seen[-1]["type"] != "turn_done":
            seen.append(await asyncio.wait_for(anext(events), 5))
    kinds = [e["type"] for e in seen]
    assert seen[kinds.index("text_delta")]["delta"] == "Good news. ", "released before the price"
    assert "4,750,000" not in "".join(e.get("delta", "") for e in seen), "the price was held back"
    reset = kinds.index("text_reset")
    after = "".join(e["delta"] for e in seen[reset:] if e["type"] == "text_delta")
    assert after == result.reply and "4,750,000" not in result.reply, result.reply
