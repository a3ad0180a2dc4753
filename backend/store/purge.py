"""Purging erased rows from Postgres's files, after an erasure.

Measured on the embedded Postgres 16 (tests/backend/test_erasure_disk.py): a DELETE leaves the rows
in the table's pages; a plain VACUUM frees them but leaves their bytes in the page's free
space (a row last on its page stays readable); ANALYZE keeps sample values in
``pg_statistic``; and the WAL holds every insert until its segment file is removed, while a
*recycled* segment (the default) is only renamed, old bytes and all. So on a server whose
files are ours (the embedded one) an erasure rewrites the tables it touched (``VACUUM
FULL``, which takes an exclusive lock on each for the rewrite), re-analyzes them, rewrites
``pg_statistic``, turns WAL recycling off and switches WAL segments until every segment
written before the erasure is gone. On a server that is not ours it only vacuums: the bytes
stay in free space, WAL, replicas and backups until those are overwritten or expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import asyncpg

from backend.store.db import Database

ERASURE_TABLES = ("calls", "turns", "ingestions", "traces", "spans", "bookings")
"""Every table an erasure deletes or rewrites rows of (constants: never user input)."""
_WAL_ROUNDS = 12
"""Segment switches tried before giving up: one per recycled segment waiting ahead (80 MB
of them at the default ``min_wal_size``), plus one."""
_SEGMENT = r"^[0-9A-F]{24}$"


@dataclass(frozen=True)
class Purged:
    mode: Literal["rewritten", "vacuumed"]
    """``rewritten``: the tables were rewritten and old WAL removed (our own server);
    ``vacuumed``: a plain VACUUM only (a server whose files are not ours)."""
    tables: tuple[str, ...]
    wal_clean: bool
    """Every WAL segment written before the erasure is gone from the server's disk."""

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "tables": list(self.tables), "wal_clean": self.wal_clean}


async def owns_files(db: Database, data_dir: Path) -> bool:
    """Whether the server keeps its files under our data dir (the embedded Postgres), so that
    rewriting them and changing its WAL settings is ours to do."""
    try:
        directory = await db.pool.fetchval("SHOW data_directory")
    except asyncpg.InsufficientPrivilegeError:
        return False
    # Both paths are resolved once per erasure: a blocking stat is fine here.
    return Path(directory).resolve().is_relative_to(data_dir.resolve())  # noqa: ASYNC240


async def purge(db: Database, *, rewrite: bool) -> Purged:
    """Take erased rows out of the files: rewrite (``rewrite``) or vacuum the erasure tables."""
    async with db.pool.acquire() as conn:
        if not rewrite:
            for table in ERASURE_TABLES:
                await conn.execute(f"VACUUM (ANALYZE) {table}")
            return Purged("vacuumed", ERASURE_TABLES, wal_clean=False)
        for table in ERASURE_TABLES:
            await conn.execute(f"VACUUM (FULL, ANALYZE) {table}")
        await conn.execute("VACUUM FULL pg_catalog.pg_statistic")  # the old sample values
        return Purged("rewritten", ERASURE_TABLES, wal_clean=await _drop_old_wal(conn))


async def _drop_old_wal(conn: asyncpg.Connection) -> bool:
    """Switch segments and checkpoint until the only segment left was created after the
    erasure: with recycling off a checkpoint deletes the segments before it, and a new
    segment starts zero-filled; a recycled one waiting ahead is used up and deleted in turn."""
    if await conn.fetchval("SHOW wal_recycle") == "on":
        # Persisted for our own server: recycled segments keep old bytes (the checkpointer
        # reads this on reload; a round before it does is simply repeated).
        await conn.execute("ALTER SYSTEM SET wal_recycle = off")
        await conn.execute("SELECT pg_reload_conf()")
    for _ in range(_WAL_ROUNDS):
        current = await conn.fetchval("SELECT pg_walfile_name(pg_current_wal_lsn())")
        ahead = await conn.fetchval(
            "SELECT count(*) FROM pg_ls_waldir() WHERE name ~ $1 AND name > $2", _SEGMENT, current
        )
        await conn.execute("SELECT pg_switch_wal()")
        await conn.execute("CHECKPOINT")
        left = await conn.fetchval("SELECT count(*) FROM pg_ls_waldir() WHERE name ~ $1", _SEGMENT)
        if ahead == 0 and left == 1:
            return True
    return False
