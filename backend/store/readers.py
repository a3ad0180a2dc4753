"""The analysts' read-only Postgres role, and read-only pools.

On the embedded Postgres (ours) ``ensure_reader`` creates ``switchboard_reader``: it may log
in, read the tables analysts need (not transcripts, keys, secrets or tombstones' digests:
``READABLE``) and nothing else, and its sessions are read-only by default. On a Postgres that
is not ours, the operator makes such a role; without one, notebooks connect with the
configured URL in read-only sessions (``default_transaction_read_only``), which stops
accidents, not a determined writer.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import asyncpg

from backend.store.db import Database

READER = "switchboard_reader"
READABLE = (
    "tenants",
    "calls",
    "bookings",
    "ingestions",
    "traces",
    "spans",
    "audit_log",
    "erasure_tombstones",
)
"""What the role may read (``erasure_tombstones``: counts and times; digests are keyed hashes)."""
_READ_ONLY = {"default_transaction_read_only": "on"}


async def ensure_reader(admin_url: str) -> str:
    """Create (or refresh the grants of) the reader role with the admin's password (the one
    in ``DATA_DIR/secret``: whoever can read that is admin already); its URL."""
    parts = urlsplit(admin_url)
    password = parts.password or ""
    conn = await asyncpg.connect(admin_url)
    try:
        async with conn.transaction():
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", READER)
            # Role names and passwords cannot be query parameters; the name is ours, the
            # password is quoted by Postgres's own quote_literal.
            literal = await conn.fetchval("SELECT quote_literal($1::text)", password)
            verb = "ALTER" if exists else "CREATE"
            await conn.execute(f"{verb} ROLE {READER} LOGIN PASSWORD {literal}")
            await conn.execute(f"ALTER ROLE {READER} SET default_transaction_read_only = on")
            database = parts.path.lstrip("/") or "postgres"
            await conn.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {READER}')
            await conn.execute(f"GRANT USAGE ON SCHEMA public TO {READER}")
            await conn.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {READER}")
            await conn.execute(f"GRANT SELECT ON {', '.join(READABLE)} TO {READER}")
    finally:
        await conn.close()
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{READER}:{password}@{host}"))


async def open_read_only(url: str) -> Database:
    """A small pool whose sessions cannot write (no migrations: a reader cannot run them)."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=4, server_settings=_READ_ONLY)
    assert pool is not None
    return Database(pool)
