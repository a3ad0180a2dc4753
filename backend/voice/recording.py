"""One call's recording, as the line carried it: a stereo WAV at 8 kHz, the caller on the left
and what we played on the right, on one clock. Twilio's inbound track never pauses (20 ms
frames of silence between words), so its length is the call's clock; our audio is placed
where it was sent and plays on from there, and a ``clear`` (barge-in) cuts what had not
played yet."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass, field

import numpy as np

from backend.voice import mulaw

SILENT = 0xFF
"""µ-law's zero."""


@dataclass
class Recording:
    caller: bytearray = field(default_factory=bytearray)
    agent: bytearray = field(default_factory=bytearray)
    """µ-law, one byte a sample: the agent's track is written ahead of the clock as audio is sent."""

    def heard(self, audio: bytes) -> None:
        self.caller += audio

    def played(self, audio: bytes) -> None:
        start = max(len(self.caller), len(self.agent))
        self.agent += bytes([SILENT]) * (start - len(self.agent)) + audio

    def cleared(self) -> None:
        """Twilio dropped what it had not played: the agent's track stops now."""
        del self.agent[len(self.caller) :]

    def wav(self) -> bytes:
        length = max(len(self.caller), len(self.agent))
        tracks = [bytes(t) + bytes([SILENT]) * (length - len(t)) for t in (self.caller, self.agent)]
        left, right = (mulaw.decode(t) for t in tracks)
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(mulaw.RATE)
            w.writeframes(np.column_stack([left, right]).astype("<i2").tobytes())
        return out.getvalue()
