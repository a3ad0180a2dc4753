"""The temporal rules, as pure functions: no graph, no clock, no LLM.

Every fact row belongs to a timeline (its ``key``): one subject's budget, one
phone number's owner, one caller's interest in one suburb. Within a timeline,
rows sort by valid time (ties by the original row's uuid, so the order never
depends on arrival).
An assertion holds until the next assertion in its timeline, or until a
retraction of the same subject and object; a retraction is a zero-length row.
Because the valid-time ends are a function of the set of rows, any arrival
order yields the same timeline.

What was believed is never edited: an open row is closed once, in place
(``invalid_at`` = the end, ``expired_at`` = the record time: before
``expired_at`` the row was believed open). A row that must close again (a late
row landed inside its interval) is replaced: it gets ``replaced_at`` and a new
version row carries the shorter interval, so a read "as known at T" is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

VersionId = Callable[[str, "datetime | None"], str]
"""Names a replacement row deterministically: (replaced uuid, new end) -> uuid."""


@dataclass(frozen=True)
class Row:
    """One fact row as the timeline sees it."""

    uuid: str
    valid_at: datetime
    subject: str
    object: str
    retract: bool = False
    invalid_at: datetime | None = None
    """End of validity as currently believed (None: open)."""
    origin: str | None = None
    """The uuid of the row this one is a version of (None: it is the original)."""
    rank: str = ""
    """Orders rows with equal ``valid_at``; derived from the episode, not the tenant,
    so that ties break the same way in every group."""

    @property
    def lineage(self) -> str:
        return self.origin or self.uuid


def sort_key(row: Row) -> tuple[datetime, str, str]:
    # The lineage, not the uuid: a version must sort where its original did.
    return (row.valid_at, row.rank, row.lineage)


def valid_ends(rows: Iterable[Row]) -> dict[str, datetime | None]:
    """The end of validity each row should have, given all rows of one timeline."""
    ends: dict[str, datetime | None] = {}
    current: Row | None = None
    for row in sorted(rows, key=sort_key):
        if row.retract:
            ends[row.uuid] = row.valid_at
            if current and (current.subject, current.object) == (row.subject, row.object):
                ends[current.uuid] = row.valid_at
                current = None
            continue
        if current is not None:
            ends[current.uuid] = row.valid_at
        ends[row.uuid] = None
        current = row
    return ends


@dataclass
class Plan:
    """What to write for one timeline."""

    create: list[Row] = field(default_factory=list)
    """New rows, each with its end already set (closed at birth when a later row exists)."""
    close: list[Row] = field(default_factory=list)
    """Stored open rows to close in place (their new ``invalid_at`` is set)."""
    replace: list[tuple[str, Row]] = field(default_factory=list)
    """(stored closed row's uuid, its new version with the shorter interval)."""


def plan(stored: Iterable[Row], new: Iterable[Row], version_uuid: VersionId) -> Plan:
    """Reconcile the stored rows (current beliefs) of a timeline with new rows."""
    stored = list(stored)
    known = {s.lineage for s in stored}
    new = [r for r in new if r.uuid not in known]
    ends = valid_ends([*stored, *new])
    result = Plan(create=[replace(r, invalid_at=ends[r.uuid]) for r in new])
    for row in stored:
        end = ends[row.uuid]
        if end == row.invalid_at:
            continue
        if row.invalid_at is not None and (end is None or end > row.invalid_at):
            raise AssertionError(f"row {row.uuid} would grow: history only ever shortens")
        if row.invalid_at is None:
            result.close.append(replace(row, invalid_at=end))
        else:
            version = replace(row, uuid=version_uuid(row.uuid, end), invalid_at=end, origin=row.lineage)
            result.replace.append((row.uuid, version))
    return result


def visible(
    valid_at: datetime,
    invalid_at: datetime | None,
    created_at: datetime,
    expired_at: datetime | None,
    replaced_at: datetime | None,
    *,
    at: datetime,
    known_at: datetime,
) -> bool:
    """Was the row true at ``at``, as the system knew it at ``known_at``?

    The same predicate is written in Cypher in each engine's store module.
    """
    if created_at > known_at or (replaced_at is not None and replaced_at <= known_at):
        return False
    if valid_at > at:
        return False
    believed_closed = invalid_at is not None and expired_at is not None and expired_at <= known_at
    return not (believed_closed and invalid_at is not None and invalid_at <= at)
