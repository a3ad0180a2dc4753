"""A Twilio Media Streams peer, as Twilio behaves, for tests and ``switchboard bench voice``:
it streams a caller's audio in 20 ms µ-law frames at real time (silence in between, as the
line never pauses), plays what it is sent in real time and echoes each mark when playback
reaches it; ``clear`` drops what is buffered. The caller's voice is espeak-ng's or flite's
(Debian), not the agent's, so recognition is not trivially matched."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import subprocess
import time
import uuid
import wave
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
from twilio.request_validator import RequestValidator

from backend.voice import mulaw

FRAME_S = 0.02


VOICES = {
    "espeak": lambda text: ["espeak-ng", "-v", "en-us", "-s", "150", "--stdout", text],
    "flite": lambda text: ["flite", "-voice", "slt", "-t", text, "-o", "/dev/stdout"],
}
"""Debian's synthetic voices a caller can have; neither is the agent's (Piper)."""


def caller_voice(text: str, voice: str = "espeak") -> bytes:
    """The caller saying ``text`` at the phone's 8 kHz µ-law, without the leading and trailing
    silence the synthesizer adds (the end of the audio is the end of the speech)."""
    wav = subprocess.run(VOICES[voice](text), capture_output=True, check=True).stdout
    with wave.open(io.BytesIO(wav)) as w:
        rate, pcm = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    voiced = np.flatnonzero(np.abs(pcm.astype(np.int32)) > 500)
    if len(voiced):
        pcm = pcm[voiced[0] : voiced[-1] + 1]
    return mulaw.encode(mulaw.resample(pcm, rate, mulaw.RATE))


def espeak(text: str) -> bytes:
    return caller_voice(text, "espeak")


SILENCE = bytes([0xFF]) * 160


@dataclass
class Twilio:
    """The far end of a media stream, as Twilio behaves: it plays what it is sent in real time
    and echoes each mark when playback reaches it; ``clear`` drops what is buffered."""

    ws: Any
    sid: str = field(default_factory=lambda: "MZ" + uuid.uuid4().hex)
    heard: bytearray = field(default_factory=bytearray)
    events: list[dict[str, Any]] = field(default_factory=list)
    clock: float = 0.0
    """When the audio buffered so far will have played."""
    marks: list[tuple[float, str]] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    """When each ``media`` message arrived (``time.monotonic``)."""
    lengths: list[float] = field(default_factory=list)
    """How long each one plays (seconds)."""

    async def start(self, params: dict[str, str]) -> None:
        await self.ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        start = {"streamSid": self.sid, "callSid": params["call_sid"], "customParameters": params}
        await self.ws.send(json.dumps({"event": "start", "start": start, "streamSid": self.sid}))

    async def say(self, audio: bytes, then_silence_s: float = 1.2) -> float:
        """Stream caller audio frame by frame at real time, then the line's silence, reading
        what comes back meanwhile; when the speech ended (``time.monotonic``)."""
        for i in range(0, len(audio) - 159, 160):
            await self._frame(audio[i : i + 160])
            await self.listen(FRAME_S, quiet=False)
        ended = time.monotonic()
        await self.listen(then_silence_s)
        return ended

    async def listen(self, seconds: float, quiet: bool = True) -> None:
        """Receive for ``seconds``, playing and echoing marks as Twilio would, and sending the
        line's silence every 20 ms meanwhile (``quiet``: Twilio's inbound track never pauses)."""
        until = time.monotonic() + seconds
        next_frame = time.monotonic()
        while (left := until - time.monotonic()) > 0:
            if quiet and time.monotonic() >= next_frame:
                await self._frame(SILENCE)
                next_frame += FRAME_S
            wait = max(0.001, min(left, next_frame - time.monotonic())) if quiet else left
            try:
                message = json.loads(await asyncio.wait_for(self.ws.recv(), wait))
            except TimeoutError:
                await self._echo()
                continue
            self._take(message)
            await self._echo()
        await self._echo()

    async def _frame(self, audio: bytes) -> None:
        payload = base64.b64encode(audio).decode()
        await self.ws.send(
            json.dumps({"event": "media", "streamSid": self.sid, "media": {"payload": payload}})
        )

    def _take(self, message: dict[str, Any]) -> None:
        self.events.append(message)
        now = time.monotonic()
        if message["event"] == "media":
            self.arrivals.append(now)
            audio = base64.b64decode(message["media"]["payload"])
            self.lengths.append(len(audio) / mulaw.RATE)
            self.heard += audio
            self.clock = max(self.clock, now) + len(audio) / mulaw.RATE
        elif message["event"] == "mark":
            self.marks.append((self.clock, message["mark"]["name"]))
        elif message["event"] == "clear":
            self.marks.clear()
            self.clock = now

    async def _echo(self) -> None:
        now = time.monotonic()
        while self.marks and self.marks[0][0] <= now:
            _, name = self.marks.pop(0)
            await self.ws.send(json.dumps({"event": "mark", "streamSid": self.sid, "mark": {"name": name}}))

    async def until_quiet(self, quiet_s: float = 2.0, limit_s: float = 30) -> None:
        """Listen until nothing has arrived for ``quiet_s`` and everything sent has played."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            before = len(self.events)
            await self.listen(quiet_s)
            if len(self.events) == before and not self.marks:
                return

    def silences(self, first: int) -> list[float]:
        """The gaps (seconds) the caller heard between chunks from the ``first``-th on: how
        long playback waited for each next chunk (0: it was there in time)."""
        gaps, clock = [], 0.0
        for arrived, length in zip(self.arrivals[first:], self.lengths[first:], strict=True):
            if clock:
                gaps.append(max(0.0, arrived - clock))
            clock = max(clock, arrived) + length
        return gaps

    def take_heard(self) -> bytes:
        heard, self.heard = bytes(self.heard), bytearray()
        return heard

    async def stop(self) -> None:
        await self.ws.send(json.dumps({"event": "stop", "streamSid": self.sid, "stop": {}}))


async def dial(base_url: str, number: str, caller: str, token: str) -> tuple[str, dict[str, str]]:
    """Twilio's incoming-call webhook, signed with ``token``: the stream URL and parameters
    the TwiML answer says to use."""
    form = {"CallSid": "CA" + uuid.uuid4().hex, "From": caller, "To": number}
    signature = RequestValidator(token).compute_signature(f"{base_url}/twilio/voice", form)
    async with httpx.AsyncClient(base_url=base_url) as client:
        twiml = await client.post("/twilio/voice", data=form, headers={"X-Twilio-Signature": signature})
    stream = ET.fromstring(twiml.text).find("./Connect/Stream")
    if stream is None:
        raise RuntimeError(f"no stream in the webhook's answer: {twiml.text[:200]}")
    return stream.get("url", ""), {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
