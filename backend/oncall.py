"""The on-call ladder: a call handed to a person pages the tenant's primary; each page left
unanswered for its rung's timeout pages the next rung, until someone answers or nobody is
left (the caller then awaits a callback). Every page and answer is an episode, so analysts
see who was tried and when; Postgres holds the ladder's state, a deferred job climbs it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import structlog
from arq.connections import ArqRedis
from redis.exceptions import RedisError

from backend.queue import enqueue_climb
from backend.store import Database
from backend.store import oncall as store
from memory import Memory, OnCallAnswered, OnCallExhausted, OnCallPaged

log = structlog.get_logger(__name__)


ANSWERED = "{name} from our on-call team has your details and is joining the call now."
PAGING = "I'm still getting hold of our on-call team for you. Please stay on the line."
EXHAUSTED = (
    "I'm sorry, I couldn't reach anyone on call just now. Everything you've told me is logged,"
    " and someone will call you back as soon as they can."
)


class AlreadyAnswered(RuntimeError):
    """Someone else on the ladder took the call first."""


@dataclass(frozen=True)
class Ladder:
    db: Database
    memory: Memory
    redis: ArqRedis | None
    queue_name: str | None = None

    async def staffed(self, tenant_id: str) -> bool:
        """The tenant has someone on call (a transfer pages them, at any hour)."""
        return bool(await store.ladder(self.db, tenant_id))

    async def start(
        self, tenant_id: str, group_id: str, call_id: str, caller_id: str, *, emergency: bool = False
    ) -> store.Rung | None:
        """Page the tenant's first rung about the call; None if the tenant has no ladder."""
        rungs = await store.ladder(self.db, tenant_id)
        if not rungs:
            return None
        first = store.Page(call_id, 0, tenant_id, group_id, caller_id, "", emergency, _now(), None)
        await self._page(rungs[0], first, await store.pages(self.db, call_id))
        return rungs[0]

    async def climb(self, call_id: str, rung: int) -> str:
        """``rung``'s timeout has passed: unless someone answered, page the next rung, or,
        past the last, record that nobody answered. Safe to repeat (a retried job)."""
        paged = await store.pages(self.db, call_id)
        if not paged:
            return "no pages"
        if any(p.answered_at for p in paged):
            return "answered"
        last = paged[-1]
        rungs = await store.ladder(self.db, last.tenant_id)
        following = [r for r in rungs if r.rung > rung]
        if not following:
            timeout = next((r.timeout_s for r in rungs if r.rung == last.rung), 0)
            await self.memory.record(
                OnCallExhausted(
                    id=f"{call_id}:on-call-exhausted",
                    group_id=last.group_id,
                    valid_at=last.paged_at + timedelta(seconds=timeout),  # when the last page ran out
                    call_id=call_id,
                    caller_id=last.caller_id,
                    rungs=len(paged),
                )
            )
            log.warning("on-call ladder exhausted", call_id=call_id, rungs=len(paged))
            return "exhausted"
        await self._page(following[0], last, paged)
        return "paged"

    async def accept(self, group_id: str, call_id: str, person: str) -> store.Page | None:
        """``person`` takes the call; None if they were not paged about it."""
        try:
            page = await store.answer(self.db, group_id, call_id, person, _now())
        except store.Taken as exc:
            raise AlreadyAnswered(str(exc)) from None
        if page is None:
            return None
        await self.memory.record(
            OnCallAnswered(
                id=f"{call_id}:on-call-answered",
                group_id=group_id,
                valid_at=page.answered_at or _now(),
                call_id=call_id,
                caller_id=page.caller_id,
                person=page.person,
                rung=page.rung,
            )
        )
        return page

    async def holding_reply(self, tenant_id: str, call_id: str, now: datetime) -> str | None:
        """What a caller on hold hears while the ladder climbs; None if nobody was paged."""
        paged = await store.pages(self.db, call_id)
        if not paged:
            return None
        if taken := next((p for p in paged if p.answered_at), None):
            return ANSWERED.format(name=taken.person.split()[0])
        last = (await store.ladder(self.db, tenant_id) or [None])[-1]
        if last is None or (
            paged[-1].rung >= last.rung and now >= paged[-1].paged_at + timedelta(seconds=last.timeout_s)
        ):
            return EXHAUSTED
        return PAGING

    async def _page(self, rung: store.Rung, like: store.Page, paged: list[store.Page]) -> None:
        """Page ``rung`` about the call ``like`` is a page of (its tenant, caller, urgency).
        The episode, the row, the deferred check: each idempotent, and a retry finishes the
        page made before (same time), so nobody is paged twice."""
        page = next((p for p in paged if p.rung == rung.rung), None) or replace(
            like, rung=rung.rung, person=rung.person, paged_at=_now(), answered_at=None
        )
        await self.memory.record(
            OnCallPaged(
                id=f"{page.call_id}:paged:{rung.rung}",
                group_id=page.group_id,
                valid_at=page.paged_at,
                call_id=page.call_id,
                caller_id=page.caller_id,
                person=rung.person,
                rung=rung.rung,
                timeout_s=rung.timeout_s,
                emergency=page.emergency,
            )
        )
        await store.add_page(self.db, page)
        # The page itself goes out through the tenant's pager (SMS, a call); here it is the
        # event and the log line. No names or numbers in the log.
        log.info("on-call paged", call_id=page.call_id, rung=rung.rung, emergency=page.emergency)
        try:
            if self.redis is None:
                raise ConnectionError("queue not connected")
            await enqueue_climb(
                self.redis, page.call_id, rung.rung, rung.timeout_s, queue_name=self.queue_name
            )
        except (RedisError, OSError) as exc:
            log.warning(
                "on-call ladder stalled: queue unreachable", call_id=page.call_id, error=type(exc).__name__
            )


def _now() -> datetime:
    return datetime.now(UTC)
