"""Job references a caller can quote back (``PM-20261201-001``): one counter per graph,
prefix and day; a retried request gets the reference it was given before."""

from __future__ import annotations

from datetime import UTC, date, datetime

from backend.store.db import Database


async def issue(
    db: Database, group_id: str, prefix: str, idempotency_key: str, today: date | None = None
) -> str:
    """The next ``{prefix}-YYYYMMDD-###`` of this graph, or the one this key already got."""
    async with db.pool.acquire() as conn, conn.transaction():
        # Serialize issuers of one key: a retry racing the first request waits for it.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", idempotency_key)
        existing = await conn.fetchval(
            "SELECT reference FROM references_issued WHERE idempotency_key = $1", idempotency_key
        )
        if existing:
            return str(existing)
        day = today or datetime.now(UTC).date()
        n = await conn.fetchval(
            "INSERT INTO reference_counters (group_id, prefix, day, n) VALUES ($1, $2, $3, 1)"
            " ON CONFLICT (group_id, prefix, day) DO UPDATE SET n = reference_counters.n + 1 RETURNING n",
            group_id,
            prefix,
            day,
        )
        reference = f"{prefix}-{day:%Y%m%d}-{n:03d}"
        await conn.execute(
            "INSERT INTO references_issued (idempotency_key, group_id, reference) VALUES ($1, $2, $3)",
            idempotency_key,
            group_id,
            reference,
        )
        return reference
