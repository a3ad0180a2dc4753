"""Tenants and their API keys. A key is ``sb_<key id>_<secret>``; only its sha256 is kept."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

import asyncpg

from backend.config import FALLBACK_TIMEZONE, check_timezone
from backend.store.db import Database

LOCAL = "local"
"""The tenant the embedded default creates on first start."""
DEFAULT_VERTICAL = "real_estate"


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    name: str
    group_id: str
    """The graph group holding this tenant's callers: one graph per tenant."""
    timezone: str = FALLBACK_TIMEZONE
    """Its business time zone (IANA): spoken times are read and said in it."""
    vertical: str = DEFAULT_VERTICAL
    """Which agent tree answers its calls (a name in ``backend.verticals.registry``)."""
    record_days: int | None = None
    """Its phone calls are recorded and each recording kept this many days (None: not recorded)."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: the tenant and the key it used (for the audit log)."""

    tenant: Tenant
    key_id: str


class TenantExists(ValueError):
    pass


class UnknownTimezone(ValueError):
    """Not an IANA time zone name."""


class UnknownTenant(LookupError):
    pass


TENANT_COLUMNS = (
    "t.tenant_id, t.name, t.group_id, coalesce(t.timezone, $2) AS timezone, t.vertical, t.record_days"
)
"""A tenant's columns; one stored before it had a zone gets the settings' default ($2)."""


def tenant_of(row: asyncpg.Record) -> Tenant:
    return Tenant(
        row["tenant_id"], row["name"], row["group_id"], row["timezone"], row["vertical"], row["record_days"]
    )


def _hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def _new_key() -> tuple[str, str]:
    key_id = secrets.token_hex(4)
    return key_id, f"sb_{key_id}_{secrets.token_urlsafe(32)}"


async def create(
    db: Database,
    name: str,
    key: str | None = None,
    timezone: str | None = None,
    *,
    vertical: str = DEFAULT_VERTICAL,
    graph_of: str | None = None,
) -> tuple[Tenant, str]:
    """A new tenant with one key (``key`` or a new random one) and its own graph group, or
    the graph of the tenant named ``graph_of`` (another line of the same agency: its callers
    and homes are this one's); ``timezone`` None: the settings' default (resolved when read).
    ``vertical`` is checked by the caller against the registry (the store knows no verticals)."""
    try:
        zone = check_timezone(timezone) if timezone else None
    except ValueError as exc:
        raise UnknownTimezone(str(exc)) from None
    async with db.pool.acquire() as conn, conn.transaction():
        taken = await conn.fetchval("SELECT 1 FROM tenants WHERE name = $1", name)
        if taken:
            raise TenantExists(f"a tenant named {name!r} exists")
        group = "g" + uuid.uuid4().hex[:16]
        if graph_of is not None:
            group = await conn.fetchval("SELECT group_id FROM tenants WHERE name = $1", graph_of)
            if group is None:
                raise UnknownTenant(f"no tenant named {graph_of!r} to share a graph with")
        tenant = Tenant(uuid.uuid4().hex[:16], name, group, zone or FALLBACK_TIMEZONE, vertical)
        await conn.execute(
            "INSERT INTO tenants (tenant_id, name, group_id, timezone, vertical) VALUES ($1, $2, $3, $4, $5)",
            tenant.tenant_id,
            tenant.name,
            tenant.group_id,
            zone,
            vertical,
        )
    return tenant, await issue_key(db, tenant.tenant_id, key)


async def issue_key(db: Database, tenant_id: str, key: str | None = None) -> str:
    """Store a key's hash for the tenant; returns the key (shown once, never stored)."""
    key_id, generated = _new_key()
    key = key or generated
    await db.pool.execute(
        "INSERT INTO api_keys (key_id, tenant_id, key_hash) VALUES ($1, $2, $3)"
        " ON CONFLICT (key_hash) DO NOTHING",
        key_id,
        tenant_id,
        _hash(key),
    )
    return key


async def authenticate(db: Database, key: str, default_timezone: str = FALLBACK_TIMEZONE) -> Principal | None:
    row = await db.pool.fetchrow(
        f"SELECT k.key_id, {TENANT_COLUMNS} FROM api_keys k"
        " JOIN tenants t USING (tenant_id) WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
        _hash(key),
        default_timezone,
    )
    if row is None:
        return None
    return Principal(tenant_of(row), row["key_id"])


async def listing(db: Database, default_timezone: str = FALLBACK_TIMEZONE) -> list[dict[str, object]]:
    """Every tenant with its time zone and live keys' ids (never the keys)."""
    rows = await db.pool.fetch(
        "SELECT t.tenant_id, t.name, t.group_id, coalesce(t.timezone, $1) AS timezone, t.vertical,"
        " t.created_at,"
        " coalesce(array_agg(k.key_id) FILTER (WHERE k.key_id IS NOT NULL AND k.revoked_at IS NULL),"
        " '{}') AS keys FROM tenants t LEFT JOIN api_keys k USING (tenant_id)"
        " GROUP BY t.tenant_id ORDER BY t.created_at",
        default_timezone,
    )
    return [dict(r) for r in rows]


async def verticals(db: Database) -> set[str]:
    """The verticals some tenant has."""
    return {r["vertical"] for r in await db.pool.fetch("SELECT DISTINCT vertical FROM tenants")}


async def revoke(db: Database, name_or_key_id: str) -> int:
    """Revoke one key (by key id) or every key of a tenant (by name); returns how many."""
    status = await db.pool.execute(
        "UPDATE api_keys SET revoked_at = now() WHERE revoked_at IS NULL AND (key_id = $1"
        " OR tenant_id = (SELECT tenant_id FROM tenants WHERE name = $1))",
        name_or_key_id,
    )
    return int(status.split()[-1])


_BY_NAME = f"SELECT {TENANT_COLUMNS} FROM tenants t WHERE t.name = $1"
_BY_ID = f"SELECT {TENANT_COLUMNS} FROM tenants t WHERE t.tenant_id = $1"


async def by_id(db: Database, tenant_id: str, default_timezone: str = FALLBACK_TIMEZONE) -> Tenant | None:
    row = await db.pool.fetchrow(_BY_ID, tenant_id, default_timezone)
    return tenant_of(row) if row else None


async def named(db: Database, name: str, default_timezone: str = FALLBACK_TIMEZONE) -> Tenant | None:
    row = await db.pool.fetchrow(_BY_NAME, name, default_timezone)
    return tenant_of(row) if row else None


async def ensure_local(
    db: Database, key: str | None, timezone: str = FALLBACK_TIMEZONE
) -> tuple[Tenant, str | None]:
    """The local tenant, created on first start in ``timezone`` (the settings' default, which
    it also reads as when it was made before tenants had zones); returns a key only when one
    was made now (or ``key``, i.e. SWITCHBOARD_API_KEY, was newly registered)."""
    tenant = await named(db, LOCAL, timezone)
    if tenant is None:
        try:
            return await create(db, LOCAL, key, timezone)
        except TenantExists:  # another process created it a moment ago
            tenant = await named(db, LOCAL, timezone)
            assert tenant is not None
    if key and await authenticate(db, key) is None:
        return tenant, await issue_key(db, tenant.tenant_id, key)
    return tenant, None
