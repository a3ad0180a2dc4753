"""Recall, search, transcripts and erasure on the real graph."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.verticals.real_estate.episodes import (
    BookingCancelled,
    BookingMade,
    BudgetStated,
    ListingAdded,
    PropertyInterest,
    SuburbPreferred,
)
from memory import CallCompleted, CallerIdentified, InvalidEpisode, Memory, UnknownEntity

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
SOON = datetime.now(UTC) + timedelta(days=3)


async def seed(mem: Memory, group: str) -> None:
    await mem.record_many(
        [
            CallerIdentified(
                id="i1",
                group_id=group,
                valid_at=T0,
                caller_id="c1",
                name="Jane Smith",
                phone="0412 345 678",
                email="Jane.Smith@example.com",
            ),
            CallerIdentified(
                id="i2",
                group_id=group,
                valid_at=T0,
                caller_id="c2",
                name="Omar Haddad",
                phone="0400 111 222",
            ),
            ListingAdded(
                id="l1",
                group_id=group,
                valid_at=T0,
                property_id="P1",
                address="12 Ocean St",
                suburb="Bondi",
                price=1_200_000,
                bedrooms=3,
            ),
            ListingAdded(
                id="l2",
                group_id=group,
                valid_at=T0,
                property_id="P2",
                address="4 Hill Rd",
                suburb="Manly",
                price=950_000,
                bedrooms=2,
            ),
            BudgetStated(
                id="b1",
                group_id=group,
                valid_at=T0 + timedelta(days=1),
                caller_id="c1",
                amount=850_000,
                turn_ids=["t2"],
                call_id="call-1",
            ),
            SuburbPreferred(
                id="s1",
                group_id=group,
                valid_at=T0 + timedelta(days=1),
                caller_id="c1",
                suburb="Bondi",
            ),
            PropertyInterest(
                id="p1",
                group_id=group,
                valid_at=T0 + timedelta(days=1),
                caller_id="c1",
                property_id="P1",
            ),
            BookingMade(
                id="bk1",
                group_id=group,
                valid_at=T0 + timedelta(days=1),
                caller_id="c1",
                booking_id="B1",
                property_id="P1",
                starts_at=SOON,
                reference="RE-20260302-001",
            ),
            BookingMade(
                id="bk2",
                group_id=group,
                valid_at=T0 + timedelta(days=1),
                caller_id="c1",
                booking_id="B2",
                property_id="P2",
                starts_at=SOON + timedelta(days=1),
            ),
            BookingCancelled(id="bk2x", group_id=group, valid_at=T0 + timedelta(days=2), booking_id="B2"),
            CallCompleted(
                id="cc1",
                group_id=group,
                valid_at=T0 + timedelta(days=1),
                caller_id="c1",
                call_id="call-1",
                outcome="viewing booked",
            ),
            CallCompleted(
                id="cc2",
                group_id=group,
                valid_at=T0 + timedelta(days=2),
                caller_id="c1",
                call_id="call-2",
                outcome="asked about finance",
            ),
            BudgetStated(
                id="b2",
                group_id=group,
                valid_at=T0 + timedelta(days=1),
                caller_id="c2",
                amount=600_000,
            ),
        ]
    )
    await mem.ingest_transcript(
        group,
        "call-1",
        [
            {
                "id": "t1",
                "speaker": "caller",
                "text": "Hi, I'm after a three bedroom place near the beach",
                "at": T0 + timedelta(days=1),
            },
            {
                "id": "t2",
                "speaker": "caller",
                "text": "We can spend about 850 thousand",
                "at": T0 + timedelta(days=1, minutes=1),
            },
        ],
        T0 + timedelta(days=1),
        caller_id="c1",
    )


@pytest.mark.parametrize("phone", ["0412 345 678", "+61 412 345 678", "(04) 1234-5678"])
async def test_recall_by_phone_in_any_format(mem: Memory, group: str, phone: str) -> None:
    await seed(mem, group)
    ctx = await mem.recall_caller(group, phone=phone, phone_verified=True)
    assert ctx is not None
    assert (ctx.caller.id, ctx.caller.name, ctx.confidence, ctx.matched_on, ctx.verified) == (
        "c1",
        "Jane Smith",
        1.0,
        "phone",
        True,
    )
    typed = await mem.recall_caller(group, phone=phone)  # typed, not the caller id: evidence, no proof
    assert typed is not None and (typed.matched_on, typed.verified) == ("typed_phone", False)


async def test_recall_context_has_what_a_greeting_needs(mem: Memory, group: str) -> None:
    await seed(mem, group)
    ctx = await mem.recall_caller(group, phone="0412345678")
    assert ctx is not None
    names = {f.name for f in ctx.facts}
    assert {"HAS_BUDGET", "PREFERS_SUBURB", "INTERESTED_IN", "BOOKED", "HAS_EMAIL"} <= names
    assert [b.booking_id for b in ctx.upcoming_bookings] == ["B1"], "cancelled B2 is not upcoming"
    assert ctx.upcoming_bookings[0].address == "12 Ocean St"
    assert ctx.upcoming_bookings[0].reference == "RE-20260302-001"
    assert [c.outcome for c in ctx.last_calls] == ["asked about finance", "viewing booked"]
    assert all(
        f.subject != ctx.caller.uuid or f.name != "HAS_BUDGET" or f.value == 850_000 for f in ctx.facts
    ), "never another caller's budget"


async def test_recall_by_email_and_fuzzy_name(mem: Memory, group: str) -> None:
    await seed(mem, group)
    by_email = await mem.recall_caller(group, email=" JANE.smith@EXAMPLE.com ")
    assert by_email is not None and by_email.caller.id == "c1" and by_email.matched_on == "email"
    assert not by_email.verified, "an email given is a possible match only"
    fuzzy = await mem.recall_caller(group, name="Jane Smyth")
    exact = await mem.recall_caller(group, name="Jane Smith")
    assert fuzzy is not None and fuzzy.caller.id == "c1" and exact is not None
    assert fuzzy.confidence < exact.confidence <= 0.6 and not fuzzy.verified and not exact.verified
    nickname = await mem.recall_caller(group, name="Janie Smith")
    assert nickname is not None and nickname.caller.id == "c1" and not nickname.verified
    assert await mem.recall_caller(group, name="Tom Smith") is None, "a household member is not her"
    assert await mem.recall_caller(group, name="Zebedee Quux") is None
    assert await mem.recall_caller(group, phone="0499 999 999") is None


async def test_search_finds_facts_and_turns_with_provenance(mem: Memory, group: str) -> None:
    await seed(mem, group)
    hits = await mem.search(group, "how much can they spend, what budget", caller_id="c1")
    assert hits, "search found nothing"
    budget = next(h for h in hits if h.fact_type == "HAS_BUDGET")
    assert "850,000" in budget.text and budget.turn_ids == ["t2"] and budget.episode_ids
    assert all("600,000" not in h.text for h in hits[:3]), "the other caller's budget ranks below"
    turns = await mem.search(group, "three bedroom place near the beach")
    turn = next(h for h in turns if h.kind == "episode")
    assert turn.turn_ids == ["t1"] and turn.call_id == "call-1"


async def test_search_returns_only_what_is_valid_at_as_of(mem: Memory, group: str) -> None:
    await seed(mem, group)
    await mem.record(
        BudgetStated(id="b3", group_id=group, valid_at=T0 + timedelta(days=5), caller_id="c1", amount=990_000)
    )
    now_hits = [h.text for h in await mem.search(group, "budget", caller_id="c1", limit=20)]
    assert any("990,000" in t for t in now_hits)
    assert not any("850,000" in t and "budget" in t for t in now_hits)
    then = [
        h.text
        for h in await mem.search(group, "budget", caller_id="c1", as_of=T0 + timedelta(days=2), limit=20)
    ]
    assert any("850,000" in t for t in then) and not any("990,000" in t for t in then)


async def test_transcripts_are_keyed_by_turn(mem: Memory, group: str) -> None:
    await seed(mem, group)
    again = await mem.ingest_transcript(
        group,
        "call-1",
        [
            {
                "id": "t1",
                "speaker": "caller",
                "text": "Hi, I'm after a three bedroom place near the beach",
                "at": T0 + timedelta(days=1),
            }
        ],
        T0,
    )
    assert again == 0
    with pytest.raises(InvalidEpisode):
        await mem.ingest_transcript(
            group,
            "call-9",
            [{"id": "t1", "speaker": "x", "text": "hi", "at": "2026-03-01T09:00:00"}],
            T0,
        )
    with pytest.raises(InvalidEpisode):
        await mem.ingest_transcript(
            group,
            "call-9",
            [{"id": "t1", "speaker": "x", "text": "y" * 20_000, "at": T0.isoformat()}],
            T0,
        )


async def test_erasure_removes_the_caller_and_only_the_caller(mem: Memory, group: str) -> None:
    await seed(mem, group)
    receipt = await mem.erase_caller(group, "c1")
    assert receipt.callers == 1
    assert receipt.facts >= 10 and receipt.episodes >= 8 and receipt.entities >= 3
    assert receipt.recheck == {"recall_caller": 0, "caller_nodes": 0, "episodes": 0}
    assert await mem.recall_caller(group, phone="0412 345 678") is None
    assert await mem.recall_caller(group, email="jane.smith@example.com") is None
    hits = await mem.search(group, "Jane Smith budget three bedroom beach", limit=50)
    assert not any("850,000" in h.text or "beach" in h.text for h in hits)
    other = await mem.recall_caller(group, phone="0400 111 222")
    assert other is not None and other.caller.id == "c2"
    store = await mem.store(group)
    listings = await store.query("MATCH (p:Property) RETURN count(p) AS n")
    assert listings[0]["n"] == 2, "shared listings stay"
    predicates = await store.query(
        "MATCH (q:Predicate) OPTIONAL MATCH ()-[r:RELATES_TO {predicate: q.uuid}]->()"
        " RETURN q.text AS text, count(r) AS rows"
    )
    assert predicates and all(p["rows"] for p in predicates), "no predicate outlives its rows"
    assert not any("850,000" in p["text"] for p in predicates)
    with pytest.raises(UnknownEntity):
        await mem.erase_caller(group, "c1")


@pytest.mark.parametrize(
    ("said", "known", "same"),
    [
        ("Bart Nkemelu", "Bartholomew Nkemelu", True),
        ("Bill Baker", "William Baker", True),
        ("Smith, Jon", "John Smith", True),
        ("Lena Baker", "Tom Baker", False),
        ("Sam Lee", "Ben Lee", False),
        ("Raff", "Rafferty Blakeney", True),  # its first letters
        ("Al Baker", "Albert Baker", True),
    ],
)
def test_a_nickname_is_the_same_person_a_household_member_is_not(said: str, known: str, same: bool) -> None:
    from memory.recall import same_person

    assert same_person(said, known) is same
