"""The analysts' view of the session's small demo world (``tests/conftest.py::seeded``)."""

from __future__ import annotations

import pytest

from tests.conftest import SEED_TENANT


@pytest.fixture(scope="session")
async def analyst(seeded):  # type: ignore[no-untyped-def]
    from backend.analytics.connect import open_analyst

    settings, _, _ = seeded
    a = await open_analyst(SEED_TENANT, settings=settings)
    yield a
    await a.close()
