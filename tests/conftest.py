"""Shared fixtures: one embedded stack (real FalkorDB and Postgres) per test session."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.config import Settings, load_settings
from backend.embedded import EmbeddedStack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings whose URLs point at a running embedded stack."""
    settings = load_settings(data_dir=tmp_path_factory.mktemp("stack"))
    with EmbeddedStack(settings) as resolved:
        yield resolved


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
async def mem(stack: Settings):  # type: ignore[no-untyped-def]
    """One Memory on the session's embedded FalkorDB."""
    from memory import Memory

    memory = await Memory.open(stack)
    yield memory
    await memory.close()


@pytest.fixture
def group() -> str:
    """A fresh tenant (its own graph) per test."""
    import uuid

    return "t" + uuid.uuid4().hex[:12]
