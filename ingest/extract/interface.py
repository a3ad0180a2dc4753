"""What an extractor reads (a finished call's ``Transcript``) and the ``Extractor`` interface.

``ingest.extract.offline.OfflineExtractor`` is the default implementation; an LLM extractor
(Graphiti ``add_episode``) is used when one is configured. Both return structured memory
episodes keyed deterministically by (call, turn), so re-running an interrupted job writes
nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from memory import Episode, Turn


@dataclass(frozen=True)
class Transcript:
    """A finished call as the extractor sees it."""

    group_id: str
    call_id: str
    caller_id: str
    started_at: datetime
    """Relative dates ("next Saturday") are read against this."""
    turns: list[Turn]
    suburbs: dict[str, str] = field(default_factory=dict)
    """Suburbs known to the graph (``Memory.names(group, "Suburb")``), by key."""
    properties: dict[str, str] = field(default_factory=dict)
    """Listing addresses known to the graph (``Memory.names(group, "Property")``), by property id."""


class Extractor(Protocol):
    async def extract(self, transcript: Transcript) -> list[Episode]:
        """The caller's facts stated in the transcript, as episodes (never free text)."""
        ...
