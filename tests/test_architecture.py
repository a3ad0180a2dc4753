"""The shape of the code itself: what a review would have to catch by eye."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for top in ("backend", "memory", "ingest", "tests") for p in (ROOT / top).rglob("*.py")]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def test_no_control_characters_in_source() -> None:
    """A "\\b" typed into a non-raw string (or pasted) becomes a backspace: the identity check's
    cue words never matched, and nothing else noticed."""
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in SOURCES
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if _CONTROL.search(line)
    ]
    assert SOURCES and not found, found
