"""A warm transfer of a phone call: Twilio's REST API gives the live call new TwiML that dials
the person on call; when they answer, Twilio fetches the whisper (the brief, spoken to them
alone) before it connects the caller."""

from __future__ import annotations

import asyncio

from twilio.twiml.voice_response import Dial, VoiceResponse

from backend.config import Settings
from backend.texts import rest_client


def dial_twiml(number: str, whisper_url: str) -> str:
    response = VoiceResponse()
    dial = Dial(answer_on_bridge=True)
    dial.number(number, url=whisper_url)
    response.append(dial)
    return str(response)


def whisper_twiml(summary: str) -> str:
    response = VoiceResponse()
    response.say(summary)
    return str(response)


async def dial_person(
    settings: Settings, account_sid: str, token: str, call_sid: str, number: str, whisper_url: str
) -> None:
    """Redirect the live call to dial ``number`` (the twilio client is synchronous: a thread)."""

    def update() -> None:
        rest_client(settings, account_sid, token).calls(call_sid).update(
            twiml=dial_twiml(number, whisper_url)
        )

    await asyncio.to_thread(update)
