"""500 random turns: the router's own examples with random suburbs, amounts, streets and
times, in random order over 50 calls. None may end in an exception, the SDK's generic
tool-error text, or an internal id read out to the caller."""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, datetime

from backend.agents.runner import AgentRuntime
from backend.agents.tools.failures import GENERIC_SDK_TEXT
from backend.verticals.real_estate.agents import REAL_ESTATE
from backend.verticals.real_estate.demo import SUBURBS, seed_demo
from memory import Memory

NOW = datetime(2026, 11, 19, 23, tzinfo=UTC)  # Friday 10 am in Sydney
CALLS, TURNS = 50, 10
INTERNAL_ID = re.compile(r"\b(caller|call)-[0-9a-f]{8,}|\bP\d{3}\b|Traceback")
STREETS = ["Wattle Grove Crescent", "12 Ocean St", "Banksia Way", "3/45 Arden Street", "King St"]
AMOUNTS = ["1.2 million", "850k", "3", "2.5m", "0", "99 million"]
TIMES = ["Saturday at 10am", "tomorrow at 2:30", "next Tuesday at 9", "yesterday at noon", "Sunday 8pm"]


def utterances() -> list[str]:
    said = [e for spec in (REAL_ESTATE.root, *REAL_ESTATE.specialists) for e in spec.examples]
    for spec in (REAL_ESTATE.root, *REAL_ESTATE.specialists):
        for skill in spec.skills:
            said += REAL_ESTATE.examples(skill)
    return said


def vary(text: str, rng: random.Random) -> str:
    """The same sentence with other values in it, sometimes with a time or a street added."""
    places = r"\b(" + "|".join(map(re.escape, SUBURBS)) + r")\b"
    text = re.sub(places, lambda _: rng.choice(list(SUBURBS)), text)
    text = re.sub(r"\d[\d.,]*\s*(k|m|million)?", lambda _: rng.choice(AMOUNTS), text)
    extra = rng.random()
    if extra < 0.15:
        text += f" {rng.choice(TIMES)}"
    elif extra < 0.25:
        text += f" the one on {rng.choice(STREETS)}"
    return text


async def test_no_random_turn_reads_out_an_error_or_an_internal_id(
    mem: Memory, runtime: AgentRuntime
) -> None:
    group = "rand" + uuid.uuid4().hex[:8]
    await seed_demo(mem, group)
    rng = random.Random(10)
    pool = utterances()
    replies, failures = 0, 0
    for n in range(CALLS):
        who = {"name": f"Caller {n}", "phone": f"0412 {n:03d} 777"} if n % 5 else {}
        call = await runtime.open_call(group, f"call-{uuid.uuid4().hex[:8]}", now=NOW, **who)
        agent = REAL_ESTATE.root.name
        for _ in range(TURNS):
            result = await runtime.turn(call, vary(rng.choice(pool), rng), agent)
            agent = result.agent
            assert result.reply, "every turn gets a reply"
            assert GENERIC_SDK_TEXT not in result.reply, result.reply
            assert not INTERNAL_ID.search(result.reply), result.reply
            assert not any(t["failure"] == "unexpected" for t in result.tool_calls), result.tool_calls
            replies += 1
            failures += sum(1 for t in result.tool_calls if t["failure"])
    await runtime.settle()
    assert replies == CALLS * TURNS
    assert failures > 0, "the random values did reach the typed failures"
