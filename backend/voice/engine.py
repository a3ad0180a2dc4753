"""What the bridge needs of a speech engine: ears (is the caller speaking, has their turn
ended), a transcriber, and a voice. ``cascade.py`` is the offline one (the ``voice`` extra)."""

from __future__ import annotations

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
        """Text → µ-law 8 kHz audio, a chunk per clause as soon as it is ready."""
        ...
