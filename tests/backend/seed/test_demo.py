"""``seed demo --small`` on the real stack: production paths, and a second run writes nothing."""

from __future__ import annotations

from datetime import timedelta

from backend.seed.demo import Size
from backend.store import Database, tenants
from tests.conftest import SEED_TENANT


async def _counts(db: Database, group: str) -> dict[str, int]:
    # Read straight from the tables here: the test checks the seed, not the analytics module.
    one = db.pool.fetchval
    return {
        "calls": await one("SELECT count(*) FROM calls WHERE group_id = $1", group),
        "bookings": await one("SELECT count(*) FROM bookings WHERE group_id = $1", group),
        "done": await one("SELECT count(*) FROM ingestions WHERE group_id = $1 AND state = 'done'", group),
        "facts": await one("SELECT coalesce(sum(facts), 0) FROM ingestions WHERE group_id = $1", group),
        "traces": await one("SELECT count(*) FROM traces WHERE group_id = $1", group),
        "keys": await one(
            "SELECT count(*) FROM api_keys k JOIN tenants t USING (tenant_id)"
            " WHERE t.group_id = $1 AND k.revoked_at IS NULL",
            group,
        ),
    }


async def test_the_small_world_goes_through_the_production_paths(seeded, db, mem) -> None:  # type: ignore[no-untyped-def]
    _, report, _ = seeded
    counts = await _counts(db, report.group_id)
    assert report.live_calls and report.past_calls >= 100 and report.erased >= 1
    assert counts["calls"] >= report.past_calls  # the erased callers' calls are gone
    undone = await db.pool.fetch(
        "SELECT c.call_id, c.ended_at IS NOT NULL AS ended, i.state, i.attempts, i.error FROM calls c"
        " LEFT JOIN ingestions i USING (call_id) WHERE c.group_id = $1 AND i.state IS DISTINCT FROM 'done'",
        report.group_id,
    )
    assert counts["done"] == counts["calls"], [dict(r) for r in undone]  # every call ingested by the worker
    assert counts["bookings"] >= 10 and counts["traces"] >= report.live_calls  # agents held the live calls
    assert counts["keys"] == 0  # the seed's API key is revoked
    # Facts are valid when the calls happened, weeks before now.
    caller = await db.pool.fetchval(
        "SELECT caller_id FROM calls WHERE group_id = $1 AND caller_id LIKE 'seed-%'"
        " ORDER BY started_at LIMIT 1",
        report.group_id,
    )
    facts = await mem.facts(report.group_id, caller)
    assert facts and min(f.valid_at for f in facts) < max(f.created_at for f in facts) - timedelta(days=14)


async def test_seeding_twice_changes_nothing(seeded, db) -> None:  # type: ignore[no-untyped-def]
    _, report, seeder = seeded
    before = await _counts(db, report.group_id)
    again = await seeder.run(SEED_TENANT, Size.small())
    assert (again.bookings, again.facts, again.erased, again.feed_weeks) == (0, 0, 0, 0)
    assert await _counts(db, report.group_id) == before
    assert (await tenants.named(db, SEED_TENANT)) is not None
