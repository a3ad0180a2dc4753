"""Slot filling from a tool's JSON schema: each parameter is read by its name and type."""

from __future__ import annotations

import re
from typing import Any

from backend.agents.context import CallContext
from backend.agents.policy import parse
from backend.agents.tools import resolve

_MONEY = {"budget", "max_price", "price", "deposit", "amount"}
_REFERENCE = re.compile(r"\bRE-\d{8}-\d{3}\b", re.IGNORECASE)
_ADDRESS = re.compile(
    r"\b\d+[a-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:St|Street|Rd|Road|Ave|Avenue|Pde|Parade|Cres|Crescent"
    r"|Dr|Drive|Pl|Place|Ln|Lane|Way|Tce|Terrace|Ct|Court|Hwy|Highway)\b\.?"
)


def _nullable(spec: dict[str, Any]) -> bool:
    return any(option.get("type") == "null" for option in spec.get("anyOf", []))


def _kind(spec: dict[str, Any]) -> str | None:
    if "type" in spec:
        return str(spec["type"])
    return next((o["type"] for o in spec.get("anyOf", []) if o.get("type") != "null"), None)


_DEPOSIT = re.compile(
    r"(?P<amount>\$?\s*[\d.,]+\s*(?:k|m|mil|million|thousand|%|percent)?)\s*(?:deposit|down)\b"
    r"|deposit (?:of )?(?P<after>\$?\s*[\d.,]+\s*(?:k|m|mil|million|thousand|%|percent)?)",
    re.IGNORECASE,
)


def _deposit(utterance: str) -> tuple[float | None, float | None]:
    """(dollars, percent) from "$200k deposit", "20% down", "a deposit of 150,000"."""
    m = _DEPOSIT.search(utterance)
    if not m:
        return None, None
    said = m.group("amount") or m.group("after") or ""
    share = parse.percent(said)
    return (None, share) if share is not None else (parse.money(said, minimum=1), None)


def read(name: str, kind: str | None, utterance: str, ctx: CallContext) -> Any:
    """One parameter's value from the utterance, or None."""
    if name == "deposit":
        return _deposit(utterance)[0]
    if name == "deposit_percent":
        return _deposit(utterance)[1]
    if name in _MONEY:
        spoken = _DEPOSIT.sub(" ", utterance)  # a deposit is not the price
        return parse.money(spoken)
    if "bedroom" in name:
        return parse.count(utterance, near="bed")
    if name == "years":
        return parse.years(utterance)
    if "rate" in name:
        return parse.percent(_DEPOSIT.sub(" ", utterance))
    if "suburb" in name:
        return resolve.suburb(ctx, utterance)
    if name == "property":
        try:
            return resolve.property_id(ctx, utterance)
        except resolve.NotUnderstood:
            return None
    if name == "when":
        moment = parse.when(utterance, ctx.now)
        return moment.isoformat() if moment else None
    if name == "reference":
        m = _REFERENCE.search(utterance)
        return m.group(0).upper() if m else None
    if name == "address":
        m = _ADDRESS.search(utterance)
        return m.group(0) if m else None
    if name == "reason":
        return utterance
    if kind == "integer":
        return parse.count(utterance)
    return None


def fill(schema: dict[str, Any], utterance: str, ctx: CallContext) -> tuple[dict[str, Any], list[str]]:
    """Arguments for a tool, and the required parameters nobody said."""
    args: dict[str, Any] = {}
    missing: list[str] = []
    for name, spec in schema.get("properties", {}).items():
        value = read(name, _kind(spec), utterance, ctx)
        args[name] = value
        if value is None and not _nullable(spec):
            missing.append(name)
    return args, missing


QUESTIONS = {
    "when": "What day and time would suit you?",
    "property": "Which property do you mean?",
    "suburb": "Which suburb?",
    "address": "What's the address?",
    "reason": "Could you tell me what it's about?",
}


def ask(missing: list[str]) -> str:
    return QUESTIONS.get(missing[0], f"Could you tell me the {missing[0].replace('_', ' ')}?")
