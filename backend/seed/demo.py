"""``switchboard seed demo``: the demo world written through the production write paths.

- **Listings**: one CSV file a week (the agency's feed), imported by the workers' job
  ``import_listings`` (``ingest/listings.py``: added, price changes, sold).
- **The history** (nine calls in ten, over the months before now): the API stamps a call with
  the server's clock and cannot take one in the past, so each past call is written as the API
  leaves a call at its end (``store.history.write_ended_call``: the call, its timed turns; the
  caller recorded at the call's start as the API's recognition does, a ``CallerIdentified``
  at that time) and handed to **post-call ingestion by the workers** (``enqueue_ingest``:
  transcript, offline extractor, facts valid at the call's time, analytics, outcome). The
  viewings those calls book, move or cancel are written as the Viewing Scheduler's tools write
  them (the ledger, ``store.bookings``, and ``BookingMade`` … episodes), at the call's time;
  attendance as the agency's records would (no tool records it).
- **Now** (one call in ten): calls held through the **HTTP API with the policy model**
  (recognition by number, turns, tools, handoffs, traces, escalations), ended with
  ``/end`` (so ingested by the workers), then some callers erased with
  ``DELETE /v1/callers/{id}``.

The seed goes week by week and waits for each week's ingestion, so record time follows the
world's time: "what we knew on date X" is what had been recorded when the seed finished the
days up to X (``backend.analytics.timeline.known_at``). A few calls' ingestion is held back
three weeks (a worker outage): their facts arrive late, into the timeline where they belong.

Idempotent: every id is derived from the plan (``backend/seed/world.py``), and each step
(a week, the live calls, the erasures) is marked done in Redis (``switchboard:seed:{group}``)
so a second run writes nothing. A step cut off half way is run again whole: its writes are
keyed, except the live calls, which may then be held twice.
"""

from __future__ import annotations

import asyncio
import csv
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from arq.connections import ArqRedis

from backend.queue import IMPORT_LISTINGS, enqueue_ingest
from backend.seed.world import BookingStep, PastCall, World, plan
from backend.store import Database, bookings, history, ingestions, tenants
from backend.verticals.real_estate.episodes import (
    BookingAttended,
    BookingCancelled,
    BookingMade,
    BookingRescheduled,
)
from memory import CallerIdentified, Memory

Progress = Callable[[str, int, int], None]
"""``(stage, done, total)``."""
LIVE_CONCURRENCY = 8
"""Live calls held at once over HTTP (the 2-core machine's sweet spot in ``bench chat``)."""


@dataclass(frozen=True)
class Size:
    callers: int = 500
    months: int = 6

    @classmethod
    def small(cls) -> Size:
        return cls(callers=30, months=2)


@dataclass
class SeedReport:
    tenant: str
    group_id: str
    callers: int
    past_calls: int = 0
    live_calls: int = 0
    bookings: int = 0
    feed_weeks: int = 0
    erased: int = 0
    late_calls: int = 0
    facts: int = 0
    skipped_steps: int = 0
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Seeder:
    db: Database
    memory: Memory
    redis: ArqRedis
    api_url: str
    data_dir: Path
    queue_name: str | None = None
    progress: Progress = lambda stage, done, total: None

    def marker(self, group: str) -> str:
        return f"switchboard:seed:{group}"

    async def run(self, tenant_name: str, size: Size) -> SeedReport:
        began = time.monotonic()
        tenant = await tenants.named(self.db, tenant_name)
        if tenant is None:
            tenant, first = await tenants.create(self.db, tenant_name, timezone="Australia/Sydney")
            await tenants.revoke(self.db, _key_id(first))  # the seed's keys live only while it runs
        group = tenant.group_id
        anchor = await self._anchor(group)
        world = plan(group, size.callers, size.months, anchor)
        report = SeedReport(tenant_name, group, size.callers)
        done = {k.decode() if isinstance(k, bytes) else k for k in await self.redis.hkeys(self.marker(group))}
        key = None
        try:
            await self._history(world, group, done, report)
            if "live" not in done or "erase" not in done:
                key = await tenants.issue_key(self.db, tenant.tenant_id)
                async with httpx.AsyncClient(
                    base_url=self.api_url, headers={"Authorization": f"Bearer {key}"}, timeout=60
                ) as client:
                    await self._step(group, "live", done, report, self._live(client, world, group, report))
                    await self._step(group, "erase", done, report, self._erase(client, world, report))
            else:
                report.skipped_steps += 2
        finally:
            if key:  # the seed's own key lives only as long as the seed
                await tenants.revoke(self.db, _key_id(key))
        report.past_calls = len(world.calls)
        report.live_calls = len(world.live)
        report.late_calls = sum(1 for c in world.calls if c.late)
        report.seconds = round(time.monotonic() - began, 1)
        return report

    async def _anchor(self, group: str) -> datetime:
        """The end of the history: the first run's midnight (UTC), kept so a rerun plans the
        same world on another day."""
        marker = self.marker(group)
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        await self.redis.hsetnx(marker, "anchor", today.isoformat())
        raw = await self.redis.hget(marker, "anchor")
        return datetime.fromisoformat(raw.decode() if isinstance(raw, bytes) else str(raw))

    async def _step(self, group: str, name: str, done: set[str], report: SeedReport, work: Any) -> None:
        if name in done:
            work.close()  # the coroutine is not run
            report.skipped_steps += 1
            return
        began = time.monotonic()
        await work
        report.steps[name] = round(time.monotonic() - began, 1)
        await self.redis.hset(self.marker(group), name, datetime.now(UTC).isoformat())

    # -- the history -----------------------------------------------------------

    async def _history(self, world: World, group: str, done: set[str], report: SeedReport) -> None:
        total = len(world.calls)
        written = 0
        held: dict[int, list[PastCall]] = {}
        for week in world.weeks:
            for call in week.calls:
                if call.late:
                    held.setdefault(week.number + call.late, []).append(call)
            name = f"week:{week.number:02d}"
            if name in done:
                report.skipped_steps += 1
                written += len(week.calls)
                self.progress("past calls (ingested by the workers)", written, total)
                continue
            began = time.monotonic()
            await self._feed(group, week.number, week.feed)
            report.feed_weeks += 1
            enqueued = []
            for call in week.calls:
                report.bookings += await self._write_call(group, call)
                if not call.late:
                    await enqueue_ingest(self.redis, self.db, call.call_id, group, queue_name=self.queue_name)
                    enqueued.append(call.call_id)
            for call in held.pop(week.number, []):
                await enqueue_ingest(self.redis, self.db, call.call_id, group, queue_name=self.queue_name)
                enqueued.append(call.call_id)
            for step in week.steps:
                await self._booking(group, step)
            report.facts += await self._ingested(enqueued)
            written += len(week.calls)
            self.progress("past calls (ingested by the workers)", written, total)
            report.steps[name] = round(time.monotonic() - began, 1)
            await self.redis.hset(self.marker(group), name, datetime.now(UTC).isoformat())
        # Held back past the last week: they arrive now.
        late = [c.call_id for calls in held.values() for c in calls]
        await self._step(group, "late", done, report, self._arrive(group, late, report))

    async def _arrive(self, group: str, call_ids: list[str], report: SeedReport) -> None:
        for call_id in call_ids:
            await enqueue_ingest(self.redis, self.db, call_id, group, queue_name=self.queue_name)
        report.facts += await self._ingested(call_ids)

    async def _feed(self, group: str, week: int, rows: list[Any]) -> None:
        """The week's listings file, imported by a worker (``import_listings``)."""
        folder = self.data_dir / "seed" / group
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"listings-week-{week:02d}.csv"
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0].as_csv()))
            writer.writeheader()
            writer.writerows(r.as_csv() for r in rows)
        job = await self.redis.enqueue_job(
            IMPORT_LISTINGS,
            str(path),
            group,
            _job_id=f"seed:{group}:feed:{week:02d}",
            _queue_name=self._queue(),
        )
        if job is not None:  # None: this week's import already ran (or is running)
            await job.result(timeout=300, poll_delay=0.2)

    def _queue(self) -> str:
        from backend.queue import queue_of

        return queue_of(self.redis, self.queue_name)

    async def _write_call(self, group: str, call: PastCall) -> int:
        """The call's start (a new caller recorded as the API records one), its viewings, and
        the ended call's rows; returns how many viewings it booked."""
        if call.new_caller:
            await self.memory.record(
                CallerIdentified(
                    id=f"{call.call_id}:identified",
                    group_id=group,
                    valid_at=call.started_at,
                    call_id=call.call_id,
                    caller_id=call.caller_id,
                    name=call.name,
                    phone=call.phone,
                    source="api",
                )
            )
        made = 0
        for step in call.bookings:
            made += await self._booking(group, step)
        step_s = timedelta(seconds=20)
        await history.write_ended_call(
            self.db,
            call_id=call.call_id,
            group_id=group,
            channel="voice" if call.phone else "chat",
            caller_id=call.caller_id,
            started_at=call.started_at,
            ended_at=call.ended_at,
            phone=call.phone,
            name=call.name,
            turns=[
                (seq, who, text, "Triage" if who == "agent" else None, call.started_at + step_s * seq)
                for seq, (who, text) in enumerate(call.lines)
            ],
        )
        return made

    async def _booking(self, group: str, step: BookingStep) -> int:
        """A viewing step as the Viewing Scheduler's tools write it (ledger, then memory)."""
        key = f"{group}:{step.key}"
        if step.kind == "made":
            try:
                b = await bookings.book(
                    self.db,
                    group_id=group,
                    property_id=step.property_id,
                    starts_at=step.starts_at,
                    caller_id=step.caller_id,
                    idempotency_key=key,
                    call_id=step.call_id,
                    today=step.at.date(),
                    made_at=step.at,
                )
            except bookings.SlotTaken:
                return 0
            episode: Any = BookingMade(
                id=f"{b.booking_id}:made",
                booking_id=b.booking_id,
                property_id=step.property_id,
                caller_id=step.caller_id,
                starts_at=b.starts_at,
                reference=b.reference,
                **self._when(group, step),
            )
            await self.memory.record(episode)
            return 1
        booking = await history.booking_of_key(self.db, key)
        if booking is None or booking.status != "scheduled":
            return 0
        if step.kind == "moved":
            try:
                await bookings.reschedule(self.db, group, booking.booking_id, step.starts_at)
            except bookings.SlotTaken:
                return 0
            episode = BookingRescheduled(
                id=f"{booking.booking_id}:moved:{step.starts_at.isoformat()}",
                booking_id=booking.booking_id,
                starts_at=step.starts_at,
                **self._when(group, step),
            )
        elif step.kind == "cancelled":
            await bookings.set_status(self.db, group, booking.booking_id, "cancelled")
            episode = BookingCancelled(
                id=f"{booking.booking_id}:cancelled", booking_id=booking.booking_id, **self._when(group, step)
            )
        else:
            await bookings.set_status(self.db, group, booking.booking_id, "attended")
            episode = BookingAttended(
                id=f"{booking.booking_id}:attended",
                booking_id=booking.booking_id,
                **{**self._when(group, step), "source": "api"},
            )
        await self.memory.record(episode)
        return 0

    @staticmethod
    def _when(group: str, step: BookingStep) -> dict[str, Any]:
        return {"group_id": group, "valid_at": step.at, "call_id": step.call_id}

    async def _ingested(self, call_ids: list[str], timeout_s: float = 600) -> int:
        """Wait until the workers have ingested these calls; the new facts they wrote."""
        deadline = time.monotonic() + timeout_s
        while call_ids:
            rows = await ingestions.of_calls(self.db, call_ids)
            if len(rows) == len(call_ids) and all(r["state"] in ("done", "dead") for r in rows):
                return await history.facts_of(self.db, call_ids)
            if time.monotonic() > deadline:
                raise TimeoutError(f"ingestion of {len(call_ids)} calls did not finish: is a worker running?")
            await asyncio.sleep(0.25)
        return 0

    # -- now: the HTTP API -----------------------------------------------------

    async def _live(self, client: httpx.AsyncClient, world: World, group: str, report: SeedReport) -> None:
        gate = asyncio.Semaphore(LIVE_CONCURRENCY)
        ended: list[str] = []
        total = len(world.live)

        async def hold(call: Any) -> None:
            async with gate:
                started = await _ok(client.post("/v1/calls", json={"channel": "voice", "from": call.phone}))
                call_id = started["call_id"]
                for line in call.lines:
                    await _ok(client.post(f"/v1/calls/{call_id}/turns", json={"text": line}), allow=(409,))
                await _ok(client.post(f"/v1/calls/{call_id}/end", json={}))
                ended.append(call_id)
                self.progress("live calls (HTTP API, policy model)", len(ended), total)

        await asyncio.gather(*(hold(c) for c in world.live))
        report.facts += await self._ingested(ended)

    async def _erase(self, client: httpx.AsyncClient, world: World, report: SeedReport) -> None:
        for n, caller_id in enumerate(world.erasures, 1):
            response = await client.delete(f"/v1/callers/{caller_id}")
            if response.status_code not in (200, 404):
                response.raise_for_status()
            report.erased += response.status_code == 200
            self.progress("erasures (DELETE /v1/callers)", n, len(world.erasures))


def _key_id(key: str) -> str:
    return key.split("_")[1]  # sb_<key id>_<secret>


async def _ok(request: Any, allow: tuple[int, ...] = ()) -> Any:
    response = await request
    if response.status_code in allow:
        return {}
    if response.status_code >= 300:
        raise RuntimeError(f"{response.request.method} {response.request.url.path}: {response.status_code}")
    return response.json()
