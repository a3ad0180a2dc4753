"""Listings as the graph knows them: price, status and suburb valid at a time."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from backend.agents.gazetteer import Gazetteer
from backend.verticals.real_estate.ontology import suburb as suburb_ref
from memory import EntityState, Memory

_FACTS = ("IN_SUBURB", "LISTED_AT_PRICE", "LISTING_STATUS")


class Listing(BaseModel):
    property_id: str
    address: str
    suburb: str
    price: float
    bedrooms: int | None = None
    bathrooms: int | None = None
    kind: str | None = None
    status: str


async def current_listings(
    memory: Memory,
    group_id: str,
    *,
    suburb: str | None = None,
    max_price: float | None = None,
    min_bedrooms: int | None = None,
    max_bedrooms: int | None = None,
    status: str | None = "listed",
    valid_at: datetime | None = None,
    limit: int = 20,
) -> list[Listing]:
    """Properties with their price, status and suburb valid at ``valid_at``, cheapest first."""
    linked = ("IN_SUBURB", suburb_ref(suburb)) if suburb else None
    homes = await memory.entities(group_id, "Property", _FACTS, linked=linked, valid_at=valid_at)
    found = [home for home in map(_listing, homes) if home is not None]
    wanted = [
        home
        for home in found
        if (max_price is None or home.price <= max_price)
        and (min_bedrooms is None or (home.bedrooms is not None and home.bedrooms >= min_bedrooms))
        and (max_bedrooms is None or (home.bedrooms is not None and home.bedrooms <= max_bedrooms))
        and (status is None or home.status == status)
    ]
    return sorted(wanted, key=lambda home: (home.price, home.address))[:limit]


def _listing(home: EntityState) -> Listing | None:
    """None for a property the graph has no current price, status or suburb of."""
    place, price, status = (home.facts.get(f) for f in _FACTS)
    if not (place and price and status):
        return None
    return Listing.model_validate(
        {
            **{k: home.attributes.get(k) for k in ("bedrooms", "bathrooms", "kind")},
            "property_id": home.key,
            "address": home.name,
            "suburb": place[0].object_name,
            "price": price[0].value,
            "status": status[0].value,
        }
    )


async def gazetteer(memory: Memory, group_id: str) -> Gazetteer:
    """The suburbs and property addresses a tenant's graph holds, with each listing's suburb."""
    homes = await current_listings(memory, group_id, status=None, limit=100_000)
    return Gazetteer(
        suburbs=await memory.names(group_id, "Suburb"),
        addresses=await memory.names(group_id, "Property"),
        localities={h.property_id: h.suburb for h in homes},
    )
