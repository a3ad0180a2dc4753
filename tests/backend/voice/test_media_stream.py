"""Phone calls as Twilio makes them: a signed webhook, then a Media Streams WebSocket that
carries the caller's speech (``backend.voice.simulator``: espeak-ng, not the agent's voice) in
20 ms µ-law frames at real time, and plays our audio back, echoing each mark once "played".
What we say is checked by transcribing the audio we sent."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import websockets
from pydantic import SecretStr

from backend import vault
from backend.config import Settings
from backend.store import Database, telephony, tenants
from backend.store import calls as call_store
from backend.verticals.real_estate.demo import SUBURBS
from backend.voice import mulaw, simulator
from backend.voice.simulator import Twilio, espeak
from tests.conftest import API_KEY, Api, serving

cascade = pytest.importorskip("backend.voice.cascade", reason="needs the voice extra: pip install '.[voice]'")
pytestmark = pytest.mark.integration

TOKEN = "twilio-token-for-media-tests"


@pytest.fixture(scope="module")
def ear() -> Any:
    """The test's own transcriber, for the audio the agent sends."""
    return cascade.Cascade.load()


async def transcribe(ear: Any, audio: bytes) -> str:
    """What a listener hears in our audio, primed with the demo suburbs as the agent's is."""
    heard = mulaw.resample(mulaw.decode(audio), mulaw.RATE, 16_000)
    return str(await ear.transcribe(heard, ", ".join(SUBURBS)))


@pytest.fixture
async def phone_line(api: Api, db: Database, stack: Settings, local_group: str) -> str:
    """A number the local (sales) tenant answers, with its Twilio token."""
    who = await tenants.authenticate(db, api.key)
    assert who is not None
    number = f"+6128{uuid.uuid4().int % 10**7:07d}"
    await telephony.set_line(db, who.tenant.tenant_id, [number], vault.seal(stack, TOKEN))
    return number


async def dial(api: Api, number: str, caller: str) -> tuple[str, dict[str, str]]:
    return await simulator.dial(api.base_url, number, caller, TOKEN)


async def connected(api: Api, number: str, caller: str) -> AsyncIterator[Twilio]:
    url, params = await dial(api, number, caller)
    async with websockets.connect(url) as ws:
        twilio = Twilio(ws)
        await twilio.start(params)
        yield twilio


async def _call_of(db: Database, phone_e164: str) -> dict[str, Any]:
    row = await db.pool.fetchrow(
        "SELECT call_id, ended_at FROM calls WHERE caller_phone = $1 ORDER BY started_at DESC LIMIT 1",
        phone_e164,
    )
    assert row is not None
    return dict(row)


async def test_a_phone_call_end_to_end_and_the_caller_is_known_next_time(
    api: Api, db: Database, phone_line: str, ear: Any
) -> None:
    caller = f"+61412{uuid.uuid4().int % 10**6:06d}"
    async for twilio in connected(api, phone_line, caller):
        await twilio.until_quiet()
        greeting = await transcribe(ear, twilio.take_heard())
        assert "thanks for calling" in greeting.lower(), greeting
        first = len(twilio.arrivals)
        await twilio.say(espeak("Do you have anything in Coogee?"))
        await twilio.until_quiet()
        reply = await transcribe(ear, twilio.take_heard()[: 8 * mulaw.RATE])  # its first clauses
        # The turn handed off (Triage → Property Search) and the reply never fell silent mid-way.
        assert max(twilio.silences(first)) < 0.3, twilio.silences(first)
        await twilio.stop()
    await _wait_ended(db, caller)
    turns = await call_store.turns(db, (await _call_of(db, caller))["call_id"])
    assert [t["speaker"] for t in turns] == ["agent", "caller", "agent"]
    assert turns[2]["agent"] == "Property Search"
    assert "coogee" in turns[1]["text"].lower(), turns[1]["text"]
    # What was spoken is the reply: its first listing's price is heard, digit for digit.
    price = re.search(r"\$([\d,]+)", turns[2]["text"])
    assert price and "homes in" in reply.lower(), (reply, turns[2]["text"])
    # Its digits, however the listener writes them ("Dollar 1 Million, 350,000").
    assert price.group(1).replace(",", "") in re.sub(r"\D", "", reply), (reply, turns[2]["text"])

    async for twilio in connected(api, phone_line, caller):  # the same number calls again
        await twilio.until_quiet()
        again = await transcribe(ear, twilio.take_heard())
        assert "welcome back" in again.lower(), again


@pytest.fixture(scope="module")
def impatient(stack: Settings) -> Iterator[Api]:
    """A server on which every phone turn takes "long" (a filler after 1 ms)."""
    from backend.api.main import create_app

    settings = stack.model_copy(update={"api_key": SecretStr(API_KEY), "voice_filler_ms": 1})
    with serving(create_app(settings, replay_every_s=None)) as base_url:
        yield Api(base_url, API_KEY)


async def test_a_turn_that_thinks_long_is_not_silence(impatient: Api, phone_line: str, ear: Any) -> None:
    caller = f"+61419{uuid.uuid4().int % 10**6:06d}"
    async for twilio in connected(impatient, phone_line, caller):
        await twilio.until_quiet()
        twilio.take_heard()
        await twilio.say(espeak("What's the market like in Randwick?"))
        await twilio.until_quiet()
        heard = await transcribe(ear, twilio.take_heard()[: 3 * mulaw.RATE])
        assert heard.lower().startswith("one moment"), heard


async def test_keypad_zero_reaches_a_person(api: Api, db: Database, phone_line: str, ear: Any) -> None:
    caller = f"+61413{uuid.uuid4().int % 10**6:06d}"
    async for twilio in connected(api, phone_line, caller):
        await twilio.until_quiet()
        twilio.take_heard()
        await twilio.ws.send(json.dumps({"event": "dtmf", "streamSid": twilio.sid, "dtmf": {"digit": "0"}}))
        await twilio.ws.send(json.dumps({"event": "dtmf", "streamSid": twilio.sid, "dtmf": {"digit": "#"}}))
        await twilio.until_quiet()
        said = await transcribe(ear, twilio.take_heard())
        assert "transferring you" in said.lower() or "team" in said.lower(), said
    call = await _call_of(db, caller)
    status = await db.pool.fetchval("SELECT status FROM calls WHERE call_id = $1", call["call_id"])
    assert status in ("transferred", "ended")
    assert await db.pool.fetchval("SELECT brief IS NOT NULL FROM calls WHERE call_id = $1", call["call_id"])


async def test_talking_over_the_reply_stops_it(api: Api, db: Database, phone_line: str) -> None:
    caller = f"+61414{uuid.uuid4().int % 10**6:06d}"
    async for twilio in connected(api, phone_line, caller):
        await twilio.listen(1.5)  # the greeting is playing
        began = time.monotonic()
        await twilio.say(espeak("Sorry, hang on."), then_silence_s=0.5)
        cleared = [e for e in twilio.events if e["event"] == "clear"]
        assert cleared, "the caller's speech cleared the playback"
        assert time.monotonic() - began < 5
        await twilio.stop()
    greeting = (await call_store.turns(db, (await _wait_ended(db, caller))["call_id"]))[0]
    # The transcript keeps the clauses played before the caller spoke, not the whole greeting.
    assert greeting["text"].endswith("…") and "help" not in greeting["text"].lower(), greeting["text"]


@pytest.mark.parametrize(
    "bad",
    [
        ["not json at all"] * 6,
        [json.dumps({"event": "media", "media": {"payload": "AAAA"}})],  # before start
        [json.dumps({"event": "surprise"})] * 6,
    ],
    ids=["malformed", "media-before-start", "unknown-events"],
)
async def test_bad_streams_close_cleanly(api: Api, phone_line: str, bad: list[str]) -> None:
    url, _ = await dial(api, phone_line, "+61415000001")
    async with websockets.connect(url) as ws:
        for message in bad:
            await ws.send(message)
        with pytest.raises(websockets.ConnectionClosed):
            await _drain(ws)


async def test_a_dropped_socket_ends_the_call_and_keeps_the_transcript(
    api: Api, db: Database, phone_line: str
) -> None:
    caller = f"+61416{uuid.uuid4().int % 10**6:06d}"
    url, params = await dial(api, phone_line, caller)
    async with websockets.connect(url) as ws:
        twilio = Twilio(ws)
        await twilio.start(params)
        await twilio.listen(1.0)
        await twilio.say(espeak("I'm looking in Coogee."))
        await twilio.listen(0.5)
    # dropped with no stop: the call is ended and its transcript kept
    call = await _wait_ended(db, caller)
    turns = await call_store.turns(db, call["call_id"])
    assert turns[0]["speaker"] == "agent" and any(t["speaker"] == "caller" for t in turns)


async def _drain(ws: Any) -> None:
    """Read until the server closes the socket (10 s at most between messages)."""
    while True:
        await asyncio.wait_for(ws.recv(), 10)


async def _wait_ended(db: Database, phone_e164: str, timeout_s: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        call = await _call_of(db, phone_e164)
        if call["ended_at"] is not None:
            return call
        assert time.monotonic() < deadline, "the call was never ended"
        await asyncio.sleep(0.2)
