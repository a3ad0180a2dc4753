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
