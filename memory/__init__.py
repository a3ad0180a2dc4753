"""Switchboard memory: a domain-agnostic engine for bi-temporal caller graphs on
Graphiti's data model: timelines, recording, store drivers, search, recall, erasure and
transcripts. It knows callers and calls (``memory.callers``); a vertical registers the
rest as an ``Ontology``.

This package imports nothing else of Switchboard; callers pass settings in. The names
below are imported on first use, so importing one leaf costs only what it imports.
"""

import os
from importlib import import_module
from typing import Any

# Before any Graphiti import, which reads both: it posts usage analytics unless told not to
# (nothing leaves the machine), and sizes its vectors at import time.
os.environ["GRAPHITI_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("EMBEDDING_DIM", "384")

_HOMES = {
    "CALLERS": "memory.callers",
    "CallCompleted": "memory.episodes",
    "CallerContext": "memory.models",
    "CallerIdentified": "memory.episodes",
    "ContactChanged": "memory.episodes",
    "Current": "memory.models",
    "EntityState": "memory.models",
    "Episode": "memory.episodes",
    "EpisodeConflict": "memory.errors",
    "ErasureReceipt": "memory.models",
    "Escalated": "memory.episodes",
    "Fact": "memory.models",
    "Handoff": "memory.episodes",
    "Hit": "memory.models",
    "Identification": "memory.models",
    "IdentityVerified": "memory.episodes",
    "InvalidEpisode": "memory.errors",
    "InvalidGroupId": "memory.errors",
    "MalformedPhone": "memory.errors",
    "Memory": "memory.memory",
    "MemoryInputError": "memory.errors",
    "Ontology": "memory.ontology",
    "OnCallAnswered": "memory.episodes",
    "OnCallExhausted": "memory.episodes",
    "OnCallPaged": "memory.episodes",
    "OptedOut": "memory.episodes",
    "PossibleDuplicate": "memory.episodes",
    "Recorded": "memory.record",
    "RedisLocks": "memory.locks",
    "Turn": "memory.episodes",
    "UnknownEntity": "memory.errors",
    "connect_graph": "memory.engine",
    "graph_version": "memory.engine",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_HOMES)
