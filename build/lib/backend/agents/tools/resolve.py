"""Turning what a caller said into graph entities: "the second one", "12 Ocean St", "Bondi"."""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from backend.agents.context import CallContext
from backend.agents.policy import parse

_PROPERTY_ID = re.compile(r"\bP\d+\b")


class NotUnderstood(ValueError):
    """The tool cannot tell which thing the caller means; the message says what to ask."""


def property_id(ctx: CallContext, said: str | None) -> str:
    """A listing id from an id, an address, an ordinal into the last results, or "it"."""
    text = said or ""
    if text in ctx.addresses:
        return text
    if m := _PROPERTY_ID.search(text):
        return m.group(0)
    position = parse.ordinal(text)
    if position and ctx.state.last_results:
        results = ctx.state.last_results
        if position == -1 or position <= len(results):
            return results[position - 1 if position > 0 else -1].property_id
    if text and ctx.addresses:
        best = process.extractOne(text, ctx.addresses, scorer=fuzz.partial_ratio, score_cutoff=85)
        if best:
            return str(best[2])
    if ctx.state.last_property:
        return ctx.state.last_property
    if len(ctx.state.last_results) == 1:
        return ctx.state.last_results[0].property_id
    raise NotUnderstood("Which property do you mean? You can give me the address.")


def suburb(ctx: CallContext, said: str | None) -> str | None:
    """The known suburb named in ``said`` (fuzzy, so "Bondy" is Bondi), or None."""
    if not said or not ctx.suburbs:
        return None
    names = list(ctx.suburbs.values())
    lowered = said.lower()
    for name in sorted(names, key=len, reverse=True):
        if re.search(rf"\b{re.escape(name.lower())}\b", lowered):
            return name
    best = process.extractOne(said, names, scorer=fuzz.partial_ratio, score_cutoff=88)
    return str(best[0]) if best else None
