"""A seller who names only the suburb has asked for an appraisal: it is noted, then the address."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from backend.agents.runner import AgentRuntime
from memory import Memory

NOW = datetime(2026, 11, 20, 1, tzinfo=UTC)


async def test_an_appraisal_asked_for_by_suburb_is_noted(
    mem: Memory, runtime: AgentRuntime, group: str
) -> None:
    call = await runtime.open_call(group, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Horace Wu")
    said = "Hi, I'm thinking of selling my place in Leichhardt. Could someone come out and do an appraisal?"
    result = await runtime.turn(call, said, "Triage")
    assert [t["tool"] for t in result.tool_calls] == ["request_appraisal"]
    assert "appraisal of your home in Leichhardt" in result.reply and result.reply.endswith(
        "What's the address?"
    )
    facts = await mem.facts(group, call.caller_id or "")
    assert any(f.name == "WANTS_APPRAISAL" for f in facts)


async def test_an_appraisal_with_neither_address_nor_suburb_asks(runtime: AgentRuntime, group: str) -> None:
    call = await runtime.open_call(group, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Horace Wu")
    result = await runtime.turn(call, "can someone tell me what my house is worth", "Triage")
    assert "What's the address" in result.reply, result.reply


async def test_a_follow_up_on_an_appraisal_beside_a_name_is_answered_from_file(
    runtime: AgentRuntime, group: str
) -> None:
    """ "It's Marisol, following up on the appraisal. Has that gone through?": the clause beside
    the name is the question (not the bare "has that gone through?"), answered from the fact."""
    phone = "0438 917 508"
    first = await runtime.open_call(
        group,
        f"call-{uuid.uuid4().hex[:8]}",
        now=NOW,
        name="Marisol Fenwick",
        phone=phone,
        phone_verified=True,
    )
    await runtime.turn(
        first, "I'm selling my house in Marrickville, could someone do an appraisal?", "Triage"
    )
    again = await runtime.open_call(
        group, f"call-{uuid.uuid4().hex[:8]}", now=NOW, phone=phone, phone_verified=True
    )
    said = "Hi, it's Marisol, just following up on the appraisal I asked for. Has that gone through?"
    result = await runtime.turn(again, said, "Triage")
    assert result.reply.startswith("Yes, we have your request for a free appraisal of a home in Marrickville")
