"""Precision, recall and F1 of the offline extractor on the labelled snippets, and its speed.

``run`` is the command (``switchboard bench extract``): it evaluates, prints a table and
returns the result for ``--json``. ``evaluate`` is the same without printing.

A fact is right when its kind and normalized value are among the snippet's expected facts
(the turn it came from is not scored: corrections move facts between turns). The known
names are the demo tenant's (``backend.verticals.real_estate.demo``): its 20 suburbs and
120 listing addresses.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ingest.extract.interface import Transcript
from ingest.extract.offline import FACT_KINDS, OfflineExtractor, nlp, warm_up
from memory import Turn

LABELLED = Path(__file__).with_name("data") / "extraction_labelled.jsonl"
"""Package data, so that ``switchboard bench extract`` runs from an installed wheel."""
TURN_GAP = timedelta(seconds=20)
TIMING_CALLS = 200
TIMING_TURNS = 20
Key = tuple[str, str]


@dataclass(frozen=True)
class Example:
    id: str
    transcript: Transcript
    expected: frozenset[Key]
    note: str = ""
    split: str = "dev"
    """``dev`` (written before the extractor) or ``heldout`` (written blind after its first
    version, never tuned on)."""


def known_names() -> tuple[dict[str, str], dict[str, str]]:
    """The demo tenant's suburbs and listing addresses, keyed as ``Memory.names`` keys them."""
    from backend.verticals.real_estate.demo import SUBURBS, demo_listings

    suburbs = {name.title(): name for name in SUBURBS}
    properties = {x.property_id: x.address for x in demo_listings("evaluation")}
    return suburbs, properties


def load(path: Path = LABELLED) -> list[Example]:
    suburbs, properties = known_names()
    examples = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        started = datetime.fromisoformat(row["started_at"])
        turns = [
            Turn(id=f"t{i}", speaker=t["speaker"], text=t["text"], at=started + i * TURN_GAP)
            for i, t in enumerate(row["turns"])
        ]
        transcript = Transcript(
            "evaluation", f"call-{row['id']}", "caller-1", started, turns, suburbs, properties
        )
        expected = frozenset((e["kind"], str(e["value"])) for e in row["expected"])
        examples.append(
            Example(row["id"], transcript, expected, row.get("note", ""), row.get("split", "dev"))
        )
    return examples


def score(examples: Sequence[Example], extractor: OfflineExtractor) -> dict[str, Any]:
    """Counts per kind, precision/recall/F1 per kind and micro-averaged, and every miss."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    by_split: dict[str, Counter[str]] = {}
    misses = []
    for example in examples:
        got = {(f.kind, f.value) for f in extractor.facts(example.transcript)}
        split = by_split.setdefault(example.split, Counter())
        for kind, _ in got & example.expected:
            tp[kind] += 1
            split["tp"] += 1
        for kind, _ in got - example.expected:
            fp[kind] += 1
            split["fp"] += 1
        for kind, _ in example.expected - got:
            fn[kind] += 1
            split["fn"] += 1
        if got != example.expected:
            misses.append(
                {
                    "id": example.id,
                    "split": example.split,
                    "missed": sorted(example.expected - got),
                    "spurious": sorted(got - example.expected),
                    "turns": [f"{t.speaker}: {t.text}" for t in example.transcript.turns],
                }
            )
    kinds = {kind: _prf(tp[kind], fp[kind], fn[kind]) for kind in FACT_KINDS}
    micro = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    splits = {name: _prf(c["tp"], c["fp"], c["fn"]) for name, c in sorted(by_split.items())}
    return {"examples": len(examples), "kinds": kinds, "micro": micro, "splits": splits, "misses": misses}


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def synthetic_calls(examples: Sequence[Example], calls: int, turns: int, seed: int = 7) -> list[Transcript]:
    """Calls of ``turns`` turns stitched from the labelled snippets (their mix of facts,
    small talk and agent turns), for timing."""
    rng = random.Random(seed)
    out = []
    for n in range(calls):
        first = rng.choice(examples).transcript
        said: list[tuple[str, str]] = []
        while len(said) < turns:
            said += [(t.speaker, t.text) for t in rng.choice(examples).transcript.turns]
        start = first.started_at
        call_turns = [
            Turn(id=f"t{i}", speaker=s, text=text, at=start + i * TURN_GAP)
            for i, (s, text) in enumerate(said[:turns])
        ]
        out.append(
            Transcript(
                "evaluation", f"timing-{n}", "caller-1", start, call_turns, first.suburbs, first.properties
            )
        )
    return out


def timing(
    examples: Sequence[Example], extractor: OfflineExtractor, calls: int, turns: int
) -> dict[str, Any]:
    """Milliseconds per call for ``extract`` (facts and episodes), after one warm-up call."""
    transcripts = synthetic_calls(examples, calls, turns)

    async def measure() -> list[float]:
        await extractor.extract(transcripts[0])
        samples = []
        for transcript in transcripts:
            started = time.perf_counter()
            await extractor.extract(transcript)
            samples.append((time.perf_counter() - started) * 1000)
        return samples

    samples = sorted(asyncio.run(measure()))
    pick = lambda q: round(samples[min(len(samples) - 1, int(q * len(samples)))], 2)  # noqa: E731
    return {
        "calls": calls,
        "turns_per_call": turns,
        "p50_ms": pick(0.50),
        "p95_ms": pick(0.95),
        "max_ms": round(samples[-1], 2),
        "calls_per_s_one_core": round(1000 / (sum(samples) / len(samples)), 1),
    }


def spacy_load_seconds() -> float | None:
    """How long importing spaCy and loading its model took here (None if already loaded in
    this process)."""
    if nlp.cache_info().currsize:
        return None
    started = time.perf_counter()
    warm_up()
    return round(time.perf_counter() - started, 3)


def evaluate(
    path: Path = LABELLED,
    extractor: OfflineExtractor | None = None,
    *,
    timing_calls: int = TIMING_CALLS,
    timing_turns: int = TIMING_TURNS,
) -> dict[str, Any]:
    """The scores on the labelled file and the time per call (``timing_calls=0`` skips it)."""
    extractor = extractor or OfflineExtractor()
    load_s = spacy_load_seconds()
    examples = load(path)
    result = score(examples, extractor)
    result["file"] = str(path)
    result["spacy_load_s"] = load_s
    if timing_calls:
        result["timing"] = timing(examples, extractor, timing_calls, timing_turns)
    return result


def show(result: dict[str, Any], console: Console | None = None, misses: bool = False) -> None:
    console = console or Console()
    table = Table(title=f"offline extraction — {result['examples']} labelled snippets")
    for column in ("kind", "tp", "fp", "fn", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    rows = [*result["kinds"].items(), ("micro average", result["micro"])]
    for kind, s in rows:
        if kind != "micro average" and not (s["tp"] or s["fp"] or s["fn"]):
            continue
        style = "bold" if kind == "micro average" else None
        table.add_row(
            kind,
            str(s["tp"]),
            str(s["fp"]),
            str(s["fn"]),
            f"{s['precision']:.1%}",
            f"{s['recall']:.1%}",
            f"{s['f1']:.1%}",
            style=style,
        )
    console.print(table)
    for name, s in result.get("splits", {}).items():
        console.print(
            f"{name}: precision {s['precision']:.1%}, recall {s['recall']:.1%}, F1 {s['f1']:.1%}",
            highlight=False,
        )
    if t := result.get("timing"):
        console.print(
            f"{t['turns_per_call']}-turn call: p50 {t['p50_ms']:.1f} ms, p95 {t['p95_ms']:.1f} ms "
            f"(max {t['max_ms']:.1f}; {t['calls_per_s_one_core']:.0f} calls/s on one core)",
            highlight=False,
        )
    if result.get("spacy_load_s") is not None:
        console.print(f"spaCy import and model load: {result['spacy_load_s']:.2f} s", highlight=False)
    if misses:
        for miss in result["misses"]:
            console.print(
                f"[bold]{miss['id']}[/] missed {miss['missed']} spurious {miss['spurious']}", highlight=False
            )
            for line in miss["turns"]:
                console.print(f"    {line}", highlight=False, markup=False)


def run(
    path: Path = LABELLED,
    *,
    console: Console | None = None,
    misses: bool = False,
    timing_calls: int = TIMING_CALLS,
) -> dict[str, Any]:
    """``switchboard bench extract``: evaluate, print the table, return the result (for ``--json``)."""
    result = evaluate(path, timing_calls=timing_calls)
    show(result, console, misses)
    return result


__all__ = ["LABELLED", "Example", "evaluate", "known_names", "load", "run", "score", "show"]
