"""Routing and slot accuracy of the policy model on a held-out set of utterances."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backend.agents.context import CallContext
from backend.agents.policy import parse, slots
from backend.agents.policy.router import Router, handoff_name
from backend.agents.vertical import Vertical, build
from backend.verticals.real_estate.demo import SUBURBS, demo_listings

CALL_TIME = datetime(2026, 11, 21, 15, tzinfo=UTC)
"""The held-out set reads relative dates against this moment (a Saturday afternoon)."""


def offline_call() -> CallContext:
    """A call context with the demo suburbs and listings, and no stores (routing only)."""
    call = CallContext(group_id="eval", call_id="eval", memory=None, db=None, now=CALL_TIME)  # type: ignore[arg-type]
    call.suburbs = {s: s for s in SUBURBS}
    call.addresses = {x.property_id: x.address for x in demo_listings("eval")}
    return call


def predict(router: Router, vertical: Vertical, agents: dict[str, Any], text: str) -> str | None:
    """The tool the policy model would end up calling from the root, through one handoff."""
    root = agents[vertical.root.name]
    route = router.route(text, {t.name for t in root.tools} | {h.tool_name for h in root.handoffs})
    if route.target is None or not route.target.startswith("transfer_to_"):
        return route.target
    specialist = next(a for a in agents.values() if handoff_name(a.name) == route.target)
    return router.route(text, {t.name for t in specialist.tools}).target


def _same(name: str, expected: Any, got: Any) -> bool:
    if got is None:
        return False
    if name == "when":
        return str(got)[:16] == str(expected)[:16]
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return abs(float(got) - float(expected)) <= max(1.0, abs(float(expected)) * 0.01)
    return str(got).strip().lower() == str(expected).strip().lower()


def evaluate(path: Path, router: Router, vertical: Vertical) -> dict[str, Any]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    agents = build(vertical)
    tools = {t.name: t for a in agents.values() for t in a.tools}
    call = offline_call()
    per_tool: dict[str, Counter[str]] = defaultdict(Counter)
    per_slot: dict[str, Counter[str]] = defaultdict(Counter)
    misses = []
    slot_misses = []
    for row in rows:
        got = predict(router, vertical, agents, row["text"])
        ok = got == row["tool"]
        per_tool[row["tool"]]["right" if ok else "wrong"] += 1
        if not ok:
            misses.append({"text": row["text"], "expected": row["tool"], "got": got})
        schema = tools[row["tool"]].params_json_schema
        args, _ = slots.fill(schema, row["text"], call, vertical.readers_of(row["tool"]))
        for name, expected in row.get("slots", {}).items():
            value = parse.ordinal(row["text"]) if name == "ordinal" else args.get(name)
            right = _same(name, expected, value)
            per_slot[name]["right" if right else "wrong"] += 1
            if not right:
                slot_misses.append({"text": row["text"], "slot": name, "expected": expected, "got": value})
    right = sum(c["right"] for c in per_tool.values())
    slot_right = sum(c["right"] for c in per_slot.values())
    slot_total = sum(sum(c.values()) for c in per_slot.values())
    return {
        "utterances": len(rows),
        "routing_accuracy": round(right / len(rows), 4),
        "slot_accuracy": round(slot_right / slot_total, 4) if slot_total else None,
        "slots": slot_total,
        "per_tool": {k: round(v["right"] / sum(v.values()), 3) for k, v in sorted(per_tool.items())},
        "per_slot": {k: round(v["right"] / sum(v.values()), 3) for k, v in sorted(per_slot.items())},
        "misses": misses,
        "slot_misses": slot_misses,
    }
