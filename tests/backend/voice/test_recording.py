"""Recording, opt-in per tenant: the caller is told, the call's audio is kept with it for the
retention period (caller left, agent right), served to the tenant only, purged when it
expires, and deleted when the caller is erased."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
import wave
from types import SimpleNamespace
from typing import Any

import httpx
import numpy as np
import pytest
import websockets

from backend import vault
from backend.config import Settings
from backend.erasure import erase_caller
from backend.store import Database, recordings, telephony, tenants
from backend.voice import mulaw, simulator
from backend.voice.recording import Recording
from backend.voice.simulator import SILENCE, Twilio, espeak
from ingest.jobs import purge_recordings
from tests.conftest import Api

pytestmark = pytest.mark.integration
cascade = pytest.importorskip("backend.voice.cascade", reason="needs the voice extra: pip install '.[voice]'")

TOKEN = "twilio-token-for-recording-tests"


@pytest.fixture(scope="module")
def ear() -> Any:
    return cascade.Cascade.load()


def _channels(wav_bytes: bytes) -> tuple[np.ndarray, np.ndarray]:
    with wave.open(io.BytesIO(wav_bytes)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (2, mulaw.RATE, 2)
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2)
    return frames[:, 0], frames[:, 1]


def test_the_agent_track_follows_the_line_and_a_clear_cuts_it() -> None:
    recording = Recording()
    recording.heard(SILENCE * 50)  # 1 s of the line
    recording.played(b"\x00" * 16_000)  # 2 s of loud audio sent at once, ahead of the clock
    recording.heard(SILENCE * 25)  # the caller talks over it half a second later…
    recording.cleared()  # …and Twilio drops the rest
    caller, agent = _channels(recording.wav())
    assert len(caller) == len(agent) == 12_000, "one clock: 1.5 s"
    assert not agent[:8_000].any() and (abs(agent[8_000:]) > 1000).all(), "played from 1 s to the clear"


@pytest.fixture
async def recorded_line(db: Database, stack: Settings) -> tuple[str, str, str]:
    """A tenant of its own that records its calls for 30 days: its number, key and id."""
    tenant, key = await tenants.create(db, f"recorded-{uuid.uuid4().hex[:8]}")
    number = f"+6127{uuid.uuid4().int % 10**7:07d}"
    await telephony.set_line(db, tenant.tenant_id, [number], vault.seal(stack, TOKEN))
    await recordings.set_retention(db, tenant.tenant_id, 30)
    return number, key, tenant.tenant_id


async def _call(api: Api, db: Database, number: str, caller: str) -> Twilio:
    url, params = await simulator.dial(api.base_url, number, caller, TOKEN)
    async with websockets.connect(url) as ws:
        twilio = Twilio(ws)
        await twilio.start(params)
        await twilio.until_quiet()
        await twilio.say(espeak("Hello, I'm after a house in Coogee."))
        await twilio.until_quiet(limit_s=10)
        await twilio.stop()
    deadline = time.monotonic() + 20
    while not await db.pool.fetchval(  # the server ends the call after the socket closes
        "SELECT ended_at IS NOT NULL FROM calls WHERE caller_phone = $1", caller
    ):
        assert time.monotonic() < deadline, "the call was never ended"
        await asyncio.sleep(0.2)
    return twilio


async def test_a_recorded_call_is_announced_kept_served_and_purged(
    api: Api, db: Database, recorded_line: tuple[str, str, str], ear: Any
) -> None:
    number, key, _ = recorded_line
    caller = f"+61411{uuid.uuid4().int % 10**6:06d}"
    twilio = await _call(api, db, number, caller)
    row = await db.pool.fetchrow(
        "SELECT c.call_id, c.group_id, c.caller_id, r.expires_at - now() AS left FROM calls c"
        " JOIN recordings r USING (call_id) WHERE c.caller_phone = $1",
        caller,
    )
    assert row is not None, "the call was recorded"
    assert 29.9 < row["left"].total_seconds() / 86_400 <= 30
    call_id = row["call_id"]
    async with httpx.AsyncClient(base_url=api.base_url) as client:
        got = await client.get(f"/v1/calls/{call_id}/recording", headers={"Authorization": f"Bearer {key}"})
        assert got.status_code == 200 and got.headers["content-type"] == "audio/wav"
        other = await client.get(f"/v1/calls/{call_id}/recording", headers=api.headers)
        assert other.status_code == 404, "another tenant's key gets nothing"
    left, right = _channels(got.content)
    assert len(left) >= 8_000 * 3, "the whole call, on the line's clock"
    assert np.abs(right).max() > 3000, "our voice is on the right"
    assert np.abs(left).max() > 3000, "the caller's is on the left"
    notice = await ear.transcribe(mulaw.resample(right[: 2 * mulaw.RATE], mulaw.RATE, 16_000))
    assert "recorded" in notice.lower(), f"the caller is told first: {notice!r}"
    assert twilio.heard, "and heard it"
    # Retention: once expired, it is neither served nor kept.
    expire = "UPDATE recordings SET expires_at = now() - interval '1s' WHERE call_id = $1"
    await db.pool.execute(expire, call_id)
    assert await recordings.get(db, row["group_id"], call_id) is None
    assert await purge_recordings({"deps": SimpleNamespace(db=db)}) >= 1  # the hourly job
    assert await db.pool.fetchval("SELECT count(*) FROM recordings WHERE call_id = $1", call_id) == 0


async def test_erasing_the_caller_deletes_the_recording(
    api: Api, db: Database, recorded_line: tuple[str, str, str], settings: Settings, redis: Any, mem: Any
) -> None:
    number, _, _ = recorded_line
    caller = f"+61411{uuid.uuid4().int % 10**6:06d}"
    await _call(api, db, number, caller)
    row = await db.pool.fetchrow(
        "SELECT c.call_id, c.group_id, c.caller_id FROM calls c JOIN recordings r USING (call_id)"
        " WHERE c.caller_phone = $1",
        caller,
    )
    assert row is not None
    await erase_caller(mem, db, redis, row["group_id"], row["caller_id"], settings=settings)
    assert await db.pool.fetchval("SELECT count(*) FROM recordings WHERE call_id = $1", row["call_id"]) == 0


async def test_calls_of_a_tenant_that_did_not_opt_in_are_not_recorded(
    api: Api, db: Database, stack: Settings
) -> None:
    tenant, key = await tenants.create(db, f"unrecorded-{uuid.uuid4().hex[:8]}")
    number = f"+6126{uuid.uuid4().int % 10**7:07d}"
    await telephony.set_line(db, tenant.tenant_id, [number], vault.seal(stack, TOKEN))
    caller = f"+61411{uuid.uuid4().int % 10**6:06d}"
    url, params = await simulator.dial(api.base_url, number, caller, TOKEN)
    async with websockets.connect(url) as ws:
        twilio = Twilio(ws)
        await twilio.start(params)
        await twilio.until_quiet()
        await twilio.stop()
    call_id = await db.pool.fetchval("SELECT call_id FROM calls WHERE caller_phone = $1", caller)
    async with httpx.AsyncClient(base_url=api.base_url) as client:
        got = await client.get(f"/v1/calls/{call_id}/recording", headers={"Authorization": f"Bearer {key}"})
    assert got.status_code == 404 and got.json()["error"]["code"] == "no_recording"
