"""A warm transfer of a phone call, against a local server speaking Twilio's REST protocol: the
caller asks for a person (keypad 0), hears the transfer reply, then the live call is given TwiML
that dials the ladder's first phone and whispers the brief to whoever answers."""

from __future__ import annotations

import base64
import json
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import websockets
from fastapi import FastAPI, Request
from twilio.request_validator import RequestValidator

from backend import vault
from backend.config import Settings
from backend.store import Database, oncall, telephony, tenants
from backend.voice import simulator
from tests.conftest import serving

pytest.importorskip("backend.voice.cascade", reason="needs the voice extra: pip install '.[voice]'")
pytestmark = pytest.mark.integration

TOKEN = "twilio-token-for-transfers"
ACCOUNT = "AC" + "1" * 32
ON_CALL = "+61400111222"


@pytest.fixture
def twilio_rest() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Twilio's call-update endpoint (POST /2010-04-01/Accounts/{sid}/Calls/{sid}.json), recording
    what it is asked."""
    updates: list[dict[str, Any]] = []
    app = FastAPI()

    @app.post("/2010-04-01/Accounts/{account}/Calls/{call}.json")
    async def update(account: str, call: str, request: Request) -> dict[str, Any]:
        form = dict(await request.form())
        updates.append(
            {"account": account, "call": call, "form": form, "auth": request.headers.get("authorization")}
        )
        return {"sid": call, "account_sid": account, "status": "in-progress"}

    with serving(app) as url:
        yield url, updates


@pytest.fixture
def api_url(stack: Settings, twilio_rest: tuple[str, list[dict[str, Any]]]) -> Iterator[str]:
    from backend.api.main import create_app

    settings = stack.model_copy(update={"twilio_api_url": twilio_rest[0]})
    with serving(create_app(settings, replay_every_s=None)) as url:
        yield url


async def test_keypad_zero_dials_the_person_on_call_and_whispers_the_brief(
    api_url: str, db: Database, stack: Settings, twilio_rest: tuple[str, list[dict[str, Any]]]
) -> None:
    _, updates = twilio_rest
    tenant, _ = await tenants.create(db, f"transfers-{uuid.uuid4().hex[:6]}")
    await oncall.set_ladder(db, tenant.tenant_id, [oncall.Rung(1, "Pat Lee", ON_CALL, 60)])
    number = f"+6127{uuid.uuid4().int % 10**7:07d}"
    await telephony.set_line(db, tenant.tenant_id, [number], vault.seal(stack, TOKEN), ACCOUNT)

    url, params = await simulator.dial(api_url, number, "+61412999001", TOKEN)
    async with websockets.connect(url) as ws:
        twilio = simulator.Twilio(ws)
        await twilio.start(params)
        await twilio.until_quiet(quiet_s=1.0)
        for digit in ("0", "#"):
            await ws.send(json.dumps({"event": "dtmf", "streamSid": twilio.sid, "dtmf": {"digit": digit}}))
        deadline = time.monotonic() + 30
        while not updates:
            assert time.monotonic() < deadline, "the live call was never updated"
            await twilio.listen(0.2)

    update = updates[0]
    assert (update["account"], update["call"]) == (ACCOUNT, params["call_sid"])
    assert update["auth"] == "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    number_el = ET.fromstring(update["form"]["Twiml"]).find("./Dial/Number")
    assert number_el is not None and number_el.text == ON_CALL
    whisper = number_el.get("url", "")
    assert urlsplit(whisper).path == "/twilio/whisper"

    # The person answers: Twilio fetches the whisper, signed with the tenant's token.
    signature = RequestValidator(TOKEN).compute_signature(whisper, {})
    async with httpx.AsyncClient() as client:
        heard = await client.post(whisper, headers={"X-Twilio-Signature": signature})
        forged = await client.post(whisper, headers={"X-Twilio-Signature": "forged"})
    assert heard.status_code == 200, heard.text
    brief = await db.pool.fetchval(
        "SELECT brief->>'summary' FROM calls WHERE metadata->>'twilio_call_sid' = $1", params["call_sid"]
    )
    assert brief and ET.fromstring(heard.text).findtext("Say") == brief
    assert forged.status_code == 403
