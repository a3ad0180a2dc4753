"""Memory in the loop: every tool defaults from the turn context, widening is explicit,
failures are typed and spoken, and the working set lives in Postgres (issue 10)."""

from __future__ import annotations

import functools
import json
import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from agents.testing import ModelStep, ScriptedModel, assistant_message, function_call

from backend.agents.context import CallContext
from backend.agents.runner import AgentRuntime, TurnResult
from backend.agents.tools.failures import GENERIC_SDK_TEXT, UNEXPECTED
from backend.calls import CallDesk
from backend.config import Settings
from backend.queue import enqueue_ingest
from backend.store import Database, tenants
from backend.verticals.real_estate.agents import REAL_ESTATE
from backend.verticals.real_estate.demo import seed_demo
from memory import Memory
from tests.conftest import Api

NOW = datetime(2026, 11, 20, 1, tzinfo=UTC)  # a Friday, noon in Sydney


@pytest.fixture(scope="module")
async def homes(mem: Memory) -> str:
    group = "ctx" + uuid.uuid4().hex[:8]
    await seed_demo(mem, group)
    return group


class Conversation:
    """One call through the agents, turn by turn, as the API runs it."""

    def __init__(self, runtime: AgentRuntime, call: CallContext) -> None:
        self.runtime, self.call, self.agent = runtime, call, REAL_ESTATE.root.name

    async def say(self, text: str) -> TurnResult:
        result = await self.runtime.turn(self.call, text, self.agent)
        self.agent = result.agent
        assert GENERIC_SDK_TEXT not in result.reply
        return result


async def conversation(runtime: AgentRuntime, group: str, phone: str) -> Conversation:
    call_id = "call-" + uuid.uuid4().hex[:8]
    # A call from the number (the voice channel's caller id): the next call is recognized by it.
    call = await runtime.open_call(group, call_id, now=NOW, name="Ada Lane", phone=phone, phone_verified=True)
    return Conversation(runtime, call)


def search_of(result: TurnResult) -> dict[str, Any]:
    return next(t for t in result.tool_calls if t["tool"] == "search_properties")


async def test_a_budget_change_keeps_the_suburb_and_bedrooms(runtime: AgentRuntime, homes: str) -> None:
    talk = await conversation(runtime, homes, "0412 000 101")
    await talk.say("a three bedroom house in Bondi, budget 3 million")
    result = await talk.say("actually make my budget 3.3 million")
    assert sorted(search_of(result)["from_memory"]) == ["min_bedrooms", "suburb"]
    # "a three bedroom house" is a size (3-4), noted or searched: the same whichever tool heard it
    assert result.reply.startswith("Still in Bondi with 3-4 bedrooms, now up to $3,300,000"), result.reply
    shown = talk.call.state.last_results
    assert shown and all(h.suburb == "Bondi" and (h.bedrooms or 0) >= 3 and h.price <= 3.3e6 for h in shown)

    again = await conversation(runtime, homes, "0412 000 101")  # the next call: memory, not the process
    result = await again.say("my budget has gone up to 5 million, what else is there?")
    assert sorted(search_of(result)["from_memory"]) == ["min_bedrooms", "suburb"], result.reply
    assert "Bondi" in result.reply and "5,000,000" in result.reply
    assert talk.call.context is not None and talk.call.context.current("HAS_BUDGET") is not None


async def test_widening_relaxes_one_constraint_at_a_time_and_says_which(
    runtime: AgentRuntime, homes: str
) -> None:
    talk = await conversation(runtime, homes, "0412 000 102")
    await talk.say("show me 4 bedroom houses in Glebe up to 1.5 million")
    steps = []
    for said in ("widen the search", "what else is there?", "can you broaden it a bit", "widen it again"):
        result = await talk.say(said)
        steps.append((search_of(result).get("from_memory"), result.reply.split(".")[0]))
    replies = [reply for _, reply in steps]
    assert replies[0] == "I've raised the price by 10% to $1,650,000", replies
    assert replies[1] == "I've come down to 3+ bedrooms", replies
    assert replies[2].startswith("I've added the neighbouring suburbs, so now Glebe, Newtown"), replies
    assert replies[3].startswith("That's as wide as I can make it"), replies
    assert talk.call.state.widened == ["price", "bedrooms", "suburbs"]


async def test_tool_failures_are_typed_and_spoken_as_questions(runtime: AgentRuntime, homes: str) -> None:
    talk = await conversation(runtime, homes, "0412 000 103")
    result = await talk.say("book a viewing of the first one on Saturday at 10am")
    assert [t["failure"] for t in result.tool_calls] == ["nothing_to_book"], result.tool_calls
    assert "haven't read out any homes" in result.reply

    result = await talk.say("a two bedroom apartment in Surry Hills, up to 1.5 million")
    assert search_of(result)["failure"] is None and "Surry Hills" in result.reply, result.reply
    result = await talk.say("I'd like the one on Wattle Grove Crescent")
    assert [t["failure"] for t in result.tool_calls] == ["unknown_property"]
    assert result.reply.startswith("I don't have a listing on Wattle Grove Crescent."), result.reply
    result = await talk.say("any three bedroom houses in Atlantis?")
    assert [t["failure"] for t in result.tool_calls] == ["unknown_suburb"]
    assert result.reply.startswith("I don't have listings in Atlantis."), result.reply


async def test_an_unexpected_tool_error_is_logged_and_never_read_out(
    mem: Memory, db: Database, homes: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # An LLM that calls a tool with arguments it cannot take, then repeats what the tool said.
    scripted = ScriptedModel(
        [
            ModelStep(output=[function_call("mortgage_repayment", {"price": "a lot"}, call_id="c1")]),
            ModelStep(output=[assistant_message("Here is what I found.")]),
        ]
    )
    llm = AgentRuntime(REAL_ESTATE, mem, db, scripted)
    call = await llm.open_call(homes, "call-" + uuid.uuid4().hex[:8], now=NOW, name="Bo Reyes")
    result = await llm.turn(call, "what are the repayments on a lot", "Mortgage")
    outputs = [i for i in call.state.history if dict(i).get("type") == "function_call_output"]
    told = json.loads(outputs[-1]["output"])
    assert told == {"failure": "unexpected", "say": UNEXPECTED}
    assert result.tool_calls[0]["failure"] == "unexpected"
    logged = capsys.readouterr()
    assert "tool failed unexpectedly" in logged.out + logged.err
    assert "a lot" not in logged.out + logged.err, "the log holds no caller words"


async def test_the_working_set_survives_a_restart_of_the_api_process(
    stack: Settings, runtime: AgentRuntime, db: Database, homes: str
) -> None:
    enqueue = functools.partial(enqueue_ingest, queue_name=stack.queue_name)
    tenant, key = await tenants.create(db, "ws-" + uuid.uuid4().hex[:6])
    await db.pool.execute("UPDATE tenants SET group_id = $1 WHERE tenant_id = $2", homes, tenant.tenant_id)
    who = await tenants.authenticate(db, key)
    assert who is not None
    first = CallDesk({"real_estate": runtime}, db, None, enqueue)
    started = await first.start(who, "chat", name="Cy Tran", phone="0412 000 104")
    await first.turn(who, started.call_id, "show me homes in Coogee")
    shown = first.live[started.call_id].ctx.state.last_results
    assert len(shown) >= 2

    restarted = CallDesk(
        {"real_estate": runtime}, db, None, enqueue
    )  # another process: nothing of the call in memory
    result, _ = await restarted.turn(who, started.call_id, "book the second one for Saturday at 11am")
    assert "RE-" in result.reply, result.reply
    assert shown[1].address in result.reply


async def test_a_turn_context_is_read_again_as_it_was_known(api: Api, local_group: str) -> None:
    async with httpx.AsyncClient(base_url=api.base_url, headers=api.headers, timeout=30) as client:
        start = (await client.post("/v1/calls", json={"from": "0412 000 105", "name": "Di Moss"})).json()
        call_id, caller_id = start["call_id"], start["caller"]["id"]
        for text in ("my budget is 900k", "what do you know about me?"):
            turn = (await client.post(f"/v1/calls/{call_id}/turns", json={"text": text})).json()
            assert turn["context_ms"] > 0
        changed = {"text": "actually our budget is now 1.1 million"}
        await client.post(f"/v1/calls/{call_id}/turns", json=changed)
        then = await client.get(f"/v1/calls/{call_id}/turns/4/context")  # seq 3 is the caller's, 4 the reply
        assert then.status_code == 200, then.text
        facts = {f["name"]: f for f in then.json()["facts"]}
        assert facts["HAS_BUDGET"]["value"] == 900_000, "what the agent knew then, though superseded now"
        assert then.json()["missing_fact_ids"] == []
        assert (await client.get(f"/v1/calls/{call_id}/turns/3/context")).json()["seq"] == 4
        now = (await client.get(f"/v1/callers/{caller_id}/timeline")).json()["facts"]
        assert {f["value"] for f in now if f["name"] == "HAS_BUDGET"} == {1_100_000}
        missing = await client.get(f"/v1/calls/{call_id}/turns/99/context")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "turn_not_found"


async def test_an_undoing_tool_heard_without_its_cue_asks_first(runtime: AgentRuntime, homes: str) -> None:
    talk = await conversation(runtime, homes, "0412 000 106")
    await talk.say("show me homes in Balmain")
    # Likeness alone ("we were chatting about Balmain earlier" was once read as this, and is now
    # ruled out as picking up a conversation): no cue word of drop_suburb is heard.
    result = await talk.say("Balmain doesn't suit us")
    assert result.reply == "Just to check: shall I take Balmain off your list?" and not result.tool_calls
    result = await talk.say("no, leave it")
    assert result.reply.startswith("No problem") and not result.tool_calls
    assert talk.call.state.pending is None
    result = await talk.say("take Balmain off my list")  # its cue: no question
    assert [t["tool"] for t in result.tool_calls] == ["drop_suburb"]


async def test_an_offered_time_is_taken_with_a_yes(runtime: AgentRuntime, homes: str) -> None:
    talk = await conversation(runtime, homes, "0412 000 107")
    talk.call.tz = ZoneInfo("Australia/Sydney")
    await talk.say("show me homes in Rozelle")
    result = await talk.say("book the first one for Saturday at 8pm")
    assert [t["failure"] for t in result.tool_calls] == ["outside_business_hours"], result.reply
    result = await talk.say("yes please")
    assert "RE-" in result.reply and "5:00 PM" in result.reply, result.reply
    again = await talk.say("book the first one for Sunday at 11am")
    assert [t["failure"] for t in again.tool_calls] == ["already_booked"], again.reply
    moved = await talk.say("yes")
    assert [t["tool"] for t in moved.tool_calls] == ["reschedule_viewing"], moved.reply
    assert "11:00 AM" in moved.reply
