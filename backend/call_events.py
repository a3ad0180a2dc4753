"""A call's events (text_delta, turn_done, transfer, call_ended…) to its listeners in whichever
API process they are, whichever process runs the turn: Redis pub/sub, one channel per call.

Every event goes out through Redis, the emitting process's own listeners' too: one path keeps
one order. One publisher task per process sends the events in the order they were emitted, and
a turn ``flush``es before it lets go of the call's turn lock, so the next turn's events (run in
any process) are published after this one's. With Redis unreachable, each event goes straight to
this process's listeners (logged once): a console on the process running the turn keeps
working, listeners elsewhere miss events until Redis is back."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)

CHANNEL = "switchboard:call:{}:events"
REDIS_TIMEOUT_S = 2.0
"""Longest a publish or a subscription waits for Redis before the events go local only: a
turn flushes under its call's lock, so a stalled Redis must not hold the call."""

Event = dict[str, Any]


@dataclass(eq=False)
class Listener:
    """One subscriber (an SSE stream, a WebSocket) of one call, in this process."""

    call_id: str
    queue: asyncio.Queue[Event] = field(default_factory=asyncio.Queue)
    remote: bool = False
    """Its events come through its Redis subscription (else straight from this process)."""
    reader: asyncio.Task[None] | None = None


class CallEvents:
    """This process's end of the calls' event channels."""

    def __init__(self, redis: Redis | None) -> None:
        """``redis`` None: no Redis (a test desk, the queue down at start): local listeners only."""
        self.redis = redis
        self._listeners: dict[str, set[Listener]] = {}
        self._outbox: asyncio.Queue[tuple[str, Event] | asyncio.Future[None]] = asyncio.Queue()
        self._publisher: asyncio.Task[None] | None = None
        self._down = False

    def emit(self, call_id: str, event: Event) -> None:
        """Send ``event`` to the call's listeners (synchronous: the agents' hooks call it)."""
        if self.redis is None:
            self._deliver(call_id, event, everyone=True)
            return
        self._outbox.put_nowait((call_id, event))
        self._start_publisher()

    async def flush(self) -> None:
        """Wait until every event emitted so far is published (or delivered locally)."""
        if self.redis is None:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outbox.put_nowait(done)
        self._start_publisher()
        await done

    async def listen(self, call_id: str) -> AsyncIterator[Event]:
        """The call's events from now on, until ``call_ended``: subscribed before this returns,
        so an event emitted afterwards, by any process, is received."""
        listener = Listener(call_id)
        if self.redis is not None:
            try:
                pubsub = await asyncio.wait_for(self._subscribe(call_id), REDIS_TIMEOUT_S)
            except (RedisError, OSError, TimeoutError) as exc:
                self._went_down(exc)
            else:
                listener.remote = True
                listener.reader = asyncio.create_task(self._read(listener, pubsub))
        self._listeners.setdefault(call_id, set()).add(listener)
        return self._drain(listener)

    async def close(self) -> None:
        """Publish what is pending, then stop the publisher."""
        if self._publisher is not None and not self._publisher.done():
            await self.flush()
            self._publisher.cancel()

    async def _subscribe(self, call_id: str) -> PubSub:
        assert self.redis is not None
        pubsub = self.redis.pubsub()
        try:
            await pubsub.subscribe(CHANNEL.format(call_id))
            while (await pubsub.get_message(timeout=REDIS_TIMEOUT_S) or {}).get("type") != "subscribe":
                pass  # the server's confirmation: from here on, publishes reach us
        except BaseException:
            await pubsub.aclose()
            raise
        return pubsub

    async def _read(self, listener: Listener, pubsub: PubSub) -> None:
        """Redis's messages for ``listener`` into its queue; on a lost connection, the
        listener gets this process's events directly from then on."""
        try:
            async for message in pubsub.listen():
                if message["type"] == "message":
                    listener.queue.put_nowait(json.loads(message["data"]))
        except (RedisError, OSError) as exc:
            listener.remote = False
            self._went_down(exc)
        finally:
            await pubsub.aclose()

    async def _drain(self, listener: Listener) -> AsyncIterator[Event]:
        try:
            while True:
                event = await listener.queue.get()
                yield event
                if event["type"] == "call_ended":
                    return
        finally:
            self._listeners.get(listener.call_id, set()).discard(listener)
            if not self._listeners.get(listener.call_id, True):
                del self._listeners[listener.call_id]
            if listener.reader is not None:
                listener.reader.cancel()

    def _start_publisher(self) -> None:
        if self._publisher is None or self._publisher.done():
            self._publisher = asyncio.create_task(self._publish_forever())

    async def _publish_forever(self) -> None:
        """Whatever is in the outbox, in one pipeline, in order; then who waited for it."""
        while True:
            batch = [await self._outbox.get()]
            while not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            events = [item for item in batch if isinstance(item, tuple)]
            published = await self._publish(events) if events else True
            for call_id, event in events:
                self._deliver(call_id, event, everyone=not published)
            for item in batch:
                if isinstance(item, asyncio.Future) and not item.done():
                    item.set_result(None)

    async def _publish(self, events: list[tuple[str, Event]]) -> bool:
        assert self.redis is not None
        pipe = self.redis.pipeline(transaction=False)
        for call_id, event in events:
            pipe.publish(CHANNEL.format(call_id), json.dumps(event, default=_jsonable))
        try:
            await asyncio.wait_for(pipe.execute(), REDIS_TIMEOUT_S)
        except (RedisError, OSError, TimeoutError) as exc:
            self._went_down(exc)
            return False
        if self._down:
            self._down = False
            log.info("call events: redis back")
        return True

    def _deliver(self, call_id: str, event: Event, *, everyone: bool) -> None:
        """To this process's listeners of the call: all of them (Redis did not take the
        event), or those without a Redis subscription."""
        for listener in self._listeners.get(call_id, ()):
            if everyone or not listener.remote:
                listener.queue.put_nowait(event)

    def _went_down(self, exc: BaseException) -> None:
        if not self._down:
            self._down = True
            log.warning("call events: redis unreachable, local listeners only", error=type(exc).__name__)


def _jsonable(value: object) -> str:
    """What FastAPI's encoder makes of the values events carry (times as ISO 8601)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
