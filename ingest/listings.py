"""Listings from a CSV or JSON file into a tenant's graph, idempotent by listing id.

Each row is compared with what the graph holds now (``Memory.listings``): a new
listing is a ``ListingAdded``, a new price a ``PriceChanged``, status ``sold`` a
``ListingSold``, a sold listing offered again a fresh ``ListingAdded``; an
unchanged row writes nothing. An episode is valid from the row's ``listed_at``
(new listings) or ``changed_at`` (changes), or from the import time when the
file has no such column. Episode ids derive from the content, so importing the
same file twice — even concurrently — never writes anything twice.

Columns (CSV header or JSON keys; JSON is a list of objects or ``{"listings": [...]}``):
``listing_id`` (or ``property_id`` / ``id``), ``address``, ``suburb``, ``price``,
``bedrooms``, optional ``bathrooms``, ``kind``, ``status`` (listed | sold),
``listed_at``, ``changed_at`` (ISO 8601 with a timezone, or a date: midnight UTC).
Address, bedroom or kind edits of a known listing are not tracked (no episode type).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from backend.verticals.real_estate.episodes import ListingAdded, ListingSold, PriceChanged
from backend.verticals.real_estate.listings import Listing, current_listings
from memory import Episode, Memory, MemoryInputError

CHUNK = 200
"""Listings recorded per atomic write (and per progress step)."""
ALIASES = {"property_id": "listing_id", "id": "listing_id", "price_aud": "price", "type": "kind"}
LISTED = {"listed", "for sale", "active", "available", "on market"}
KINDS = {"house", "apartment", "townhouse", "unit", "land", "other"}
Progress = Callable[[int, int], None]


class ListingRow(BaseModel):
    """One row of the file, validated."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    listing_id: str
    address: str
    suburb: str
    price: Decimal
    bedrooms: int
    bathrooms: int | None = None
    kind: str = "house"
    status: Literal["listed", "sold"] = "listed"
    listed_at: datetime | None = None
    changed_at: datetime | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, v: Any) -> Any:
        text = str(v or "listed").strip().lower()
        return "listed" if text in LISTED else text

    @field_validator("bathrooms", "listed_at", "changed_at", mode="before")
    @classmethod
    def _blank(cls, v: Any) -> Any:
        return None if v == "" else v

    @field_validator("listed_at", "changed_at", mode="before")
    @classmethod
    def _moment(cls, v: Any) -> Any:
        if isinstance(v, str) and len(v.strip()) == 10:  # a date alone: midnight UTC
            return datetime.combine(date.fromisoformat(v.strip()), datetime.min.time(), UTC)
        return v

    @field_validator("listed_at", "changed_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.utcoffset() is None:
            raise ValueError("give a timezone, e.g. 2026-10-01T09:00:00+10:00")
        return v


@dataclass
class ImportReport:
    rows: int = 0
    added: int = 0
    price_changes: int = 0
    sold: int = 0
    relisted: int = 0
    unchanged: int = 0
    episodes: int = 0
    """Episodes written (0 when the file changes nothing)."""
    facts: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    """``{"row", "reason"}`` of rows skipped (row 1 is the first listing)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def import_file(
    memory: Memory,
    group_id: str,
    path: str | Path,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    rows, errors = read_rows(Path(path))
    report = await import_rows(memory, group_id, rows, now=now, progress=progress)
    report.errors = errors + report.errors
    report.rows += len(errors)
    return report


def read_rows(path: Path) -> tuple[list[tuple[int, ListingRow]], list[dict[str, Any]]]:
    """Validated rows by row number, and the rows that did not validate."""
    records = _records(path)
    rows: list[tuple[int, ListingRow]] = []
    errors: list[dict[str, Any]] = []
    for n, record in enumerate(records, start=1):
        try:
            rows.append((n, ListingRow.model_validate(_normalized(record))))
        except ValidationError as exc:
            first = exc.errors()[0]
            errors.append({"row": n, "reason": f"{'.'.join(map(str, first['loc']))}: {first['msg']}"})
    return rows, errors


def _records(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        data = data.get("listings", []) if isinstance(data, dict) else data
        if not isinstance(data, list):
            raise ValueError(f"{path.name}: expected a list of listings")
        return [r for r in data if isinstance(r, dict)]
    return list(csv.DictReader(text.splitlines()))


def _normalized(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = str(key or "").strip().lower().replace(" ", "_")
        out[ALIASES.get(name, name)] = value
    return out


async def import_rows(
    memory: Memory,
    group_id: str,
    rows: list[tuple[int, ListingRow]],
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    now = now or datetime.now(UTC)
    known = await current_listings(memory, group_id, status=None, limit=10_000_000)
    current = {x.property_id: x for x in known}
    report = ImportReport(rows=len(rows))
    latest = {row.listing_id: n for n, row in rows}  # a listing twice in a file: its last row wins
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        episodes = list(_plan_chunk(chunk, latest, current, group_id, now, report))
        if episodes:
            recorded = await memory.record_many(episodes)  # under memory's write lock
            report.episodes += recorded.episodes
            report.facts += recorded.facts
        if progress:
            progress(min(start + CHUNK, len(rows)), len(rows))
    return report


def _plan_chunk(
    chunk: Iterable[tuple[int, ListingRow]],
    latest: dict[str, int],
    current: dict[str, Listing],
    group_id: str,
    now: datetime,
    report: ImportReport,
) -> Iterable[Episode]:
    for n, row in chunk:
        if latest[row.listing_id] != n:
            report.errors.append({"row": n, "reason": f"listing repeated in row {latest[row.listing_id]}"})
            continue
        try:
            change, episodes = plan(row, current.get(row.listing_id), group_id, now)
        except (ValidationError, MemoryInputError) as exc:
            report.errors.append({"row": n, "reason": _reason(exc)})
            continue
        setattr(report, change, getattr(report, change) + 1)
        yield from episodes


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    return str(exc)


Change = Literal["added", "price_changes", "sold", "relisted", "unchanged"]


def plan(
    row: ListingRow, known: Listing | None, group_id: str, now: datetime
) -> tuple[Change, list[Episode]]:
    """What changed (an ``ImportReport`` counter) and the episodes that bring the graph's
    view of one listing to the row's."""
    changed_at = row.changed_at or now
    if known is None:
        added_at = row.listed_at or row.changed_at or now
        episodes: list[Episode] = [_added(row, group_id, added_at, "added")]
        if row.status == "sold":
            # Sold in the same instant it was added would tie on the status timeline.
            episodes.append(_sold(row, group_id, max(changed_at, added_at + timedelta(microseconds=1))))
        return "added", episodes
    if known.status == "sold":
        if row.status == "listed":
            return "relisted", [_added(row, group_id, row.changed_at or row.listed_at or now, "relisted")]
        return "unchanged", []
    if row.status == "sold":
        return "sold", [_sold(row, group_id, changed_at)]
    if _cents(row.price) == _cents(known.price):
        return "unchanged", []
    price = PriceChanged(
        id=_id(row.listing_id, "price", row.price, changed_at),
        group_id=group_id,
        valid_at=changed_at,
        source="import",
        property_id=row.listing_id,
        price=row.price,
    )
    return "price_changes", [price]


def _added(row: ListingRow, group_id: str, at: datetime, how: str) -> ListingAdded:
    return ListingAdded(
        id=_id(row.listing_id, how, row.price, at),
        group_id=group_id,
        valid_at=at,
        source="import",
        property_id=row.listing_id,
        address=row.address,
        suburb=row.suburb,
        price=row.price,
        bedrooms=row.bedrooms,
        bathrooms=row.bathrooms,
        kind=row.kind if row.kind in KINDS else "other",  # type: ignore[arg-type]
    )


def _sold(row: ListingRow, group_id: str, at: datetime) -> ListingSold:
    return ListingSold(
        id=_id(row.listing_id, "sold", row.price, at),
        group_id=group_id,
        valid_at=at,
        source="import",
        property_id=row.listing_id,
        price=row.price,
    )


def _id(listing_id: str, how: str, price: Decimal, at: datetime) -> str:
    """Same change, same id: a re-import is recognized by memory and skipped."""
    digest = hashlib.sha256(f"{_cents(price)}|{at.astimezone(UTC).isoformat()}".encode()).hexdigest()[:12]
    return f"import:{listing_id}:{how}:{digest}"


def _cents(amount: Decimal | float) -> Decimal:
    return Decimal(str(amount)).quantize(Decimal("0.01"))
