"""The relational store (Postgres, asyncpg): calls, turns, the bookings ledger,
tool idempotency, traces. Versioned SQL migrations are applied at start."""

from backend.store.db import Database, migrate

__all__ = ["Database", "migrate"]
