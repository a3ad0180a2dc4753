"""Connection pool and migrations."""

from __future__ import annotations

from importlib import resources

import asyncpg

_MIGRATION_LOCK = 7_301_113  # pg_advisory_xact_lock key: one migrator at a time


async def migrate(pool: asyncpg.Pool) -> list[str]:
    """Apply the SQL files in ``migrations/`` not applied yet, in name order, each in
    its own transaction; returns the versions applied now."""
    files = sorted(
        (f for f in resources.files("backend.store.migrations").iterdir() if f.name.endswith(".sql")),
        key=lambda f: f.name,
    )
    applied: list[str] = []
    async with pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for f in files:
            version = f.name.removesuffix(".sql")
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
                done = await conn.fetchval("SELECT 1 FROM schema_migrations WHERE version = $1", version)
                if done:
                    continue
                await conn.execute(f.read_text())
                await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
                applied.append(version)
    return applied


LOCK_CONNECTIONS = 16
"""Turns holding a call's lock at once in one process (``turn_locks``); more wait their turn."""


class Database:
    """The pool, opened and migrated once per process, and the pool calls' turn locks hold
    connections of (opened empty: a process that takes no turn never connects it)."""

    def __init__(self, pool: asyncpg.Pool, locks: asyncpg.Pool | None = None) -> None:
        """``locks`` None: a reader's, which takes no turn locks."""
        self.pool, self.locks = pool, locks or pool

    @classmethod
    async def open(cls, url: str, *, min_size: int = 1, max_size: int = 10) -> Database:
        pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size)
        locks = await asyncpg.create_pool(url, min_size=0, max_size=LOCK_CONNECTIONS)
        assert pool is not None and locks is not None
        await migrate(pool)
        return cls(pool, locks)

    async def close(self) -> None:
        if self.locks is not self.pool:
            await self.locks.close()
        await self.pool.close()
