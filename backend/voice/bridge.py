"""One phone call's media stream, bridged to the call desk: the caller's audio becomes turns
(ears → transcriber → ``CallDesk.turn``), each reply is spoken back clause by clause, and the
caller can talk over it (barge-in: ``clear``, the reply in flight cancelled). The call's
lifecycle is chat's: ``CallDesk.start`` when the stream starts, ``end`` when it stops or drops,
so the transcript is kept and ingested either way."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import numpy as np
import structlog

from backend import metrics, vault
from backend.calls import CallDesk, CallEnded, Started
from backend.config import Settings
from backend.outages import OUTAGES
from backend.store import Database, oncall, recordings, telephony, tenants
from backend.store.tenants import Principal
from backend.voice import mulaw, protocol, transfer
from backend.voice.engine import Ears, Engine, clauses
from backend.voice.recording import Recording

log = structlog.get_logger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]
IDLE_S = 15.0
"""No message from Twilio for this long (not even audio): the stream is gone."""
STILL_THERE_S = 8.0
"""Caller silence after a reply before "Are you still there?", and again before goodbye."""
MAX_MALFORMED = 5
"""Malformed messages tolerated (each is logged); past this the stream is closed."""
DTMF_PAUSE_S = 2.0
"""Keypad digits are a turn once ``#`` is pressed or this long has passed since the last."""
STILL_THERE = "Are you still there?"
GOODBYE = "I'll let you go for now. Call back any time. Goodbye."
TROUBLE = "Sorry, I'm having trouble on my side. Please call back in a few minutes."
RECORDED = "This call is recorded."
"""Said before the greeting when the tenant records its calls."""
FILLER = "One moment."
"""Said when a turn takes longer than ``SWITCHBOARD_VOICE_FILLER_MS``."""
CACHED = (RECORDED, FILLER, STILL_THERE, GOODBYE, TROUBLE)
"""Phrases every call may hear: synthesized once per process, when the engine loads."""
TO_A_PERSON = "I'd like to speak to a person."
"""What "0" alone on the keypad means."""


class StreamClosed(Exception):
    """The bridge ended the stream (malformed input, idle, a polite hang-up)."""


@dataclass
class MediaStream:
    desk: CallDesk
    db: Database
    settings: Settings
    engine: Engine | None
    """The speech engine (None: the subclass speaks another way, ``realtime.RealtimeStream``)."""
    send: Send
    stream_sid: str | None = None
    who: Principal | None = None
    call_id: str | None = None
    ears: Ears | None = None
    prompt: str = ""
    """Names the caller may say, for the transcriber (suburbs, streets, their name)."""
    speaking: asyncio.Task[None] | None = None
    answering: asyncio.Task[None] | None = None
    guess: asyncio.Task[str] | None = None
    """The transcript of the caller's turn so far, started when they paused (in case the pause
    is the end: their words are ready when the turn model or the wait says so)."""
    digits: str = ""
    _digit_timer: asyncio.Task[None] | None = None
    _silence: asyncio.Task[None] | None = None
    _marks: itertools.count[int] = field(default_factory=itertools.count)
    unplayed: set[str] = field(default_factory=set)
    """Marks sent after audio that Twilio has not played yet (it echoes each once played)."""
    _after_playing: Callable[[], None] | None = None
    malformed: int = 0
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    """Set to hang up: the socket is closed and Twilio ends the call."""
    base_url: str = ""
    """Where Twilio reaches us (``https://…``): the whisper's URL is built on it."""
    call_sid: str = ""
    _transferring: asyncio.Task[None] | None = None
    recording: Recording | None = None
    """The call's audio, when its tenant records calls (opted in, with a retention period)."""
    _reply: list[str] = field(default_factory=list)
    """The clauses of the reply being spoken (the one the transcript holds last)."""
    _clause_of: dict[str, int] = field(default_factory=dict)
    """Which clause of it each unplayed mark ends."""
    _heard: int = 0
    """Clauses of it played to the end."""

    async def run(self, receive: Callable[[], Awaitable[str]]) -> None:
        """Until Twilio stops the stream, the socket drops, or the bridge closes it (a polite
        hang-up, malformed input, silence from Twilio); the call is ended in every case."""
        try:
            while not self.closing.is_set():
                getting = asyncio.ensure_future(receive())
                closing = asyncio.ensure_future(self.closing.wait())
                done, _ = await asyncio.wait(
                    {getting, closing}, timeout=IDLE_S, return_when="FIRST_COMPLETED"
                )
                closing.cancel()
                if getting not in done:
                    getting.cancel()
                    if not done:
                        raise StreamClosed("idle")
                    break
                await self.handle(getting.result())
        except StreamClosed as exc:
            log.info("media stream closed", call_id=self.call_id, why=str(exc))
        finally:
            await self.close()

    async def handle(self, text: str) -> None:
        try:
            message = protocol.parse(text)
        except protocol.Malformed as exc:
            self.malformed += 1
            log.warning("malformed media stream message", call_id=self.call_id, problem=str(exc)[:120])
            if self.malformed > MAX_MALFORMED:
                raise StreamClosed("too many malformed messages") from None
            return
        if isinstance(message, protocol.Start):
            await self.start(message.start)
        elif isinstance(message, protocol.Stop):
            raise StreamClosed("stop")
        elif self.call_id is None:
            if not isinstance(message, protocol.Connected):
                log.warning("media stream message before start", event=message.event)
                raise StreamClosed("no start")
        elif isinstance(message, protocol.Media):
            audio = message.media.audio()
            if self.recording:
                self.recording.heard(audio)
            await self.hear(audio)
        elif isinstance(message, protocol.Dtmf):
            self.pressed(message.dtmf.digit)
        elif isinstance(message, protocol.Mark):
            self.played(message.mark.name)

    async def start(self, start: protocol.StartInfo) -> None:
        """Check the ticket our webhook gave, then start the call: recognition begins now."""
        if self.call_id is not None:
            return
        params = start.customParameters
        tenant_id, caller, call_sid = (params.get(k, "") for k in ("tenant", "from", "call_sid"))
        if not vault.valid_ticket(self.settings, params.get("ticket", ""), tenant_id, caller, call_sid):
            log.warning("media stream with a bad ticket refused")
            raise StreamClosed("bad ticket")
        tenant = await tenants.by_id(self.db, tenant_id, self.settings.business_timezone)
        if tenant is None:
            raise StreamClosed("tenant gone")
        self.stream_sid, self.who, self.call_sid = start.streamSid, Principal(tenant, "twilio"), call_sid
        started = await self.desk.start(
            self.who, "voice", phone=caller or None, metadata={"twilio_call_sid": call_sid}
        )
        self.call_id = started.call_id
        log.info("voice call started", call_id=self.call_id, returning=started.caller["returning"])
        if tenant.record_days:
            self.recording = Recording()
        await self.begin(started)

    async def begin(self, started: Started) -> None:
        """The call has started: listen, and greet the caller (told first if it is recorded)."""
        self.ears = self._engine().ears()
        self.prompt = ", ".join(self.desk.vocabulary(self._call()))
        if self.recording:
            self.say(RECORDED)
        self.say(started.greeting, reply=True)

    async def hear(self, audio: bytes) -> None:
        assert self.ears is not None
        heard = self.ears.hear(mulaw.decode(audio))
        if heard is None:
            return
        if heard.started:
            self._cancel_silence()
            if self.unplayed or (self.speaking and not self.speaking.done()):
                await self.barge_in()
        if heard.paused is not None:
            self.guess = asyncio.ensure_future(self._at_pause(heard.paused))
        if heard.resumed and self.guess:
            self.guess.cancel()  # the words so far are not the turn; the next pause tries again
            self.guess = None
        if heard.utterance is not None:
            guess, self.guess = self.guess, None
            self.answer(lambda: guess if guess else self._transcribed(heard.utterance))

    async def _at_pause(self, audio: np.ndarray) -> str:
        """Transcribe the turn so far while the turn model judges the pause; a complete turn
        is answered now, not after the full wait."""
        words = asyncio.ensure_future(self._transcribed(audio))
        began = time.perf_counter()
        try:
            complete = await self._engine().finished(audio)
            if complete is not None:
                self._stage("turn", began)
            if complete and self.ears and self.ears.end() is not None:  # still quiet: it ends here
                self.guess = None
                self.answer(lambda: words)
            return await words
        except asyncio.CancelledError:
            words.cancel()
            raise

    async def barge_in(self) -> None:
        """The caller talks over the reply: playback stops at once (``clear``: Twilio drops
        what it has buffered), the rest of the reply is not synthesized, and the transcript
        keeps only the clauses the caller heard."""
        if self.speaking:
            self.speaking.cancel()
        self._after_playing = None
        await self.clear()
        log.info("barge-in", call_id=self.call_id)
        reply, heard, self._reply = self._reply, self._heard, []
        if heard < len(reply):
            await self.desk.heard_only(self._who(), self._call(), cut_off(reply[:heard]))

    def pressed(self, digit: str) -> None:
        self._cancel_silence()
        if self._digit_timer:
            self._digit_timer.cancel()
        if digit == "#":
            self._digits_done()
            return
        self.digits += digit
        self._digit_timer = asyncio.ensure_future(self._digits_after_pause())

    async def _digits_after_pause(self) -> None:
        await asyncio.sleep(DTMF_PAUSE_S)
        self._digits_done()

    def _digits_done(self) -> None:
        said, self.digits = self.digits, ""
        if said:
            text = TO_A_PERSON if said == "0" else said
            self.answer(lambda: _ready(text))

    def answer(self, utterance: Callable[[], Awaitable[str]]) -> None:
        """Take one turn: what the caller said, the agents' reply, spoken. A new turn waits
        for the one before (turns of a call are in order)."""
        before = self.answering

        async def turn() -> None:
            if before:
                await asyncio.gather(before, return_exceptions=True)
            text = (await utterance()).strip()
            if not text:
                return
            began = time.perf_counter()
            filler = asyncio.ensure_future(self._filler())
            try:
                result, _ = await self.desk.turn(self._who(), self._call(), text)
            except CallEnded:
                self.closing.set()
                return
            except Exception as exc:  # a store down, a turn over budget: the caller hears why
                log.warning("voice turn failed", call_id=self.call_id, error=type(exc).__name__)
                self.say(TROUBLE)
                return
            finally:
                filler.cancel()
            self._stage("agents_handoff" if result.handoffs else "agents", began)
            self.say(result.reply, then=self._transfer_after if result.escalated else None, reply=True)

        self.answering = asyncio.ensure_future(turn())
        self.answering.add_done_callback(_log_failure)

    async def _filler(self) -> None:
        """A turn that thinks long (an LLM, a slow tool) is not silence on the line."""
        await asyncio.sleep(self.settings.voice_filler_ms / 1000)
        self.say(FILLER)

    async def _transcribed(self, audio: np.ndarray | None) -> str:
        if audio is None:
            return ""
        began = time.perf_counter()
        text = await self._engine().transcribe(audio, self.prompt)
        self._stage("stt", began)
        return text

    def say(self, text: str, then: Callable[[], None] | None = None, *, reply: bool = False) -> None:
        """Speak ``text`` clause by clause after whatever is being said; caller silence is timed
        from its end. ``reply``: it is the transcript's last reply (a barge-in shortens it)."""
        before = self.speaking

        async def speak() -> None:
            if before and not before.done():
                await asyncio.gather(before, return_exceptions=True)
            spoken = clauses(text)
            if reply:
                self._reply, self._heard, self._clause_of = spoken, 0, {}
            began, first = time.perf_counter(), True
            for n, clause in enumerate(spoken):
                async for chunk in self._engine().speak(clause):
                    if first:
                        self._stage("tts_first", began)
                        first = False
                    name = await self._send_audio(chunk)
                    if reply:
                        self._clause_of[name] = n
            self._after_playing = then or self._start_silence
            if not self.unplayed:
                self.played(None)

        self.speaking = asyncio.ensure_future(speak())
        self.speaking.add_done_callback(_log_failure)

    async def _send_audio(self, chunk: bytes) -> str:
        """``chunk`` to Twilio, then a mark Twilio echoes once it has played it; the mark."""
        name = f"m{next(self._marks)}"
        self.unplayed.add(name)
        if self.recording:
            self.recording.played(chunk)
        await self.send(protocol.media(self._sid(), chunk))
        await self.send(protocol.mark(self._sid(), name))
        return name

    async def clear(self) -> None:
        """Twilio drops the audio it has not played yet (the caller talked over it)."""
        self.unplayed.clear()
        if self.recording:
            self.recording.cleared()
        await self.send(protocol.clear(self._sid()))

    def played(self, mark: str | None) -> None:
        """Twilio played up to ``mark`` (None: the reply's last chunk went out with nothing
        left unplayed); once all of the reply has played, what comes after it."""
        self.unplayed.discard(mark or "")
        if mark in self._clause_of:
            self._heard = max(self._heard, self._clause_of.pop(mark) + 1)
        still_speaking = self.speaking is not None and not self.speaking.done()
        if self.unplayed or (mark is not None and still_speaking):
            return
        after, self._after_playing = self._after_playing, None
        if after:
            after()

    def _transfer_after(self) -> None:
        """The transfer reply has played: dial the person on call (warm: they hear the brief)."""
        self._transferring = asyncio.ensure_future(self._warm_transfer())
        self._transferring.add_done_callback(_log_failure)

    async def _warm_transfer(self) -> None:
        who, call_id = self._who(), self._call()
        found = await telephony.account(self.db, who.tenant.tenant_id)
        person = next(
            (r for r in await oncall.ladder(self.db, who.tenant.tenant_id) if _phone(r.contact)), None
        )
        if found is None or person is None or not self.call_sid:
            log.warning("no warm transfer: no Twilio account or no one on call by phone", call_id=call_id)
            return
        account_sid, sealed = found
        ticket = vault.ticket(self.settings, "whisper", who.tenant.tenant_id, call_id)
        query = urlencode({"tenant": who.tenant.tenant_id, "call_id": call_id, "ticket": ticket})
        whisper = f"{self.base_url.rstrip('/')}/twilio/whisper?{query}"
        token = vault.unseal(self.settings, sealed)
        await transfer.dial_person(self.settings, account_sid, token, self.call_sid, person.contact, whisper)
        log.info("warm transfer dialled", call_id=call_id, rung=person.rung)

    def _start_silence(self, final: bool = False) -> None:
        """Time the caller's silence from the end of what was played."""
        self._cancel_silence()
        self._silence = asyncio.ensure_future(self._silent(final))

    async def _silent(self, final: bool) -> None:
        await asyncio.sleep(STILL_THERE_S)
        if final:
            self.say(GOODBYE, then=self.closing.set)  # closing the socket ends the call
        else:
            self.say(STILL_THERE, then=lambda: self._start_silence(final=True))

    def _cancel_silence(self) -> None:
        if self._silence:
            self._silence.cancel()
            self._silence = None

    async def close(self) -> None:
        """End the call (its transcript kept and ingested) and every task of the stream."""
        for task in (
            self.speaking,
            self.answering,
            self.guess,
            self._digit_timer,
            self._silence,
            self._transferring,
        ):
            if task and not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        days = self.who.tenant.record_days if self.who else None
        if self.call_id and self.recording and days:
            try:
                await recordings.save(self.db, self.call_id, self.recording.wav(), days)
            except OUTAGES as exc:  # the call and its transcript still end; only the audio is lost
                log.warning("recording not saved", call_id=self.call_id, error=type(exc).__name__)
        if self.call_id and self.who:
            try:
                await self.desk.end(self.who, self.call_id)
            except OUTAGES as exc:  # the call stays open in Postgres: replay_pending does not see it
                log.warning("voice call not ended", call_id=self.call_id, error=type(exc).__name__)

    def _stage(self, name: str, began: float) -> None:
        metrics.VOICE_STAGE.labels(name).observe(time.perf_counter() - began)

    def _engine(self) -> Engine:
        assert self.engine is not None
        return self.engine

    def _who(self) -> Principal:
        assert self.who is not None
        return self.who

    def _call(self) -> str:
        assert self.call_id is not None
        return self.call_id

    def _sid(self) -> str:
        assert self.stream_sid is not None
        return self.stream_sid


async def _ready(text: str) -> str:
    return text


def cut_off(heard: list[str]) -> str:
    """A reply as the caller heard it before talking over it."""
    return " ".join([*heard, "…"])


def _log_failure(task: asyncio.Task[None]) -> None:
    """A turn or a reply that failed in the background is a bug: logged, never silent."""
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.error("voice task failed", error=type(exc).__name__, exc_info=exc)


def _phone(contact: str) -> bool:
    """A contact Twilio can dial (E.164), not an address a pager writes to."""
    return bool(re.fullmatch(r"\+\d{8,15}", contact))
