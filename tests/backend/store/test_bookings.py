"""The bookings ledger: references count per tenant and day."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from backend.store import Database, bookings


async def test_two_tenants_each_get_their_first_reference_of_the_day(db: Database) -> None:
    day = datetime(2027, 3, 1, 23, tzinfo=UTC)
    made = []
    for tenant in ("a", "b"):
        group = f"refs{tenant}{uuid.uuid4().hex[:8]}"
        booking = await bookings.book(
            db,
            group_id=group,
            property_id="P001",
            starts_at=day,
            caller_id="c1",
            idempotency_key=f"{group}:first",
            today=day.date(),
        )
        made.append(booking.reference)
    assert made == ["RE-20270301-001", "RE-20270301-001"]
