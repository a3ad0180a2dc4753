"""Twilio's webhooks: an incoming call is answered with TwiML that connects its audio to our
media stream (``backend/voice``). Every webhook is checked against ``X-Twilio-Signature``
with the answering tenant's auth token (the ``twilio`` package's ``RequestValidator``)."""

from __future__ import annotations

import contextlib

import structlog
from fastapi import APIRouter, Request, Response, WebSocket, WebSocketDisconnect
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Connect, VoiceResponse

from backend import vault
from backend.api.deps import Config, Db, Desk, Realtime
from backend.api.errors import ApiError, responses
from backend.config import Settings
from backend.speech.contacts import e164
from backend.store import calls, telephony, tenants
from backend.voice import speech, transfer
from backend.voice.bridge import MediaStream
from backend.voice.realtime import RealtimeStream

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/twilio", tags=["twilio"])
NOT_IN_SERVICE = "Sorry, this number isn't connected to a service. Goodbye."
MEDIA_PATH = "/twilio/media"


def _url(request: Request, settings: Settings, path: str | None = None, scheme: str | None = None) -> str:
    """The URL Twilio used (signatures are over it): the public one when a proxy is in front."""
    base = (settings.public_url or str(request.base_url)).rstrip("/")
    url = (
        base
        + (path or request.url.path)
        + (f"?{request.url.query}" if request.url.query and not path else "")
    )
    return url.replace("https://", f"{scheme}://", 1).replace("http://", f"{scheme}://", 1) if scheme else url


def _signed(request: Request, settings: Settings, form: dict[str, str], sealed: bytes | None) -> bool:
    if settings.twilio_unsigned:
        return True
    signature = request.headers.get("x-twilio-signature", "")
    if not signature or sealed is None:
        return False
    token = vault.unseal(settings, sealed)
    return bool(RequestValidator(token).validate(_url(request, settings), form, signature))


def _twiml(response: VoiceResponse | str) -> Response:
    return Response(str(response), media_type="application/xml")


TWIML = {200: {"content": {"application/xml": {"schema": {"type": "string", "description": "TwiML"}}}}}


@router.post("/voice", responses={**TWIML, **responses(403)}, response_class=Response)
async def incoming_call(request: Request, db: Db, settings: Config) -> Response:
    """Twilio's incoming-call webhook: TwiML ``<Connect><Stream>`` to our media stream, with the
    caller's number, the tenant and a ticket as stream parameters; a number no tenant answers
    hears a polite refusal."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    number = e164(form.get("To", ""), settings.default_region)
    found = await telephony.line(db, number, settings.business_timezone) if number else None
    if found is None:
        log.info("call to a number nobody answers")
        refusal = VoiceResponse()
        refusal.say(NOT_IN_SERVICE)
        refusal.hangup()
        return _twiml(refusal)
    tenant, sealed = found
    if not _signed(request, settings, form, sealed):
        raise ApiError(403, "bad_signature", "the request's X-Twilio-Signature is missing or not valid")
    call_sid, caller = form.get("CallSid", ""), form.get("From", "")
    response = VoiceResponse()
    connect = Connect()
    stream = connect.stream(
        url=_url(request, settings, MEDIA_PATH, scheme="wss" if settings.public_url else "ws")
    )
    for name, value in (
        ("tenant", tenant.tenant_id),
        ("from", caller),
        ("call_sid", call_sid),
        ("ticket", vault.ticket(settings, tenant.tenant_id, caller, call_sid)),
    ):
        stream.parameter(name=name, value=value)
    response.append(connect)
    return _twiml(response)


@router.post("/whisper", responses={**TWIML, **responses(403)}, response_class=Response)
async def whisper(
    request: Request, tenant: str, call_id: str, ticket: str, db: Db, settings: Config
) -> Response:
    """What the person dialled by a warm transfer hears before the caller is connected: the
    brief. Twilio fetches it (signed) when they answer; our ticket names the call."""
    if not vault.valid_ticket(settings, ticket, "whisper", tenant, call_id):
        raise ApiError(403, "bad_signature", "the whisper's ticket is not valid")
    found = await telephony.account(db, tenant)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not _signed(request, settings, form, found[1] if found else None):
        raise ApiError(403, "bad_signature", "the request's X-Twilio-Signature is missing or not valid")
    owner = await tenants.by_id(db, tenant, settings.business_timezone)
    call = await calls.get(db, owner.group_id, call_id) if owner else None
    brief = (call or {}).get("brief") or {}
    return _twiml_text(
        transfer.whisper_twiml(brief.get("summary") or "A caller is being transferred to you.")
    )


def _twiml_text(twiml: str) -> Response:
    return Response(twiml, media_type="application/xml")


@router.websocket("/media")
async def media_stream(
    websocket: WebSocket, desk: Desk, db: Db, settings: Config, realtime: Realtime
) -> None:
    """Twilio Media Streams: the call's audio both ways (``backend.voice.bridge``), answered by
    the offline cascade or by the realtime model (``SWITCHBOARD_VOICE``). The stream proves
    our webhook started it with the ticket in its ``start`` parameters."""
    base = settings.public_url or str(websocket.base_url).replace("ws", "http", 1)  # ws→http, wss→https
    stream: MediaStream
    if settings.voice == "realtime":
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        stream = RealtimeStream(
            desk, db, settings, None, websocket.send_json, base_url=base, connect=realtime, api_key=key
        )
    else:
        try:
            engine = await speech.engine()
        except speech.Unavailable as exc:
            log.error("voice call refused: no speech engine", reason=str(exc))
            await websocket.close(code=1011, reason="speech engine unavailable")
            return
        stream = MediaStream(desk, db, settings, engine, websocket.send_json, base_url=base)
    await websocket.accept()
    with contextlib.suppress(WebSocketDisconnect):
        await stream.run(lambda: _text(websocket))
        await websocket.close()  # a hang-up Twilio sees as one (a close frame, not a dropped line)


async def _text(websocket: WebSocket) -> str:
    """The next message as text; a binary one is not Media Streams (the bridge calls it malformed)."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    return message.get("text") or ""
