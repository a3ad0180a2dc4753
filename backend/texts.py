"""Text messages to a caller's phone through the tenant's own Twilio account (the step-up
check's one-time code): Twilio's REST API, from the first number the tenant answers on."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import structlog
from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from backend import vault
from backend.config import Settings
from backend.store import Database, telephony

log = structlog.get_logger(__name__)

PER_HOUR = 3
"""Texts one number gets from a tenant in an hour at most: anyone can type a number into a chat,
and each call's check texts it once."""


def rest_client(settings: Settings, account_sid: str, token: str) -> Client:
    """Twilio's REST client on ``settings.twilio_api_url`` (tests point it at a local server)."""
    client = Client(account_sid, token)
    client.api.base_url = settings.twilio_api_url
    return client


class Texts:
    """Which tenants can text their callers, and the sending."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db

    async def available(self, tenant_id: str) -> bool:
        return await telephony.sender(self.db, tenant_id) is not None

    async def send(self, tenant_id: str, to: str, body: str) -> bool:
        """Text ``body`` to ``to`` (E.164); False if it could not be sent, or the number was
        texted ``PER_HOUR`` times in the last hour (said once in the log, without the number or
        the text)."""
        found = await telephony.sender(self.db, tenant_id)
        if found is None:
            return False
        number = vault.ticket(self.settings, "texted", tenant_id, to)
        since = datetime.now(UTC) - timedelta(hours=1)
        if await telephony.texts_since(self.db, tenant_id, number, since) >= PER_HOUR:
            log.warning("text not sent: the number was texted too often", tenant=tenant_id)
            return False
        account_sid, sealed, sender = found
        token = vault.unseal(self.settings, sealed)

        def create() -> None:  # the twilio client is synchronous: a thread
            rest_client(self.settings, account_sid, token).messages.create(to=to, from_=sender, body=body)

        try:
            await asyncio.to_thread(create)
        except (TwilioException, OSError) as exc:
            log.warning("text not sent", tenant=tenant_id, error=type(exc).__name__)
            return False
        await telephony.text_sent(self.db, tenant_id, number)
        return True
