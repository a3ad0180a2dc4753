"""The audit log: every read and write of caller data, by whom and when."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from backend.store.db import Database
from backend.store.tenants import Principal


async def record(
    db: Database | asyncpg.Connection, who: Principal, action: str, subject: str, **detail: Any
) -> None:
    """``action`` like ``caller.read``; ``subject`` an id (never a name, phone or text). ``db``
    may be a connection in a transaction, so that the entry goes with what it records."""
    executor = db.pool if isinstance(db, Database) else db
    await executor.execute(
        "INSERT INTO audit_log (tenant_id, key_id, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
        who.tenant.tenant_id,
        who.key_id,
        action,
        subject,
        json.dumps(detail, default=str),
    )


async def entries(db: Database, tenant_id: str, subject: str | None = None) -> list[dict[str, Any]]:
    rows = await db.pool.fetch(
        "SELECT key_id, action, subject, at, detail FROM audit_log WHERE tenant_id = $1"
        " AND ($2::text IS NULL OR subject = $2) ORDER BY id",
        tenant_id,
        subject,
    )
    return [dict(r) for r in rows]
