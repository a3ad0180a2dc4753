"""A returning caller on a chat that sent nothing, who types who they are, or on a number we had
never seen, who says it: a possible match, checked before anything of theirs is said, then
answered from what is on file."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from backend.agents.runner import AgentRuntime


async def test_a_name_and_number_typed_mid_chat_are_checked_then_answered(
    runtime: AgentRuntime, homes: str
) -> None:
    now = datetime.now(UTC)  # the viewing must be upcoming for memory
    phone, email = f"0438{uuid.uuid4().int % 10**6:06d}", f"s{uuid.uuid4().hex[:6]}@example.org"
    first = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=now, name="Siobhan Achterberg", phone=phone,
        email=email, phone_verified=True,
    )  # fmt: skip
    booked = await runtime.turn(first, "can I see 23 Carrington Road in Coogee on Sunday at 3pm?", "Triage")
    assert booked.reply.startswith("You're booked"), booked.reply

    chat = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=now)
    said = f"hi siobhan achterberg here, mob {phone}. whats the address of the place im seeing sunday?"
    asked = await runtime.turn(chat, said, "Triage")
    assert asked.reply.startswith("Thanks, Siobhan. Before I go into anything on file"), asked.reply
    assert "Carrington" not in asked.reply and "email address we have on file" in asked.reply
    [possible] = chat.state.candidates
    assert possible["id"] == first.caller_id and possible["checks"] == ["email", "text_code"], (
        "a typed number proves nothing (a code texted to it would)"
    )

    checked = await runtime.turn(chat, f"its {email}", asked.agent)
    assert "matches what we have on file" in checked.reply and "23 Carrington Rd" in checked.reply, (
        checked.reply
    )
    again = await runtime.turn(chat, "so whats the address?", checked.agent)
    assert again.reply.startswith("23 Carrington Rd, Coogee"), again.reply


async def test_last_times_search_asked_for_before_saying_who_you_are(
    runtime: AgentRuntime, homes: str
) -> None:
    """An unknown chat asking for "same budget as last time" hears how to be found; the number
    typed alone is looked up and checked; then the search keeps what is on file."""
    now = datetime.now(UTC)
    phone, email = f"0438{uuid.uuid4().int % 10**6:06d}", f"n{uuid.uuid4().hex[:6]}@example.org"
    first = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=now, name="Nadia Brook", phone=phone, email=email,
        phone_verified=True,
    )  # fmt: skip
    await runtime.turn(
        first, "a house in Newtown, three bedrooms or more, under two and a half million", "Triage"
    )

    chat = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=now)
    asked = await runtime.turn(
        chat, "can u switch my search to marrickville, same budget n beds as last time", "Triage"
    )
    assert asked.reply.startswith("I can't find an earlier search of yours"), asked.reply
    found = await runtime.turn(chat, phone, asked.agent)
    assert found.reply.startswith("Thanks. Before I go into anything on file"), found.reply
    checked = await runtime.turn(chat, email, found.agent)
    assert "matches what we have on file" in checked.reply, checked.reply
    searched = await runtime.turn(chat, "so wat have u got in marrickville", checked.agent)
    assert searched.reply.startswith("Still with 3+ bedrooms up to $2,500,000, now in Marrickville."), (
        searched.reply
    )


async def test_a_voice_call_from_a_number_never_seen_is_checked_before_the_name_is_believed(
    runtime: AgentRuntime, homes: str
) -> None:
    now = datetime.now(UTC)
    phone = f"0438{uuid.uuid4().int % 10**6:06d}"
    first = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=now, name="Marcus Vale", phone=phone, phone_verified=True
    )
    await runtime.turn(first, "three bedroom house in Bondi up to 2.5 million", "Triage")
    voice = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=now, phone=f"0439{uuid.uuid4().int % 10**6:06d}",
        phone_verified=True,
    )  # fmt: skip
    said = await runtime.turn(
        voice, "hi it's Marcus Vale, two bedroom apartment in Glebe under a million", "Triage"
    )
    assert "in Glebe" in said.reply and "2,500,000" not in said.reply, said.reply  # a new enquiry stands
    [possible] = voice.state.candidates
    assert possible["id"] == first.caller_id and possible["checks"] == ["phone_digits", "text_code"], possible
    asked = await runtime.turn(voice, "what budget did I give you last time?", "Triage")
    assert "2,500,000" not in asked.reply and "last three or four digits" in asked.reply, asked.reply
    checked = await runtime.turn(voice, f"it ends in {phone[-3:]}", "Triage")
    assert checked.reply.startswith("Thanks, Marcus, that matches"), checked.reply
    assert voice.caller_id == first.caller_id


async def test_a_first_name_given_by_phone_and_the_full_name_on_chat_are_checked_then_one(
    runtime: AgentRuntime, homes: str
) -> None:
    now = datetime.now(UTC)
    phone = f"0438{uuid.uuid4().int % 10**6:06d}"
    voice = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=now, phone=phone, phone_verified=True
    )
    booked = await runtime.turn(
        voice, "Hi, it's Philippa, could I see 41 Victoria Road, Randwick, on Thursday at two?", "Triage"
    )
    assert "You're booked" in booked.reply, booked.reply
    chat = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=now, name="Philippa Szymanski-Hart"
    )
    asked = await runtime.turn(chat, "hi, can we shift thursdays viewing to 4 instead?", "Triage")
    assert "last three or four digits" in asked.reply and "Victoria" not in asked.reply, asked.reply
    checked = await runtime.turn(chat, f"it ends in {phone[-4:]}", asked.agent)
    assert checked.reply.startswith("Thanks, Philippa, that matches"), checked.reply
    assert chat.caller_id == voice.caller_id


async def test_the_same_search_as_on_the_phone_is_run_once_checked(runtime: AgentRuntime, homes: str) -> None:
    """Session 25 (d20): asked for before the check, the search is run after it, not read back."""
    now = datetime.now(UTC)
    phone = f"0438{uuid.uuid4().int % 10**6:06d}"
    first = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=now, name="Ines Okafor", phone=phone, phone_verified=True
    )
    await runtime.turn(first, "three bedroom houses in Coogee up to 2.7 million please", "Triage")
    chat = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=now, name="Ines Okafor")
    chat.channel = "chat"
    asked = await runtime.turn(chat, "hi, could you do the search I did on the phone again?", "Triage")
    assert "check it's you" in asked.reply and "Coogee" not in asked.reply, asked.reply
    checked = await runtime.turn(chat, f"sure, it's {phone}", asked.agent)
    assert "matches what we have on file" in checked.reply, checked.reply
    assert "Still in Coogee with 3+ bedrooms up to $2,700,000" in checked.reply, checked.reply
    assert "65 George St" in checked.reply and "80 Hill St" not in checked.reply, checked.reply
    again = await runtime.turn(chat, phone[-3:], checked.agent)  # the digits typed again: nothing asked
    assert again.reply.startswith("Thanks, that's the number we have for you.") and not again.tool_calls, (
        again.reply
    )
