"""The /v1 API over real HTTP on the embedded stack: calls, tenants, bad input, streams."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import websockets

from backend.store import Database, audit, tenants
from tests.conftest import Api, a_phone, say, start_call


@pytest.fixture
async def client(api: Api, local_group: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api.base_url, headers=api.headers, timeout=60) as c:
        yield c


async def test_a_chat_call_recognizes_the_caller_next_time(client: httpx.AsyncClient) -> None:
    phone = a_phone()
    first = await start_call(client, **{"from": phone, "name": "Mara Quinlan"})
    assert first["caller"]["returning"] is False and first["agent"] == "Triage"
    text = "I'm looking for a 2 bedroom apartment in Bondi under 1.5 million"
    turn = await say(client, first["call_id"], text)
    assert turn["agent"] == "Property Search" and turn["handoffs"][0]["to"] == "Property Search"
    assert turn["tool_calls"] and turn["latency_ms"] > 0
    ended = (await client.post(f"/v1/calls/{first['call_id']}/end")).json()
    assert ended["job_id"] == f"ingest:{first['call_id']}"
    again = (await client.post(f"/v1/calls/{first['call_id']}/end")).json()
    assert again["job_id"] == ended["job_id"], "a second end enqueues nothing new"

    # The next call from that number (the voice channel's caller id, verified by telephony).
    second = await start_call(client, channel="voice", **{"from": phone})
    assert second["caller"] == {
        "id": first["caller"]["id"],
        "name": "Mara Quinlan",
        "returning": True,
        "confidence": 1.0,
        "matched_on": "phone",
        "verified": True,
        "possible_match": False,
    }
    assert second["greeting"].startswith("Welcome back, Mara") and "Bondi" in second["greeting"]
    typed = await start_call(client, **{"from": phone})  # typed into a chat: evidence, not proof
    assert typed["caller"]["possible_match"] and typed["caller"]["id"] != first["caller"]["id"]
    assert "Bondi" not in typed["greeting"]

    # What the first call read out is still there to point at ("read me the first one again").
    again_said = await say(client, second["call_id"], "sorry, can you read me the first one again?")
    first_home = turn["reply"].split("1) ", 1)[1].split(",", 1)[0]
    assert again_said["reply"].startswith(first_home), (first_home, again_said["reply"])

    record = (await client.get(f"/v1/calls/{first['call_id']}")).json()
    assert [t["speaker"] for t in record["transcript"]] == ["agent", "caller", "agent"]
    assert record["ended_at"] and record["ingestion"]["job_id"] == ended["job_id"]
    assert record["handoffs"][0]["to"] == "Property Search"


async def test_the_next_turn_resumes_with_the_specialist(client: httpx.AsyncClient) -> None:
    call = await start_call(client, name="Oren Vale", **{"from": a_phone()})
    await say(client, call["call_id"], "what would repayments be on 900k over 30 years at 6%")
    turn = await say(client, call["call_id"], "and over 25 years?")
    assert turn["agent"] == "Mortgage" and not turn["handoffs"], "Mortgage kept the conversation"
    assert (await client.get(f"/v1/calls/{call['call_id']}")).json()["agent"] == "Mortgage"


async def test_caller_reads_timeline_erasure_and_audit(
    client: httpx.AsyncClient, db: Database, api: Api
) -> None:
    call = await start_call(client, name="Tess Albright", **{"from": a_phone()})
    await say(client, call["call_id"], "our budget is 1.8 million")
    caller_id = call["caller"]["id"]
    context = (await client.get(f"/v1/callers/{caller_id}")).json()
    assert context["caller"]["name"] == "Tess Albright"
    timeline = (await client.get(f"/v1/callers/{caller_id}/timeline")).json()
    budget = next(f for f in timeline["facts"] if f["name"] == "HAS_BUDGET")
    assert budget["value"] == 1_800_000 and budget["invalid_at"] is None
    before = await client.get(
        f"/v1/callers/{caller_id}/timeline", params={"known_at": "2020-01-01T00:00:00Z"}
    )
    assert before.json()["facts"] == []
    naive = await client.get(f"/v1/callers/{caller_id}/timeline", params={"valid_at": "2026-01-01T00:00"})
    assert naive.status_code == 422 and naive.json()["error"]["code"] == "invalid_request"

    receipt = (await client.delete(f"/v1/callers/{caller_id}")).json()
    assert receipt["graph"]["callers"] == 1 and receipt["calls"] == 1
    assert set(receipt["graph"]["recheck"].values()) == {0}
    assert (await client.get(f"/v1/callers/{caller_id}")).status_code == 404
    assert (await client.get(f"/v1/calls/{call['call_id']}")).status_code == 404

    who = await tenants.authenticate(db, api.key)
    assert who is not None
    actions = {e["action"] for e in await audit.entries(db, who.tenant.tenant_id, f"caller:{caller_id}")}
    assert {"caller.recall", "caller.turn", "caller.read", "caller.timeline", "caller.erase"} <= actions


async def test_tenants_are_isolated(client: httpx.AsyncClient, api: Api, db: Database) -> None:
    call = await start_call(client, name="Ada Lindqvist", **{"from": a_phone()})
    _, other_key = await tenants.create(db, "other-" + uuid.uuid4().hex[:6])
    other = {"Authorization": f"Bearer {other_key}"}
    for method, path in [
        ("GET", f"/v1/calls/{call['call_id']}"),
        ("POST", f"/v1/calls/{call['call_id']}/end"),
        ("GET", f"/v1/traces/{call['call_id']}"),
        ("GET", f"/v1/callers/{call['caller']['id']}"),
    ]:
        response = await client.request(method, path, headers=other)
        assert response.status_code == 404, (path, response.text)
    theirs = await client.post(f"/v1/calls/{call['call_id']}/turns", json={"text": "hello"}, headers=other)
    assert theirs.status_code == 404
    # the same phone is a stranger to the other tenant
    mine = (await client.get(f"/v1/calls/{call['call_id']}")).json()
    assert mine["caller_id"] == call["caller"]["id"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        (
            "POST",
            "/v1/calls",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            422,
            "invalid_request",
        ),
        ("POST", "/v1/calls", {"json": {"channel": "fax"}}, 422, "invalid_request"),
        ("POST", "/v1/calls", {"json": {"from": "call me maybe"}}, 422, "invalid_memory_request"),
        ("POST", "/v1/calls", {"json": {"surprise": 1}}, 422, "invalid_request"),
        ("POST", "/v1/calls/call-nope/turns", {"json": {"text": "hi"}}, 404, "call_not_found"),
        ("GET", "/v1/calls/call-nope", {}, 404, "call_not_found"),
        ("GET", "/v1/callers/nobody", {}, 404, "caller_not_found"),
        ("DELETE", "/v1/callers/nobody", {}, 404, "caller_not_found"),
        ("GET", "/v1/traces/call-nope", {}, 404, "call_not_found"),
    ],
)
async def test_bad_input_is_a_typed_4xx(
    client: httpx.AsyncClient, method: str, path: str, kwargs: dict[str, Any], status: int, code: str
) -> None:
    response = await client.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


async def test_keys_and_limits(client: httpx.AsyncClient, api: Api) -> None:
    for header in ("", "Bearer sb_wrong", "Basic x"):
        response = await client.get("/v1/calls/x", headers={"Authorization": header})
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    call = await start_call(client, name="Long Talker")
    too_long = await client.post(f"/v1/calls/{call['call_id']}/turns", json={"text": "x" * 2001})
    assert too_long.status_code == 413 and too_long.json()["error"]["code"] == "text_too_long"
    empty = await client.post(f"/v1/calls/{call['call_id']}/turns", json={"text": ""})
    assert empty.status_code == 422
    await client.post(f"/v1/calls/{call['call_id']}/end")
    late = await client.post(f"/v1/calls/{call['call_id']}/turns", json={"text": "one more thing"})
    assert late.status_code == 409 and late.json()["error"]["code"] == "call_ended"
    transcript = (await client.get(f"/v1/calls/{call['call_id']}")).json()["transcript"]
    assert len(transcript) == 1, "refused turns leave no half-written record"


async def test_concurrent_turns_on_one_call_are_serialized(client: httpx.AsyncClient) -> None:
    call = await start_call(client, name="Quick Typer", **{"from": a_phone()})
    texts = [f"do you have anything in Manly with {n} bedrooms" for n in range(1, 6)]
    tasks = []
    for text in texts:  # sent in this order, each a moment after the previous
        tasks.append(asyncio.create_task(say(client, call["call_id"], text)))
        await asyncio.sleep(0.002)
    await asyncio.gather(*tasks)
    transcript = (await client.get(f"/v1/calls/{call['call_id']}")).json()["transcript"]
    said = [t["text"] for t in transcript if t["speaker"] == "caller"]
    assert said == texts
    speakers = [t["speaker"] for t in transcript[1:]]
    assert speakers == ["caller", "agent"] * 5, "each reply follows its own turn"


async def test_sse_stream_and_websocket(client: httpx.AsyncClient, api: Api) -> None:
    call = await start_call(client, name="Stream Watcher", **{"from": a_phone()})
    events: list[tuple[str, dict[str, Any]]] = []
    watcher = asyncio.create_task(_watch(client, call["call_id"], events, until="turn_done"))
    await asyncio.sleep(0.3)
    await say(client, call["call_id"], "what's the median price in Paddington")
    await asyncio.wait_for(watcher, 30)
    kinds = [k for k, _ in events]
    assert {"agent_updated", "handoff", "tool", "text_delta", "turn_done"} <= set(kinds)
    assert kinds.index("handoff") < kinds.index("tool") < kinds.index("turn_done")
    text = "".join(e["delta"] for k, e in events if k == "text_delta").strip()
    assert text == events[-1][1]["reply"]

    url = api.base_url.replace("http", "ws") + f"/v1/calls/{call['call_id']}/ws"
    async with websockets.connect(url, additional_headers=api.headers) as ws:
        await ws.send(json.dumps({"text": "and in Surry Hills?"}))
        seen = []
        while not seen or seen[-1]["type"] != "turn_done":
            seen.append(json.loads(await asyncio.wait_for(ws.recv(), 30)))
        assert any(e["type"] == "tool" for e in seen) and seen[-1]["reply"]
        await ws.send(json.dumps({"nope": 1}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 30))["error"]["code"] == "invalid_request"
    with pytest.raises(websockets.InvalidStatus):
        async with websockets.connect(url):
            pass


async def test_asking_for_a_person_transfers_the_call(client: httpx.AsyncClient) -> None:
    from backend.agents.clock import BusinessHours

    policy = BusinessHours()  # the server's clock decides which of its two replies is due
    waiting = {policy.holding, policy.closed_reply(datetime(2026, 1, 1, 3, tzinfo=UTC))}
    call = await start_call(client, name="Tove Lindqvist", **{"from": a_phone()})
    events: list[tuple[str, dict[str, Any]]] = []
    watcher = asyncio.create_task(_watch(client, call["call_id"], events, until="turn_done"))
    await asyncio.sleep(0.3)
    turn = await say(client, call["call_id"], "Let me speak to a real person please")
    await asyncio.wait_for(watcher, 30)
    assert turn["escalated"] is True and turn["brief"]["trigger"] == "request", turn
    assert turn["brief"]["who"] == "Tove Lindqvist" and turn["brief"]["refs"]["call_id"] == call["call_id"]
    kinds = [k for k, _ in events]
    assert kinds.index("transfer") < kinds.index("turn_done"), "a listener reading the turn sees the transfer"
    assert dict(events)["transfer"]["brief"] == turn["brief"]
    record = (await client.get(f"/v1/calls/{call['call_id']}")).json()
    assert record["status"] == "transferred" and record["brief"] == turn["brief"]

    held = await say(client, call["call_id"], "hello?")
    assert held["reply"] in waiting and held["escalated"] is False and held["tool_calls"] == []
    await client.post(f"/v1/calls/{call['call_id']}/end", json={"outcome": "rang back at 4"})
    record = (await client.get(f"/v1/calls/{call['call_id']}")).json()
    assert record["transcript"][-1]["text"] == held["reply"]
    assert record["status"] == "ended" and record["client_outcome"] == "rang back at 4"
    assert record["brief"] == turn["brief"], "the brief stays with the call"


async def test_metrics_and_traces(client: httpx.AsyncClient) -> None:
    call = await start_call(client, name="Metric Reader", **{"from": a_phone()})
    await say(client, call["call_id"], "find me a house in Coogee")
    metrics = (await client.get("/metrics")).text
    for name in (
        "switchboard_turn_seconds_bucket",
        "switchboard_handoffs_total",
        "switchboard_tool_calls_total",
        "switchboard_memory_read_seconds",
        "switchboard_queue_depth",
    ):
        assert name in metrics
    traces = (await client.get(f"/v1/traces/{call['call_id']}")).json()["traces"]
    kinds = {s["kind"] for t in traces for s in t["spans"]}
    assert {"agent", "handoff", "function"} <= kinds


async def _watch(
    client: httpx.AsyncClient, call_id: str, events: list[tuple[str, dict[str, Any]]], *, until: str
) -> None:
    """Read the call's server-sent events into ``events`` until one of kind ``until``."""
    async with client.stream("GET", f"/v1/calls/{call_id}/stream") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = ""
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                events.append((kind, json.loads(line[6:])))
                if kind == until:
                    return


@pytest.mark.parametrize("path", ["/", "/console"])
def test_the_console_is_found_without_its_trailing_slash(api: Api, path: str) -> None:
    response = httpx.get(f"{api.base_url}{path}", follow_redirects=True)
    assert response.status_code == 200 and str(response.url).endswith("/console/")
    assert "<html" in response.text.lower()
