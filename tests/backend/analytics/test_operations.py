"""Operations from the traces: percentiles, handoff paths, tools, escalations, cost."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from backend.analytics import operations
from backend.analytics.connect import Analyst
from backend.store import tenants, traces


def test_percentiles_are_measured_values() -> None:
    values = [float(v) for v in range(1, 101)]
    assert operations.percentiles(values) == {"p50": 50.0, "p90": 90.0, "p95": 95.0, "p99": 99.0}
    assert operations.percentiles([7.0], (50, 99)) == {"p50": 7.0, "p99": 7.0}
    assert operations.percentiles([]) == {}


async def test_the_agents_calls_have_paths_latencies_and_tools(analyst) -> None:  # type: ignore[no-untyped-def]
    paths = await operations.handoff_paths(analyst)
    assert any(src == "Triage" for src, _ in paths)
    kinds = {x.what for x in await operations.latencies(analyst)}
    assert {"turn", "memory read", "tool call"} <= kinds
    per_call = await operations.tool_calls_per_call(analyst)
    assert sum(per_call.values()) >= 10 and (await operations.tools_used(analyst))
    escalated = await operations.escalations(analyst)
    assert escalated and all(e.trigger != "?" for e in escalated)


async def test_an_llm_calls_tokens_are_priced_from_settings(db, analyst) -> None:  # type: ignore[no-untyped-def]
    # A call an LLM answered, as the trace processor stores it (a response span with usage).
    tenant, _ = await tenants.create(db, f"llm-{uuid.uuid4().hex[:6]}")
    call, trace, at = f"call-{uuid.uuid4().hex[:8]}", f"trace_{uuid.uuid4().hex}", datetime.now(UTC)
    usage = {"input_tokens": 1_000_000, "output_tokens": 500_000}
    span = (
        f"span_{uuid.uuid4().hex[:24]}",
        trace,
        None,
        "response",
        "",
        at,
        at + timedelta(seconds=1),
        1000.0,
    )
    turn = (f"span_{uuid.uuid4().hex[:24]}", trace, None, "turn", "turn", at, at, 900.0)
    await traces.insert(
        db,
        [(trace, tenant.group_id, call, "call", json.dumps({"call_id": call}))],
        [(*span, json.dumps({"type": "response", "usage": usage}), None), (*turn, "{}", None)],
    )
    settings = analyst.settings.model_copy(update={"llm_model": "gpt-4.1-mini"})
    other = Analyst(settings, tenant, analyst.memory, analyst.db, analyst.postgres_access)
    (cost,) = await operations.costs(other)
    assert (cost.call_id, cost.model, cost.input_tokens, cost.output_tokens) == (
        call,
        "gpt-4.1-mini",
        1_000_000,
        500_000,
    )
    assert cost.dollars == pytest.approx(0.40 + 0.5 * 1.60)  # $ per million tokens in and out


async def test_policy_calls_cost_nothing(analyst) -> None:  # type: ignore[no-untyped-def]
    costs = await operations.costs(analyst)
    assert costs and {c.model for c in costs} == {"policy"} and sum(c.dollars for c in costs) == 0
