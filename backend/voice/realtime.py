"""A phone call answered by OpenAI Realtime (speech to speech) through the Agents SDK, on the
same bridge as the offline cascade: Twilio's µ-law goes to the model untouched and the model's
µ-law comes back untouched (both sides speak G.711 at 8 kHz). The agents are the vertical's
tree as realtime agents (``backend.agents.realtime``); the call's lifecycle, transcript,
transfers and ingestion are the desk's, as for every call.

Interruptions follow the SDK's Twilio example: a numbered mark after each audio chunk, the
playback tracker told when Twilio echoes it (so the model truncates its reply where the
caller stopped hearing it), and ``clear`` to Twilio when the model reports the interruption."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from agents.realtime import (
    RealtimeModel,
    RealtimeModelConfig,
    RealtimePlaybackTracker,
    RealtimeRunner,
    RealtimeSession,
    RealtimeSessionEvent,
)
from agents.realtime.config import RealtimeSessionModelSettings
from agents.realtime.items import RealtimeItem
from agents.realtime.model_inputs import RealtimeModelSendRawMessage

from backend.agents.context import TurnLog
from backend.agents.runner import AgentRuntime
from backend.calls import CallEnded, LiveCall, Started
from backend.voice.bridge import RECORDED, MediaStream, cut_off

log = structlog.get_logger(__name__)

TRANSCRIPT_WAIT_S = 2.0
"""How long a finished reply waits for the transcript of what the caller said before it
(the model transcribes the caller's audio alongside answering it; it can come second)."""


def session_settings(model: str, prompt: str) -> RealtimeSessionModelSettings:
    """G.711 µ-law both ways (Twilio's own), the model's semantic turn detection with barge-in,
    and the caller's words transcribed for the transcript, primed with the names they may say."""
    return {
        "model_name": model,
        "input_audio_format": "g711_ulaw",
        "output_audio_format": "g711_ulaw",
        "turn_detection": {"type": "semantic_vad", "interrupt_response": True, "create_response": True},
        "input_audio_transcription": {"model": "gpt-4o-mini-transcribe", "prompt": prompt},
    }


def greeting_request(greeting: str) -> RealtimeModelSendRawMessage:
    """Ask the model to say the desk's greeting (the one the transcript already holds)."""
    instructions = f"Greet the caller with exactly these words and nothing else: {greeting}"
    return RealtimeModelSendRawMessage(
        message={"type": "response.create", "other_data": {"response": {"instructions": instructions}}}
    )


@dataclass
class RealtimeStream(MediaStream):
    connect: Callable[[], RealtimeModel] | None = None
    """A new realtime model connection (the SDK's OpenAI WebSocket model; tests script one)."""
    api_key: str | None = None
    session: RealtimeSession | None = None
    tracker: RealtimePlaybackTracker = field(default_factory=RealtimePlaybackTracker)
    _listening: asyncio.Task[None] | None = None
    _storing: asyncio.Task[None] | None = None
    _chunks: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    """Unplayed marks: the item, content index and size of the audio each follows."""
    _sent: dict[str, int] = field(default_factory=dict)
    _played: dict[str, int] = field(default_factory=dict)
    """Audio bytes sent and played, per reply item (what a barge-in keeps of its transcript)."""
    _cut: set[str] = field(default_factory=set)
    """Reply items the caller talked over."""
    _items: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """The conversation's messages (role, text; None while the text is still being made)."""
    _kept: set[str] = field(default_factory=set)
    """Messages already in a stored turn."""
    _caller_transcribed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set while no message of the caller's waits for its transcript."""
    _last_reply: list[tuple[str, str]] = field(default_factory=list)
    """The stored turn's reply, as its items and their words (a barge-in may come after it)."""
    _owner: str = ""
    _greeted: bool = False

    async def begin(self, started: Started) -> None:
        """Open the model session with the agent owning the call and the caller's context in
        its instructions, then have it say the greeting."""
        live = self._live()
        runtime = live.runtime
        await runtime.assemble(live.ctx, "")
        self._owner = live.agent
        assert self.connect is not None
        runner = RealtimeRunner(runtime.realtime_agents[live.agent], model=self.connect())
        config: RealtimeModelConfig = {
            "initial_model_settings": session_settings(
                self.settings.realtime_model, ", ".join(self.desk.vocabulary(self._call()))
            ),
            "playback_tracker": self.tracker,
        }
        if self.api_key:
            config["api_key"] = self.api_key
        self.session = await runner.run(context=live.ctx, model_config=config)
        await self.session.enter()
        self._listening = asyncio.ensure_future(self._listen(self.session))
        notice = f"{RECORDED} " if self.recording else ""
        await self.session.model.send_event(greeting_request(notice + started.greeting))

    async def hear(self, audio: bytes) -> None:
        assert self.session is not None
        await self.session.send_audio(audio)

    def answer(self, utterance: Callable[[], Awaitable[str]]) -> None:
        """Keypad digits, as text to the model (it answers them as it answers speech)."""

        async def send() -> None:
            assert self.session is not None
            if text := (await utterance()).strip():
                await self.session.send_message(text)

        self.answering = asyncio.ensure_future(send())

    def played(self, mark: str | None) -> None:
        if chunk := self._chunks.pop(mark or "", None):
            item, index, size = chunk
            self.tracker.on_play_bytes(item, index, b"\0" * size)
            self._played[item] = self._played.get(item, 0) + size
        super().played(mark)

    async def _listen(self, session: RealtimeSession) -> None:
        try:
            async for event in session:
                await self._on(event)
        except Exception as exc:  # the model's connection failed: the caller hears why, the call ends
            log.warning("realtime session failed", call_id=self.call_id, error=type(exc).__name__)
            self.closing.set()

    async def _on(self, event: RealtimeSessionEvent) -> None:
        if event.type == "audio":
            name = await self._send_audio(event.audio.data)
            self._chunks[name] = (event.item_id, event.content_index, len(event.audio.data))
            self._sent[event.item_id] = self._sent.get(event.item_id, 0) + len(event.audio.data)
        elif event.type == "audio_interrupted":
            await self.clear()
            self._chunks.clear()
            self._cut.add(event.item_id)
            log.info("barge-in", call_id=self.call_id)
            if any(item == event.item_id for item, _ in self._last_reply):  # stored already
                await self.desk.heard_only(self._who(), self._call(), self._heard_of(self._last_reply))
        elif event.type == "history_added":
            self._note([event.item])
        elif event.type == "history_updated":
            self._note(event.history)
        elif event.type == "handoff":
            self._owner = event.to_agent.name
        elif event.type == "agent_end":
            self._store_turn()
        elif event.type == "guardrail_tripped":
            self._live().ctx.turn.errors.append("output guardrail tripped")
            log.info("realtime reply stopped by a guardrail", call_id=self.call_id)
        elif event.type == "error":
            log.warning("realtime model error", call_id=self.call_id, error=_error_type(event.error))

    def _note(self, items: list[RealtimeItem]) -> None:
        for item in items:
            if item.type == "message" and item.role in {"user", "assistant"}:
                self._items[item.item_id] = (item.role, _text(item))
        if not any(role == "user" and text is None for role, text in self._items.values()):
            self._caller_transcribed.set()
        else:
            self._caller_transcribed.clear()

    def _store_turn(self) -> None:
        """A reply has ended: it and the caller's words before it become a turn (in order,
        one at a time: a second reply waits for the first to be stored)."""
        before = self._storing

        async def store() -> None:
            if before:
                await asyncio.gather(before, return_exceptions=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._caller_transcribed.wait(), TRANSCRIPT_WAIT_S)
            await self._record()

        self._storing = asyncio.ensure_future(store())

    async def _record(self) -> None:
        new = [(i, role, text or "") for i, (role, text) in self._items.items() if i not in self._kept]
        said = " ".join(text for _, role, text in new if role == "user" and text)
        replies = [(i, text) for i, role, text in new if role == "assistant" and text]
        if not replies:
            return  # a tool call's response: the caller's words wait for the reply they get
        self._kept.update(i for i, _, _ in new)
        if not self._greeted and not said:
            self._greeted = True  # the greeting: the desk stored it when the call started
            return
        live = self._live()
        self._last_reply = replies
        result = AgentRuntime.result(live.ctx, self._heard_of(replies), self._owner)
        if result.brief is not None:
            await live.runtime.remember_transfer(live.ctx, result)
        try:
            await self.desk.record(self._who(), self._call(), said, result)
        except CallEnded:
            self.closing.set()
            return
        live.ctx.turn = TurnLog()
        live.ctx.state.turns += 1
        if result.escalated:  # a person is dialled once the transfer reply has played
            self._after_playing = self._transfer_after
            if not self.unplayed:
                self.played(None)

    def _heard_of(self, reply: list[tuple[str, str]]) -> str:
        """A reply as the caller heard it: an item they talked over is cut where they stopped
        hearing it (by the share of its audio that played), and nothing after it was heard."""
        heard: list[str] = []
        for item, text in reply:
            if item not in self._cut or not self._sent.get(item):
                heard.append(text)
                continue
            words = text.split()
            played = round(len(words) * self._played.get(item, 0) / self._sent[item])
            return cut_off([*heard, *words[:played]])
        return " ".join(heard)

    async def close(self) -> None:
        if self._storing:  # the last turn is stored before the call ends
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._storing), TRANSCRIPT_WAIT_S + 1)
        for task in (self._listening, self._storing):
            if task and not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        if self.session is not None:
            with contextlib.suppress(Exception):
                await self.session.close()
        await super().close()

    def _live(self) -> LiveCall:
        return self.desk.live[self._call()]


def _text(item: Any) -> str | None:
    """A message's words: typed text, or the transcript of its audio (None until there is one)."""
    parts = [getattr(c, "text", None) or getattr(c, "transcript", None) for c in item.content]
    found = [p for p in parts if p]
    if found:
        return " ".join(found)
    return None if any(c.type in {"input_audio", "audio"} for c in item.content) else ""


def _error_type(error: Any) -> str:
    """What kind of error the model reported (its message may quote the caller: never logged)."""
    if isinstance(error, dict):
        return str(error.get("type") or error.get("code") or "unknown")
    return type(error).__name__
