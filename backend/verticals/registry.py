"""The verticals a tenant can choose from, and the one ontology memory holds for all of them
(episode and fact type names are unique across verticals, so one graph schema serves every
tenant whatever its vertical). Registering a vertical is one line in each table here."""

from __future__ import annotations

from backend.verticals.property_management import ontology as property_management
from backend.verticals.real_estate import ontology as real_estate
from memory.callers import CALLERS

ONTOLOGY = CALLERS + real_estate.ONTOLOGY + property_management.ONTOLOGY
