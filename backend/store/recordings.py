"""Call recordings, kept for the tenant's retention period when it has opted in."""

from __future__ import annotations

from backend.store.db import Database


async def set_retention(db: Database, tenant_id: str, days: int | None) -> None:
    """Record the tenant's calls and keep each for ``days`` (None: stop recording; recordings
    already made keep their own expiry). ``Tenant.record_days`` reads it."""
    await db.pool.execute("UPDATE tenants SET record_days = $2 WHERE tenant_id = $1", tenant_id, days)


async def save(db: Database, call_id: str, audio: bytes, days: int) -> None:
    await db.pool.execute(
        "INSERT INTO recordings (call_id, audio, expires_at)"
        " VALUES ($1, $2, now() + make_interval(days => $3)) ON CONFLICT (call_id) DO NOTHING",
        call_id,
        audio,
        days,
    )


async def get(db: Database, group_id: str, call_id: str) -> bytes | None:
    """The recording of this tenant's call, unless it has expired (or was never made)."""
    audio: bytes | None = await db.pool.fetchval(
        "SELECT r.audio FROM recordings r JOIN calls c USING (call_id)"
        " WHERE r.call_id = $1 AND c.group_id = $2 AND r.expires_at > now()",
        call_id,
        group_id,
    )
    return audio


async def purge_expired(db: Database) -> int:
    """Delete recordings past their retention; how many."""
    status = await db.pool.execute("DELETE FROM recordings WHERE expires_at <= now()")
    return int(status.split()[-1])


async def drop(db: Database, call_ids: list[str]) -> int:
    """Delete these calls' recordings (audio cannot be redacted line by line); how many."""
    status = await db.pool.execute("DELETE FROM recordings WHERE call_id = ANY($1::text[])", call_ids)
    return int(status.split()[-1])
