"""The reply as the model writes it, released to the call's listeners clause by clause (chat's
stream, the voice bridge's speech), each clause only once it passes the checks the finished
reply must pass: a price no tool gave is never streamed, then withdrawn."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from backend.agents.context import CallContext
from backend.agents.guardrails import reply_problem

CLAUSE_END = re.compile(r"(?<=[.!?;:])\s+")
"""Where a clause ends: a sentence's or a list item's mark, then a space."""


def pieces(text: str) -> Iterator[str]:
    """``text`` cut after each clause; joined, the pieces are ``text`` exactly."""
    start = 0
    for end in CLAUSE_END.finditer(text):
        yield text[start : end.end()]
        start = end.end()
    if start < len(text):
        yield text[start:]


@dataclass
class ReplyStream:
    """One model run's text as it streams; ``call.turn.streamed`` is what has been released."""

    call: CallContext
    text: str = ""
    sent: int = 0
    """How much of ``text`` has been released."""
    held: bool = False
    """A clause failed the checks: nothing more is released (the guardrail replaces the reply)."""

    def feed(self, delta: str) -> None:
        self.text += delta
        if self.held:
            return
        for end in CLAUSE_END.finditer(self.text, self.sent):
            clause = self.text[self.sent : end.end()]
            if any(reply_problem(self.call, clause).values()):
                self.held = True
                return
            self.call.turn.streamed += clause
            self.call.emit({"type": "text_delta", "delta": clause})
            self.sent = end.end()
