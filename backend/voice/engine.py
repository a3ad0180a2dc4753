"""What the bridge needs of a speech engine: ears (is the caller speaking, have they paused,
has their turn ended), a judge of whether a pause ends the turn, a transcriber, and a voice.
``cascade.py`` is the offline one (the ``voice`` extra)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Heard:
    """What one 20 ms frame changed: the caller started speaking, paused, spoke on after a
    pause, or their turn ended (a pause as long as the ears wait)."""

    started: bool = False
    paused: np.ndarray | None = None
    """The caller went quiet: their turn so far (int16, 16 kHz), which may be all of it."""
    resumed: bool = False
    """They spoke again after a pause: it was not the end of their turn."""
    utterance: np.ndarray | None = None
    """The turn's audio (int16, 16 kHz) once it ended."""


class Ears(Protocol):
    def hear(self, frame: np.ndarray) -> Heard | None:
        """Feed one frame (int16, 8 kHz); a ``Heard`` when something changed."""
        ...

    def end(self) -> np.ndarray | None:
        """End the turn at its pause (it sounded complete); its audio, or None if the caller
        has spoken again since."""
        ...


class Engine(Protocol):
    def ears(self) -> Ears:
        """A listener of its own for one call (it keeps that call's state)."""
        ...

    async def finished(self, audio: np.ndarray) -> bool | None:
        """Whether the turn in ``audio`` (int16, 16 kHz, ending in a pause) sounds complete;
        None when there is no turn model (the pause's length alone decides)."""
        ...

    async def transcribe(self, audio: np.ndarray, prompt: str = "") -> str:
        """int16 16 kHz audio → text; ``prompt``: names the caller may say (suburbs, streets)."""
        ...

    async def warm(self, phrases: Sequence[str]) -> None:
        """Synthesize these clauses now and keep them (phrases every call may hear)."""
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
