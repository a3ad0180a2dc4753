"""Numbers speech-to-text writes as other words ("too bed room", "tree hundred thousand",
"for teen hundred"), put right where only a number makes sense: before a unit."""

from __future__ import annotations

import re

_BEDS = r"(?=\s+(?:bed|bedroom|bedrooms|beds|bedder|bedders|br)\b)"
_UNIT = r"(?=\s+(?:bed|bedroom|bedrooms|beds|bedder|bedders|br|hundred|thousand|million|point)\b)"
_FIXES = (
    (re.compile(r"\bbed room(s?)\b", re.IGNORECASE), r"bedroom\1"),
    (re.compile(rf"\btoo{_UNIT}|\bto{_BEDS}", re.IGNORECASE), "two"),  # "up to hundred" is no one's
    (re.compile(rf"\btree{_UNIT}", re.IGNORECASE), "three"),
    (re.compile(r"\b(four|fif|six|seven|eigh|nine)\s+teen\b", re.IGNORECASE), r"\1teen"),
    (re.compile(r"\bfor\s+teen\b", re.IGNORECASE), "fourteen"),
    (re.compile(r"\bforteen\b", re.IGNORECASE), "fourteen"),
)


def heard_right(text: str) -> str:
    for pattern, fix in _FIXES:
        text = pattern.sub(fix, text)
    return text
