"""Which tenant answers a phone number, and the sealed Twilio auth token that signs its webhooks;
how often it has texted a number."""

from __future__ import annotations

from datetime import datetime

from backend.config import FALLBACK_TIMEZONE
from backend.store.db import Database
from backend.store.tenants import TENANT_COLUMNS, Tenant, tenant_of


async def set_line(
    db: Database,
    tenant_id: str,
    numbers: list[str],
    sealed_token: bytes | None,
    account_sid: str | None = None,
) -> None:
    """Give the tenant these numbers (E.164; taken from whoever had them) and, if given, its
    sealed auth token and its account's SID."""
    async with db.pool.acquire() as conn, conn.transaction():
        if sealed_token is not None:
            await conn.execute(
                "UPDATE tenants SET twilio_auth_token = $2 WHERE tenant_id = $1", tenant_id, sealed_token
            )
        if account_sid is not None:
            await conn.execute(
                "UPDATE tenants SET twilio_account_sid = $2 WHERE tenant_id = $1", tenant_id, account_sid
            )
        await conn.executemany(
            "INSERT INTO twilio_numbers (number, tenant_id) VALUES ($1, $2)"
            " ON CONFLICT (number) DO UPDATE SET tenant_id = excluded.tenant_id",
            [(n, tenant_id) for n in numbers],
        )


async def line(
    db: Database, number: str, default_timezone: str = FALLBACK_TIMEZONE
) -> tuple[Tenant, bytes | None] | None:
    """The tenant answering ``number`` and its sealed token; None for a number nobody answers."""
    row = await db.pool.fetchrow(
        f"SELECT {TENANT_COLUMNS}, t.twilio_auth_token FROM twilio_numbers n JOIN tenants t USING (tenant_id)"
        " WHERE n.number = $1",
        number,
        default_timezone,
    )
    if row is None:
        return None
    return tenant_of(row), row["twilio_auth_token"]


async def numbers(db: Database, tenant_id: str) -> list[str]:
    rows = await db.pool.fetch(
        "SELECT number FROM twilio_numbers WHERE tenant_id = $1 ORDER BY number", tenant_id
    )
    return [r["number"] for r in rows]


async def account(db: Database, tenant_id: str) -> tuple[str, bytes] | None:
    """The tenant's Twilio account SID and sealed auth token; None unless both are set."""
    row = await db.pool.fetchrow(
        "SELECT twilio_account_sid, twilio_auth_token FROM tenants WHERE tenant_id = $1", tenant_id
    )
    if row is None or not row["twilio_account_sid"] or row["twilio_auth_token"] is None:
        return None
    return row["twilio_account_sid"], row["twilio_auth_token"]


async def sender(db: Database, tenant_id: str) -> tuple[str, bytes, str] | None:
    """What the tenant texts callers with: its account SID, sealed auth token and the first
    number it answers on; None unless all three are set."""
    row = await db.pool.fetchrow(
        "SELECT t.twilio_account_sid, t.twilio_auth_token, min(n.number) AS number"
        " FROM tenants t JOIN twilio_numbers n USING (tenant_id)"
        " WHERE t.tenant_id = $1 AND t.twilio_account_sid <> '' AND t.twilio_auth_token IS NOT NULL"
        " GROUP BY t.twilio_account_sid, t.twilio_auth_token",
        tenant_id,
    )
    return None if row is None else (row["twilio_account_sid"], row["twilio_auth_token"], row["number"])


async def texts_since(db: Database, tenant_id: str, number_hash: str, since: datetime) -> int:
    """How many texts the tenant sent to the number (by its keyed hash) since ``since``."""
    count = await db.pool.fetchval(
        "SELECT count(*) FROM texts_sent WHERE tenant_id = $1 AND number_hash = $2 AND sent_at >= $3",
        tenant_id,
        number_hash,
        since,
    )
    return int(count or 0)


async def text_sent(db: Database, tenant_id: str, number_hash: str) -> None:
    await db.pool.execute(
        "INSERT INTO texts_sent (tenant_id, number_hash) VALUES ($1, $2)", tenant_id, number_hash
    )
