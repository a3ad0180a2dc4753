"""Caller identity as evidence (issue 11): a name, a typed number or an email is only a possible
match; it unlocks nothing until a step-up check passes. Over real HTTP on the embedded stack,
and on the agents directly."""

from __future__ import annotations

import json
import random
import string
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from agents import Agent, RunContextWrapper
from agents.tool_context import ToolContext

from backend.agents.context import CallState
from backend.agents.guardrails import grounded_reply
from backend.agents.runner import AgentRuntime
from backend.agents.tools import identity
from backend.store import Database, bookings
from backend.verticals.real_estate.demo import seed_demo
from backend.verticals.real_estate.listings import Listing
from backend.verticals.real_estate.tools import viewings
from backend.verticals.registry import ONTOLOGY
from ingest import jobs
from memory import CallerIdentified, ContactChanged, InvalidEpisode, Memory, PossibleDuplicate
from tests.conftest import Api, a_phone, say, start_call

NOW = datetime.now(UTC)


@pytest.fixture
async def client(api: Api, local_group: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api.base_url, headers=api.headers, timeout=60) as c:
        yield c


def _surname() -> str:
    """A surname no other test uses (names are matched fuzzily across the tenant)."""
    return "Q" + "".join(random.choices(string.ascii_lowercase, k=9))


async def _isabella(client: httpx.AsyncClient, db: Database, group: str) -> dict[str, Any]:
    """A caller known by her (verified) number, with a budget, an email and a booked viewing."""
    who = {
        "name": f"Isabella {_surname()}",
        "phone": a_phone(),
        "email": f"isa.{uuid.uuid4().hex[:6]}@example.com",
    }
    call = await start_call(
        client, channel="voice", name=who["name"], email=who["email"], **{"from": who["phone"]}
    )
    await say(client, call["call_id"], "I'm after a 3 bedroom place in Coogee, budget around 3 million")
    for day in random.sample(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"], 5):
        reply = (await say(client, call["call_id"], f"Could I see the first one {day} at 2pm?"))["reply"]
        if "RE-" in reply:
            break
    assert "RE-" in reply, reply
    await client.post(f"/v1/calls/{call['call_id']}/end")
    [booked] = await bookings.of_caller(db, group, call["caller"]["id"])
    return {**who, "id": call["caller"]["id"], "booking": booked}


def _discloses(text: str, her: dict[str, Any]) -> bool:
    said = text.lower()
    booked: bookings.Booking = her["booking"]
    return any(s in said for s in ("3,000,000", "coogee", booked.reference.lower(), her["email"]))


async def test_a_name_alone_unlocks_nothing(
    client: httpx.AsyncClient, db: Database, local_group: str
) -> None:
    her = await _isabella(client, db, local_group)
    for start in ({}, {"from": a_phone()}, {"channel": "voice", "from": a_phone()}):
        call = await start_call(client, name=her["name"], **start)
        caller = call["caller"]
        assert caller["id"] != her["id"] and caller["possible_match"] and not caller["verified"], caller
        assert not caller["returning"], "a name is not a returning caller"
        thanks = "calling" if start.get("channel") == "voice" else "getting in touch"
        assert call["greeting"] == f"Hi, thanks for {thanks}. How can I help you today?"
        summary = await say(client, call["call_id"], "What do you know about me?")
        assert not _discloses(summary["reply"], her) and "check it's you" in summary["reply"], summary
        cancel = await say(client, call["call_id"], "cancel my viewing")
        assert "cancelled" not in cancel["reply"] and not _discloses(cancel["reply"], her), cancel
        [still] = await bookings.of_caller(db, local_group, her["id"])
        assert still.status == "scheduled"
    timeline = (await client.get(f"/v1/callers/{caller['id']}/timeline")).json()
    link = next(f for f in timeline["facts"] if f["name"] == "POSSIBLY_SAME_AS")
    assert link["value"] == "name", "the duplicate is linked for analysts"


async def test_a_step_up_check_unlocks_facts_and_bookings(
    client: httpx.AsyncClient, db: Database, local_group: str
) -> None:
    her = await _isabella(client, db, local_group)
    call = await start_call(client, name=her["name"])
    call_id = call["call_id"]
    assert "check it's you" in (await say(client, call_id, "cancel my viewing"))["reply"]
    tail = her["phone"][-3:]
    wrong = f"{(int(tail) + 1) % 1000:03d}"
    failed = await say(client, call_id, f"it ends in {wrong}")
    assert "doesn't match" in failed["reply"] and failed["tool_calls"][-1]["tool"] == "verify_identity", (
        failed
    )
    assert not _discloses((await say(client, call_id, "what do you know about me?"))["reply"], her)

    passed = await say(client, call_id, f"it ends in {tail}")
    assert "matches what we have on file" in passed["reply"], passed
    assert "$3,000,000" in passed["reply"], "the question the check stood in front of is answered"
    assert passed["agent"] == "Triage"
    summary = (await say(client, call_id, "what do you know about me?"))["reply"]
    assert "$3,000,000" in summary and her["booking"].reference not in summary, summary
    asked = (await say(client, call_id, "what's the booking reference for my viewing?"))["reply"]
    assert f"is reference {her['booking'].reference}" in asked, "asked for, a verified caller hears it"
    record = (await client.get(f"/v1/calls/{call_id}")).json()
    assert record["caller_id"] == her["id"], "the call is hers now (a rebuild and ingestion follow it)"
    cancelled = await say(client, call_id, "please cancel my viewing")
    assert "cancelled" in cancelled["reply"], cancelled
    [gone] = await bookings.of_caller(db, local_group, her["id"])
    assert gone.status == "cancelled"


async def test_an_earlier_calls_search_is_read_back_only_after_the_check(
    client: httpx.AsyncClient, db: Database, local_group: str
) -> None:
    her = await _isabella(client, db, local_group)
    call = await start_call(client, email=her["email"])
    asked = await say(client, call["call_id"], "hiya can u remind me of the places u found me last time")
    assert "check it's you" in asked["reply"] and not _discloses(asked["reply"], her), asked
    found = await say(client, call["call_id"], f"it ends in {her['phone'][-3:]}")
    assert found["reply"].startswith("Thanks, Isabella, that matches what we have on file."), found
    assert "in Coogee" in found["reply"] and "up to $3,000,000" in found["reply"], (
        "what was asked is answered"
    )

    stranger = await start_call(client, name=f"Nobody {_surname()}")
    nothing = await say(client, stranger["call_id"], "remind me of the places you found me last time")
    assert nothing["reply"].startswith("I can't find an earlier search of yours"), nothing


async def test_a_change_asked_before_the_check_is_confirmed_after_it(
    client: httpx.AsyncClient, db: Database, local_group: str
) -> None:
    her = await _isabella(client, db, local_group)
    call = await start_call(client, name=her["name"])
    assert "check it's you" in (await say(client, call["call_id"], "I need to cancel my viewing"))["reply"]
    passed = await say(client, call["call_id"], f"it ends in {her['phone'][-3:]}")
    assert passed["reply"].endswith("would you like me to cancel your viewing?"), passed
    [still] = await bookings.of_caller(db, local_group, her["id"])
    assert still.status == "scheduled", "nothing changes before they say yes"
    done = await say(client, call["call_id"], "yes please")
    assert "I've cancelled your viewing" in done["reply"], done
    [gone] = await bookings.of_caller(db, local_group, her["id"])
    assert gone.status == "cancelled"


async def test_a_raise_of_the_budget_on_file_waits_for_the_check(
    client: httpx.AsyncClient, db: Database, local_group: str
) -> None:
    """ "Put my budget up to 3.3m" changes what is on file: a possible match is checked first
    (nothing is searched or said), then the raise keeps her suburb and bedrooms."""
    her = await _isabella(client, db, local_group)
    call = await start_call(client, name=her["name"])
    asked = await say(client, call["call_id"], "hi can u put my budget up to 3.3m pls")
    assert "check it's you" in asked["reply"] and "search_properties" not in str(asked["tool_calls"]), asked
    passed = await say(client, call["call_id"], f"it ends in {her['phone'][-3:]}")
    assert "Still in Coogee with 3+ bedrooms, now up to $3,300,000" in passed["reply"], passed
    stranger = await start_call(client, name=f"Nobody {_surname()}")
    new = await say(client, stranger["call_id"], "can you put my budget up to 3.3m, looking in Coogee")
    assert "up to $3,300,000" in new["reply"] and "Coogee" in new["reply"], "said, it stands alone"


async def test_a_typed_number_is_no_proof_of_itself(
    client: httpx.AsyncClient, db: Database, local_group: str
) -> None:
    """On chat a number is typed: it points at her (a possible match) but its digits prove nothing;
    the email on file does."""
    her = await _isabella(client, db, local_group)
    call = await start_call(client, name=her["name"], **{"from": her["phone"]})
    assert call["caller"]["possible_match"] and call["caller"]["id"] != her["id"]
    assert not call["greeting"].startswith("Welcome back")
    asked = (await say(client, call["call_id"], "what do you know about me?"))["reply"]
    assert "email" in asked and "digits" not in asked, asked
    digits = await say(client, call["call_id"], f"it ends in {her['phone'][-3:]}")
    assert digits["reply"].startswith(identity.UNUSABLE) and "email" in digits["reply"], digits
    assert "doesn't match" not in digits["reply"], "the digits match; they just prove nothing"
    email = await say(client, call["call_id"], f"my email is {her['email']}")
    assert "matches what we have on file" in email["reply"], email
    assert "$3,000,000" in (await say(client, call["call_id"], "what do you know about me?"))["reply"]


async def test_three_failed_checks_lock_the_call(
    client: httpx.AsyncClient, db: Database, local_group: str
) -> None:
    her = await _isabella(client, db, local_group)
    call = await start_call(client, name=her["name"])
    # Digits the router alone reads as a time or a price: a possible match's answer is still a check.
    wrong = [d for d in ("185", "250", "401", "802") if d != her["phone"][-3:]][:3]
    for digits in wrong:
        tried = await say(client, call["call_id"], f"it ends in {digits}")
        assert tried["tool_calls"] and tried["tool_calls"][-1]["tool"] == "verify_identity", tried
    locked = await say(client, call["call_id"], f"it ends in {her['phone'][-3:]}")
    assert "couldn't confirm" in locked["reply"], "no fourth try, even with the right digits"
    assert not _discloses((await say(client, call["call_id"], "what do you know about me?"))["reply"], her)


async def test_five_phones_are_five_callers_even_with_one_name(client: httpx.AsyncClient) -> None:
    s = _surname()
    names = [f"John {s}", f"John {s}", f"Jon {s}", f"{s} John", f"Joan {s}"]
    started = [await start_call(client, channel="voice", name=n, **{"from": a_phone()}) for n in names]
    ids = [c["caller"]["id"] for c in started]
    assert len(set(ids)) == 5, "different numbers never merge on a name"
    assert not started[0]["caller"]["possible_match"] and all(
        c["caller"]["possible_match"] for c in started[1:]
    )
    for c in started:
        await say(client, c["call_id"], "our budget is 1.2 million")
    links = (await client.get(f"/v1/callers/{ids[1]}/timeline")).json()["facts"]
    assert any(f["name"] == "POSSIBLY_SAME_AS" for f in links)

    receipt = (await client.delete(f"/v1/callers/{ids[1]}")).json()
    assert receipt["calls"] == 1, receipt
    assert (await client.get(f"/v1/calls/{started[1]['call_id']}")).status_code == 404
    for c in (started[0], *started[2:]):
        assert (await client.get(f"/v1/calls/{c['call_id']}")).status_code == 200, "another's call survives"
        assert (await client.get(f"/v1/callers/{c['caller']['id']}")).status_code == 200


async def test_a_shared_family_phone(client: httpx.AsyncClient) -> None:
    s, phone = _surname(), a_phone()
    tom = await start_call(client, channel="voice", name=f"Tom {s}", **{"from": phone})
    await say(client, tom["call_id"], "our budget is 1.4 million")
    lena = await start_call(client, channel="voice", name=f"Lena {s}", **{"from": phone})
    assert lena["caller"]["id"] != tom["caller"]["id"] and not lena["caller"]["returning"]
    assert not lena["caller"]["possible_match"], "Lena is not Tom: no check to pass for his record"
    told = (await say(client, lena["call_id"], "what do you know about me?"))["reply"]
    assert "1,400,000" not in told, told

    again = await start_call(client, channel="voice", name=f"Tom {s}", **{"from": phone})
    assert again["caller"]["id"] == tom["caller"]["id"] and again["caller"]["verified"]
    assert again["greeting"].startswith("Welcome back, Tom")
    her = await start_call(client, channel="voice", name=f"Lena {s}", **{"from": phone})
    assert her["caller"]["id"] == lena["caller"]["id"] and her["caller"]["verified"], (
        "recognized on the shared phone"
    )
    nameless = await start_call(client, channel="voice", **{"from": phone})
    assert nameless["caller"]["possible_match"] and not nameless["caller"]["verified"], "whose voice is it?"
    assert not nameless["greeting"].startswith("Welcome back")
    anon = (await client.get(f"/v1/callers/{nameless['caller']['id']}/timeline")).json()["facts"]
    assert not any(f["name"] in {"HAS_PHONE", "USES_PHONE"} for f in anon), "a nameless call links no number"

    facts = (await client.get(f"/v1/callers/{tom['caller']['id']}/timeline")).json()["facts"]
    assert any(f["name"] == "HAS_PHONE" and f["invalid_at"] is None for f in facts), "the number stays Tom's"
    facts = (await client.get(f"/v1/callers/{lena['caller']['id']}/timeline")).json()["facts"]
    assert any(f["name"] == "USES_PHONE" for f in facts)


# -- memory: what the evidence says ------------------------------------------------------------


async def test_identify_weighs_the_evidence(mem: Memory, runtime: AgentRuntime, group: str) -> None:
    await seed_demo(mem, group)
    call = await runtime.open_call(
        group,
        "call-" + uuid.uuid4().hex[:8],
        now=NOW,
        name="Ana Verity",
        phone="0412 777 019",
        phone_verified=True,
    )
    me = call.caller_id
    verified = await mem.identify(group, phone="0412 777 019", phone_verified=True)
    assert verified.caller and verified.caller.caller.id == me and verified.caller.verified
    assert (verified.caller.matched_on, verified.caller.confidence) == ("phone", 1.0)
    typed = await mem.identify(group, phone="0412 777 019", name="Ana Verity")
    assert typed.caller is None and [(p.caller.id, p.matched_on, p.verified) for p in typed.possible] == [
        (me, "typed_phone", False)
    ]
    named = await mem.identify(group, name="Anna Verity")
    assert named.caller is None and named.possible[0].caller.id == me
    assert named.possible[0].matched_on == "name" and named.possible[0].confidence <= 0.6
    other = await mem.identify(group, phone="0412 777 019", name="Bruno Verity", phone_verified=True)
    assert other.caller is None and other.phone_held and not any(p.caller.id == me for p in other.possible)
    by_id = await mem.recall_caller(group, caller_id=me)
    assert by_id is not None and by_id.verified and by_id.matched_on == "id"


async def test_a_first_name_alone_on_file_may_be_the_full_name_given(
    mem: Memory, runtime: AgentRuntime, group: str
) -> None:
    """ "Hi, it's Philippa" on a voice call, then a chat as "Philippa Szymanski-Hart": a possible
    match (checked before anything is said); "Philippa Other" on file is no match."""
    first = await runtime.open_call(
        group, "call-" + uuid.uuid4().hex[:8], now=NOW, name="Philippa", phone=a_phone(), phone_verified=True
    )
    await runtime.open_call(
        group,
        "call-" + uuid.uuid4().hex[:8],
        now=NOW,
        name="Philippa Quist",
        phone=a_phone(),
        phone_verified=True,
    )
    found = await mem.identify(group, name="Philippa Szymanski-Hart")
    assert found.caller is None and [p.caller.id for p in found.possible] == [first.caller_id]
    assert found.possible[0].matched_on == "name" and found.possible[0].confidence <= 0.6


def test_a_possible_duplicate_carries_no_call() -> None:
    link = {
        "type": "possible_duplicate",
        "id": "x:possible:c2",
        "group_id": "g",
        "valid_at": NOW.isoformat(),
        "caller_id": "c1",
        "other_id": "c2",
        "matched_on": "name",
        "confidence": 0.6,
    }
    assert isinstance(ONTOLOGY.parse(link), PossibleDuplicate)
    with pytest.raises(InvalidEpisode):
        ONTOLOGY.parse({**link, "call_id": "call-1"})  # erasing c2 would take c1's call with it


# -- the agents: each layer holds on its own ---------------------------------------------------


async def _possible(runtime: AgentRuntime, mem: Memory, db: Database, group: str) -> tuple[Any, Any]:
    """A verified caller with a booked viewing, and a call by her name alone."""
    await seed_demo(mem, group)
    name = f"Vera {_surname()}"
    first = await runtime.open_call(
        group, "call-" + uuid.uuid4().hex[:8], now=NOW, name=name, phone=a_phone(), phone_verified=True
    )
    shown = await runtime.turn(first, "show me homes in Bondi", "Triage")
    result = await runtime.turn(first, "book the first one Monday at 11am", shown.agent)
    assert "RE-" in result.reply, result.reply
    second = await runtime.open_call(group, "call-" + uuid.uuid4().hex[:8], now=NOW, name=name)
    assert second.caller is None and second.candidates[0].caller.id == first.caller_id
    return first, second


async def test_the_output_guardrail_stops_a_possible_matchs_facts(
    runtime: AgentRuntime, mem: Memory, db: Database, group: str
) -> None:
    _, second = await _possible(runtime, mem, db, group)
    booked = second.candidates[0].upcoming_bookings[0]
    wrapper = RunContextWrapper(context=second)
    agent = Agent(name="Triage")
    leak = await grounded_reply.guardrail_function(
        wrapper, agent, f"Your viewing {booked.reference} is on Monday."
    )
    assert leak.tripwire_triggered and leak.output_info["unverified_facts"] == 1
    assert booked.reference not in json.dumps(leak.output_info), "it reports how many, never which"
    fine = await grounded_reply.guardrail_function(wrapper, agent, "Homes in Bondi start at a good price.")
    assert not fine.tripwire_triggered


async def test_the_tools_refuse_without_the_check(
    runtime: AgentRuntime, mem: Memory, db: Database, group: str
) -> None:
    first, second = await _possible(runtime, mem, db, group)
    tool = ToolContext(context=second, tool_name="cancel_viewing", tool_call_id="t1", tool_arguments="{}")
    said = json.loads(await viewings.cancel_viewing.on_invoke_tool(tool, "{}"))
    assert said["failure"] == "needs_verification", said  # the tool itself, without its guardrail
    assert (await bookings.of_caller(db, group, first.caller_id))[0].status == "scheduled"

    # A process that rebuilds the call keeps refusing: the possible matches are in the working set.
    rebuilt = await runtime.open_call(group, second.call_id, now=NOW, caller_id=second.caller_id)
    rebuilt.state = CallState.restore(
        json.loads(json.dumps(second.state.working_set(), default=str)), Listing
    )
    result = await runtime.turn(rebuilt, "what do you know about me?", "Triage")
    assert "check it's you" in result.reply and rebuilt.candidates, result.reply
    assert identity.pending(rebuilt)


async def test_a_number_said_in_a_call_is_not_taken_from_its_owner(
    runtime: AgentRuntime, mem: Memory, group: str
) -> None:
    """Post-call extraction of "my number is …": another caller's number stays theirs."""
    owner_phone, own_phone = a_phone(), a_phone()
    owner = await runtime.open_call(
        group,
        "call-" + uuid.uuid4().hex[:8],
        now=NOW,
        name="Olive Owner",
        phone=owner_phone,
        phone_verified=True,
    )
    chat = await runtime.open_call(group, "call-" + uuid.uuid4().hex[:8], now=NOW, name="Mal Vance")
    said = [
        ContactChanged(
            id=f"{chat.call_id}:t1:phone",
            group_id=group,
            valid_at=NOW,
            caller_id=chat.caller_id,
            call_id=chat.call_id,
            phone=owner_phone,
            source="ingest",
        ),
        CallerIdentified(
            id=f"{chat.call_id}:t2:phone",
            group_id=group,
            valid_at=NOW,
            caller_id=chat.caller_id,
            call_id=chat.call_id,
            phone=own_phone,
            source="ingest",
        ),
    ]
    call = jobs.Call(chat.call_id, group, chat.caller_id, "chat", NOW, NOW, None, [])
    kept = await jobs.unclaimed(mem, call, said)
    assert [type(e).__name__ for e in kept] == ["CallerIdentified", "PossibleDuplicate"], kept
    assert kept[0].phone == own_phone and kept[1].other_id == owner.caller_id  # type: ignore[union-attr]
    await mem.record_many(kept)
    back = await mem.identify(group, phone=owner_phone, phone_verified=True)
    assert back.caller is not None and back.caller.caller.id == owner.caller_id, (
        "the number stays the owner's"
    )
    mine = await mem.identify(group, phone=own_phone, phone_verified=True)
    assert mine.caller is not None and mine.caller.caller.id == chat.caller_id, (
        "a number of nobody's is recorded"
    )


async def test_someone_else_on_a_known_number_goes_on_as_a_new_caller(
    mem: Memory, runtime: AgentRuntime, group: str
) -> None:
    """Greeted as Tobias on the family landline, Greta says who she is: the call is hers from
    then on, and she never hears his details (issue 10's shared phone, a reassigned number)."""
    await seed_demo(mem, group)
    phone = a_phone()
    first = await runtime.open_call(group, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Tobias Engelhardt",
                                    phone=phone, phone_verified=True)  # fmt: skip
    await runtime.turn(first, "we're interested in houses in Rozelle, budget 3 million", "Triage")
    call = await runtime.open_call(
        group, f"call-{uuid.uuid4().hex[:8]}", now=NOW, phone=phone, phone_verified=True
    )
    assert call.caller is not None and call.caller_id == first.caller_id, "recognized as him by the number"

    result = await runtime.turn(
        call, "Oh, no, this is actually Greta, his wife. We share the landline.", "Triage"
    )
    assert [t["tool"] for t in result.tool_calls] == ["introduce"]
    assert result.reply.startswith("Sorry about that, Greta") and "Tobias" not in result.reply
    assert call.caller_id != first.caller_id and call.caller is None
    greta = await mem.recall_caller(group, caller_id=call.caller_id)
    assert greta is not None and greta.caller.name == "Greta"

    summary = await runtime.turn(call, "what do you have on file for me?", result.agent)
    assert "Rozelle" not in summary.reply and "3,000,000" not in summary.reply, summary.reply


async def test_someone_else_who_asks_in_the_same_breath_is_answered_with_nothing_of_the_other(
    mem: Memory, runtime: AgentRuntime, group: str
) -> None:
    """ "It's Kieran, on mum's phone. A three bedroom in Newtown?": thanked, searched for, and
    the search takes nothing from his mum's preferences (read for her at the turn's start)."""
    await seed_demo(mem, group)
    phone = a_phone()
    mum = await runtime.open_call(group, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Maeve Doherty",
                                  phone=phone, phone_verified=True)  # fmt: skip
    await runtime.turn(mum, "we're after a five bedroom house in Rozelle, budget 4 million", "Triage")
    call = await runtime.open_call(
        group, f"call-{uuid.uuid4().hex[:8]}", now=NOW, phone=phone, phone_verified=True
    )
    result = await runtime.turn(
        call, "Hey, it's Kieran, I'm just using mum's phone. I'm after a three bedroom in Newtown.", "Triage"
    )
    tools = [t["tool"] for t in result.tool_calls]
    assert tools[0] == "introduce" and "search_properties" in tools, (tools, result.reply)
    assert result.reply.startswith("Sorry about that, Kieran, and thanks for letting me know. ")
    assert "Newtown" in result.reply and "Rozelle" not in result.reply and "Still" not in result.reply


async def test_the_same_caller_giving_their_name_changes_nothing(runtime: AgentRuntime, group: str) -> None:
    phone = a_phone()
    first = await runtime.open_call(group, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Bram Oyelaran",
                                    phone=phone, phone_verified=True)  # fmt: skip
    call = await runtime.open_call(
        group, f"call-{uuid.uuid4().hex[:8]}", now=NOW, phone=phone, phone_verified=True
    )
    assert not identity.someone_else(call, "Bram")
    assert identity.someone_else(call, "Arjun")
    result = await runtime.turn(call, "Hi, it's Bram, calling about houses in Balmain", "Triage")
    assert "introduce" not in [t["tool"] for t in result.tool_calls] and call.caller_id == first.caller_id


async def test_someone_named_earlier_hears_what_we_hold_as_the_caller_s(
    runtime: AgentRuntime, mem: Memory, group: str
) -> None:
    """Reg books, hands the phone to Noelene (named as he does): she hears "Reg has a viewing …",
    not "You're Reg Pickering"; once Reg says it is him again, he is "you" again."""
    await seed_demo(mem, group)
    call = await runtime.open_call(group, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Reg Pickering",
                                   phone=a_phone(), phone_verified=True)  # fmt: skip
    said = [
        "Can I book a viewing of 132 Ocean St Bondi on Saturday at 11am?",
        "My wife Noelene wants a word, here she is.",
        "Hello, it's Noelene. What time did he say?",
        "And what do you have for us on file?",
        "It's Reg again. What do you know about me?",
    ]
    booked, handed, asked, on_file, reg = [(await runtime.turn(call, s, "Triage")).reply for s in said]
    assert "132 Ocean St" in booked, booked
    assert handed == "Of course. Hello, how can I help?"
    assert asked.startswith("Reg has a viewing of 132 Ocean St on Saturday"), asked
    assert on_file.startswith("For Reg Pickering: you have a viewing"), on_file
    assert reg.startswith("You're Reg Pickering;"), reg
