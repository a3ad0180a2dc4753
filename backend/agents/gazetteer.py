"""A tenant's place names, as slot filling needs them (no heavy imports: ingest reads it too)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Gazetteer:
    """The names a tenant's graph holds that slot filling matches what callers say against."""

    suburbs: dict[str, str] = field(default_factory=dict)
    """Suburbs, by key."""
    addresses: dict[str, str] = field(default_factory=dict)
    """Property addresses, by property id."""
    localities: dict[str, str] = field(default_factory=dict)
    """The suburb of each property, by property id ("King St in Glebe")."""
