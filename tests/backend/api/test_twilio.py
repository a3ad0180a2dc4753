"""Twilio's incoming-call webhook over real HTTP: signatures checked with the tenant's own
auth token (computed here by the twilio package's RequestValidator, as Twilio does)."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import httpx
import pytest
from twilio.request_validator import RequestValidator

from backend import vault
from backend.config import Settings
from backend.store import Database, telephony, tenants
from tests.conftest import Api

TOKEN = "twilio-auth-token-for-tests"


@pytest.fixture
async def line(db: Database, stack: Settings) -> tuple[tenants.Tenant, str]:
    tenant, _ = await tenants.create(db, f"phones-{uuid.uuid4().hex[:6]}")
    number = f"+6129{uuid.uuid4().int % 10**7:07d}"
    await telephony.set_line(db, tenant.tenant_id, [number], vault.seal(stack, TOKEN))
    return tenant, number


def _call(number: str) -> dict[str, str]:
    return {
        "CallSid": "CA" + uuid.uuid4().hex,
        "From": "+61412555001",
        "To": number,
        "AccountSid": "AC" + "0" * 32,
    }


async def _post(api: Api, form: dict[str, str], signature: str | None) -> httpx.Response:
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    async with httpx.AsyncClient(base_url=api.base_url) as client:  # Twilio sends no API key
        return await client.post("/twilio/voice", data=form, headers=headers)


async def test_a_signed_call_is_connected_to_the_media_stream(api: Api, line, stack: Settings) -> None:  # type: ignore[no-untyped-def]
    tenant, number = line
    form = _call(number)
    signature = RequestValidator(TOKEN).compute_signature(f"{api.base_url}/twilio/voice", form)
    answered = await _post(api, form, signature)
    assert answered.status_code == 200 and answered.headers["content-type"].startswith("application/xml")
    stream = ET.fromstring(answered.text).find("./Connect/Stream")
    assert stream is not None and stream.get("url", "").endswith("/twilio/media"), answered.text
    params = {p.get("name"): p.get("value") for p in stream.findall("Parameter")}
    assert params["tenant"] == tenant.tenant_id and params["from"] == form["From"]
    assert vault.valid_ticket(stack, params["ticket"], tenant.tenant_id, form["From"], form["CallSid"])


async def test_a_forged_or_missing_signature_is_refused(api: Api, line) -> None:  # type: ignore[no-untyped-def]
    _, number = line
    form = _call(number)
    forged = RequestValidator("someone-elses-token").compute_signature(f"{api.base_url}/twilio/voice", form)
    for signature in (forged, None, ""):
        refused = await _post(api, form, signature)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "bad_signature"
    tampered = {**form, "From": "+61400000000"}  # signed for another caller
    good = RequestValidator(TOKEN).compute_signature(f"{api.base_url}/twilio/voice", form)
    assert (await _post(api, tampered, good)).status_code == 403


async def test_a_number_nobody_answers_hears_a_polite_refusal(api: Api) -> None:
    answered = await _post(api, _call("+61299999999"), None)
    assert answered.status_code == 200
    root = ET.fromstring(answered.text)
    assert root.findtext("Say") == "Sorry, this number isn't connected to a service. Goodbye."
    assert root.find("Hangup") is not None and root.find("Connect") is None


def test_a_ticket_with_any_text_is_refused_not_an_error(stack: Settings) -> None:
    good = vault.ticket(stack, "whisper", "t1", "call-1")
    assert vault.valid_ticket(stack, good, "whisper", "t1", "call-1")
    altered = good[:-1] + ("1" if good.endswith("0") else "0")  # one digit changed, never the same ticket
    for forged in ("", "é" * 64, altered, "\x00"):
        assert not vault.valid_ticket(stack, forged, "whisper", "t1", "call-1")
