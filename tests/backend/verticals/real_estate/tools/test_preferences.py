"""Noting what the caller wants: nothing heard is said as such, never as a note taken."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from backend.agents.runner import AgentRuntime

NOW = datetime(2026, 11, 20, 1, tzinfo=UTC)


async def test_garbled_preferences_are_asked_again_not_noted(runtime: AgentRuntime, homes: str) -> None:
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Lee Garbled")
    heard = await runtime.turn(
        call, "yeah hi um the the kzzt hrrm bedroom uh in the uh mmph wh two", "Triage"
    )
    assert heard.reply.startswith("Sorry, I didn't catch what you're after."), heard.reply
    assert "noted" not in heard.reply
