"""A notebook's connection: found through the data dir, as the reader role, unable to write."""

from __future__ import annotations

import asyncpg
import pytest

from backend.analytics.connect import NoStack, open_analyst
from tests.conftest import SEED_TENANT


async def test_the_analyst_reads_as_the_read_only_role(analyst) -> None:  # type: ignore[no-untyped-def]
    assert analyst.postgres_access.startswith("role switchboard_reader")
    assert await analyst.db.pool.fetchval("SELECT current_user") == "switchboard_reader"
    with pytest.raises(asyncpg.PostgresError):  # read-only, and no grant to write
        await analyst.db.pool.execute("DELETE FROM bookings WHERE group_id = $1", analyst.group)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):  # transcripts are not the analysts'
        await analyst.db.pool.fetchval("SELECT count(*) FROM turns")


async def test_the_running_stack_is_found_through_the_data_dir(seeded) -> None:  # type: ignore[no-untyped-def]
    settings, report, _ = seeded
    a = await open_analyst(SEED_TENANT, data_dir=settings.data_dir)
    try:
        assert a.group == report.group_id and await a.calls()
    finally:
        await a.close()


async def test_no_running_stack_says_how_to_start_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NoStack, match="switchboard serve"):
        await open_analyst(SEED_TENANT, data_dir=tmp_path)
