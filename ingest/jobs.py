"""The jobs workers run, registered under the names of the queue contract (``backend.queue``,
which also enqueues them: backend knows jobs by name only).

``ingest_call`` turns a finished call into memory exactly once in effect: delivery is
at least once (retries, re-runs after a killed worker) and every write is keyed by
(call, turn, kind), so a re-run writes nothing twice.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from arq import Retry
from arq.connections import ArqRedis
from arq.worker import Function, func
from pydantic import ValidationError

from backend import erasure
from backend.call_events import CallEvents
from backend.oncall import Ladder
from backend.pii import redact
from backend.queue import CLIMB_LADDER, ERASE_CALLER, IMPORT_LISTINGS, PING, job_id_of
from backend.store import Database, bookings, calls, ingestions, oncall, recordings
from backend.verticals import registry
from ingest.analytics import CallAnalytics, analyse
from ingest.extract.interface import Transcript
from ingest.listings import import_file
from ingest.worker import Deps
from memory import (
    CallCompleted,
    CallerIdentified,
    ContactChanged,
    Episode,
    EpisodeConflict,
    Memory,
    MemoryInputError,
    PossibleDuplicate,
    Turn,
)

log = structlog.get_logger(__name__)

_QUOTED = re.compile(r"'[^']*'")


class PoisonCall(Exception):
    """A call that can never be ingested as it is (retrying cannot help)."""


class CallGone(Exception):
    """The call was erased while its job was running: write nothing."""


POISON = (PoisonCall, MemoryInputError, ValidationError, UnicodeError)


@dataclass
class Call:
    """A finished call as Postgres holds it."""

    call_id: str
    group_id: str
    caller_id: str | None
    channel: str
    started_at: datetime
    ended_at: datetime | None
    outcome: str | None
    turns: list[dict[str, Any]]
    vertical: str = "real_estate"


# -- jobs ------------------------------------------------------------------------


async def ping(ctx: dict[str, Any]) -> str:
    """A no-op round trip through the queue, for health checks and tests."""
    return "pong"


async def ingest_call(ctx: dict[str, Any], call_id: str) -> dict[str, Any]:
    """Transcript, extracted facts and post-call analytics of one call, into the graph and Postgres."""
    deps: Deps = ctx["deps"]
    limits, job_try = deps.limits, int(ctx.get("job_try", 1))
    call = await load_call(deps.db, call_id)
    if call is None:
        log.info("call gone before ingestion", call_id=call_id)
        return {"state": "gone"}
    await ingestions.open_row(deps.db, call_id, call.group_id, job_id_of(call_id))
    if job_try > limits.max_tries:  # the previous tries died with their worker (killed, timed out)
        return await _dead(deps, call_id, f"gave up after {limits.max_tries} tries (worker lost the job)")
    await ingestions.start(deps.db, call_id)
    try:
        async with asyncio.timeout(limits.job_timeout_s):
            call = await unerased(deps, ctx["redis"], call)
            facts = await ingest(deps, ctx["redis"], call)
    except CallGone:
        log.info("call erased during ingestion", call_id=call_id)
        return {"state": "gone"}
    except POISON as exc:
        return await _dead(deps, call_id, "poison transcript: " + describe(exc))
    except Exception as exc:
        reason = describe(exc)
        if job_try >= limits.max_tries:
            return await _dead(deps, call_id, f"failed {job_try} times, last: {reason}")
        await ingestions.failed(deps.db, call_id, reason)
        log.warning(
            "ingestion failed, will retry", call_id=call_id, job_try=job_try, error=type(exc).__name__
        )
        raise Retry(defer=limits.backoff(job_try)) from None
    await ingestions.done(deps.db, call_id, facts)
    return {"state": "done", "facts": facts}


async def unerased(deps: Deps, redis: ArqRedis, call: Call) -> Call:
    """The call without what an erasure since it began took away (``erasure.refuse_erased``):
    CallGone if it was the erased person's call, else the call read again if lines went."""
    refused = await erasure.refuse_erased(
        deps.memory, deps.db, redis, deps.settings, call.call_id, deps.memory.locks
    )
    if refused is None:
        return call
    if refused == "erased":
        raise CallGone(call.call_id)
    again = await load_call(deps.db, call.call_id)
    if again is None:
        raise CallGone(call.call_id)
    return again


async def _dead(deps: Deps, call_id: str, reason: str) -> dict[str, Any]:
    await ingestions.dead(deps.db, call_id, reason)
    log.warning("ingestion dead-lettered", call_id=call_id, reason=reason)
    return {"state": "dead", "reason": reason}


def describe(exc: BaseException) -> str:
    """A reason fit for the ledger and logs: no input values (pydantic would echo the
    transcript), contact details redacted."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        text = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    elif isinstance(exc, MemoryInputError):
        # Memory quotes the offending value (a phone, an episode id holding a name or email).
        text = _QUOTED.sub("'…'", str(exc))
    else:
        text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {redact(text)}"[: ingestions.MAX_REASON]


# -- the ingestion itself -------------------------------------------------------------


async def load_call(db: Database, call_id: str) -> Call | None:
    row = await calls.for_ingestion(db, call_id)
    if row is None:
        return None
    return Call(**row, turns=await calls.turns(db, call_id))


def to_turns(call: Call) -> list[Turn]:
    """Memory's turns (ids ``t{seq}``); an invalid one makes the call poison."""
    turns = []
    for t in call.turns:
        try:
            turns.append(Turn(id=f"t{t['seq']}", speaker=t["speaker"], text=t["text"], at=t["at"]))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise PoisonCall(f"turn t{t['seq']}: {first['loc'][0]}: {first['msg']}") from None
    return turns


async def ingest(deps: Deps, redis: ArqRedis, call: Call) -> int:
    """The work of one try; returns how many new facts it wrote."""
    turns = to_turns(call)
    extracted = await extract(deps, call, turns)
    numbers = await analysed(deps, call, turns, extracted)
    episodes = await unclaimed(deps.memory, call, extracted)
    if call.caller_id:
        episodes.append(completed(call, turns, numbers))
    # Embedding is the costly step: done here, outside the tenant's lock and batched with
    # other jobs', it fills memory's vector cache, so the writes below only look vectors up.
    await deps.embeddings.warm(embed_texts(turns, episodes, deps.memory.region))
    async with deps.memory.writing(call.group_id):  # checked, then written, with no writer between
        if not await calls.exists(deps.db, call.call_id):
            raise CallGone(call.call_id)
        await deps.memory.ingest_transcript(
            call.group_id, call.call_id, turns, reference_time(call, turns), caller_id=call.caller_id
        )
        facts = await record(deps.memory, call.call_id, episodes)
    await store_analytics(deps.db, call.call_id, numbers)
    return facts


async def unclaimed(memory: Memory, call: Call, episodes: list[Episode]) -> list[Episode]:
    """A number or email said in a call is no proof of whose it is: one on file for another
    caller is not recorded for this one (it would take the number, and with it their next
    calls and their step-up check); a possible-duplicate link is recorded instead."""
    kept: list[Episode] = []
    links: dict[str, PossibleDuplicate] = {}
    for e in episodes:
        if not isinstance(e, CallerIdentified | ContactChanged) or not (e.phone or e.email):
            kept.append(e)
            continue
        drop: dict[str, None] = {}
        for kind, value in (("phone", e.phone), ("email", e.email)):
            if not value:
                continue
            try:
                found = await memory.identify(call.group_id, **{kind: value})
            except MemoryInputError:
                continue  # not a number: recording it fails the same way, as it did before
            others = [c.caller.id for c in found.possible if c.caller.id != e.caller_id]
            if others and len(others) == len(found.possible):
                drop[kind] = None
                for other in others:
                    links[other] = _link(e, other, "typed_phone" if kind == "phone" else "email")
        rest = e.model_copy(update=drop)
        if rest.name or rest.phone or rest.email or isinstance(rest, CallerIdentified):
            kept.append(rest)
    return [*kept, *links.values()]


def _link(e: CallerIdentified | ContactChanged, other: str, matched_on: str) -> PossibleDuplicate:
    return PossibleDuplicate(
        id=f"{e.id}:possible:{other}"[-128:],
        group_id=e.group_id,
        valid_at=e.valid_at,
        caller_id=e.caller_id,
        other_id=other,
        matched_on=matched_on,  # type: ignore[arg-type]
        confidence=0.8,
        source="ingest",
    )


async def analysed(deps: Deps, call: Call, turns: list[Turn], extracted: list[Episode]) -> CallAnalytics:
    """Analytics from the transcript's episodes and what the agents recorded live (bookings,
    appraisals, the transfer), the ledger's bookings of the call and its transfer status: all
    fixed once the call has ended, so a re-run derives the same outcome."""
    live = [e for e in await deps.memory.call_episodes(call.group_id, call.call_id) if e.source != "ingest"]
    booked = [b.booking_id for b in await bookings.of_call(deps.db, call.group_id, call.call_id)]
    transferred = await calls.was_transferred(deps.db, call.call_id)
    return analyse(turns, [*extracted, *live], booked=booked, transferred=transferred)


async def record(memory: Memory, call_id: str, episodes: list[Episode]) -> int:
    """The call's episodes in one atomic write; new facts written.

    An id already recorded with other content (the agents record some facts live, under
    ids that can coincide with the extractor's; or an earlier extractor version ran)
    keeps what is there: history is never edited. The rest is then written one by one.
    """
    if not episodes:
        return 0
    try:
        return (await memory.record_many(episodes)).facts
    except EpisodeConflict:
        facts = kept = 0
        for episode in episodes:
            try:
                facts += (await memory.record(episode)).facts
            except EpisodeConflict:
                kept += 1
        log.warning("episodes recorded before with other content were kept", call_id=call_id, kept=kept)
        return facts


def embed_texts(turns: list[Turn], episodes: list[Episode], region: str) -> list[str]:
    """The texts memory will embed for these writes: each turn's text (as
    ``memory.transcripts`` does, without the speaker) and each fact's predicate (``FactEvent.embed_text``).

    This mirrors memory internals; should it drift, the writes embed the rest themselves
    (slower, under the lock, still correct).
    """
    texts = [t.text for t in turns]
    try:
        texts += [f.embed_text for e in episodes for f in registry.ONTOLOGY.translate(e, region).facts]
    except Exception:  # only a speed-up: never fail an ingestion over it
        log.debug("predicate texts unavailable")
    return texts


async def extract(deps: Deps, call: Call, turns: list[Turn]) -> list[Episode]:
    """The caller's facts from the transcript (none for an anonymous call)."""
    if not call.caller_id or not turns:
        return []
    transcript = Transcript(
        group_id=call.group_id,
        call_id=call.call_id,
        caller_id=call.caller_id,
        started_at=call.started_at,
        turns=turns,
        suburbs=await deps.names(call.group_id, "Suburb"),
        properties=await deps.names(call.group_id, "Property"),
    )
    found = await deps.extractor_or_fail().extract(transcript)
    # Only what the answering vertical holds: a sales reading of a repair call ("I'm 800
    # behind") must not become a budget in a graph the two lines share.
    kept = registry.episode_types(call.vertical)
    return [e for e in found if type(e) in kept]


def reference_time(call: Call, turns: list[Turn]) -> datetime:
    """When the call ended (the last turn, or its start, if the end was not recorded)."""
    return call.ended_at or (turns[-1].at if turns else call.started_at)


def completed(call: Call, turns: list[Turn], numbers: CallAnalytics) -> CallCompleted:
    """The call's outcome for the next greeting; same id and content on every re-run."""
    assert call.caller_id
    return CallCompleted(
        id=f"{call.call_id}:completed",
        group_id=call.group_id,
        valid_at=reference_time(call, turns),
        call_id=call.call_id,
        source="ingest",
        caller_id=call.caller_id,
        channel="chat" if call.channel == "chat" else "voice",
        outcome=numbers.outcome[:200],
        summary=numbers.summary,
    )


async def store_analytics(db: Database, call_id: str, numbers: CallAnalytics) -> None:
    await calls.set_analytics(
        db,
        call_id,
        summary=numbers.summary,
        sentiment=numbers.sentiment,
        lead_score=numbers.lead_score,
        lead_reasons=numbers.lead_reasons,
        outcome=numbers.outcome,
    )


async def import_listings(ctx: dict[str, Any], path: str, group_id: str) -> dict[str, Any]:
    """A CSV or JSON file of listings into a tenant's graph (see ``ingest.listings``)."""
    deps: Deps = ctx["deps"]
    report = await import_file(deps.memory, group_id, path)
    deps.forget_names(group_id)
    return report.as_dict()


async def erase_caller(ctx: dict[str, Any], group_id: str, caller_id: str) -> dict[str, Any]:
    """Everything of a caller, queued or stored (see ``backend.erasure``)."""
    deps: Deps = ctx["deps"]
    erased = await erasure.erase_caller(
        deps.memory,
        deps.db,
        ctx["redis"],
        group_id,
        caller_id,
        settings=deps.settings,
        locks=deps.memory.locks,
    )
    return erased.as_dict()


async def climb_ladder(ctx: dict[str, Any], call_id: str, rung: int) -> str:
    """A page's timeout passed: the next rung, unless someone answered (``backend.oncall``)."""
    deps: Deps = ctx["deps"]
    ladder = Ladder(deps.db, deps.memory, ctx["redis"], deps.settings.queue_name)
    climbed = await ladder.climb(call_id, rung)
    if climbed == "paged":  # the call's listeners, in any API process, see who is paged now
        page = (await oncall.pages(deps.db, call_id))[-1]
        events = CallEvents(ctx["redis"])
        event = {
            "type": "on_call_paged",
            "rung": page.rung,
            "person": page.person,
            "emergency": page.emergency,
        }
        events.emit(call_id, event)
        await events.close()
    return climbed


async def purge_recordings(ctx: dict[str, Any]) -> int:
    """Recordings past their tenant's retention are deleted (hourly; also at start-up)."""
    deps: Deps = ctx["deps"]
    purged = await recordings.purge_expired(deps.db)
    if purged:
        log.info("recordings purged", recordings=purged)
    return purged


FUNCTIONS: list[Function] = [
    func(ping, name=PING),
    func(climb_ladder, name=CLIMB_LADDER),
    func(import_listings, name=IMPORT_LISTINGS),
    func(erase_caller, name=ERASE_CALLER),
]
"""Jobs with arq's default tries; ``ingest_call`` is added by ``build_worker`` with its own."""
