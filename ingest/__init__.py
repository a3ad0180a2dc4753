"""Switchboard ingestion: arq workers that turn finished calls into memory.

The names below are imported on first use: ``switchboard`` commands that only read the
ledger do not pay for loading memory and Graphiti."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {
    "CallerErased": "ingest.erasure",
    "erase_caller": "ingest.erasure",
    "erase_contact": "ingest.erasure",
    "enqueue_ingest": "ingest.jobs",
    "replay": "ingest.jobs",
    "Limits": "ingest.worker",
    "build_worker": "ingest.worker",
    "group_lock": "ingest.worker",
    "run_worker": "ingest.worker",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_HOMES)
