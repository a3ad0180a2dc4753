"""Noting what the caller wants: nothing heard is said as such, never as a note taken."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from backend.agents.runner import AgentRuntime
from backend.verticals.real_estate.tools import preferences

NOW = datetime(2026, 11, 20, 1, tzinfo=UTC)


async def test_garbled_preferences_are_asked_again_not_noted(runtime: AgentRuntime, homes: str) -> None:
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Lee Garbled")
    heard = await runtime.turn(
        call, "yeah hi um the the kzzt hrrm bedroom uh in the uh mmph wh two", "Triage"
    )
    assert heard.reply.startswith("Sorry, I didn't catch"), heard.reply
    assert "noted" not in heard.reply


async def test_a_name_alone_is_no_details_on_file(runtime: AgentRuntime, homes: str) -> None:
    """Only the name the channel gave: nothing remembered to read back (nor the name, as if it were)."""
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Bellamy Newname")
    heard = await runtime.turn(call, "hi, um, do you remember what I was after last time?", "Triage")
    assert heard.reply.startswith("I don't have any details for you yet"), heard.reply


def test_a_reference_asked_for_with_no_viewing_booked_says_so() -> None:
    known = {"known": True, "name": "Priya", "budget": "1100000", "bedrooms": "2", "suburbs": ["Newtown"]}
    assert preferences.reply_summary({**known, "viewings": [], "references": []}).startswith(
        "You don't have a viewing booked with us."
    )
    assert preferences.reply_summary({**known, "viewings": [], "references": None}).startswith("You're Priya")


def test_viewings_asked_about_are_answered_alone_or_said_to_be_none() -> None:
    known = {"known": True, "name": "Evander", "budget": None, "bedrooms": None, "suburbs": ["Balmain"]}
    none = preferences.reply_summary({**known, "viewings": [], "references": None, "viewings_asked": True})
    assert none.startswith("You don't have a viewing booked with us."), none
    one = ["44 Queen St on Sunday 6 December at 2:00 PM"]
    said = preferences.reply_summary({**known, "viewings": one, "references": None, "viewings_asked": True})
    assert said == "You have a viewing of 44 Queen St on Sunday 6 December at 2:00 PM.", said


async def test_a_home_saved_is_said_with_its_price_and_is_the_one_meant_next(
    runtime: AgentRuntime, homes: str
) -> None:
    """On a later call "which one did I save, and how much was it?" names it with its price, and
    "can I see it Saturday at eleven?" books that one, not one of the last results."""
    phone = f"0438{uuid.uuid4().int % 10**6:06d}"
    opened = {"name": "Philippa Drummond", "phone": phone, "phone_verified": True}
    first = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, **opened)
    await runtime.turn(first, "3 bed houses in rozelle under 2.4m?", "Triage")
    await runtime.turn(first, "can u save the beach rd one for me, like to my shortlist", "Triage")
    again = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, **opened)
    which = await runtime.turn(
        again, "Which one was it I saved the other night? And how much was it again?", "Triage"
    )
    assert "32 Beach Rd, Rozelle ($2,350,000)" in which.reply, which.reply
    booked = await runtime.turn(again, "Lovely. Can I book in to see it Saturday at eleven?", which.agent)
    assert booked.reply.startswith("You're booked to view 32 Beach Rd"), booked.reply


async def test_a_suburb_added_as_well_is_searched_beside_the_others(
    runtime: AgentRuntime, homes: str
) -> None:
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Fitz Roy")
    await runtime.turn(call, "a three bedroom house in Leichhardt, up to 2.3 mil", "Triage")
    added = await runtime.turn(
        call, "can u add balmain to my search as well? same as before otherwise", "Triage"
    )
    assert "Leichhardt" in added.reply and "32 Church St, Balmain" in added.reply, added.reply
    assert "10 Elizabeth St, Leichhardt" in added.reply, added.reply
