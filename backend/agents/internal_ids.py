"""What may be said to a caller: never an internal id (a caller, call or booking id, a graph
uuid). The output guardrail trips on them; briefs and replies are built without them."""

from __future__ import annotations

import re

from memory import CallerContext

INTERNAL_ID = re.compile(
    r"\b(?P<caller>caller-[0-9a-f]{6,})\b"
    r"|\b(?P<call>call-[0-9a-f]{6,})\b"
    # A booking id is "{group}:{reference}"; the reference alone (RE-20261128-001) is for callers.
    r"|(?P<booking>\b[A-Za-z0-9_-]{1,64}:RE-\d{8}-\d{3,})\b"
    r"|\b(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    re.IGNORECASE,
)


def internal_ids(text: str) -> list[str]:
    """The kinds of internal id in ``text`` (``caller``, ``call``, ``booking``, ``uuid``), not the
    ids themselves: what a guardrail reports may be logged."""
    return sorted({m.lastgroup or "id" for m in INTERNAL_ID.finditer(text)})


_GAP = re.compile(r"\(\s*\)|\s+(?=[.,;:)])|(?<=\()\s+")


def scrub(text: str) -> str:
    """``text`` without internal ids (and the gaps they leave)."""
    return _GAP.sub("", " ".join(INTERNAL_ID.sub("", text).split())).strip()


def caller_name(context: CallerContext | None) -> str | None:
    """The name the caller gave us, or None: a caller who gave none is stored under their id."""
    if context is None:
        return None
    name = context.caller.name.strip()
    if not name or name == context.caller.id or INTERNAL_ID.search(name):
        return None
    return name
