"""The demo listing set for the embedded default: generated, deterministic, realistic.

120 homes over 20 Sydney suburbs, priced by suburb and size. Recording it twice
changes nothing (episode ids are stable); real listings come from
``switchboard import listings`` (the ingest workers).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from backend.verticals.real_estate.episodes import ListingAdded
from memory import Memory

# Suburb → median price of a three-bedroom house (dollars), roughly as the market sits.
SUBURBS = {
    "Bondi": 2_400_000,
    "Coogee": 2_300_000,
    "Manly": 2_900_000,
    "Newtown": 1_700_000,
    "Paddington": 2_600_000,
    "Surry Hills": 2_000_000,
    "Glebe": 1_800_000,
    "Randwick": 2_200_000,
    "Mosman": 3_600_000,
    "Balmain": 2_300_000,
    "Marrickville": 1_600_000,
    "Chatswood": 2_400_000,
    "Parramatta": 1_100_000,
    "Cronulla": 1_900_000,
    "Dee Why": 1_700_000,
    "Leichhardt": 1_900_000,
    "Rozelle": 2_200_000,
    "Maroubra": 2_000_000,
    "Bronte": 3_000_000,
    "Neutral Bay": 2_500_000,
}
STREETS = [
    "Ocean St",
    "Beach Rd",
    "Hill St",
    "Park Ave",
    "Victoria Rd",
    "Albert St",
    "Church St",
    "George St",
    "King St",
    "Queen St",
    "Station St",
    "Elizabeth St",
    "Pacific Hwy",
    "Bay St",
    "Edward St",
    "Arden St",
    "Carrington Rd",
    "Darling St",
    "Military Rd",
    "Glenayr Ave",
]
KINDS = {1: "apartment", 2: "apartment", 3: "house", 4: "house", 5: "house"}
LISTED_AT = datetime(2026, 10, 1, tzinfo=UTC)


def demo_listings(group_id: str, per_suburb: int = 6, seed: int = 2026) -> list[ListingAdded]:
    rng = random.Random(seed)
    listings = []
    for s, (suburb, median) in enumerate(SUBURBS.items()):
        for i in range(per_suburb):
            bedrooms = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5])
            size = {1: 0.35, 2: 0.55, 3: 1.0, 4: 1.35, 5: 1.7}[bedrooms]
            price = round(median * size * rng.uniform(0.85, 1.15), -4)
            listings.append(
                ListingAdded(
                    id=f"demo-listing-{s:02d}{i}",
                    group_id=group_id,
                    valid_at=LISTED_AT,
                    source="import",
                    property_id=f"P{s:02d}{i}",
                    address=f"{rng.randint(1, 140)} {STREETS[(s * 7 + i * 3) % len(STREETS)]}",
                    suburb=suburb,
                    price=price,
                    bedrooms=bedrooms,
                    bathrooms=max(1, bedrooms - 1),
                    kind=KINDS[bedrooms],  # type: ignore[arg-type]
                )
            )
    return listings


async def seed_demo(memory: Memory, group_id: str) -> int:
    """Record the demo listings in a group (idempotent); returns how many were new."""
    return (await memory.record_many(demo_listings(group_id))).episodes


# Which demo suburbs border which: widening a search adds these. A tenant replaces the
# table with its own (SWITCHBOARD_NEIGHBOURS_FILE, JSON of the same shape).
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "Bondi": ("Bronte", "Paddington", "Coogee"),
    "Bronte": ("Bondi", "Coogee", "Randwick"),
    "Coogee": ("Randwick", "Bronte", "Maroubra"),
    "Randwick": ("Coogee", "Maroubra", "Bronte"),
    "Maroubra": ("Coogee", "Randwick"),
    "Paddington": ("Surry Hills", "Bondi"),
    "Surry Hills": ("Paddington", "Newtown", "Glebe"),
    "Newtown": ("Marrickville", "Glebe", "Surry Hills"),
    "Glebe": ("Newtown", "Leichhardt", "Rozelle"),
    "Marrickville": ("Newtown", "Leichhardt"),
    "Leichhardt": ("Rozelle", "Glebe", "Marrickville"),
    "Rozelle": ("Balmain", "Leichhardt", "Glebe"),
    "Balmain": ("Rozelle", "Leichhardt"),
    "Mosman": ("Neutral Bay", "Manly"),
    "Neutral Bay": ("Mosman", "Chatswood"),
    "Chatswood": ("Neutral Bay",),
    "Manly": ("Dee Why", "Mosman"),
    "Dee Why": ("Manly",),
    "Parramatta": (),
    "Cronulla": (),
}

# What Sydney callers call some of these suburbs ("anything in paddo?"): read as the suburb when
# the tenant lists it.
NICKNAMES: dict[str, str] = {"paddo": "Paddington", "parra": "Parramatta", "surry": "Surry Hills"}
