"""The lock that puts one call's turns in one order across every API process.

Why a Postgres session-level advisory lock on a connection held for the turn, not a Redis
lock: the turn's writes go to Postgres, so the lock lives beside the data it guards; a
process that dies mid-turn drops its connection and Postgres frees the lock at once (no
lease to outlive, no fencing token to check on every write, which a Redis lock's expiry
would need); waiters queue in the order they asked, which is the calls' arrival order. A
transaction-level lock would hold a transaction open while the agents run (idle in
transaction, vacuum held back) although the turn's writes commit on other connections.

The held connections come from a pool of their own (``Database.locks``): a turn holding a
lock connection still needs store connections for its writes, and one shared pool would
deadlock once every connection was a waiting lock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from backend.store.db import Database

CALL_TURNS = 16_001
"""The advisory locks' first key for calls' turns: the two-key space does not meet the
one-key locks elsewhere (``references.py``, migrations)."""


@dataclass(frozen=True)
class CallRow:
    """What the lock holder reads of the call, the truth any process's cache is checked against."""

    version: int
    ended: bool
    transferred: bool


@asynccontextmanager
async def holding(db: Database, call_id: str) -> AsyncIterator[CallRow | None]:
    """Hold the call's turn lock for the block; the call's row as it stands once the lock is
    held (None: no such call). Every writer of a live call's state takes this lock."""
    async with db.locks.acquire() as conn:
        # Released on the way out: returning the connection to the pool resets it, and the
        # reset runs pg_advisory_unlock_all() (asyncpg), also after a cancelled wait.
        await conn.execute("SELECT pg_advisory_lock($1, hashtext($2))", CALL_TURNS, call_id)
        row = await conn.fetchrow(
            "SELECT version, ended_at IS NOT NULL AS ended, status = 'transferred' AS transferred"
            " FROM calls WHERE call_id = $1",
            call_id,
        )
        yield None if row is None else CallRow(int(row["version"]), row["ended"], row["transferred"])
