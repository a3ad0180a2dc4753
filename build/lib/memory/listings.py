"""Listings as the graph knows them: price, status and suburb valid at a time."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from memory.ontology import suburb as suburb_ref
from memory.store import GraphStore, cypher, iso


class Listing(BaseModel):
    property_id: str
    address: str
    suburb: str
    price: float
    bedrooms: int | None = None
    bathrooms: int | None = None
    kind: str | None = None
    status: str


async def listings(
    store: GraphStore,
    at: datetime,
    known: datetime,
    *,
    suburb: str | None = None,
    max_price: float | None = None,
    min_bedrooms: int | None = None,
    status: str | None = "listed",
    limit: int = 20,
) -> list[Listing]:
    params = {
        "at": iso(at),
        "known": iso(known),
        "max_price": max_price,
        "min_bedrooms": min_bedrooms,
        "status": status,
        "limit": limit,
    }
    if suburb:
        params["suburb"] = suburb_ref(suburb).uuid(store.group_id)
        rows = await store.query(cypher.LISTINGS_IN_SUBURB, params)
    else:
        rows = await store.query(cypher.LISTINGS, params)
    return [Listing(**r) for r in rows]


async def names(store: GraphStore, label: str) -> dict[str, str]:
    """Entity names of one type (e.g. every known suburb), by domain key."""
    if label not in {"Suburb", "Property", "Agent"}:
        raise ValueError(f"no name list for {label}")
    rows = await store.query(cypher.NAMES_OF.format(label=label))
    return {r["key"]: r["name"] for r in rows}
