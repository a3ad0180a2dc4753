"""The call lifecycle shared by chat and voice: start (recognize, greet), turns (serialized
per call across every API process, streamed to listeners in any process), end (transcript
kept, ingestion enqueued once).

A process's ``LiveCall`` is a cache of the call as Postgres holds it at one ``version``. The
invalidation rule: every write to a call's live state, by any process (a stored turn, with what
its tools wrote to the call, such as the caller a step-up check found; an amended reply; a
transfer), bumps ``calls.version`` in the same statement; whoever takes the call's turn lock
reads the version, ``ended`` and ``transferred`` from Postgres and rebuilds its copy when the
version is not the one it cached. Its own writes return the new version, so a process taking
a call's turns one after another never rebuilds."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog
from arq.connections import ArqRedis
from redis.exceptions import RedisError

from backend import metrics
from backend.agents.clock import local, zone_of
from backend.agents.context import CallContext, CallState
from backend.agents.runner import AgentRuntime, TurnResult
from backend.agents.streaming import pieces
from backend.agents.tools import identity
from backend.call_events import CallEvents
from backend.oncall import Ladder
from backend.outages import OUTAGES
from backend.queue import job_id_of
from backend.store import Database, audit, bookings, oncall, turn_locks
from backend.store import calls as store
from backend.store.tenants import Principal
from backend.texts import Texts
from backend.verticals.real_estate.episodes import BookingCancelled
from memory import MemoryInputError

log = structlog.get_logger(__name__)

LIVE_CALLS = 10_000
"""Calls kept in memory; an evicted call is rebuilt from Postgres on its next turn."""
END_OF_TURN = {"type": "turn_done"}
TURN_BUDGET_S = 30.0
UNDONE = "the turn that made it was not stored"


class CallNotFound(LookupError):
    """No such call for this tenant (another tenant's call is reported the same way)."""


class CallEnded(RuntimeError):
    pass


@dataclass
class LiveCall:
    """This process's copy of a live call (see the module's invalidation rule)."""

    ctx: CallContext
    agent: str
    runtime: AgentRuntime
    """The agents of the tenant's vertical."""
    events: CallEvents
    version: int = 0
    """The call's ``calls.version`` this copy reflects."""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """This process's turns of the call, in arrival order, before they queue for the turn lock."""
    ended: bool = False
    transferred: bool = False
    """Handed to a person: further turns get the holding reply, the agents do not run."""
    booked: set[str] = field(default_factory=set)
    """The call's bookings that stored turns made (a turn that fails to store undoes the rest)."""

    def emit(self, event: dict[str, Any]) -> None:
        self.events.emit(self.ctx.call_id, event)

    def refresh(self, fresh: LiveCall) -> None:
        """Take a rebuilt copy's state, keeping this one's lock (a turn holds it)."""
        self.ctx, self.agent, self.runtime = fresh.ctx, fresh.agent, fresh.runtime
        self.version, self.transferred, self.booked = fresh.version, fresh.transferred, fresh.booked


@dataclass(frozen=True)
class Started:
    call_id: str
    caller: dict[str, Any]
    agent: str
    greeting: str


Enqueue = Callable[[ArqRedis, Database, str, str], Awaitable[str]]


class CallDesk:
    """Every call of this process. Turns of one call run one at a time, in arrival order,
    whichever API process each arrives at."""

    def __init__(
        self,
        runtimes: Mapping[str, AgentRuntime],
        db: Database,
        redis: ArqRedis | None,
        enqueue: Enqueue,
        *,
        turn_budget_s: float = TURN_BUDGET_S,
        queue_name: str | None = None,
        build: Callable[[str], AgentRuntime] | None = None,
        texts: Texts | None = None,
    ) -> None:
        """``runtimes``: the agents of verticals, by name; ``build`` makes another vertical's
        on its first call (a tenant created while this process runs); ``texts``: how a caller's
        phone is texted (a step-up check's code), None for never."""
        self.runtimes, self.db, self.redis, self.enqueue = dict(runtimes), db, redis, enqueue
        self.memory = next(iter(self.runtimes.values())).memory
        self._build, self._building = build, asyncio.Lock()
        self.ladder = Ladder(db, self.memory, redis, queue_name)
        self.texts = texts
        self.turn_budget_s = turn_budget_s
        """Past this a turn is given up (503, undone): no turn hangs on a stalled store or LLM."""
        self.live: OrderedDict[str, LiveCall] = OrderedDict()
        self._opening: dict[str, asyncio.Lock] = {}
        self.events = CallEvents(redis)

    async def runtime(self, who: Principal) -> AgentRuntime:
        """The agents answering this tenant's calls (built off the event loop the first time:
        training a router takes seconds)."""
        name = who.tenant.vertical
        if name in self.runtimes:  # every call but a new vertical's first: no lock on the way
            return self.runtimes[name]
        async with self._building:
            if name not in self.runtimes:
                if self._build is None:
                    raise RuntimeError(f"vertical {name!r} is not loaded in this process")
                self.runtimes[name] = await asyncio.to_thread(self._build, name)
                log.info("vertical loaded", vertical=name)
        return self.runtimes[name]

    async def settle(self) -> None:
        """Wait until every finished turn's trace is in Postgres."""
        await asyncio.gather(*(r.settle() for r in self.runtimes.values()))

    async def start(
        self,
        who: Principal,
        channel: str,
        *,
        phone: str | None = None,
        name: str | None = None,
        email: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Started:
        group, call_id, now = who.tenant.group_id, "call-" + uuid.uuid4().hex, datetime.now(UTC)
        runtime = await self.runtime(who)
        began = time.perf_counter()
        ctx = await runtime.open_call(
            group,
            call_id,
            now=now,
            phone=phone,
            name=name,
            email=email,
            tz=zone_of(who.tenant.timezone),
            phone_verified=channel == "voice",  # the voice bridge passes the telephony caller id
            identify=False,
        )
        metrics.MEMORY_READ.observe(time.perf_counter() - began)
        ctx.channel = channel
        await self._equip(ctx, who)
        root = runtime.vertical.root.name
        greeting = runtime.vertical.greeting(ctx)
        # All or nothing: the rows first, in a transaction; memory's write last inside it, so
        # a refused row writes nothing to memory and a memory failure rolls the rows back.
        async with store.creating(
            self.db,
            call_id=call_id,
            group_id=group,
            channel=channel,
            caller_id=ctx.caller_id,
            agent=root,
            started_at=now,
            metadata=metadata or {},
            greeting=greeting,
            name=name,
            phone=phone,
            email=email,
            vertical=who.tenant.vertical,
        ) as conn:
            await audit.record(conn, who, "caller.recall", f"caller:{ctx.caller_id}", call_id=call_id)
            await runtime.identify(ctx, name=name, phone=phone, email=email)
        self._keep(call_id, LiveCall(ctx, root, runtime, self.events))
        known = ctx.caller
        return Started(
            call_id=call_id,
            caller={
                "id": ctx.caller_id,
                "name": known.caller.name if known else name,
                "returning": known is not None,
                "confidence": known.confidence if known else None,
                "matched_on": known.matched_on if known else None,
                "verified": bool(known and known.verified),
                "possible_match": bool(ctx.state.candidates),
            },
            agent=root,
            greeting=greeting,
        )

    async def _equip(self, ctx: CallContext, who: Principal) -> None:
        """What the tenant's set-up gives a call: an on-call ladder, texting."""
        ctx.on_call = await self.ladder.staffed(who.tenant.tenant_id)
        ctx.can_text = self.texts is not None and await self.texts.available(who.tenant.tenant_id)

    async def turn(
        self, who: Principal, call_id: str, text: str, on_text: Callable[[str], None] | None = None
    ) -> tuple[TurnResult, float]:
        """Run one caller turn; returns the result and its latency in ms. ``on_text``: each
        piece of the reply as it is released (the voice bridge speaks it), before the turn ends."""
        async with self._holding(who, call_id) as live:
            live.ctx.emit = live.emit if on_text is None else _tee(live.emit, on_text)
            try:
                return await self._turn(who, live, text)
            finally:
                live.ctx.emit = live.emit

    async def _turn(self, who: Principal, live: LiveCall, text: str) -> tuple[TurnResult, float]:
        call_id = live.ctx.call_id
        if live.ended:
            raise CallEnded(f"call {call_id} has ended")
        if live.transferred:
            return await self._hold(who, live, text)
        began = time.perf_counter()
        live.ctx.now = datetime.now(UTC)
        before = live.ctx.state.snapshot()
        try:
            result, stored = await self._run_and_store(who, live, text)
        except BaseException:
            await self._undo(live, before)
            live.emit({"type": "turn_failed"})  # what was streamed of it is void
            raise
        if not stored:  # ended by another process while this turn ran
            await self._undo(live, before)
            live.ended = True
            raise CallEnded(f"call {call_id} has ended")
        live.agent = result.agent
        if live.ctx.state.last_booking != before.last_booking:
            live.booked = await self._booked(live.ctx)
        await audit.record(self.db, who, "caller.turn", f"caller:{live.ctx.caller_id}", call_id=call_id)
        latency = (time.perf_counter() - began) * 1000
        metrics.observe_turn(result, latency)
        if result.escalated:
            await self._transfer(who, live, result)
        _stream_reply(live.ctx.emit, result)
        return result, latency

    async def _run_and_store(self, who: Principal, live: LiveCall, text: str) -> tuple[TurnResult, bool]:
        """The agents' turn within the turn budget, its texts sent, then its transcript lines;
        False if the call had ended (nothing stored)."""
        try:
            result = await asyncio.wait_for(live.runtime.turn(live.ctx, text, live.agent), self.turn_budget_s)
        except TimeoutError:
            log.warning("turn over budget", call_id=live.ctx.call_id, budget_s=self.turn_budget_s)
            raise
        if not await self._send_texts(who, live.ctx):  # the caller hears so, not a question about it
            result.reply = identity.NOT_TEXTED
        return result, await self._store(live, text, result)

    async def _send_texts(self, who: Principal, ctx: CallContext) -> bool:
        """The texts the turn wrote (a step-up code), before its reply is given; False, with the
        code void, when one could not be sent."""
        for to, body in ctx.turn.texts:
            signed = f"{who.tenant.name}: {body}"  # who it is from: the caller may not know the number
            if self.texts is None or not await self.texts.send(who.tenant.tenant_id, to, signed):
                ctx.state.text_code, ctx.state.step_up_asked = None, False
                return False
        return True

    async def _store(
        self, live: LiveCall, text: str, result: TurnResult, *, working_set: bool = True
    ) -> bool:
        """The turn's transcript lines (and the call's working set); False if the call had
        ended (nothing stored)."""
        version = await store.add_turn(
            self.db,
            live.ctx.call_id,
            caller_text=text,
            reply=result.reply,
            agent=result.agent,
            at=live.ctx.now,
            handoffs=len(result.handoffs),
            tool_calls=len(result.tool_calls),
            working_set=live.ctx.state.working_set() if working_set else None,
            context=result.context,
        )
        if version is None:
            return False
        live.version = version
        return True

    async def _store_or_end(
        self, live: LiveCall, text: str, result: TurnResult, *, working_set: bool = True
    ) -> None:
        """``_store``, or CallEnded if the call had ended (another process ended it)."""
        if not await self._store(live, text, result, working_set=working_set):
            live.ended = True
            raise CallEnded(f"call {live.ctx.call_id} has ended")

    async def record(self, who: Principal, call_id: str, text: str, result: TurnResult) -> None:
        """A turn an engine of its own ran (a realtime speech model runs the agents itself):
        stored, audited, streamed and, when it hands the call to a person, transferred, as
        ``turn`` does for the agents it runs."""
        async with self._holding(who, call_id) as live:
            if live.ended:
                raise CallEnded(f"call {call_id} has ended")
            live.ctx.now = datetime.now(UTC)
            await self._send_texts(who, live.ctx)  # spoken already: a code not sent is just void
            await self._store_or_end(live, text, result)
            live.agent = result.agent
            await audit.record(self.db, who, "caller.turn", f"caller:{live.ctx.caller_id}", call_id=call_id)
            if result.escalated and not live.transferred:
                await self._transfer(who, live, result)
            _stream_reply(live.ctx.emit, result)

    async def heard_only(self, who: Principal, call_id: str, spoken: str) -> None:
        """The caller talked over the last reply: the transcript keeps what was played of it."""
        async with self._holding(who, call_id) as live:
            if version := await store.amend_last_reply(self.db, call_id, spoken):
                live.version = version
                history = live.ctx.state.history
                if history and isinstance(history[-1], dict) and history[-1].get("role") == "assistant":
                    history[-1] = {"role": "assistant", "content": spoken}

    async def _undo(self, live: LiveCall, before: CallState) -> None:
        """A turn that was not stored leaves nothing behind: the call's state as it was, and
        the bookings the turn made out of the ledger (and cancelled in memory, whose history
        is never edited). Best effort: with Postgres down there is nothing to undo it with,
        and the booking's idempotency key makes the caller's retry find it again."""
        ctx = live.ctx
        ctx.state = before
        try:
            gone = await bookings.discard(self.db, ctx.group_id, ctx.call_id, live.booked)
        except OUTAGES as exc:
            log.warning("turn not undone: store unreachable", call_id=ctx.call_id, error=type(exc).__name__)
            return
        for booking_id in gone:
            cancelled = ctx.episode(
                BookingCancelled, f"{booking_id}:undone", booking_id=booking_id, reason=UNDONE
            )
            try:
                await self.memory.record(cancelled)
            except (MemoryInputError, *OUTAGES) as exc:  # never recorded as made, or memory is down
                log.warning("undone booking not in memory", call_id=ctx.call_id, error=type(exc).__name__)
        if gone:
            log.info("turn undone", call_id=ctx.call_id, bookings=len(gone))

    async def _booked(self, ctx: CallContext) -> set[str]:
        """The call's bookings in the ledger (those of stored turns)."""
        return {b.booking_id for b in await bookings.of_call(self.db, ctx.group_id, ctx.call_id)}

    async def _hold(self, who: Principal, live: LiveCall, text: str) -> tuple[TurnResult, float]:
        """A turn of a call handed to a person: where the on-call ladder is up to, or the
        holding reply (out of business hours, the tenant's after-hours policy), stored as a turn
        like any other; no agent runs."""
        began = time.perf_counter()
        ctx = live.ctx
        ctx.now = datetime.now(UTC)
        laddered = await self.ladder.holding_reply(who.tenant.tenant_id, ctx.call_id, ctx.now)
        reply = laddered or ctx.hours.holding_reply(local(ctx.now, ctx.tz))
        result = TurnResult(reply=reply, agent=live.agent)
        await self._store_or_end(live, text, result, working_set=False)
        await audit.record(self.db, who, "caller.turn", f"caller:{ctx.caller_id}", call_id=ctx.call_id)
        latency = (time.perf_counter() - began) * 1000
        metrics.observe_turn(result, latency)
        _stream_reply(live.ctx.emit, result)
        return result, latency

    async def _transfer(self, who: Principal, live: LiveCall, result: TurnResult) -> None:
        """Hand the call to a person: status and brief in Postgres (so a rebuilt call keeps
        holding), then a ``transfer`` event before the turn's reply, so a listener reading the
        turn up to ``turn_done`` sees it (a person's console, the voice bridge: it connects the
        person once the reply is spoken); then the tenant's on-call ladder, if it has one, is
        paged. The brief is never logged."""
        assert result.brief is not None
        ctx = live.ctx
        if version := await store.transfer(self.db, ctx.call_id, result.brief, ctx.now):
            live.version = version
        live.transferred = True
        live.emit({"type": "transfer", "agent": result.agent, "brief": result.brief})
        emergency = result.brief.get("trigger") == "emergency"
        try:
            rung = await self.ladder.start(
                who.tenant.tenant_id, ctx.group_id, ctx.call_id, ctx.caller_id or "", emergency=emergency
            )
        except (MemoryInputError, *OUTAGES) as exc:  # the transfer stands; the team sees it in Postgres
            log.warning("on-call not paged", call_id=ctx.call_id, error=type(exc).__name__)
            return
        if rung is not None:
            live.emit(
                {"type": "on_call_paged", "rung": rung.rung, "person": rung.person, "emergency": emergency}
            )

    def speech_hint(self, call_id: str, limit: int = 40) -> str:
        """What speech recognition is primed with: the names a caller on this call may say
        (their own, the tenant's suburbs), as a sentence. A bare list of names biases the first
        word to a name ("Thanks, that's all" heard as "Pink, that's all"); a sentence does not."""
        live = self.live.get(call_id)
        if live is None:
            return ""
        ctx = live.ctx
        name = ctx.caller.caller.name if ctx.caller and ctx.caller.verified else None
        names = [*([name] if name else []), *list(ctx.suburbs.values())[:limit]]
        return f"The caller may mention {', '.join(names)}." if names else ""

    async def accept(self, who: Principal, call_id: str, person: str) -> oncall.Page | None:
        """``person`` takes the call they were paged about; None if they were not paged."""
        page = await self.ladder.accept(who.tenant.group_id, call_id, person)
        if page is None:
            return None
        await audit.record(self.db, who, "call.on_call_answered", f"call:{call_id}", rung=page.rung)
        self.events.emit(call_id, {"type": "on_call_answered", "rung": page.rung, "person": page.person})
        return page

    async def end(self, who: Principal, call_id: str, outcome: str | None = None) -> str:
        """Close the call (idempotent) and enqueue its ingestion exactly once; the job id."""
        call = await store.get(self.db, who.tenant.group_id, call_id)
        if call is None:
            raise CallNotFound(call_id)
        live = self.live.get(call_id)
        lock = live.lock if live else asyncio.Lock()
        # A turn in flight, in any process, finishes (and is stored) before the call closes.
        async with lock, turn_locks.holding(self.db, call_id):
            await store.end(self.db, call_id, outcome)
            if live:
                live.ended = True
        job_id = await self._enqueue(call_id, who.tenant.group_id)
        await audit.record(self.db, who, "call.end", f"call:{call_id}", job_id=job_id)
        self.events.emit(call_id, {"type": "call_ended", "job_id": job_id})
        self.live.pop(call_id, None)
        return job_id

    async def _enqueue(self, call_id: str, group_id: str) -> str:
        """Enqueue the call's ingestion; with the queue down, the ended call waits in Postgres
        and ``replay_pending`` sends it later (nothing a caller said is lost)."""
        try:
            if self.redis is None:
                raise ConnectionError("queue not connected")
            return await self.enqueue(self.redis, self.db, call_id, group_id)
        except (RedisError, OSError) as exc:
            log.warning("ingestion deferred: queue unreachable", call_id=call_id, error=type(exc).__name__)
            return job_id_of(call_id)

    async def replay_pending(self, older_than_s: float = 30) -> int:
        """Enqueue ended calls whose ingestion never reached the queue; returns how many.
        Safe to repeat: job ids are per call, so a queued or finished job is not run twice."""
        rows = await store.unqueued(self.db, older_than_s)
        if self.redis is None:
            return 0
        for row in rows:
            await self.enqueue(self.redis, self.db, row["call_id"], row["group_id"])
        return len(rows)

    async def subscribe(self, who: Principal, call_id: str) -> AsyncIterator[dict[str, Any]]:
        """The call's events from now on, whichever process runs its turns, until it ends (a
        wrong id raises here, not later)."""
        call = await store.get(self.db, who.tenant.group_id, call_id)
        if call is None:
            raise CallNotFound(call_id)
        if call["ended_at"] is not None:
            raise CallEnded(f"call {call_id} has ended")
        return await self.events.listen(call_id)

    @asynccontextmanager
    async def _holding(self, who: Principal, call_id: str) -> AsyncIterator[LiveCall]:
        """The call with its turn lock held (this process's turns of it first queue on its
        asyncio lock, so each process holds one lock connection per call), current with
        Postgres; on the way out, the events emitted under the lock are published before the
        next holder's."""
        live = await self._live(who, call_id)
        async with live.lock, turn_locks.holding(self.db, call_id) as row:
            try:
                if row is None:  # erased while cached
                    self.live.pop(call_id, None)
                    raise CallNotFound(call_id)
                if row.ended:
                    live.ended = True
                    self.live.pop(call_id, None)
                elif row.version != live.version:  # another process wrote the call since
                    live.refresh(await self._rebuild(who, call_id))
                live.transferred = row.transferred
                yield live
            finally:
                await self.events.flush()

    async def _live(self, who: Principal, call_id: str) -> LiveCall:
        live = self.live.get(call_id)
        if live is not None and live.ctx.group_id == who.tenant.group_id:
            self.live.move_to_end(call_id)
            return live
        lock = self._opening.setdefault(call_id, asyncio.Lock())
        async with lock:  # two first turns after a restart rebuild the call once
            if (live := self.live.get(call_id)) is None:
                live = await self._resume(who, call_id)
        self._opening.pop(call_id, None)
        if live.ctx.group_id != who.tenant.group_id:
            raise CallNotFound(call_id)
        return live

    async def _resume(self, who: Principal, call_id: str) -> LiveCall:
        """A call this process has not seen (restart, eviction, another process's): rebuilt
        from Postgres, resuming with the agent that owned the conversation."""
        live = await self._rebuild(who, call_id)
        self._keep(call_id, live)
        return live

    async def _rebuild(self, who: Principal, call_id: str) -> LiveCall:
        """The call as Postgres holds it: its caller recalled, working set, transcript,
        owning agent, status and version."""
        call = await store.get(self.db, who.tenant.group_id, call_id)
        if call is None:
            raise CallNotFound(call_id)
        if call["ended_at"] is not None:
            raise CallEnded(f"call {call_id} has ended")
        runtime = await self.runtime(who)
        ctx = await runtime.open_call(
            who.tenant.group_id,
            call_id,
            now=datetime.now(UTC),
            caller_id=call["caller_id"],
            tz=zone_of(who.tenant.timezone),
        )
        ctx.channel = call["channel"]
        await self._equip(ctx, who)
        ctx.state = CallState.restore(call["working_set"], runtime.vertical.results)
        ctx.state.history = [
            {"role": "user" if t["speaker"] == "caller" else "assistant", "content": t["text"]}
            for t in await store.turns(self.db, call_id)
        ]
        live = LiveCall(
            ctx,
            call["active_agent"],
            runtime,
            self.events,
            version=call["version"],
            transferred=call["status"] == "transferred",
        )
        live.booked = await self._booked(ctx)
        return live

    def _keep(self, call_id: str, live: LiveCall) -> None:
        self.live[call_id] = live
        while len(self.live) > LIVE_CALLS:
            self.live.popitem(last=False)


def _stream_reply(emit: Callable[[dict[str, Any]], None], result: TurnResult) -> None:
    """The rest of the reply (what the model's stream did not release), clause by clause, then
    the turn's end. A reply that is not what was streamed (a guardrail or a ceiling replaced
    it) is announced with ``text_reset`` and streamed whole."""
    rest = result.reply
    if result.streamed and result.reply.startswith(result.streamed):
        rest = result.reply[len(result.streamed) :]
    elif result.streamed:
        emit({"type": "text_reset"})
    for piece in pieces(rest):
        emit({"type": "text_delta", "delta": piece})
    emit({**END_OF_TURN, "agent": result.agent, "reply": result.reply})


def _tee(
    emit: Callable[[dict[str, Any]], None], on_text: Callable[[str], None]
) -> Callable[[dict[str, Any]], None]:
    def both(event: dict[str, Any]) -> None:
        emit(event)
        if event["type"] == "text_delta":
            on_text(event["delta"])

    return both
