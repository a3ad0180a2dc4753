"""`switchboard eval temporal`: is memory right about what was true when, as known when?

A world from ``ingest.caller_worlds`` is heard twice, in arrival order, each time in a fresh
group with the demo listings:

- ``structured``: every event as the episode an agent records (``Memory.record``);
- ``transcript``: a caller's identification as the agent records it live (the telephony
  number), every other event as a two-turn call read by the offline extractor and written
  the way the ingestion job writes (``unclaimed``, ``ingest_transcript``, ``record``), with
  no Postgres (the job's ledger and analytics steps are left out).

After each arrival the record time is noted; then every question "fact F of caller C at
valid time T, as known after arrival j" is asked through ``Memory.facts`` and compared
with ``caller_worlds.truth`` over the first j arrivals.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from backend.verticals import registry
from backend.verticals.real_estate.demo import seed_demo
from ingest.caller_worlds import FACTS, TYPES, Event, FactName, QuestionType, World, generate, truth
from ingest.extract.interface import Transcript
from ingest.extract.offline import OfflineExtractor
from ingest.jobs import Call, record, unclaimed
from memory import Memory, Turn
from memory.models import Fact

Path_ = Literal["structured", "transcript"]
PATHS: tuple[Path_, ...] = ("structured", "transcript")
SEED = 1414

_FACT_OF = {
    "identified": "phones",
    "phone": "phones",
    "budget": "budget",
    "email": "email",
    "suburb": "suburbs",
    "unsuburb": "suburbs",
}


@dataclass(frozen=True)
class Question:
    type: QuestionType
    caller_id: str
    fact: FactName
    valid_at: datetime | None
    """None: now."""
    known_after: int | None
    """Known after this many arrivals (None: now, after all)."""

    def expected(self, world: World) -> Any:
        known = world.arrivals if self.known_after is None else world.arrivals[: self.known_after]
        return truth(known, self.caller_id, self.fact, self.valid_at or datetime.now(UTC))


def questions(world: World) -> list[Question]:
    """Point-in-time questions of every type over the world's timeline."""
    changes: dict[tuple[str, FactName], list[datetime]] = defaultdict(list)
    holder_of: dict[str, str] = {}
    for e in sorted(world.arrivals, key=lambda e: e.valid_at):
        fact: FactName = _FACT_OF[e.kind]  # type: ignore[assignment]
        changes[(e.caller_id, fact)].append(e.valid_at)
        if e.kind == "identified" and e.value in holder_of and holder_of[e.value] != e.caller_id:
            changes[(holder_of[e.value], "phones")].append(e.valid_at)  # a number taken away
        if e.kind in ("identified", "phone"):
            holder_of[e.value] = e.caller_id

    def after(caller: str, fact: FactName, at: datetime) -> datetime:
        """A time inside the interval that starts at ``at`` (before the next change)."""
        later = [t for t in changes[(caller, fact)] if t > at]
        return at + (min(later) - at) / 2 if later else at + timedelta(days=2)

    def before(caller: str, fact: FactName, at: datetime) -> datetime:
        earlier = [t for t in changes[(caller, fact)] if t < at]
        return max(earlier) + (at - max(earlier)) / 2 if earlier else at - timedelta(days=1)

    out: list[Question] = []
    for caller in world.callers:
        for fact in FACTS:
            out.append(Question("current", caller, fact, None, None))
            times = sorted(changes[(caller, fact)])
            out += [Question("past", caller, fact, after(caller, fact, t), None) for t in times[:-1]]
    position = {id(e): i for i, e in enumerate(world.arrivals)}
    seen: set[tuple[str, str]] = set()
    holder_of.clear()
    for e in sorted(world.arrivals, key=lambda e: e.valid_at):
        fact = _FACT_OF[e.kind]  # type: ignore[assignment]
        j = position[id(e)]
        first_of_kind = (e.caller_id, e.kind) not in seen
        seen.add((e.caller_id, e.kind))
        at = after(e.caller_id, fact, e.valid_at)
        if e.kind in ("budget", "email") and not first_of_kind:
            out += [Question("knowledge_update", e.caller_id, fact, at, k) for k in (j, j + 1)]
        if e.kind == "unsuburb":
            out.append(Question("retraction", e.caller_id, fact, before(e.caller_id, fact, e.valid_at), None))
            out.append(Question("retraction", e.caller_id, fact, at, None))
        if e.late:
            out += [Question("late_arrival", e.caller_id, fact, at, k) for k in (j, j + 1, None)]
        if e.kind == "identified" and e.value in holder_of and holder_of[e.value] != e.caller_id:
            old = holder_of[e.value]
            out.append(Question("reassigned_phone", old, "phones", before(old, "phones", e.valid_at), None))
            out.append(Question("reassigned_phone", old, "phones", after(old, "phones", e.valid_at), None))
            out.append(Question("reassigned_phone", e.caller_id, "phones", at, None))
        if e.kind in ("identified", "phone"):
            holder_of[e.value] = e.caller_id
    return out


def answer(facts: list[Fact], fact: FactName) -> Any:
    """What memory's facts say, in ``truth``'s form."""
    if fact == "budget":
        values = [float(f.value) for f in facts if f.name == "HAS_BUDGET" and f.value is not None]
        return values[0] if len(values) == 1 else (tuple(values) or None)
    if fact == "email":
        emails = [f.value for f in facts if f.name == "HAS_EMAIL"]
        return emails[0] if len(emails) == 1 else (tuple(emails) or None)
    name = "HAS_PHONE" if fact == "phones" else "PREFERS_SUBURB"
    return tuple(sorted(str(f.value or f.object_name) for f in facts if f.name == name))


async def hear(mem: Memory, group: str, world: World, path: Path_) -> list[datetime]:
    """Every arrival through the path, in order; the record time known after each."""
    extractor = OfflineExtractor(mem.region)
    kept = registry.episode_types("real_estate")
    known: list[datetime] = []
    for i, e in enumerate(world.arrivals):
        if path == "structured" or e.kind == "identified":
            await mem.record(e.episode(group, i))
        else:
            await _as_call(mem, group, e, i, extractor, kept)
        known.append(datetime.now(UTC))
    return known


async def _as_call(mem: Memory, group: str, e: Event, i: int, extractor: OfflineExtractor, kept: Any) -> None:
    agent, caller = e.said()
    turns = [
        Turn(id="t1", speaker="agent", text=agent, at=e.valid_at),
        Turn(id="t2", speaker="caller", text=caller, at=e.valid_at + timedelta(seconds=8)),
    ]
    call_id = f"wcall-{i:05d}"
    transcript = Transcript(
        group_id=group,
        call_id=call_id,
        caller_id=e.caller_id,
        started_at=e.valid_at,
        turns=turns,
        suburbs=await mem.names(group, "Suburb"),
        properties={},
    )
    found = [x for x in await extractor.extract(transcript) if type(x) in kept]
    call = Call(call_id, group, e.caller_id, "voice", e.valid_at, turns[-1].at, None, [], "real_estate")
    episodes = await unclaimed(mem, call, found)
    async with mem.writing(group):
        await mem.ingest_transcript(group, call_id, turns, turns[-1].at, caller_id=e.caller_id)
        await record(mem, call_id, episodes)


async def evaluate(mem: Memory, seed: int = SEED, callers: int = 60) -> dict[str, Any]:
    world = generate(seed, callers)
    asked = questions(world)
    by_type: dict[str, dict[str, dict[str, int]]] = {
        t: {p: {"questions": 0, "correct": 0} for p in PATHS} for t in TYPES
    }
    misses: dict[str, list[dict[str, Any]]] = {p: [] for p in PATHS}
    for path in PATHS:
        group = f"eval-temporal-{path}-{uuid.uuid4().hex[:6]}"
        await seed_demo(mem, group)
        known = await hear(mem, group, world, path)
        for q in asked:
            k = None if q.known_after is None or q.known_after >= len(known) else known[q.known_after - 1]
            if q.known_after == 0:
                k = known[0] - timedelta(microseconds=1)  # nothing heard yet (never asked: a caller's first)
            got = answer(await mem.facts(group, q.caller_id, valid_at=q.valid_at, known_at=k), q.fact)
            want = q.expected(world)
            cell = by_type[q.type][path]
            cell["questions"] += 1
            if got == want:
                cell["correct"] += 1
            elif len(misses[path]) < 20:
                misses[path].append(
                    {"type": q.type, "caller": q.caller_id, "fact": q.fact, "want": want, "got": got}
                )
        await (await mem.store(group)).drop()
    accuracy = {
        p: round(
            sum(by_type[t][p]["correct"] for t in TYPES)
            / max(sum(by_type[t][p]["questions"] for t in TYPES), 1),
            4,
        )
        for p in PATHS
    }
    return {
        "seed": seed,
        "callers": len(world.callers),
        "events": len(world.arrivals),
        "late_events": sum(e.late for e in world.arrivals),
        "questions": len(asked),
        "accuracy": accuracy,
        "by_type": {
            t: {
                "questions": by_type[t]["structured"]["questions"],
                **{p: round(by_type[t][p]["correct"] / max(by_type[t][p]["questions"], 1), 4) for p in PATHS},
            }
            for t in TYPES
        },
        "misses": {p: [_plain(m) for m in misses[p]] for p in PATHS},
    }


def _plain(miss: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in miss.items()}


HEADER = ["question type", "questions", "structured", "transcript"]


def rows(result: dict[str, Any]) -> list[list[str]]:
    out = [
        [t, str(v["questions"]), f"{v['structured']:.3f}", f"{v['transcript']:.3f}"]
        for t, v in result["by_type"].items()
    ]
    a = result["accuracy"]
    out.append(["all", str(result["questions"]), f"{a['structured']:.3f}", f"{a['transcript']:.3f}"])
    return out


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"# Temporal eval — seed {result['seed']}",
        "",
        f"{result['callers']} callers, {result['events']} events ({result['late_events']} heard late), "
        f"{result['questions']} point-in-time questions through `Memory.facts`.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
        *["| " + " | ".join(r) + " |" for r in rows(result)],
    ]
    for path, misses in result["misses"].items():
        if misses:
            lines += ["", f"First misses ({path}):", ""]
            lines += [
                f"- {m['type']} {m['caller']} {m['fact']}: want {m['want']!r}, got {m['got']!r}"
                for m in misses[:5]
            ]
    return "\n".join(lines) + "\n"


def write_markdown(path: Path | None, result: dict[str, Any]) -> None:
    if path is not None:
        path.write_text(markdown(result))
