"""Fact extraction from a finished call's transcript: one interface, two extractors.

``OfflineExtractor`` (spaCy + dateparser + phonenumbers + domain patterns) is the
default; an LLM extractor (Graphiti ``add_episode``) is used when one is configured.
Both return structured memory episodes keyed deterministically by (call, turn), so
re-running an interrupted job writes nothing twice.

``OfflineExtractor.facts`` gives the same facts as labelled ``Fact(kind, value, turn_id)``
(plus requested viewing times, which have no episode); ``ingest.extract.evaluate`` scores
them against ``tests/data/extraction_labelled.jsonl``. The offline names are imported on
first use: the module is cheap to import, spaCy loads when it is first needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

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


if TYPE_CHECKING:
    from ingest.extract.offline import FACT_KINDS, Fact, FactKind, OfflineExtractor

_OFFLINE = ("FACT_KINDS", "Fact", "FactKind", "OfflineExtractor")


def __getattr__(name: str) -> Any:
    # Late, so that ``ingest.extract.offline`` (which needs ``Transcript``) imports cleanly.
    if name in _OFFLINE:
        from ingest.extract import offline

        return getattr(offline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["FACT_KINDS", "Extractor", "Fact", "FactKind", "OfflineExtractor", "Transcript"]
