"""Viewing times as callers say them: a day gone is said to have passed, and a time said
without a day after a refusal is on the day just discussed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from backend.agents.runner import AgentRuntime, TurnResult

NOW = datetime(2026, 11, 19, 23, tzinfo=UTC)  # Friday 20 November, 10 am in Sydney


async def talk(runtime: AgentRuntime, group: str, *said: str) -> list[TurnResult]:
    call = await runtime.open_call(
        group, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name=f"Vi {uuid.uuid4().hex[:6]}"
    )
    agent, results = "Triage", []
    for text in said:
        results.append(result := await runtime.turn(call, text, agent))
        agent = result.agent
    return results


@pytest.mark.parametrize("when", ["yesterday at 3", "last Friday at 11am", "last Wednesday at 2pm"])
async def test_a_day_gone_is_said_to_have_passed(runtime: AgentRuntime, homes: str, when: str) -> None:
    [result] = await talk(
        runtime, homes, f"Can I book a viewing of 65 Ocean Street in Leichhardt for {when}?"
    )
    assert "has already passed" in result.reply, result.reply
    assert "RE-" not in result.reply


async def test_a_time_after_a_refusal_keeps_the_day(runtime: AgentRuntime, homes: str) -> None:
    """Sunday 8 PM is outside hours; "what about 2pm then?" is Sunday's 2 PM, not today's."""
    results = await talk(
        runtime,
        homes,
        "can I see 65 Ocean Street in Leichhardt on Sunday at 8pm?",
        "no worries, what about 2pm then?",
    )
    assert "between" in results[0].reply, results[0].reply
    assert "Sunday 22 November at 2:00 PM" in results[1].reply, results[1].reply


async def test_a_time_said_after_a_refusal_books_it(runtime: AgentRuntime, homes: str) -> None:
    """ "Make it 17:00 then" after a refused 8 pm is a new try of that booking, not a move of
    a booking the caller does not have."""
    results = await talk(
        runtime,
        homes,
        "can I see 65 Ocean Street in Leichhardt on Sunday at 8pm?",
        "Right, okay. Make it 17:00 then.",
    )
    assert "between" in results[0].reply, results[0].reply
    assert results[1].reply.startswith("You're booked to view 65 Ocean St on Sunday 22 November at 5:00 PM")


async def test_a_time_said_after_a_refused_move_moves_it(runtime: AgentRuntime, homes: str) -> None:
    """ "Four in the afternoon then" after a refused move to 9 pm moves the booking there (it
    is no second booking, and no question whether to move it)."""
    results = await talk(
        runtime,
        homes,
        "can I see 126 Park Avenue in Manly on Saturday at 1pm?",
        "actually could we move it to nine at night? I work late",
        "fine, four in the afternoon then",
    )
    assert "between" in results[1].reply, results[1].reply
    assert [t["tool"] for t in results[2].tool_calls] == ["reschedule_viewing"]
    assert results[2].reply.startswith("Done: ") and "Saturday 21 November at 4:00 PM" in results[2].reply


@pytest.mark.parametrize(
    ("move", "moved_to"),
    [("oh hang on, make it three, sorry", "3:00 PM"), ("sorry can we do wed instead same time", "Wednesday")],
)
async def test_a_move_said_in_passing_moves_the_booking(
    runtime: AgentRuntime, homes: str, move: str, moved_to: str
) -> None:
    """Right after booking, "make it three" is the viewing's time (not a shortlisting, not
    bedrooms), and "wed instead same time" is Wednesday at the booked time."""
    home = "128 Ocean Street in Manly" if "three" in move else "67 Church Street in Manly"
    results = await talk(runtime, homes, f"can I see {home} on Sunday at 2pm?", move)
    assert results[1].reply.startswith("Done: ") and moved_to in results[1].reply, results[1].reply
    assert "2:00 PM" in results[1].reply or "3:00 PM" in results[1].reply


async def test_another_home_booked_instead_of_one_cancelled_is_a_booking(
    runtime: AgentRuntime, homes: str
) -> None:
    """ "Book me into 90 King Street instead, same time Saturday" after a cancellation is a new
    booking at the time the cancelled one had, not a move of a viewing that is gone."""
    results = await talk(
        runtime,
        homes,
        "can I book 80 Albert Street Leichhardt for Saturday, two in the arvo?",
        "actually can you cancel that one? not keen on Albert Street",
        "could you book me into 90 King Street in Leichhardt instead, same time Saturday?",
    )
    assert "cancelled" in results[1].reply, results[1].reply
    assert results[2].reply.startswith("You're booked to view 90 King St on Saturday 21 November at 2:00 PM")


async def test_a_time_said_again_once_moved_there_is_done(runtime: AgentRuntime, homes: str) -> None:
    """ "Yes Monday 11 pls" once the booking is on Monday at 11: done, not a clash with itself."""
    results = await talk(
        runtime,
        homes,
        "can I see 24 Darling Street in Manly on Sunday at 11:30?",
        "can you move my sunday viewing to monday 11am",
        "yes monday 11 pls",
    )
    assert results[1].reply.startswith("Done: "), results[1].reply
    assert (
        results[2].reply.startswith("That's done: ") and "Monday 23 November at 11:00 AM" in results[2].reply
    )


async def test_a_booking_moved_by_a_time_said_from_it(runtime: AgentRuntime, homes: str) -> None:
    """ "Make it 10" after a 9 am booking is that day's 10 am; "an hour later" is 11."""
    results = await talk(
        runtime,
        homes,
        "can I see 65 Ocean Street in Leichhardt on Saturday at 9am?",
        "actually make it 10",
        "hmm, could we do it an hour later?",
    )
    assert "Saturday 21 November at 9:00 AM" in results[0].reply, results[0].reply
    assert results[1].reply.startswith("Done: ") and "Saturday 21 November at 10:00 AM" in results[1].reply
    assert "Saturday 21 November at 11:00 AM" in results[2].reply, results[2].reply


async def test_a_move_asked_twice_says_it_is_done(runtime: AgentRuntime, homes: str) -> None:
    """Asked again once moved ("yes move it to 10am"), the move is done; a move to the time it
    was booked for is already there."""
    results = await talk(
        runtime,
        homes,
        "can I see 65 Ocean Street in Leichhardt on Saturday at 9am?",
        "actually make it 10",
        "yes move it to 10am pls",
    )
    assert results[1].reply.startswith("Done: "), results[1].reply
    assert results[2].reply.startswith("That's done: ") and results[2].reply.endswith(
        "is now Saturday 21 November at 10:00 AM."
    ), results[2].reply
    booked = await talk(
        runtime,
        homes,
        "can I see 65 Ocean Street in Leichhardt on Sunday at 11am?",
        "can you move it to 11am?",
    )
    assert booked[1].reply.endswith("is already on Sunday 22 November at 11:00 AM."), booked[1].reply


@pytest.mark.parametrize(
    ("home", "move", "moved_to"),
    [
        ("23 Carrington Road in Coogee", "can you move it from twelve thirty to one thirty?", "1:30 PM"),
        (
            "65 Ocean Street in Leichhardt",
            "the twelve thirty one on Saturday, can we push that to three?",
            "3:00 PM",
        ),
    ],
)
async def test_a_move_said_from_the_time_it_is_at_goes_to_the_time_after_to(
    runtime: AgentRuntime, homes: str, home: str, move: str, moved_to: str
) -> None:
    results = await talk(runtime, homes, f"can I see {home} on Saturday at 12.30?", move)
    assert "Saturday 21 November at 12:30 PM" in results[0].reply, results[0].reply
    assert f"Saturday 21 November at {moved_to}" in results[1].reply, results[1].reply


async def test_two_homes_booked_in_one_breath_are_both_booked(runtime: AgentRuntime, homes: str) -> None:
    """Both are booked; "the four o'clock one" is then the one at four."""
    both, moved = await talk(
        runtime,
        homes,
        "G'day, can I book 95 Edward Street in Manly for Wednesday at ten, and 24 Darling Street"
        " in Manly the same day at four?",
        "the four o'clock one, can we push that to five?",
    )
    assert [t["tool"] for t in both.tool_calls] == ["book_viewing", "book_viewing"], both.reply
    assert "95 Edward St on Wednesday 25 November at 10:00 AM" in both.reply, both.reply
    assert "24 Darling St on Wednesday 25 November at 4:00 PM" in both.reply, both.reply
    darling = both.reply.rsplit("Your reference is ", 1)[1].rstrip(".")
    assert (
        moved.reply
        == f"Done: your viewing of 24 Darling St ({darling}) is now Wednesday 25 November at 5:00 PM."
    )
    [impossible] = await talk(
        runtime,
        homes,
        "can I see 95 Edward Street in Manly on the 31st of November at two, and 24 Darling Street at 3?",
    )
    assert "RE-" not in impossible.reply and "November" in impossible.reply, impossible.reply
    [typed] = await talk(
        runtime,
        homes,
        "hey can i book 2 inspections sat in newtown? 13 victoria rd at 10am and 32 bay st at 11am",
    )
    assert [t["tool"] for t in typed.tool_calls] == ["book_viewing", "book_viewing"], typed.reply
    assert "13 Victoria Rd on Saturday 21 November at 10:00 AM" in typed.reply, typed.reply
    assert "32 Bay St on Saturday 21 November at 11:00 AM" in typed.reply, typed.reply


async def test_a_booking_moved_to_another_day_at_the_same_time(runtime: AgentRuntime, homes: str) -> None:
    """ "Sunday, same time" keeps the booked 2 PM, not the 10 AM a day said alone means."""
    results = await talk(
        runtime,
        homes,
        "can I see 65 Ocean Street in Leichhardt on Saturday at 2pm?",
        "actually can you move it to Sunday, same time?",
    )
    assert "Saturday 21 November at 2:00 PM" in results[0].reply, results[0].reply
    assert "Sunday 22 November at 2:00 PM" in results[1].reply, results[1].reply


async def test_a_booking_named_by_its_day(runtime: AgentRuntime, homes: str) -> None:
    """Of two viewings, "the Saturday one" is Saturday's, not the latest."""
    results = await talk(
        runtime,
        homes,
        "can I see 65 Ocean Street in Leichhardt on Saturday at 4pm?",
        "and can I see 23 Carrington Road in Coogee on Sunday at 11am?",
        "actually, cancel the Saturday one",
    )
    assert "Saturday 21 November at 4:00 PM" in results[0].reply, results[0].reply
    assert "Sunday 22 November at 11:00 AM" in results[1].reply, results[1].reply
    assert results[2].reply.startswith("I've cancelled your viewing of 65 Ocean St on Saturday 21 November")


async def test_a_home_asked_to_see_without_a_time_is_kept_for_the_answer(
    runtime: AgentRuntime, homes: str
) -> None:
    results = await talk(
        runtime,
        homes,
        "Hi there, it's Nerida. I'd love to see the house at 65 Ocean Street in Leichhardt.",
        "Could I come Saturday morning, say half past ten?",
    )
    assert results[0].reply.endswith("What day and time would suit you for 65 Ocean St?"), results[0].reply
    booked = "You're booked to view 65 Ocean St on Saturday 21 November at 10:30 AM"
    assert results[1].reply.startswith(booked), results[1].reply


@pytest.mark.parametrize(
    ("day", "answer", "picked"),
    [
        ("Monday 23 November", "Okay, no worries, the next one after that then.", "11:00 AM"),
        ("Tuesday 24 November", "the later one please", "12:00 PM"),
        ("Wednesday 25 November", "the second one", "12:00 PM"),
        ("Thursday 26 November", "how about 11?", "11:00 AM"),
    ],
)
async def test_a_time_offered_for_a_taken_slot_is_taken_as_picked(
    runtime: AgentRuntime, homes: str, day: str, answer: str, picked: str
) -> None:
    """Someone else has 10 AM: 11 AM and 12 PM are offered, and the pick is booked."""
    ask = f"Can I see 65 Ocean Street in Leichhardt on {day.split()[0]} at 10am?"
    [first] = await talk(runtime, homes, ask)
    assert first.reply.startswith("You're booked"), first.reply
    taken, booked = await talk(runtime, homes, ask, answer)
    assert f"I could do {day} at 11:00 AM or {day} at 12:00 PM." in taken.reply, taken.reply
    assert booked.reply.startswith(f"You're booked to view 65 Ocean St on {day} at {picked}."), booked.reply


async def test_two_requests_in_one_breath_are_both_answered(runtime: AgentRuntime, homes: str) -> None:
    """The repayments and the booking, in one reply; the question closing the first is dropped."""
    [both] = await talk(
        runtime,
        homes,
        "What would the monthly be on 65 Ocean Street in Leichhardt, and can I see it Friday week at 3?",
    )
    repayment, booking = both.reply.split(" You're booked ")
    assert repayment.startswith("On 65 Ocean St at $") and repayment.endswith("a month."), both.reply
    assert booking.startswith("to view 65 Ocean St on Friday 27 November at 3:00 PM."), both.reply


async def test_a_statement_then_a_question_about_it_is_one_request(runtime: AgentRuntime, homes: str) -> None:
    [one] = await talk(
        runtime, homes, "our budget is 1.6 million. roughly how much a month would that be to pay off?"
    )
    assert one.reply.startswith("On $1,600,000 with $320,000 down"), one.reply


async def test_of_two_requests_a_failed_first_is_asked_about_alone(runtime: AgentRuntime, homes: str) -> None:
    [asked] = await talk(
        runtime, homes, "what would the monthly be on the first one, and can I see it Saturday at 11?"
    )
    assert asked.reply.startswith("I haven't read out any homes on this call yet"), asked.reply
    assert asked.reply.count("?") == 1, asked.reply


async def test_another_day_at_the_same_time_after_a_taken_slot(runtime: AgentRuntime, homes: str) -> None:
    """Someone else has Saturday at noon; "what about Sunday, same time?" is Sunday at noon."""
    ask = "Can I see 65 Ocean Street in Leichhardt on Saturday at noon?"
    [first] = await talk(runtime, homes, ask)
    assert first.reply.startswith("You're booked"), first.reply
    taken, booked = await talk(runtime, homes, ask, "Bugger. What about Sunday, same time?")
    assert "already taken" in taken.reply, taken.reply
    assert booked.reply.startswith("You're booked to view 65 Ocean St on Sunday 22 November at 12:00 PM"), (
        booked.reply
    )


async def test_a_time_alone_on_a_later_call_moves_the_booking_on_its_own_day(
    runtime: AgentRuntime, homes: str
) -> None:
    """On the next call "can we make it 4pm instead?" is 4 PM on the booked Tuesday, not today."""
    known = {"name": "Ig Forsberg", "phone": f"0412 {uuid.uuid4().int % 10**6:06d}", "phone_verified": True}
    first = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, **known)
    booked = await runtime.turn(
        first, "can I see 65 Ocean Street in Leichhardt on Tuesday at 11:30am?", "Triage"
    )
    assert "Tuesday 24 November at 11:30 AM" in booked.reply, booked.reply
    later = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, **known)
    moved = await runtime.turn(later, "can we make my viewing 4pm instead of 11.30", "Triage")
    assert "Tuesday 24 November at 4:00 PM" in moved.reply, moved.reply
    again = await runtime.turn(later, "actually can we move the Tuesday one to three", moved.agent)
    assert "Tuesday 24 November at 3:00 PM" in again.reply, again.reply


async def test_a_yes_to_two_times_offered_asks_which(runtime: AgentRuntime, homes: str) -> None:
    ask = "Can I see 65 Ocean Street in Leichhardt on Sunday 29 November at 10am?"
    await talk(runtime, homes, ask)
    taken, which, booked = await talk(runtime, homes, ask, "yes please", "the second one")
    assert "already taken" in taken.reply, taken.reply
    assert which.reply == (
        "Which would suit: Sunday 29 November at 11:00 AM or Sunday 29 November at 12:00 PM?"
    ), which.reply
    assert booked.reply.startswith("You're booked to view 65 Ocean St on Sunday 29 November at 12:00 PM")


@pytest.mark.parametrize(
    ("date", "answer", "picked"),
    [
        ("Tuesday 1 December", "okay eleven works", "11:00 AM"),
        ("Wednesday 2 December", "whichevers closest to 1 then thx", "12:00 PM"),
    ],
)
async def test_an_hour_said_alone_picks_the_time_offered(
    runtime: AgentRuntime, homes: str, date: str, answer: str, picked: str
) -> None:
    ask = f"Can I see 23 Carrington Road in Coogee on {date.split(' ', 1)[1]} at 10am?"
    await talk(runtime, homes, ask)
    taken, booked = await talk(runtime, homes, ask, answer)
    assert f"I could do {date} at 11:00 AM or {date} at 12:00 PM." in taken.reply, taken.reply
    assert booked.reply.startswith(f"You're booked to view 23 Carrington Rd on {date} at {picked}."), (
        booked.reply
    )


async def test_half_an_hour_later_after_a_taken_slot_is_from_the_time_refused(
    runtime: AgentRuntime, homes: str
) -> None:
    ask = "Can I see 23 Carrington Road in Coogee on the 3rd of December at 1:30pm?"
    await talk(runtime, homes, ask)
    taken, booked = await talk(runtime, homes, ask, "ah right what about half an hour later then")
    assert "already taken" in taken.reply, taken.reply
    assert booked.reply.startswith("You're booked to view 23 Carrington Rd on Thursday 3 December at 2:00 PM")


async def test_free_times_asked_about_after_a_taken_slot_are_offered(
    runtime: AgentRuntime, homes: str
) -> None:
    """Someone has Sunday 10 AM: "what's free Sunday morning?" offers the rest of that morning,
    and a time said that was not offered ("11:30") is booked as said, not read as the 11."""
    ask = "Can I see 23 Carrington Road in Coogee on Sunday 6 December at 10am?"
    await talk(runtime, homes, ask)
    taken, free, booked = await talk(runtime, homes, ask, "hmm what's free Sunday morning?", "ok 11:30 then")
    assert "already taken" in taken.reply, taken.reply
    assert free.reply == (
        "For 23 Carrington Rd on Sunday 6 December I could do 9 AM or 11 AM. Which would suit?"
    ), free.reply
    assert booked.reply.startswith("You're booked to view 23 Carrington Rd on Sunday 6 December at 11:30 AM")


async def test_free_times_of_a_day_are_picked_from(runtime: AgentRuntime, homes: str) -> None:
    ask = "any time on Saturday the 5th arvo to see 65 Ocean Street in Leichhardt?"
    results = await talk(runtime, homes, ask, "the second one")
    assert results[0].reply == (
        "For 65 Ocean St on Saturday 5 December I could do 12 PM, 1 PM or 2 PM. Which would suit?"
    ), results[0].reply
    assert results[1].reply.startswith("You're booked to view 65 Ocean St on Saturday 5 December at 1:00 PM")


async def test_a_booking_checked_by_its_day_is_read_back(runtime: AgentRuntime, homes: str) -> None:
    """ "Just double checking the Saturday one is at ten": what is on file, said back (to Triage
    or a specialist); not a new booking, a shortlisting, a home to resolve, nor an identity check
    for a caller already verified. The home asked about says its viewing, and its details are
    what an email request sends."""
    now = datetime.now(UTC)  # the viewing must be upcoming for the next call's recall
    phone = f"0412{uuid.uuid4().int % 10**6:06d}"
    first = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=now, name="Di Check", phone=phone, phone_verified=True
    )
    address = next(iter(first.addresses.values()))
    booked = await runtime.turn(first, f"Can I see {address} on Saturday at 10am?", "Triage")
    assert "booked" in booked.reply, booked.reply
    again = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=now, phone=phone, phone_verified=True
    )
    checked = await runtime.turn(again, "Hi, just double checking the Saturday one is at ten yeah", "Triage")
    assert f"viewing of {address} on Saturday" in checked.reply and "10:00 AM" in checked.reply, checked.reply
    assert not any(c["tool"] == "book_viewing" for c in checked.tool_calls)
    place = again.localities[next(p for p, a in again.addresses.items() if a == address)]
    said = f"That {place} place I asked about, what's the price again?"
    asked = await runtime.turn(again, said, checked.agent)
    assert "listed at $" in asked.reply and "Your viewing is on Saturday" in asked.reply, asked.reply
    for hour in ("ten", "three"):  # "three" is no bedroom count here
        said = f"just double checking the Saturday one is at {hour}"
        checked = await runtime.turn(again, said, asked.agent)
        assert "10:00 AM" in checked.reply and "shortlist" not in checked.reply, checked.reply
    sent = await runtime.turn(again, "cd u email me the details pls? di.check@example.com", checked.agent)
    assert f"the details of {address} by email" in sent.reply, sent.reply


async def test_the_time_a_viewing_is_at_said_again_on_a_later_call_says_it_is_booked(
    runtime: AgentRuntime, homes: str
) -> None:
    now = datetime.now(UTC)  # the viewing must be upcoming for memory
    phone = f"0413{uuid.uuid4().int % 10**6:06d}"
    first = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=now, phone=phone, phone_verified=True
    )
    booked = await runtime.turn(first, "can I see 95 Edward Street in Manly on Thursday at 2pm?", "Triage")
    assert booked.reply.startswith("You're booked to view 95 Edward St on Thursday"), booked.reply
    again = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=now, phone=phone, phone_verified=True
    )
    said = await runtime.turn(again, "yes thursday 2pm pls", "Triage")
    assert said.reply.startswith("Your viewing of 95 Edward St is booked for Thursday"), said.reply


async def test_more_free_times_asked_after_a_taken_slot_book_nothing_until_one_is_said(
    runtime: AgentRuntime, homes: str
) -> None:
    """ "What else have you got that morning?" offers that morning's free times (it used to book
    10 AM); "twelve then", offered a turn before, is booked as said."""
    ask = "Can I see 95 Edward Street in Manly on Sunday 29 November at 11am?"
    await talk(runtime, homes, ask)
    taken, free, booked = await talk(
        runtime,
        homes,
        ask,
        "Ah, bugger. What else have you got that morning?",
        "Yeah, twelve then, that'll do",
    )
    assert "already taken" in taken.reply, taken.reply
    assert free.reply.startswith("For 95 Edward St on Sunday 29 November I could do 9 AM"), free.reply
    assert "RE-" not in free.reply
    assert booked.reply.startswith("You're booked to view 95 Edward St on Sunday 29 November at 12:00 PM")


async def test_a_time_said_after_a_day_gone_is_for_the_same_home(runtime: AgentRuntime, homes: str) -> None:
    """After "yesterday at two" has passed, "Wednesday then, half seven at night?" is a new try
    of that booking (refused for the hours), not a move of a booking the caller does not have."""
    gone, evening = await talk(
        runtime,
        homes,
        "Hi, could I get in to see forty one Glenayr Avenue in Parramatta, yesterday at two?",
        "Sorry, my brain's fried. Wednesday then, half seven at night? After work's easiest.",
    )
    assert "has already passed" in gone.reply, gone.reply
    assert evening.reply == "We show homes between 9 AM and 6 PM. Would 5 PM that day suit?", evening.reply


async def test_a_time_outside_the_part_of_the_day_said_is_asked_about(
    runtime: AgentRuntime, homes: str
) -> None:
    asked, booked = await talk(
        runtime, homes, "can i book 88 george st rozelle sat morning at 3pm", "sorry arvo. 3pm"
    )
    assert asked.reply.startswith("Sorry, did you mean the morning, or 3pm?"), asked.reply
    assert "RE-" not in asked.reply
    assert booked.reply.startswith("You're booked to view 88 George St on Saturday 21 November at 3:00 PM")


async def test_a_move_to_half_four_is_not_to_the_hour_given_as_a_reason(
    runtime: AgentRuntime, homes: str
) -> None:
    _, moved = await talk(
        runtime,
        homes,
        "I'd like to book a look at forty seven Carrington Road, Parramatta, Wednesday, half past three?",
        "Great. And actually, could we push it to half four? I don't finish till four.",
    )
    assert moved.reply.startswith("Done: your viewing of 47 Carrington Rd"), moved.reply
    assert "Wednesday 25 November at 4:30 PM" in moved.reply, moved.reply


async def test_the_same_time_next_week_moves_it_a_week_on(runtime: AgentRuntime, homes: str) -> None:
    _, moved = await talk(
        runtime,
        homes,
        "could I book to see fifty six Edward Street, Leichhardt, on Thursday at three in the afternoon?",
        "Look, I can't make Thursday any more, could we do the same time next week instead?",
    )
    assert "Thursday 3 December at 3:00 PM" in moved.reply and "already" not in moved.reply, moved.reply


async def test_a_date_with_a_year_gone_is_said_to_have_passed(runtime: AgentRuntime, homes: str) -> None:
    [gone] = await talk(runtime, homes, "can i book 138 elizabeth st cronulla for the 3rd of jan 2025, 11am?")
    assert "has already passed" in gone.reply and "RE-" not in gone.reply, gone.reply


async def test_one_of_two_bookings_scratched_by_its_suburb(runtime: AgentRuntime, homes: str) -> None:
    *_, scratched = await talk(
        runtime,
        homes,
        "hi can i book 92 pacific hwy rozelle sun 11am",
        "and 15 bay st dee why sun 2pm too pls",
        "actually scratch the dee why one, too far to drive on the same day",
    )
    assert "15 Bay St" in scratched.reply and "92 Pacific Hwy" not in scratched.reply, scratched.reply


async def test_whatever_the_earliest_is_books_the_first_free_time(runtime: AgentRuntime, homes: str) -> None:
    _, first = await talk(
        runtime,
        homes,
        "could I see seventy two Edward Street in Cronulla on Wednesday at quarter to seven in the evening?",
        "Right, fair enough. First thing Wednesday morning then, whatever your earliest is.",
    )
    assert first.reply.startswith("You're booked to view 72 Edward St on Wednesday 25 November at 9:00 AM"), (
        first.reply
    )


async def test_a_cancellation_and_another_booking_in_one_message(runtime: AgentRuntime, homes: str) -> None:
    _, both = await talk(
        runtime,
        homes,
        "hiya can i book 80 hill st coogee thurs 2pm",
        "actually cancel thurs, n can u do 65 george st coogee fri 3pm instead",
    )
    assert "cancelled your viewing of 80 Hill St" in both.reply, both.reply
    assert "You're booked to view 65 George St on Friday 20 November at 3:00 PM" in both.reply, both.reply


async def test_the_cheapest_of_those_read_out_booked_from_the_search(
    runtime: AgentRuntime, homes: str
) -> None:
    *_, booked = await talk(
        runtime,
        homes,
        "2 bed units randwick under 1.4m?",
        "wats number 2 going for",
        "ok book the cheapest of the 3 for fri 4pm",
    )
    assert booked.reply.startswith("You're booked to view 126 Arden St on Friday 20 November at 4:00 PM"), (
        booked.reply
    )


async def test_another_home_on_the_same_day_as_the_booking(runtime: AgentRuntime, homes: str) -> None:
    """ "On the same day as my booking" is the day of their viewing, at the time said."""
    booked, another = await talk(
        runtime,
        homes,
        "can I see 26 Victoria Road in Surry Hills on Tuesday at ten?",
        "I want to see one more house also, 125 Arden Street Surry Hills, on the same day like my booking,"
        " twelve noon.",
    )
    assert "Tuesday 24 November at 10:00 AM" in booked.reply, booked.reply
    assert "125 Arden St on Tuesday 24 November at 12:00 PM" in another.reply, another.reply


async def test_a_day_that_does_not_exist_then_one_that_does_books_the_same_home(
    runtime: AgentRuntime, homes: str
) -> None:
    """Session 22 (d15): "the thirtieth of February" is asked about; "I meant this Friday, at
    one" is that home, then (never a booking to move); "quarter to four" is a time, not a move's
    "to"."""
    results = await talk(
        runtime,
        homes,
        "Hi, could I book a look at 65 Ocean Street in Leichhardt for the thirtieth of February, at one?",
        "Ha, February, what am I on about. I meant this Friday, at one.",
        "His flight's been pushed back, so can we move the Leichhardt viewing to Saturday, quarter to four?",
    )
    assert "no 30 February" in results[0].reply, results[0].reply
    assert "65 Ocean St on Friday 20 November at 1:00 PM" in results[1].reply, results[1].reply
    assert "is now Saturday 21 November at 3:45 PM" in results[2].reply, results[2].reply


async def test_a_street_of_many_homes_is_the_one_booked_and_a_home_named_is_on_topic(
    runtime: AgentRuntime, homes: str
) -> None:
    """Session 22 (d14): after booking 125 Arden St, "the Arden Street one" is that one, not a
    list of six; "Good." before two requests is no request; "the Arden Street one, what time it
    is?" names a home, so it is no off-topic question (it sounds like "what time is it?")."""
    results = await talk(
        runtime,
        homes,
        "can I see 125 Arden Street in Surry Hills on Saturday at 10am?",
        "Good. How much is the Arden Street one, and can I see 32 Bay Street in Newtown on Sunday at 11am?",
        "the Arden Street one, what time it is?",
    )
    assert "125 Arden St on Saturday 21 November at 10:00 AM" in results[0].reply, results[0].reply
    both = results[1].reply
    assert "125 Arden St" in both and "$" in both and "Which one" not in both, both
    assert "32 Bay St on Sunday 22 November at 11:00 AM" in both, "the second request is answered too"
    assert "not something I can help with" not in results[2].reply, results[2].reply


async def test_a_couple_on_speakerphone_a_time_gone_and_the_apartment_not_the_house(
    runtime: AgentRuntime, homes: str
) -> None:
    """Session 22 (d16): what a couple is after is kept beside their names ("it's Priya and
    Sean, we're after a two bed flat in Leichhardt, under …"); "I mean tomorrow. Same time,
    eleven." after a time gone books that home; "the apartment, not the house" is the one
    apartment read out; "in wolli creek" typed is a place we do not list."""
    couple = await talk(
        runtime,
        homes,
        "Hi, you're on speaker, it's Priya and Sean, we're after a two bed flat in Leichhardt, under, what"
        " did we say, under a million. Yes, under a million.",
    )
    assert "in Leichhardt" in couple[0].reply and "up to $1,000,000" in couple[0].reply, couple[0].reply
    gone = await talk(
        runtime,
        homes,
        "Please, you book me for 41 Glenayr Avenue, Parramatta, yesterday at eleven o'clock?",
        "Ah, sorry, my English. I mean tomorrow. Same time, eleven.",
    )
    assert "has already passed" in gone[0].reply, gone[0].reply
    assert "41 Glenayr Ave on Friday 20 November at 11:00 AM" in gone[1].reply, gone[1].reply
    kinds = await talk(
        runtime,
        homes,
        "In Cronulla, what you have under two million? House or apartment, both is okay.",
        "I want the apartment, not the house. How much is it?",
    )
    assert "Which of these" not in kinds[1].reply and "apartment" in kinds[1].reply, kinds[1].reply
    [unlisted] = await talk(runtime, homes, "hiii any 2 bed units in wolli creek under 1m?? 🙏")
    assert "I don't have listings in Wolli Creek" in unlisted.reply, unlisted.reply


async def test_a_cancellation_asked_again_is_said_done(runtime: AgentRuntime, homes: str) -> None:
    """Session 23 (d18): "yes please, cancel the Sunday one" once it is cancelled hears that it
    is, not "I can't find a viewing booked for you"."""
    _, cancelled, again = await talk(
        runtime,
        homes,
        "can i book 80 hill st coogee sunday at 11am",
        "I need to cancel my viewing on Sunday, sorry",
        "Great, so yes please, cancel the Sunday one.",
    )
    assert "cancelled your viewing of 80 Hill St" in cancelled.reply, cancelled.reply
    assert again.reply.startswith("That's done: your viewing of 80 Hill St") and "cancelled" in again.reply, (
        again.reply
    )


async def test_what_time_on_the_day_already_booked_is_the_booking(runtime: AgentRuntime, homes: str) -> None:
    """Session 25 (d19): "so what time Saturday?" from a caller who holds Saturday's viewing."""
    booked, asked = await talk(
        runtime, homes, "can I see 65 George St, Coogee on Saturday at 11am?", "sorry, what time saturday?"
    )
    ref = booked.reply.split("(")[-1].split(")")[0] if "(" in booked.reply else ""
    assert "RE-" in booked.reply, booked.reply
    assert asked.reply.startswith("Your viewing of 65 George St") and "11:00 AM" in asked.reply, asked.reply
    assert "RE-" in asked.reply and (not ref or ref in asked.reply), asked.reply


async def test_first_said_as_which_to_see_first_is_not_a_position(runtime: AgentRuntime, homes: str) -> None:
    *_, booked = await talk(
        runtime,
        homes,
        "3 bed houses in Coogee under 2.7 million",
        "Saturday at 10am for George Street, no, the Station Street one first, fine, Station Street first",
    )
    assert "92 Station St" in booked.reply and "RE-" in booked.reply, booked.reply


async def test_first_thing_today_s_weekday_said_in_the_afternoon_is_next_week_s(
    runtime: AgentRuntime, homes: str
) -> None:
    """Session 25 (d20): "first thing Friday" on a Friday afternoon is no morning gone."""
    sydney = ZoneInfo("Australia/Sydney")
    friday_afternoon = datetime(2026, 11, 20, 15, tzinfo=sydney).astimezone(UTC)
    call = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=friday_afternoon, name="Al Shift", tz=sydney
    )
    result = await runtime.turn(
        call, "can I see 65 George St, Coogee first thing Friday? whatever's earliest", "Triage"
    )
    assert "Friday 27 November at 9" in result.reply and "RE-" in result.reply, result.reply


async def test_a_house_number_we_do_not_have_on_a_street_we_list_there(
    runtime: AgentRuntime, homes: str
) -> None:
    """Session 25 (d20): "seven Park Avenue in Paddington": ours there is 93; a yes books it at the
    time first asked ("yes, that one" names no hour)."""
    asked, booked = await talk(
        runtime, homes, "I'd like to see seven Park Avenue in Paddington on Wednesday at two", "yes, that one"
    )
    assert asked.reply.endswith("On Park Ave in Paddington I have 93 Park Ave. Is that the one?"), asked.reply
    assert "93 Park Ave on Wednesday 25 November at 2:00 PM" in booked.reply, booked.reply


async def test_a_reference_we_do_not_have_is_asked_about_with_the_one_we_do(
    runtime: AgentRuntime, homes: str
) -> None:
    booked, wrong = await talk(
        runtime, homes, "can I see 80 Hill St, Coogee on Monday at 2pm?", "cancel RE-20250314-999 please"
    )
    assert "RE-" in booked.reply, booked.reply
    assert wrong.reply.startswith("I can't find a viewing with the reference RE-20250314-999."), wrong.reply
    assert wrong.reply.endswith("Is that the one you mean?") and "80 Hill St" in wrong.reply, wrong.reply
