"""Searching listings as callers ask: a size is not a minimum, a street narrows, nothing to go
on is a question, and the details of what was read out can be asked for by email."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from backend.agents.runner import AgentRuntime, TurnResult
from backend.agents.tools.failures import GENERIC_SDK_TEXT
from backend.evals.routing import offline_call
from backend.verticals.real_estate.tools import listings

NOW = datetime(2026, 11, 20, 1, tzinfo=UTC)  # a Friday, noon in Sydney


async def one_turn(runtime: AgentRuntime, group: str, said: str, *more: str) -> TurnResult:
    call = await runtime.open_call(
        group, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name=f"Lee {uuid.uuid4().hex[:6]}"
    )
    agent = "Triage"
    for text in (said, *more):
        result = await runtime.turn(call, text, agent)
        agent = result.agent
        assert GENERIC_SDK_TEXT not in result.reply
    return result


@pytest.mark.parametrize(
    ("said", "most"),
    [
        ("a one bedroom apartment", 2),
        ("a three bedder", 4),
        ("at least three bedrooms", None),
        ("3+ bedrooms", None),
        ("three bedrooms or more", None),
        ("somewhere under a million", None),
    ],
)
def test_a_size_is_not_a_minimum(said: str, most: int | None) -> None:
    assert listings.read_max_bedrooms(said, offline_call()) == most


async def test_a_one_bedroom_search_reads_out_no_family_homes(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(runtime, homes, "hi, I'm looking for a one bedroom apartment in Marrickville")
    shown = [t for t in result.tool_calls if t["tool"] == "search_properties"]
    assert shown, result.reply
    assert "with 1-2 bedrooms" in result.reply
    assert "4 bed" not in result.reply and "5 bed" not in result.reply


async def test_a_listed_street_narrows_the_search_to_its_home(runtime: AgentRuntime, homes: str) -> None:
    """ "The four bedroom place on Glenayr Avenue" is one home: "see it Saturday" books it."""
    result = await one_turn(
        runtime,
        homes,
        "Hi, I'm interested in the four bedroom place on Glenayr Avenue in Marrickville",
        "Great, can I come and see it Saturday at 3pm?",
    )
    assert "You're booked to view 6 Glenayr Ave" in result.reply, result.reply


async def test_a_listed_street_in_another_suburb_is_said_so(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(runtime, homes, "any houses on Glenayr Avenue in Bondi?")
    assert "I don't have a listing on Glenayr Ave in Bondi" in result.reply, result.reply


async def test_a_search_with_nothing_to_go_on_asks(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(runtime, homes, "Hi, do you lot sell boats? I'm after a little tinny for fishing")
    assert "What are you after?" in result.reply and "$" not in result.reply, result.reply


async def test_the_details_of_the_homes_read_out_by_email(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(
        runtime,
        homes,
        "I'm looking in Leichhardt, three bedrooms",
        "Could you email me the details? It's kim.lo@example.com",
    )
    assert [t["tool"] for t in result.tool_calls] == ["send_details"]
    assert result.reply.startswith("Will do: one of our agents will send you the details of those")
    assert "kim.lo@example.com" not in result.reply, "a contact is not read back"


async def test_details_by_email_before_any_search_asks_for_one(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(runtime, homes, "can you email me those listings? it's kim.lo@example.com")
    assert "haven't read out any homes yet" in result.reply, result.reply


async def test_is_it_close_to_the_beach_names_no_street(runtime: AgentRuntime, homes: str) -> None:
    """ "Close" is a street type (Wattle Close), but "is it close to…" is a question about the home."""
    result = await one_turn(runtime, homes, "Do you have anything in Coogee?", "Is it close to the beach?")
    assert "I don't have a listing on" not in result.reply, result.reply
    assert result.reply.startswith("Which of these do you mean: 1) "), result.reply


async def test_a_misspelt_suburb_is_the_suburb_not_anywhere(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(runtime, homes, "lookin 4 a 3 bedrm hous in maroubraa under 2.2m")
    assert "in Maroubra" in result.reply and "Parramatta" not in result.reply, result.reply


async def test_the_same_viewing_asked_again_later_is_confirmed_again(
    runtime: AgentRuntime, homes: str
) -> None:
    """Not "something went wrong": asked again minutes later, the ledger replays the booking and
    its episode is recorded with the booking's own time, so memory sees the same episode."""
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Lee Again")
    agent = "Triage"
    for said in ("a three bedder in Maroubra under 2.1m", "tell me about the second one"):
        agent = (await runtime.turn(call, said, agent)).agent
    first = await runtime.turn(call, "can I see it Saturday at half ten?", agent)
    call.now += timedelta(minutes=2)
    again = await runtime.turn(call, "can I see it Saturday at half ten?", first.agent)
    assert first.reply.startswith("You're booked to view "), first.reply
    assert again.reply == first.reply, again.reply


async def test_a_look_nearby_adds_the_neighbouring_suburbs(runtime: AgentRuntime, homes: str) -> None:
    """Not the price first: "nearby" names which constraint to relax."""
    result = await one_turn(
        runtime, homes, "two bedrooms in Rozelle under 900k", "go on then, have a look nearby"
    )
    assert result.reply.startswith("I've added the neighbouring suburbs"), result.reply
    assert "$840,000" in result.reply and "Glebe" in result.reply, result.reply  # within the budget


async def test_a_suburb_turned_down_for_another_searches_the_other(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(
        runtime,
        homes,
        "We need four bedrooms in Maroubra, up to three mil.",
        "Yeah nah, not Randwick, but Coogee's fine.",
    )
    assert "Coogee" in result.reply and "Randwick" not in result.reply, result.reply
    assert "4+ bedrooms" in result.reply and "$3,000,000" in result.reply, result.reply


async def test_the_price_of_a_home_read_out_and_its_repayments(runtime: AgentRuntime, homes: str) -> None:
    """ "What's the first one going for?" is its asking price; "the repayments on the <street>
    one" are worked out on that home's price, not asked for."""
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Lee Price")
    search = await runtime.turn(call, "a three bedder in Maroubra under 2.1m", "Triage")
    first, second = call.state.last_results[:2]
    asked = await runtime.turn(call, "Nice. What's the first one going for?", search.agent)
    assert f"listed at ${first.price:,.0f}" in asked.reply, asked.reply
    street = second.address.split(" ", 1)[1]
    repay = await runtime.turn(
        call, f"What would the repayments be on the {street} one, roughly?", asked.agent
    )
    assert repay.reply.startswith(f"On {second.address} at ${second.price:,.0f} with "), repay.reply


async def test_a_caller_who_says_who_is_speaking_is_answered_on_the_rest(
    runtime: AgentRuntime, homes: str
) -> None:
    """ "Marcus speaking." is who, not what: the search in the next sentence is what is answered."""
    result = await one_turn(
        runtime, homes, "G'day, Marcus Oyelowo speaking. Just after a three bedder in Rozelle."
    )
    assert "Rozelle" in result.reply and "put you through" not in result.reply, result.reply


async def test_a_street_we_do_not_list_is_said_so_not_searched_around(
    runtime: AgentRuntime, homes: str
) -> None:
    result = await one_turn(
        runtime, homes, "do u have anything on wattle grove crescent in cronulla? saw it online"
    )
    assert result.reply.startswith("I don't have a listing on Wattle Grove Crescent."), result.reply


@pytest.mark.parametrize("said", ["either Cronulla or Maroubra", "Cronulla, Maroubra"])
async def test_suburbs_named_as_alternatives_are_all_searched(
    runtime: AgentRuntime, homes: str, said: str
) -> None:
    result = await one_turn(runtime, homes, f"three bedders in {said}, under one point eight million")
    assert "in Cronulla and Maroubra" in result.reply, result.reply
    assert "Edward St, Cronulla" in result.reply and "King St, Maroubra" in result.reply, result.reply


async def test_a_suburb_named_in_passing_is_not_searched(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(runtime, homes, "we rent in Cronulla now and want a three bedder in Maroubra")
    assert "in Cronulla" in result.reply and "Maroubra" not in result.reply, result.reply


async def test_contradictory_bedrooms_are_asked_about_not_searched(runtime: AgentRuntime, homes: str) -> None:
    said = "I want something in Coogee with at least four bedrooms but, um, no more than two bedrooms."
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Lee Both")
    asked = await runtime.turn(call, said, "Triage")
    assert asked.reply.startswith("At least 4 bedrooms and no more than 2 can't both be met."), asked.reply
    assert asked.reply.endswith("How many bedrooms would you like?")
    answered = await runtime.turn(call, "Sorry, I mean at least four.", asked.agent)
    assert answered.reply.startswith("I found") and "in Coogee with 4+ bedrooms" in answered.reply, (
        answered.reply
    )


@pytest.mark.parametrize(
    "said",
    [
        "ok fine. i want a 1 bedroom apartment thats also a 5 bedroom house in mosman",
        "a 1 bedroom apartment in Mosman, also a 5 bedroom house",  # the noting path, then a search
    ],
)
async def test_two_sizes_of_one_home_are_asked_about_before_anything_is_noted(
    runtime: AgentRuntime, homes: str, said: str
) -> None:
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Lee Sizes")
    asked = await runtime.turn(call, said, "Triage")
    assert asked.reply == "Sorry, did you mean 1 bedroom or 5?", asked.reply
    assert not asked.tool_calls  # nothing noted, nothing searched
    answered = await runtime.turn(call, "the five bedroom house", asked.agent)
    assert "in Mosman with 5+ bedrooms" in answered.reply or "Mosman" in answered.reply, answered.reply
    assert "1 bed" not in answered.reply, answered.reply


@pytest.mark.parametrize(
    ("said", "least", "most"),
    [
        ("up to 4 bedrooms in Bondi", None, 4),
        ("a three bedder, no more than 4 bedrooms", 3, 4),
        ("at least 3 bedrooms", 3, None),
        ("hey, 3 or 4 bed in balmain", 3, 4),
        ("two to three bedrooms in Glebe", 2, 3),
    ],
)
def test_bedroom_bounds_are_read_as_said(said: str, least: int | None, most: int | None) -> None:
    call = offline_call()
    assert (listings.read_min_bedrooms(said, call), listings.read_max_bedrooms(said, call)) == (least, most)


async def test_a_two_word_suburb_typed_run_together_is_that_suburb(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(runtime, homes, "anything in deewhy 2br under 900k")
    assert "in Dee Why" in result.reply and "Parramatta" not in result.reply, result.reply


async def test_a_street_we_have_nothing_on_offers_the_homes_in_that_suburb(
    runtime: AgentRuntime, homes: str
) -> None:
    said = "Hi, I saw a sign for a place on Smith Street in Bondi. Is that one of yours?"
    result = await one_turn(runtime, homes, said)
    assert result.reply.startswith("I don't have a listing on Smith Street in Bondi."), result.reply
    offered = result.reply.split(" In Bondi I have ")[1]
    assert offered.endswith("Is it one of those?") and offered.count(", Bondi") >= 1, result.reply


_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


async def test_a_home_asked_about_by_its_number_said_in_words(runtime: AgentRuntime, homes: str) -> None:
    """ "Eighty two Victoria Road in Rozelle, what's the asking price?" is that home's price, and
    a number we do not list on a listed street is said back as digits with the street's homes."""
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Ari Words")
    pid, address = next(
        (p, a) for p, a in call.addresses.items() if 21 <= int(a.split()[0]) <= 99 and int(a.split()[0]) % 10
    )
    number, street = address.split(" ", 1)
    tens, ones = divmod(int(number), 10)
    said = f"{_TENS[tens]} {_ONES[ones]} {street.replace(' St', ' Street').replace(' Rd', ' Road')}"
    asked = await runtime.turn(
        call, f"Hi, I'm interested in {said}, what's the asking price on that?", "Triage"
    )
    assert call.state.last_property == pid, asked.reply
    assert f"{address}" in asked.reply and "listed at $" in asked.reply, asked.reply
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Ari Words")
    taken = {a.split(" ", 1)[0] for a in call.addresses.values() if a.split(" ", 1)[1] == street}
    missing = next(n for n in range(21, 100) if str(n) not in taken and n % 10)
    tens, ones = divmod(missing, 10)
    unlisted = said.replace(
        said.split(" ", 2)[0] + " " + said.split(" ", 2)[1], f"{_TENS[tens]} {_ONES[ones]}"
    )
    heard = await runtime.turn(call, f"Is {unlisted} still for sale?", "Triage")
    assert f"{missing} " in heard.reply and "don't have a listing" in heard.reply, heard.reply


@pytest.mark.parametrize(
    ("said", "heard"),
    [
        ("is forty five Hill Street still for sale?", "is 45 Hill Street still for sale?"),
        ("one hundred and two Ocean St", "102 Ocean St"),
        ("twenty-one Glenayr Avenue", "21 Glenayr Avenue"),
        ("one twenty four Station Street", "124 Station Street"),
        ("three twelve King St", "312 King St"),
        ("see one oh eight Park Avenue", "see 108 Park Avenue"),
        ("two bed on Hill Street", "two bed on Hill Street"),
        ("a three bedroom house on Hill Street", "a three bedroom house on Hill Street"),
        ("the one on Hill Street", "the one on Hill Street"),
        ("two places near Ocean Street", "two places near Ocean Street"),
    ],
)
def test_a_house_number_said_in_words_is_written_as_digits(said: str, heard: str) -> None:
    from backend.speech.numbers import house_numbers

    assert house_numbers(said) == heard


async def test_a_home_asked_about_twice_and_shortlisted_is_one_interest(
    runtime: AgentRuntime, homes: str
) -> None:
    """The interest an enquiry records is recorded once per call and home, however often the
    caller comes back to it (a later turn is not a conflicting episode)."""
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Ida Twice")
    search = await runtime.turn(call, "a three bedder in Maroubra under 2.1m", "Triage")
    first = call.state.last_results[0]
    agent = search.agent
    for said in (
        "What's the first one going for?",
        "Sorry, how much was the first one?",
        "I like the first one",
    ):
        heard = await runtime.turn(call, said, agent)
        agent = heard.agent
        assert not heard.errors and first.address in heard.reply, heard.reply
    known = await runtime.memory.recall_caller(homes, caller_id=call.caller_id)
    assert known is not None
    assert [f.value for f in known.facts if f.name == "INTERESTED_IN"] == [first.property_id]


async def test_a_home_taken_off_the_shortlist_is_no_longer_an_interest(
    runtime: AgentRuntime, homes: str
) -> None:
    """ "Take the first one off my shortlist" withdraws the interest (never adds it again); a
    home never shortlisted is said not to be on it."""
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Ida Offlist")
    search = await runtime.turn(call, "a three bedder in Maroubra under 2.1m", "Triage")
    first, second = call.state.last_results[:2]
    agent = search.agent
    replies = []
    for said in (
        "I like the first one",
        "is the maroubra one still on my shortlist?",
        "actually take the first one off my shortlist",
        "and the second one?",
    ):
        heard = await runtime.turn(call, said, agent)
        agent, replies = heard.agent, [*replies, heard.reply]
    assert f"you're interested in {first.address}" in replies[1], "asked, the shortlist is read, not added to"
    assert replies[2] == f"I've taken {first.address} off your shortlist.", replies
    assert replies[3] == f"{second.address} isn't on your shortlist, so there's nothing to take off.", replies
    known = await runtime.memory.recall_caller(homes, caller_id=call.caller_id)
    assert known is not None and not [f for f in known.facts if f.name == "INTERESTED_IN"]
    assert call.state.shortlist == []


async def test_a_place_we_do_not_cover_typed_in_lower_case_is_said_not_ignored(
    runtime: AgentRuntime, homes: str
) -> None:
    result = await one_turn(runtime, homes, "got anything in penrith under 900k? 2 bed")
    assert "Penrith" in result.reply and "I found" not in result.reply, result.reply


async def test_a_suburb_corrected_mid_sentence_is_the_one_searched(runtime: AgentRuntime, homes: str) -> None:
    said = (
        "yeah hi, we're looking in Randwick, no sorry, Maroubra I mean, a three bedroom house, up to two mil"
    )
    result = await one_turn(runtime, homes, said)
    assert "in Maroubra" in result.reply and "Randwick" not in result.reply, result.reply


async def test_what_else_around_a_suburb_adds_its_neighbours(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(
        runtime,
        homes,
        "Hi, I'm after a three bedroom house in Newtown, budget's one point nine",
        "mm, okay, what else is there around Newtown?",
    )
    assert "in Newtown, Marrickville, Glebe and Surry Hills" in result.reply, result.reply


async def test_a_ceiling_under_its_floor_is_asked_about_not_searched(
    runtime: AgentRuntime, homes: str
) -> None:
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Lee Bounds")
    said = "I want something in Glebe under eight hundred grand, but, um, nothing cheaper than a million"
    asked = await runtime.turn(call, said, "Triage")
    assert asked.reply == (
        "Sorry, under $800,000 and nothing under $1,000,000 can't both hold."
        " What's the most you'd like to spend?"
    ), asked.reply
    assert not asked.tool_calls
    answered = await runtime.turn(call, "ok, a million then", asked.agent)
    assert "in Glebe" in answered.reply and "up to $1,000,000" in answered.reply, answered.reply
    floor_first = await runtime.turn(
        call, "a four bedder in Paddington, over three million but under two million", "Triage"
    )
    assert floor_first.reply.startswith("Sorry, under $2,000,000 and nothing under $3,000,000"), (
        floor_first.reply
    )


async def test_a_name_then_a_comma_then_the_request_is_the_request(runtime: AgentRuntime, homes: str) -> None:
    call = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, phone=f"0412{uuid.uuid4().int % 10**6:06d}"
    )
    said = "hi it's Tam, two bedroom apartment in Bondi under one point five"
    result = await runtime.turn(call, said, "Triage")
    assert "in Bondi with 2-3 bedrooms up to $1,500,000" in result.reply, result.reply


async def test_the_cheapest_one_asked_for_is_the_one_asked_about_next(
    runtime: AgentRuntime, homes: str
) -> None:
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Che Apest")
    await runtime.turn(call, "What's the cheapest one you've got in Randwick?", "Triage")
    asked = await runtime.turn(call, "And how many bedrooms has that got?", "Triage")
    assert "126 Arden St" in asked.reply and "2 bed" in asked.reply, asked.reply


async def test_a_bedroom_cap_said_outright_holds_when_the_budget_changes(
    runtime: AgentRuntime, homes: str
) -> None:
    first = await one_turn(
        runtime, homes, "hi after a 1 bed apt in dee why, dont need more than 1 bedroom. up to 900k"
    )
    assert "1 bed" in first.reply and "2 bed" not in first.reply, first.reply
    raised = await one_turn(
        runtime,
        homes,
        "hi after a 1 bed apt in dee why, dont need more than 1 bedroom. up to 900k",
        "oh mum's chipping in a bit so make it 950k",
    )
    assert "$950,000" in raised.reply and "2 bed" not in raised.reply, raised.reply
    assert (
        listings.read_min_bedrooms("still just 1 bed", offline_call()),
        listings.read_max_bedrooms("still just 1 bed", offline_call()),
    ) == (1, 1)


async def test_there_is_the_suburb_of_the_street_we_do_not_list(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(
        runtime,
        homes,
        "do u have anything on wattle grove crescent in cronulla?",
        "Oh. Well, what have you got on Church Street there?",
    )
    assert "16 Church St" in result.reply and "Bondi" not in result.reply, result.reply


async def test_an_amount_alone_after_a_search_is_its_new_budget(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(
        runtime,
        homes,
        "we're after a three bed house in Balmain, budget's two point three",
        "Righto, good news, her folks are chipping in, so make it two and a half.",
    )
    assert [t["tool"] for t in result.tool_calls] == ["search_properties"], result.reply
    assert "Balmain" in result.reply and "$2,500,000" in result.reply, result.reply


async def test_nearby_asked_with_the_same_criteria_said_again_widens(
    runtime: AgentRuntime, homes: str
) -> None:
    result = await one_turn(
        runtime,
        homes,
        "4 bedroom houses in Glebe up to two and a half million?",
        "Oh. What's close by then? Still four bedrooms, still two and a half.",
    )
    assert "I couldn't find" not in result.reply and "4 bed" in result.reply, result.reply


def test_a_place_typed_in_lower_case_is_one_or_two_words_never_there() -> None:
    from backend.verticals.real_estate.tools.resolve import _place

    assert _place("hiii any 2 bed units in wolli creek under 1m?? 🙏") == "Wolli Creek"
    assert _place("got anything in penrith under 900k?") == "Penrith"
    assert _place("Hmm. What else is there around there then?") is None


@pytest.mark.parametrize(
    ("said", "suburb"),
    [
        ("anything in paddo under 3 mil?", "Paddington"),
        ("got a 2 bed unit in parra?", "Parramatta"),
        ("what's in Surry Hills under 2 million?", "Surry Hills"),
    ],
)
async def test_a_suburb_s_nickname_is_the_suburb(
    runtime: AgentRuntime, homes: str, said: str, suburb: str
) -> None:
    result = await one_turn(runtime, homes, said)
    assert f"in {suburb}" in result.reply and "Hills Hills" not in result.reply, result.reply


async def test_a_search_typed_a_word_at_a_time_narrows_as_it_goes(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(runtime, homes, "coogee", "4 bed house?", "under 3m")
    assert [t["tool"] for t in result.tool_calls][-1] == "search_properties", result.tool_calls
    assert "132 Bay St" not in result.reply and "80 Hill St, Coogee, 4 bed" in result.reply, result.reply


async def test_a_bare_suburb_after_a_search_is_a_place_to_look_not_one_to_drop(
    runtime: AgentRuntime, homes: str
) -> None:
    result = await one_turn(runtime, homes, "2 bed apartments in Bondi please", "glebe?")
    assert "Glebe" in result.reply and "off" not in result.reply, result.reply


async def test_one_of_the_homes_asked_about_in_a_word(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(runtime, homes, "houses in Coogee under 2.7 million", "Second one. Bathrooms?")
    assert [t["tool"] for t in result.tool_calls] == ["property_details"], result.tool_calls


async def test_a_budget_brought_down_keeps_the_rest(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(
        runtime, homes, "3 bed houses in Coogee up to 2.7 million", "ok, bring it down to two point two"
    )
    assert "65 George St" in result.reply and "92 Station St" not in result.reply, result.reply


async def test_a_caller_who_says_the_line_is_bad_is_asked_again(runtime: AgentRuntime, homes: str) -> None:
    result = await one_turn(runtime, homes, "sorry, you're breaking up, hello?")
    assert result.reply == "Sorry, the line's breaking up a bit. Could you say that again?", result.reply
    assert not result.tool_calls


async def test_which_is_cheaper_and_an_approval_keep_to_the_homes_and_the_search(
    runtime: AgentRuntime, homes: str
) -> None:
    """Session 25 (d21): "which is cheaper…?" of the homes read out; "the bank's just emailed, we've
    been approved for…" is the new budget, nothing to send."""
    cheaper = await one_turn(runtime, homes, "2 bed units in Bondi?", "which is cheaper, how many bathrooms?")
    assert cheaper.reply.startswith("26 Pacific Hwy, Bondi is a 2 bedroom"), cheaper.reply
    approved = await one_turn(
        runtime,
        homes,
        "3 bed houses in Coogee up to 2.2 million",
        "the bank's just emailed, we've been approved for two point seven. What does that get us?",
    )
    assert approved.reply.startswith("Still in Coogee with 3-4 bedrooms, now up to $2,700,000"), (
        approved.reply
    )


@pytest.mark.parametrize(
    ("said", "most"), [("we need four bedrooms in Maroubra", None), ("I must have 3 bedrooms", None)]
)
def test_bedrooms_needed_are_a_minimum(said: str, most: int | None) -> None:
    assert listings.read_max_bedrooms(said, offline_call()) == most
