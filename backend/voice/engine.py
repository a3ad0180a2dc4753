"""What the bridge needs of a speech engine: ears (is the caller speaking, has their turn
ended), a transcriber, and a voice. ``cascade.py`` is the offline one (the ``voice`` extra)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Heard:
    """What one 20 ms frame changed: the caller started speaking, or their turn ended."""

    started: bool = False
    utterance: np.ndarray | None = None
    """The turn's audio (int16, 16 kHz) once it ended."""


class Ears(Protocol):
    def hear(self, frame: np.ndarray) -> Heard | None:
        """Feed one frame (int16, 8 kHz); a ``Heard`` when something changed."""
        ...


class Engine(Protocol):
    def ears(self) -> Ears:
        """A listener of its own for one call (it keeps that call's state)."""
        ...

    async def transcribe(self, audio: np.ndarray, prompt: str = "") -> str:
        """int16 16 kHz audio → text; ``prompt``: names the caller may say (suburbs, streets)."""
        ...

    def speak(self, text: str) -> AsyncIterator[bytes]:
        """A clause → µ-law 8 kHz audio, in chunks as soon as each is ready."""
        ...


_CLAUSE_END = re.compile(r"(?<=[.!?;:])\s+")
_FIRST_COMMA = re.compile(r"^([^,]{2,60}?,)\s+(.{20,})$")


def clauses(text: str) -> list[str]:
    """What a reply is spoken in, one clause after another (a list of homes starts playing
    after its first clause, not after all of it, and a barge-in keeps the clauses played):
    sentences, and the parts of a long one its semicolons and colons separate; the very
    first is cut again at a comma ("Welcome back, Dana."), so the caller hears us sooner."""
    pieces = [c for c in _CLAUSE_END.split(text.strip()) if c]
    if pieces and (first := _FIRST_COMMA.match(pieces[0])):
        pieces[:1] = [first.group(1), first.group(2)]
    return pieces
