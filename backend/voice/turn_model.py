"""Smart Turn v3.2 (the ``voice`` extra): does a caller's pause end their turn? An 8.7 MB ONNX
model that reads the last 8 s of the turn as Whisper log-mel features and says whether it
sounds finished ("...in Coogee?") or not ("I'd like to book a viewing of..."), in about
60 ms on one core. With it the bridge answers after a 200 ms pause instead of waiting 400 ms,
and waits longer when the caller is mid-thought.

The model ships inside the ``pipecat-ai`` wheel, which ``scripts/dev setup`` installs with
``--no-deps`` (its dependencies are not needed for one file, and we do not import pipecat).
Without it, ``load`` returns None and the pause's length alone ends a turn."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime
from faster_whisper.feature_extractor import FeatureExtractor

RATE = 16_000
WINDOW_S = 8
MODEL = "smart-turn-v3.2-cpu.onnx"
COMPLETE = 0.5
"""Probability above which a turn is complete (the model's own threshold)."""


def model_path() -> Path | None:
    """The model file in the installed ``pipecat-ai`` distribution, found without importing it."""
    try:
        found = importlib.metadata.files("pipecat-ai") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    path = next((Path(str(f.locate())) for f in found if f.name == MODEL), None)
    return path if path and path.is_file() else None


@dataclass
class SmartTurn:
    session: onnxruntime.InferenceSession
    features: FeatureExtractor

    @classmethod
    def load(cls, session: Callable[[str], onnxruntime.InferenceSession]) -> SmartTurn | None:
        """``session``: how the engine opens its ONNX models (threads, logging)."""
        path = model_path()
        if path is None:
            return None
        return cls(session(str(path)), FeatureExtractor(feature_size=80, chunk_length=WINDOW_S))

    def complete(self, audio: np.ndarray) -> float:
        """The probability that the turn in ``audio`` (int16, 16 kHz) is finished."""
        x = audio.astype(np.float32)[-WINDOW_S * RATE :] / 32768.0
        x = np.pad(x, (WINDOW_S * RATE - len(x), 0))  # the model was trained left-padded to 8 s
        x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
        mel = self.features(x, padding=0)[:, : WINDOW_S * RATE // 160]
        (probability,) = self.session.run(None, {"input_features": mel[None].astype(np.float32)})
        return float(np.ravel(probability)[0])
