"""A tenant's on-call ladder and each transferred call's pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from backend.store.db import Database


@dataclass(frozen=True)
class Rung:
    rung: int
    """Its place on the ladder: 1 is the primary."""
    person: str
    contact: str
    """Where the page goes (a number or an address); never spoken to a caller."""
    timeout_s: int


@dataclass(frozen=True)
class Page:
    call_id: str
    rung: int
    tenant_id: str
    group_id: str
    caller_id: str
    person: str
    emergency: bool
    paged_at: datetime
    answered_at: datetime | None


async def ladder(db: Database, tenant_id: str) -> list[Rung]:
    rows = await db.pool.fetch(
        "SELECT rung, person, contact, timeout_s FROM on_call_rungs WHERE tenant_id = $1 ORDER BY rung",
        tenant_id,
    )
    return [Rung(**dict(r)) for r in rows]


async def set_ladder(db: Database, tenant_id: str, rungs: list[Rung]) -> None:
    """Replace the tenant's ladder (all of it, in one transaction)."""
    async with db.pool.acquire() as conn, conn.transaction():
        await conn.execute("DELETE FROM on_call_rungs WHERE tenant_id = $1", tenant_id)
        await conn.executemany(
            "INSERT INTO on_call_rungs (tenant_id, rung, person, contact, timeout_s)"
            " VALUES ($1, $2, $3, $4, $5)",
            [(tenant_id, r.rung, r.person, r.contact, r.timeout_s) for r in rungs],
        )


async def add_page(db: Database, page: Page) -> bool:
    """Record a page; False if this rung of this call was paged already (a retried job)."""
    status = await db.pool.execute(
        "INSERT INTO on_call_pages"
        " (call_id, rung, tenant_id, group_id, caller_id, person, emergency, paged_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        page.call_id,
        page.rung,
        page.tenant_id,
        page.group_id,
        page.caller_id,
        page.person,
        page.emergency,
        page.paged_at,
    )
    return status.endswith(" 1")


async def pages(db: Database, call_id: str) -> list[Page]:
    rows = await db.pool.fetch("SELECT * FROM on_call_pages WHERE call_id = $1 ORDER BY rung", call_id)
    return [_page(r) for r in rows]


class Taken(Exception):
    """Another person on the ladder answered first."""

    def __init__(self, page: Page) -> None:
        super().__init__(f"rung {page.rung} took this call")
        self.page = page


async def answer(db: Database, group_id: str, call_id: str, person: str, at: datetime) -> Page | None:
    """Mark ``person``'s page of the call answered; None if they were not paged about it,
    ``Taken`` if someone else answered first (one answer per call, under a lock)."""
    async with db.pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"on-call:{call_id}")
        rows = [
            _page(r)
            for r in await conn.fetch(
                "SELECT * FROM on_call_pages WHERE group_id = $1 AND call_id = $2", group_id, call_id
            )
        ]
        mine = next((p for p in rows if p.person.lower() == person.lower()), None)
        if mine is None:
            return None
        taken = next((p for p in rows if p.answered_at), None)
        if taken and taken is not mine:
            raise Taken(taken)
        row = await conn.fetchrow(
            "UPDATE on_call_pages SET answered_at = coalesce(answered_at, $3)"
            " WHERE call_id = $1 AND rung = $2 RETURNING *",
            call_id,
            mine.rung,
            at,
        )
        return _page(row)


def _page(row: asyncpg.Record) -> Page:
    return Page(**dict(row))
