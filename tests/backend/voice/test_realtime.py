"""Phone calls answered by the realtime path (``SWITCHBOARD_VOICE=realtime``), offline: the
SDK's scripted realtime model stands in for OpenAI, and a Twilio peer speaks Media Streams
to a real server. The agents, tools, handoffs, guardrails and stores are the real ones."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from agents.realtime.items import AssistantAudio, AssistantMessageItem, InputAudio, UserMessageItem
from agents.realtime.model_events import (
    RealtimeModelAudioDoneEvent,
    RealtimeModelAudioEvent,
    RealtimeModelAudioInterruptedEvent,
    RealtimeModelEvent,
    RealtimeModelInputAudioTranscriptionCompletedEvent,
    RealtimeModelItemUpdatedEvent,
    RealtimeModelToolCallEvent,
    RealtimeModelTranscriptDeltaEvent,
    RealtimeModelTurnEndedEvent,
    RealtimeModelTurnStartedEvent,
)
from agents.realtime.model_inputs import (
    RealtimeModelSendAudio,
    RealtimeModelSendEvent,
    RealtimeModelSendInterrupt,
    RealtimeModelSendRawMessage,
    RealtimeModelSendToolOutput,
)
from agents.realtime.testing import RealtimeStep, ScriptedRealtimeModel
from pydantic import SecretStr

from backend import vault
from backend.config import Settings
from backend.store import Database, telephony, tenants
from backend.store import calls as call_store
from backend.verticals.real_estate.demo import demo_listings
from backend.voice import simulator
from backend.voice.simulator import Twilio
from tests.conftest import API_KEY, serving

pytestmark = pytest.mark.integration

TOKEN = "twilio-token-for-realtime-tests"
CHUNK = bytes(range(256)) * 2
"""A 64 ms chunk of the model's µ-law (any bytes: the bridge must pass them on untouched)."""


class Models:
    """The scripted models the server connects to, one per call, in order."""

    def __init__(self) -> None:
        self.queue: list[ScriptedRealtimeModel] = []
        self.used: list[ScriptedRealtimeModel] = []

    def __call__(self) -> ScriptedRealtimeModel:
        model = self.queue.pop(0)
        self.used.append(model)
        return model


@pytest.fixture(scope="module")
def realtime(stack: Settings) -> Iterator[tuple[str, Models]]:
    """A server whose phone calls the realtime path answers."""
    from backend.api.main import create_app

    settings = stack.model_copy(
        update={"api_key": SecretStr(API_KEY), "voice": "realtime", "llm_api_key": SecretStr("sk-unused")}
    )
    models = Models()
    with serving(create_app(settings, replay_every_s=None, realtime=models)) as base_url:
        yield base_url, models


@pytest.fixture
async def line(db: Database, stack: Settings, local_group: str) -> str:
    who = await tenants.authenticate(db, API_KEY)
    assert who is not None
    number = f"+6129{uuid.uuid4().int % 10**7:07d}"
    await telephony.set_line(db, who.tenant.tenant_id, [number], vault.seal(stack, TOKEN))
    return number


def _reply(item: str, response: str, text: str, chunks: int) -> list[RealtimeModelEvent]:
    """A spoken reply as the model sends it: audio with its transcript, then the done item."""
    words = text.split(" ")
    events: list[RealtimeModelEvent] = [RealtimeModelTurnStartedEvent(response_id=response)]
    for n in range(chunks):
        events.append(RealtimeModelAudioEvent(CHUNK, response, item, 0))
        delta = " ".join(words[n * len(words) // chunks : (n + 1) * len(words) // chunks])
        events.append(RealtimeModelTranscriptDeltaEvent(item, delta + " ", response))
    done = AssistantMessageItem(item_id=item, content=[AssistantAudio(transcript=text)], status="completed")
    return [
        *events,
        RealtimeModelAudioDoneEvent(item, 0),
        RealtimeModelItemUpdatedEvent(done),
        RealtimeModelTurnEndedEvent(response_id=response),
    ]


def _caller(item: str, text: str) -> list[RealtimeModelEvent]:
    return [
        RealtimeModelItemUpdatedEvent(UserMessageItem(item_id=item, content=[InputAudio(transcript=None)])),
        RealtimeModelInputAudioTranscriptionCompletedEvent(item, text),
    ]


def _audio_once(flag: threading.Event) -> Any:
    """Matches the caller's audio once ``flag`` is set (the caller starts speaking)."""
    return lambda event: isinstance(event, RealtimeModelSendAudio) and flag.is_set()


def _output_of(call_id: str, outputs: dict[str, str]) -> Any:
    def matches(event: RealtimeModelSendEvent) -> bool:
        if isinstance(event, RealtimeModelSendToolOutput) and event.tool_call.call_id == call_id:
            outputs[call_id] = event.output
            return True
        return False

    return matches


async def _dial(base_url: str, number: str, caller: str) -> tuple[str, dict[str, str]]:
    return await simulator.dial(base_url, number, caller, TOKEN)


async def test_a_realtime_call_runs_the_same_agents_tools_and_lifecycle(
    realtime: tuple[str, Models], db: Database, line: str, local_group: str
) -> None:
    base_url, models = realtime
    cheapest = min((x for x in demo_listings(local_group) if x.suburb == "Coogee"), key=lambda x: x.price)
    answer = f"I found homes in Coogee. The first is {cheapest.address} at ${cheapest.price:,.0f}. Want more?"
    speaking, barging, outputs = threading.Event(), threading.Event(), {}
    to_search = "transfer_to_property_search"  # the SDK's tool name for the handoff to Property Search
    payload = {"intent": "search", "slots": [], "fact_ids": [], "episode_ids": [], "reason": "Coogee homes"}
    model = ScriptedRealtimeModel(
        [
            RealtimeStep(
                expect=lambda e: (
                    isinstance(e, RealtimeModelSendRawMessage) and e.message["type"] == "response.create"
                ),
                emit=_reply("greet", "r1", "Thanks for calling. How can I help?", 2),
            ),
            RealtimeStep(
                expect=_audio_once(speaking),
                emit=[
                    *_caller("u1", "Have you got anything in Coogee?"),
                    RealtimeModelTurnStartedEvent(response_id="r2"),
                    RealtimeModelToolCallEvent(to_search, "c1", json.dumps(payload)),
                    RealtimeModelTurnEndedEvent(response_id="r2"),
                ],
            ),
            RealtimeStep(
                expect=_output_of("c1", outputs),
                emit=[
                    RealtimeModelTurnStartedEvent(response_id="r3"),
                    RealtimeModelToolCallEvent("search_properties", "c2", json.dumps({"suburb": "Coogee"})),
                    RealtimeModelTurnEndedEvent(response_id="r3"),
                ],
            ),
            RealtimeStep(expect=_output_of("c2", outputs), emit=_reply("a1", "r4", answer, 30)),
            RealtimeStep(
                expect=_audio_once(barging),
                emit=[
                    RealtimeModelAudioInterruptedEvent("a1", 0),
                    *_caller("u2", "Sorry, how many bedrooms?"),
                    *_reply("a2", "r5", "It has two bedrooms.", 2),
                ],
            ),
        ],
        strict=False,
    )
    models.queue.append(model)
    caller = f"+61417{uuid.uuid4().int % 10**6:06d}"
    url, params = await _dial(base_url, line, caller)
    async with websockets.connect(url) as ws:
        twilio = Twilio(ws)
        await twilio.start(params)
        await twilio.listen(0.5)
        speaking.set()  # the caller's next frame "is" their question
        await twilio.listen(1.2)  # 30 chunks of 64 ms: the reply plays for about 2 s
        barging.set()  # the caller talks over it
        await twilio.listen(1.0)
        await twilio.stop()
        with pytest.raises(websockets.ConnectionClosedOK):  # the server hangs up properly
            await asyncio.wait_for(ws.recv(), 10)

    assert model.remaining_steps == 0, f"{model.remaining_steps} steps never reached"
    # Settings: Twilio's µ-law passes straight through, and the agent's context is in its instructions.
    session = model.connect_calls[0]["initial_model_settings"]
    assert session["input_audio_format"] == session["output_audio_format"] == "g711_ulaw"
    assert "Coogee" in session["input_audio_transcription"]["prompt"]
    # The real tool ran on the real graph, and the guardrail let the grounded price through.
    assert cheapest.address in outputs["c2"], outputs["c2"][:300]
    assert not [e for e in model.sent_events if isinstance(e, RealtimeModelSendInterrupt)]
    # The model's audio reached Twilio byte for byte, each chunk followed by a mark.
    media = [base64.b64decode(e["media"]["payload"]) for e in twilio.events if e["event"] == "media"]
    assert media and all(chunk == CHUNK for chunk in media)
    assert [e["event"] for e in twilio.events].count("mark") == len(media)
    assert any(e["event"] == "clear" for e in twilio.events), "the barge-in cleared Twilio's buffer"
    # The played marks reached the playback tracker (the model truncates where the caller stopped).
    tracker = model.connect_calls[0]["playback_tracker"]
    assert tracker.get_state()["current_item_id"] in {"a1", "a2", None}

    call = await _ended(db, caller)
    turns = [(t["speaker"], t["text"]) for t in await call_store.turns(db, call["call_id"])]
    assert [s for s, _ in turns] == ["agent", "caller", "agent", "caller", "agent"], turns
    assert turns[1][1] == "Have you got anything in Coogee?"
    heard = turns[2][1]
    assert heard.endswith("…") and answer.startswith(heard[:-1].strip()), heard
    assert len(heard) < len(answer), "the transcript keeps only what was played before the barge-in"
    assert turns[4][1] == "It has two bedrooms."
    row = await db.pool.fetchrow(
        "SELECT active_agent, handoffs, tool_calls FROM calls WHERE call_id = $1", call["call_id"]
    )
    assert dict(row) == {"active_agent": "Property Search", "handoffs": 1, "tool_calls": 1}


async def test_an_ungrounded_price_is_stopped_mid_reply(
    realtime: tuple[str, Models], db: Database, line: str
) -> None:
    base_url, models = realtime
    speaking = threading.Event()
    model = ScriptedRealtimeModel(
        [
            RealtimeStep(
                expect=lambda e: isinstance(e, RealtimeModelSendRawMessage),
                emit=_reply("greet", "r1", "Thanks for calling.", 1),
            ),
            RealtimeStep(
                expect=_audio_once(speaking),
                emit=[
                    *_caller("u1", "What's the place on Smith Street worth?"),
                    *_reply("a1", "r2", "That one is worth about $4,750,000 " + "I reckon " * 30, 3),
                ],
            ),
        ],
        strict=False,
    )
    models.queue.append(model)
    url, params = await _dial(base_url, line, f"+61418{uuid.uuid4().int % 10**6:06d}")
    async with websockets.connect(url) as ws:
        twilio = Twilio(ws)
        await twilio.start(params)
        await twilio.listen(0.3)
        speaking.set()
        await twilio.listen(1.0)
        await twilio.stop()
    stopped = [e for e in model.sent_events if isinstance(e, RealtimeModelSendInterrupt)]
    assert [e.response_id for e in stopped] == ["r2"], "the output guardrail stopped that reply"


async def _ended(db: Database, phone_e164: str, timeout_s: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        row = await db.pool.fetchrow(
            "SELECT call_id, ended_at FROM calls WHERE caller_phone = $1 ORDER BY started_at DESC LIMIT 1",
            phone_e164,
        )
        if row is not None and row["ended_at"] is not None:
            return dict(row)
        assert time.monotonic() < deadline, "the call was never ended"
        await asyncio.sleep(0.2)
