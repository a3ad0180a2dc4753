"""Erasure tombstones: keyed hashes of erased phone numbers and emails, never the values.

A digest is HMAC-SHA256 under the erasure key of ``kind:value``, the value normalized
(E.164, lower-case email), so the table can answer "was this erased?" for a value in hand
and nothing else: without the key a digest cannot be tested against guesses.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from backend.store.db import Database

Kind = Literal["phone", "email"]


@dataclass(frozen=True)
class Contact:
    """A normalized contact detail (E.164 number, lower-case email)."""

    kind: Kind
    value: str


def digest(key: bytes, contact: Contact) -> bytes:
    return hmac.new(key, f"{contact.kind}:{contact.value}".encode(), hashlib.sha256).digest()


async def add(db: Database, group_id: str, key: bytes, contacts: Iterable[Contact]) -> int:
    """Tombstone the contacts (again: the erasure time moves on); how many rows."""
    rows = [(group_id, c.kind, digest(key, c)) for c in set(contacts)]
    if rows:
        await db.pool.executemany(
            "INSERT INTO erasure_tombstones (group_id, kind, digest) VALUES ($1, $2, $3)"
            " ON CONFLICT (group_id, kind, digest) DO UPDATE SET erased_at = now()",
            rows,
        )
    return len(rows)


async def any_in(db: Database, group_id: str) -> bool:
    """Whether the tenant has erased anyone by phone or email (most calls need no more)."""
    return bool(
        await db.pool.fetchval("SELECT 1 FROM erasure_tombstones WHERE group_id = $1 LIMIT 1", group_id)
    )


async def erased_at(
    db: Database, group_id: str, key: bytes, contacts: Iterable[Contact]
) -> dict[Contact, datetime]:
    """The contacts that were erased, with when (the latest erasure)."""
    wanted = {digest(key, c): c for c in set(contacts)}
    if not wanted:
        return {}
    rows = await db.pool.fetch(
        "SELECT digest, erased_at FROM erasure_tombstones WHERE group_id = $1 AND digest = ANY($2::bytea[])",
        group_id,
        list(wanted),
    )
    return {wanted[bytes(r["digest"])]: r["erased_at"] for r in rows}
