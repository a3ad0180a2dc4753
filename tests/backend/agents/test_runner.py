"""The agent tree with the policy model and with the SDK's ScriptedModel, on the real stack."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from agents.testing import ModelStep, ScriptedModel, assistant_message, function_call

from backend.agents.models import from_settings
from backend.agents.runner import AgentRuntime
from backend.config import Settings
from backend.embedded.stack import free_port
from backend.store import Database, bookings
from backend.verticals.real_estate.agents import REAL_ESTATE
from backend.verticals.real_estate.demo import seed_demo
from memory import Memory
from tests.llm_server import compatible_llm

NOW = datetime(2026, 11, 21, 15, tzinfo=UTC)  # a Saturday afternoon


@pytest.fixture(scope="session")
async def listings_group(mem: Memory) -> str:
    group = "agents" + uuid.uuid4().hex[:8]
    await seed_demo(mem, group)
    return group


async def open_call(runtime: AgentRuntime, group: str, **who: str):  # type: ignore[no-untyped-def]
    return await runtime.open_call(group, "call-" + uuid.uuid4().hex[:8], now=NOW, **who)


async def test_a_whole_conversation_with_the_policy_model(
    runtime: AgentRuntime, mem: Memory, db: Database, listings_group: str
) -> None:
    call = await open_call(runtime, listings_group, name="Dana Whitlock", phone="0412 555 019")
    agent = "Triage"

    async def say(text: str) -> str:
        nonlocal agent
        result = await runtime.turn(call, text, agent)
        assert not result.errors, result.errors
        agent = result.agent
        return result.reply

    reply = await say("Hi, I'm after a 3 bedroom place in Coogee, budget around 3 million")
    assert agent == "Property Search"
    assert "Coogee" in reply and "$" in reply
    first = call.state.last_results[0]
    assert first.suburb == "Coogee" and first.price <= 3_000_000
    assert "added" in await say("I like the first one")
    reply = await say("Could I see it Saturday at 11am?")
    assert agent == "Viewing Scheduler", reply
    assert "RE-" in reply and "Saturday 28 November at 11:00 AM" in reply
    reply = await say("What would the monthly repayments be on that with a 20% deposit?")
    assert agent == "Mortgage" and "a month" in reply
    reply = await say("Actually our budget is now 2.5 million")
    assert agent == "Property Search" and "2,500,000" in reply
    reply = await say("This is taking too long, I want to talk to a real person")
    assert agent == "Escalation" and "transferring" in reply

    facts = {f.name: f for f in await mem.facts(listings_group, call.caller_id or "")}
    assert facts["HAS_BUDGET"].value == 2_500_000
    assert facts["INTERESTED_IN"].value == first.property_id
    assert "BOOKED" in facts and facts["SCHEDULED_FOR"].value.startswith("2026-11-28T11:00")
    ledger = await bookings.of_caller(db, listings_group, call.caller_id or "")
    assert [b.property_id for b in ledger] == [first.property_id]
    history = await mem.facts(listings_group, call.caller_id or "", valid_at=NOW, known_at=NOW)
    assert "HAS_BUDGET" not in {f.name for f in history}, "the budget was only said in this call"
    store = await mem.store(listings_group)
    handoffs = await store.query(
        "MATCH (x:Episodic) WHERE x.episode_type = 'handoff' AND x.call_id = $c RETURN count(x) AS n",
        {"c": call.call_id},
    )
    assert handoffs[0]["n"] >= 6


async def test_specialist_hands_back_up_and_triage_routes_again(
    runtime: AgentRuntime, listings_group: str
) -> None:
    call = await open_call(runtime, listings_group, name="Ravi Menon")
    result = await runtime.turn(call, "can you book me a viewing of 5 Bay St for tomorrow at 2pm", "Mortgage")
    hops = [(h["from"], h["to"]) for h in result.handoffs]
    assert hops == [("Mortgage", "Triage"), ("Triage", "Viewing Scheduler")]
    assert result.handoffs[-1]["intent"] == "book_viewing"
    assert result.handoffs[-1]["slots"].get("when", "").startswith("2026-11-22T14:00")


async def test_escalation_brief_for_a_human(runtime: AgentRuntime, listings_group: str) -> None:
    call = await open_call(runtime, listings_group, name="Ivy Chen", phone="0413 222 333")
    await runtime.turn(call, "we want 2 bedrooms", "Triage")
    result = await runtime.turn(call, "I have a complaint, put me through to the manager", "Property Search")
    assert result.agent == "Escalation"
    tool = next(t for t in result.tool_calls if t["tool"] == "escalate_to_human")
    assert tool["latency_ms"] >= 0


def _loop_steps(n: int) -> list[ModelStep]:
    payload = {"intent": "loop", "slots": [], "fact_ids": [], "episode_ids": [], "reason": "again"}
    steps = []
    for i in range(n):
        target = "transfer_to_property_search" if i % 2 == 0 else "transfer_to_triage"
        steps.append(ModelStep(output=[function_call(target, payload, call_id=f"c{i}")]))
    return steps


async def test_loop_guard_ends_in_a_deterministic_escalation(
    mem: Memory, db: Database, listings_group: str
) -> None:
    runtime = AgentRuntime(REAL_ESTATE, mem, db, model=ScriptedModel(_loop_steps(10)))
    call = await open_call(runtime, listings_group, name="Loop Tester")
    result = await runtime.turn(call, "hello", "Triage")
    assert result.escalated and result.agent == "Escalation"
    assert "loop" in result.errors[-1]
    assert result.brief is not None and result.brief["why"].startswith("loop")


async def test_tool_call_ceiling(mem: Memory, db: Database, listings_group: str) -> None:
    steps = [ModelStep(output=[function_call("caller_summary", {}, call_id=f"s{i}")]) for i in range(5)]
    runtime = AgentRuntime(REAL_ESTATE, mem, db, model=ScriptedModel(steps))
    call = await open_call(runtime, listings_group, name="Ceiling Tester")
    call.limits = type(call.limits)(max_tool_calls=2)
    result = await runtime.turn(call, "what do you know about me", "Triage")
    assert result.escalated and "tool calls" in result.errors[-1]


async def test_invalid_handoff_payload_is_refused_not_a_crash(
    mem: Memory, db: Database, listings_group: str
) -> None:
    bad = {"intent": "", "slots": "nope", "reason": "x", "extra": 1}
    model = ScriptedModel([ModelStep(output=[function_call("transfer_to_mortgage", bad, call_id="b1")])])
    runtime = AgentRuntime(REAL_ESTATE, mem, db, model=model)
    call = await open_call(runtime, listings_group, name="Payload Tester")
    result = await runtime.turn(call, "mortgage please", "Triage")
    assert result.agent == "Triage" and result.handoffs == []
    assert result.errors and result.errors[0].startswith("rejected")


async def test_retried_booking_books_once(runtime: AgentRuntime, db: Database, listings_group: str) -> None:
    call = await open_call(runtime, listings_group, name="Retry Tester")
    call.state.last_property = "P001"
    first = await runtime.turn(call, "book a viewing for Monday at 9am", "Viewing Scheduler")
    again = await runtime.turn(call, "book a viewing for Monday at 9am", "Viewing Scheduler")
    assert first.reply == again.reply and "RE-" in first.reply
    assert len(await bookings.of_caller(db, listings_group, call.caller_id or "")) == 1
    other = await open_call(runtime, listings_group, name="Someone Else")
    other.state.last_property = "P001"
    taken = await runtime.turn(other, "book a viewing for Monday at 9am", "Viewing Scheduler")
    assert "taken" in taken.reply


async def test_next_turn_resumes_with_the_owning_specialist(
    runtime: AgentRuntime, listings_group: str
) -> None:
    call = await open_call(runtime, listings_group, name="Resume Tester")
    first = await runtime.turn(call, "how much would a 1.5 million loan cost per month", "Triage")
    assert first.agent == "Mortgage", (first.reply, first.errors)
    second = await runtime.turn(call, "and over 25 years at 5.5 percent?", first.agent)
    assert second.agent == "Mortgage" and second.handoffs == []
    assert "5.5%" in second.reply and "25 years" in second.reply


async def test_llm_failure_falls_back_to_the_policy_model(
    mem: Memory, db: Database, listings_group: str
) -> None:
    failing = ScriptedModel([ModelStep.raise_error(TimeoutError("LLM timed out"))])
    runtime = AgentRuntime(REAL_ESTATE, mem, db, model=failing)
    call = await open_call(runtime, listings_group, name="Fallback Tester")
    result = await runtime.turn(call, "what are homes like in Manly price wise", "Triage")
    assert "Manly" in result.reply
    assert any("policy model answered" in e for e in result.errors)


async def test_scripted_model_drives_a_nested_handoff(mem: Memory, db: Database, listings_group: str) -> None:
    payload = {
        "intent": "suburb_info",
        "slots": [{"name": "suburb", "value": "Glebe"}],
        "fact_ids": [],
        "episode_ids": [],
        "reason": "asked about Glebe",
    }
    model = ScriptedModel(
        [
            ModelStep(output=[function_call("transfer_to_suburb_intelligence", payload, call_id="h1")]),
            ModelStep(output=[function_call("suburb_profile", {"suburb": "Glebe"}, call_id="t1")]),
            ModelStep(output=[assistant_message("Glebe has homes for sale.")]),
        ]
    )
    runtime = AgentRuntime(REAL_ESTATE, mem, db, model=model)
    call = await open_call(runtime, listings_group, name="Script Tester")
    result = await runtime.turn(call, "tell me about Glebe", "Triage")
    assert result.agent == "Suburb Intelligence"
    assert result.handoffs[0]["slots"] == {"suburb": "Glebe"}
    assert [t["tool"] for t in result.tool_calls] == ["suburb_profile"]
    assert json.dumps(result.handoffs)


async def test_models_from_settings(stack: Settings, mem: Memory, db: Database, listings_group: str) -> None:
    with compatible_llm(("Hello from a ", "compatible model. How", " can I help?")) as llm:
        compatible = stack.model_copy(update={"llm": llm.url, "llm_model": "local-model"})
        runtime = AgentRuntime(REAL_ESTATE, mem, db, model=from_settings(compatible))
        call = await open_call(runtime, listings_group, name="Compat Tester")
        streamed: list[str] = []
        call.emit = lambda event: streamed.append(event["delta"]) if event["type"] == "text_delta" else None
        result = await runtime.turn(call, "hello there", "Triage")
        assert result.reply == "Hello from a compatible model. How can I help?" and not result.errors
        assert streamed == ["Hello from a compatible model. "], "a clause is released once it is whole"
        assert result.streamed == streamed[0], "the last is the call desk's to release, with the turn"
        assert llm.seen[-1]["model"] == "local-model" and llm.seen[-1]["stream"]

        llm.streams = False  # a reply the SDK cannot read is no reply: never silence
        result = await runtime.turn(call, "hello there", "Triage")
        assert result.reply and "compatible" not in result.reply, result.reply
        assert result.errors == ["LLM gave no reply, policy model answered"], result.errors

    gone = stack.model_copy(update={"llm": f"http://127.0.0.1:{free_port()}/v1", "llm_model": "m"})
    runtime = AgentRuntime(REAL_ESTATE, mem, db, model=from_settings(gone))
    call = await open_call(runtime, listings_group, name="Fallback Tester")
    result = await runtime.turn(call, "find me a 2 bedroom apartment in Bondi", "Triage")
    assert result.agent == "Property Search" and "Bondi" in result.reply
    assert any("LLM failed" in e for e in result.errors)
    assert from_settings(stack) is None, "no LLM configured: the policy model"


def test_the_cached_agent_identity_map_is_the_sdks() -> None:
    from agents import _run_state_agent_identity as identity

    from backend.agents import sdk
    from backend.agents.vertical import build

    sdk.install()
    for agent in build(REAL_ESTATE).values():
        assert sdk._cached_identity_keys(agent) == identity._build_agent_identity_keys_by_id(agent)
        assert sdk._cached_identity_keys(agent) is sdk._cached_identity_keys(agent)


async def test_hello_mid_call_is_a_check_in_not_the_last_search_again(
    runtime: AgentRuntime, listings_group: str
) -> None:
    call = await open_call(runtime, listings_group, name="Check In")
    searched = await runtime.turn(call, "a three bedroom house in Bondi up to 5 million", "Triage")
    assert searched.tool_calls, searched.reply
    for said in ("hello?", "are you still there?"):
        heard = await runtime.turn(call, said, searched.agent)
        assert heard.reply.startswith("Yes, I'm here.") and not heard.tool_calls, heard.reply


@pytest.mark.parametrize("said", ["asdkjh qwe ;;;; jjjjjjj", "Um... yeah... hmm.", "uhh"])
async def test_noise_is_asked_to_be_said_again(runtime: AgentRuntime, listings_group: str, said: str) -> None:
    """Mashed keys or hesitation alone: "say it again", not the list of what the line can do."""
    call = await open_call(runtime, listings_group, name="Bad Line")
    heard = await runtime.turn(call, said, "Triage")
    assert heard.reply == "Sorry, I didn't catch that. Could you say it again?" and not heard.tool_calls


@pytest.mark.parametrize(
    ("said", "opening"),
    [
        (
            "Hey mate, who won the footy last night? Reckon the Rabbitohs got done.",
            "Sorry, that's not something I can help with. I can help you find a home",
        ),
        ("Four.", "Sorry, I'm not sure what the four is for. I can help you find a home"),
        ("1.5", "Sorry, I'm not sure what the 1.5 is for. I can help you find a home"),
    ],
)
async def test_off_topic_or_a_bare_number_gets_what_the_line_can_do(
    runtime: AgentRuntime, listings_group: str, said: str, opening: str
) -> None:
    call = await open_call(runtime, listings_group, name="Off Topic")
    heard = await runtime.turn(call, said, "Triage")
    assert heard.reply.startswith(opening) and heard.reply.endswith("?") and not heard.tool_calls, heard.reply


async def test_off_topic_at_a_specialist_gets_what_the_line_can_do(
    runtime: AgentRuntime, listings_group: str
) -> None:
    call = await open_call(runtime, listings_group, name="Off Topic Later")
    first = await runtime.turn(call, "repayments on 1.2 million with 20% down at 6% over 30 years", "Triage")
    assert first.agent == "Mortgage", first.agent
    heard = await runtime.turn(call, "who won the footy last night?", first.agent)
    assert heard.reply == (
        "Sorry, that's not something I can help with. I can help you find a home, book a viewing,"
        " work out repayments or sell. What would you like?"
    ), heard.reply
    number = await runtime.turn(call, "1.5", heard.agent)
    assert number.reply == (
        "Sorry, I'm not sure what the 1.5 is for. I can help you find a home, book a viewing,"
        " work out repayments or sell. What would you like?"
    ), number.reply


async def test_thanks_and_goodbye_get_a_sign_off_not_a_misunderstanding(
    runtime: AgentRuntime, listings_group: str
) -> None:
    call = await open_call(runtime, listings_group, name="Sign Off")
    searched = await runtime.turn(call, "a three bedroom house in Bondi up to 5 million", "Triage")
    for said, reply in (
        ("thanks", "You're welcome."),
        ("great, thank you so much!", "You're welcome."),
        ("no worries, thanks", "You're welcome."),
        ("actually no worries, thanks", "You're welcome."),
        ("thanks, that's all", "Thanks for calling. Goodbye!"),
        ("no that's it, bye", "Thanks for calling. Goodbye!"),
        ("have a good night", "Thanks for calling. Goodbye!"),
    ):
        heard = await runtime.turn(call, said, searched.agent)
        assert heard.reply.startswith(reply) and not heard.tool_calls, (said, heard.reply)
    booked = await runtime.turn(call, "thanks, can I see the first one on Saturday at 10am?", searched.agent)
    assert booked.tool_calls, "thanks with a request is the request"
    call.channel = "chat"
    typed = await runtime.turn(call, "thanks, that's all", booked.agent)
    assert typed.reply == "Thanks for getting in touch. Goodbye!", "a chat is not thanked for calling"


async def test_a_trace_that_cannot_be_stored_is_logged_and_the_turn_still_answers(
    stack: Settings, mem: Memory, listings_group: str
) -> None:
    from structlog.testing import capture_logs

    closed = await Database.open(stack.database_url or "")
    await closed.close()
    runtime = AgentRuntime(REAL_ESTATE, mem, closed)
    call = await open_call(runtime, listings_group)
    with capture_logs() as logs:
        heard = await runtime.turn(call, "hello?", "Triage")
        await runtime.settle()
    assert heard.reply and not heard.errors
    failed = [e for e in logs if e["event"] == "trace flush failed"]
    assert failed and failed[0]["error"], logs
