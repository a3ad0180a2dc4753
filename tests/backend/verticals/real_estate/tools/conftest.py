"""The demo listings, seeded into a graph of each test module's own."""

from __future__ import annotations

import uuid

import pytest

from backend.verticals.real_estate.demo import seed_demo
from memory import Memory


@pytest.fixture(scope="module")
async def homes(mem: Memory) -> str:
    group = "homes" + uuid.uuid4().hex[:8]
    await seed_demo(mem, group)
    return group
