"""The verticals a tenant can choose from, and the one ontology memory holds for all of them
(episode and fact type names are unique across verticals, so one graph schema serves every
tenant whatever its vertical). Registering a vertical is one line in each table here."""

from __future__ import annotations

import functools
import importlib
import operator
from typing import TYPE_CHECKING

from backend.verticals.property_management import ontology as property_management
from backend.verticals.real_estate import ontology as real_estate
from memory.callers import CALLERS
from memory.episodes import Episode

if TYPE_CHECKING:
    from backend.agents.vertical import Vertical

ONTOLOGIES = {"real_estate": real_estate.ONTOLOGY, "property_management": property_management.ONTOLOGY}
"""Each vertical's own ontology, by the name tenants choose it with."""
ONTOLOGY = functools.reduce(operator.add, ONTOLOGIES.values(), CALLERS)

VERTICALS = {
    "real_estate": "backend.verticals.real_estate.agents:REAL_ESTATE",
    "property_management": "backend.verticals.property_management.agents:PROPERTY_MANAGEMENT",
}
"""Each vertical's agent tree, by the name tenants choose it with; imported when first used
(the agents load the SDK, which the memory-only paths never need)."""


def episode_types(name: str) -> frozenset[type[Episode]]:
    """The episodes a call of this vertical may write: the caller core's and its own."""
    return frozenset((*CALLERS.episodes, *ONTOLOGIES[name].episodes))


def vertical(name: str) -> Vertical:
    if name not in VERTICALS:
        raise KeyError(f"unknown vertical {name!r}; choose one of {', '.join(VERTICALS)}")
    module, attribute = VERTICALS[name].split(":")
    found: Vertical = getattr(importlib.import_module(module), attribute)
    return found
