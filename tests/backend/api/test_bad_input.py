"""Bad input is a typed 4xx, never a 500, and a call start or a turn is all or nothing (issue 11):
the probe's inputs over real HTTP, and failures injected between the writes by real servers
(a Postgres constraint, a FalkorDB that refuses writes), no mocks."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg
import httpx
import pytest
import redis
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from redis import exceptions as redis_errors

from backend.api import errors, limits
from backend.api.main import create_app
from backend.config import Settings
from backend.embedded.falkordb import EmbeddedFalkorDB
from backend.embedded.stack import free_port
from backend.store import Database, bookings
from memory import Memory
from tests.conftest import API_KEY, Api, say, serving, start_call


@pytest.fixture
async def client(api: Api, local_group: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api.base_url, headers=api.headers, timeout=60) as c:
        yield c


def _name() -> str:
    """A caller name no other test uses (letters only: names are matched by sound)."""
    letters = "".join(chr(ord("a") + int(d, 16) % 26) for d in uuid.uuid4().hex[:8])
    return f"Probe {letters.capitalize()}"


def _raw(body: str) -> dict[str, Any]:
    """A body sent as written: JSON that json.dumps would never produce (NaN, lone surrogates)."""
    return {"content": body.encode(), "headers": {"content-type": "application/json"}}


DEEP = {"a": {"b": {"c": 1}}}
MANY = {f"k{i}": {f"j{n}": n for n in range(9)} for i in range(8)}  # 8 + 72 keys


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from": ""}, "from"),
        ({"from": "\u0000"}, "from"),
        ({"name": "   "}, "name"),
        ({"name": "Nul\u0000Name"}, "name"),
        ({"email": "a\u0000@example.com"}, "email"),
        ({"metadata": {"note": "a\u0000b"}}, "metadata"),
        ({"metadata": {"k\u0000": 1}}, "metadata"),
        ({"metadata": DEEP}, "metadata"),
        ({"metadata": MANY}, "metadata"),
        ({"metadata": {f"k{i}": "x" * 900 for i in range(20)}}, "metadata"),
        ({"metadata": {"note": "x" * (limits.METADATA_STRING_CHARS + 1)}}, "metadata"),
    ],
)
async def test_a_bad_call_start_is_a_422(client: httpx.AsyncClient, body: dict[str, Any], field: str) -> None:
    response = await client.post("/v1/calls", json={"channel": "chat", **body})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert field in json.dumps(error["details"]), error


@pytest.mark.parametrize(
    "raw",
    [
        '{"metadata": {"k": "\\ud800"}}',
        '{"name": "\\udfff"}',
        '{"metadata": {"k": NaN}}',
        '{"metadata": {"k": Infinity}}',
        '{"metadata": {"k": -Infinity}}',
        '{"metadata": {"k": 1e999999}}',
    ],
)
async def test_json_no_store_can_keep_is_a_422(client: httpx.AsyncClient, raw: str) -> None:
    response = await client.post("/v1/calls", **_raw(raw))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"


async def test_metadata_within_the_limits_is_kept(client: httpx.AsyncClient, db: Database) -> None:
    metadata = {"utm": {"source": "ad", "n": 2}, "tags": ["a", 1, None, True], "note": "two\nlines"}
    call = await start_call(client, name=_name(), metadata=metadata)
    stored = await db.pool.fetchval("SELECT metadata FROM calls WHERE call_id = $1", call["call_id"])
    assert json.loads(stored) == metadata


async def test_a_body_over_the_limit_is_a_413_before_it_is_read(client: httpx.AsyncClient) -> None:
    huge = {"channel": "chat", "metadata": {"blob": "x" * (limits.BODY_BYTES + 1)}}
    response = await client.post("/v1/calls", json=huge)
    assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams
        yield b'{"metadata": {"blob": "'
        for _ in range(limits.BODY_BYTES // 65536 + 1):
            yield b"x" * 65536
        yield b'"}}'

    streamed = await client.post("/v1/calls", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "body_too_large"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v1/calls/%00", 422, "invalid_request"),
        ("POST", "/v1/calls/%00/end", 422, "invalid_request"),
        ("GET", "/v1/callers/%00", 422, "invalid_request"),
        ("GET", "/v1/callers/%00/timeline", 422, "invalid_request"),
        ("DELETE", "/v1/callers/%00", 422, "invalid_request"),
        ("GET", "/v1/traces/%00", 422, "invalid_request"),
        ("GET", "/v1/calls/call-x/turns/99999999999/context", 422, "invalid_request"),
        ("GET", "/v1/calls/call-x/turns/2147483647/context", 422, "invalid_request"),
        ("GET", "/v1/calls/call-x/turns/-1/context", 422, "invalid_request"),
        ("GET", "/v1/calls/call-x//", 404, "not_found"),
        ("GET", "/v1/calls/call-x/", 404, "not_found"),
        ("GET", "/v1/callers/caller-nobody/timeline", 404, "caller_not_found"),
        ("PATCH", "/v1/calls", 405, "method_not_allowed"),
        ("PUT", "/v1/callers/caller-x", 405, "method_not_allowed"),
    ],
)
async def test_a_bad_id_or_path_is_a_typed_4xx(
    client: httpx.AsyncClient, method: str, path: str, status: int, code: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    if status == 405:  # every method of the path, though they are separate routes
        expected = {"/v1/calls": "POST", "/v1/callers/caller-x": "DELETE, GET"}[path]
        assert response.headers["allow"] == expected


@pytest.mark.parametrize(
    "params",
    [
        {"valid_at": "0001-01-01T00:00:00+14:00"},
        {"known_at": "9999-12-31T23:59:59-14:00"},
        {"valid_at": "2026-01-01T00:00:00"},
    ],
)
async def test_a_moment_outside_utc_or_without_a_zone_is_a_422(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    caller_id = (await start_call(client, name=_name()))["caller"]["id"]
    response = await client.get(f"/v1/callers/{caller_id}/timeline", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"
    edge = await client.get(f"/v1/callers/{caller_id}/timeline", params={"valid_at": "0001-01-01T00:00:00Z"})
    assert edge.status_code == 200 and edge.json()["facts"] == []


async def test_nul_is_dropped_from_spoken_text_and_refused_in_an_outcome(
    client: httpx.AsyncClient, db: Database
) -> None:
    call = await start_call(client, name=_name())
    turn = await say(client, call["call_id"], "what would repayments be on 900k\u0000 over 30 years at 6%")
    assert turn["agent"] == "Mortgage", turn
    for text in ("\u0000", " \u0000 ", "   "):
        response = await client.post(f"/v1/calls/{call['call_id']}/turns", json={"text": text})
        assert response.status_code == 422, (text, response.text)
    lone = await client.post(f"/v1/calls/{call['call_id']}/turns", **_raw('{"text": "hi \\ud800"}'))
    assert lone.status_code == 422
    refused = await client.post(f"/v1/calls/{call['call_id']}/end", json={"outcome": "sold\u0000"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_request"
    said = await db.pool.fetch("SELECT text FROM turns WHERE call_id = $1 ORDER BY seq", call["call_id"])
    assert [r["text"] for r in said][1] == "what would repayments be on 900k over 30 years at 6%"
    assert len(said) == 3, "refused turns leave nothing"
    ended = await client.post(f"/v1/calls/{call['call_id']}/end", json={"outcome": "sold"})
    assert ended.status_code == 200


async def test_reading_a_caller_while_it_is_erased_is_200_or_404(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        call = await start_call(client, name=_name(), **{"from": f"0413{uuid.uuid4().int % 10**6:06d}"})
        await say(client, call["call_id"], "our budget is 1.8 million")
        caller = f"/v1/callers/{call['caller']['id']}"
        reads = [client.get(caller) for _ in range(12)] + [client.get(f"{caller}/timeline") for _ in range(4)]
        answers = await asyncio.gather(client.delete(caller), *reads)
        assert answers[0].status_code == 200, answers[0].text
        assert {r.status_code for r in answers[1:]} <= {200, 404}, [r.text for r in answers[1:]]
        assert (await client.get(caller)).status_code == 404


async def _callers_named(mem: Memory, group: str, name: str) -> list[str]:
    store = await mem.store(group)
    rows = await store.query(
        "MATCH (c:Entity:Caller) WHERE c.name = $name RETURN c.uuid AS uuid", {"name": name}
    )
    return [r["uuid"] for r in rows]


async def test_a_refused_start_leaves_no_caller_in_memory(
    client: httpx.AsyncClient, mem: Memory, db: Database, local_group: str
) -> None:
    name = _name().replace("Probe", "Orphan")
    response = await client.post("/v1/calls", json={"name": name, "metadata": {"k": "a\u0000"}})
    assert response.status_code == 422
    assert await _callers_named(mem, local_group, name) == []
    assert await db.pool.fetchval("SELECT count(*) FROM calls WHERE caller_name = $1", name) == 0
    again = await start_call(client, name=name)
    assert again["caller"]["returning"] is False and "Welcome back" not in again["greeting"]


@asynccontextmanager
async def _refusing(db: Database, table: str, check: str) -> AsyncIterator[None]:
    """A real Postgres failure between a turn's (or a start's) writes: a constraint that only
    the test's own rows break (NOT VALID: existing rows are not checked)."""
    name = "inject_" + uuid.uuid4().hex[:8]
    await db.pool.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check}) NOT VALID")
    try:
        yield
    finally:
        await db.pool.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")


@contextmanager
def _graph_refusing_writes(stack: Settings) -> Iterator[None]:
    """FalkorDB answering reads but refusing every write (as a primary without its replicas
    does): a memory failure after the start's rows are written."""
    assert stack.redis_url
    server = redis.Redis.from_url(stack.redis_url)
    server.config_set("min-replicas-to-write", 1)
    try:
        yield
    finally:
        server.config_set("min-replicas-to-write", 0)
        server.close()


async def test_a_start_is_all_or_nothing_whichever_write_fails(
    client: httpx.AsyncClient, mem: Memory, db: Database, local_group: str, stack: Settings
) -> None:
    name = _name()
    async with _refusing(db, "calls", f"caller_name IS DISTINCT FROM '{name}'"):
        response = await client.post("/v1/calls", json={"name": name})
        assert response.status_code == 500 and response.json()["error"]["code"] == "internal"
        # the same keep-alive connection still serves
        assert (await client.get("/v1/callers/caller-nobody")).status_code == 404
    assert await _callers_named(mem, local_group, name) == [], "the row failed: memory has nothing"

    with _graph_refusing_writes(stack):
        response = await client.post("/v1/calls", json={"name": name})
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"].isdigit()
    assert await _callers_named(mem, local_group, name) == []
    assert await db.pool.fetchval("SELECT count(*) FROM calls WHERE caller_name = $1", name) == 0

    call = await start_call(client, name=name)
    assert await _callers_named(mem, local_group, name) != []
    audited = await db.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE detail->>'call_id' = $1", call["call_id"]
    )
    assert audited == 1


async def _shown_homes(client: httpx.AsyncClient, call_id: str) -> dict[str, Any]:
    turn = await say(client, call_id, "show me 3 bedroom houses in Bondi under 3 million")
    assert turn["tool_calls"] and turn["tool_calls"][-1]["failure"] is None, turn
    return turn


BOOK = "book a viewing of the first one on Monday at {hour}"


async def test_a_turn_that_booked_but_was_not_stored_leaves_no_booking(
    client: httpx.AsyncClient, mem: Memory, db: Database, local_group: str
) -> None:
    call = await start_call(client, name=_name())
    call_id, caller_id = call["call_id"], call["caller"]["id"]
    await _shown_homes(client, call_id)
    token = "zq" + uuid.uuid4().hex[:6]
    references = "SELECT coalesce(sum(n), 0) FROM booking_counters WHERE group_id = $1"
    before = await db.pool.fetchval(references, local_group)
    async with _refusing(db, "turns", f"text NOT LIKE '%{token}%'"):
        response = await client.post(
            f"/v1/calls/{call_id}/turns", json={"text": BOOK.format(hour="11am") + f" {token}"}
        )
    assert response.status_code == 500, response.text
    assert await db.pool.fetchval(references, local_group) == before + 1, "the turn did book"
    assert await bookings.of_call(db, local_group, call_id) == [], "the ledger holds no booking"
    transcript = await db.pool.fetchval("SELECT count(*) FROM turns WHERE call_id = $1", call_id)
    assert transcript == 3, "greeting, and the search turn's two lines; nothing of the failed turn"
    known = await mem.recall_caller(local_group, caller_id=caller_id)
    assert known is not None and known.upcoming_bookings == [], "memory shows no upcoming viewing"

    booked = await say(client, call_id, BOOK.format(hour="11am"))  # the caller says it again
    assert "RE-" in booked["reply"], booked
    made = await bookings.of_call(db, local_group, call_id)
    assert [b.status for b in made] == ["scheduled"]
    later = await say(client, call_id, "what would repayments be on 900k over 30 years at 6%")
    assert later["agent"] == "Mortgage"
    assert [b.booking_id for b in await bookings.of_call(db, local_group, call_id)] == [made[0].booking_id]


async def test_a_turn_with_nul_that_books_is_stored_whole(
    client: httpx.AsyncClient, db: Database, local_group: str
) -> None:
    call = await start_call(client, name=_name())
    await _shown_homes(client, call["call_id"])
    booked = await say(client, call["call_id"], BOOK.format(hour="2pm").replace("viewing", "view\u0000ing"))
    assert "RE-" in booked["reply"], booked
    assert len(await bookings.of_call(db, local_group, call["call_id"])) == 1
    lines = await db.pool.fetch("SELECT text FROM turns WHERE call_id = $1 ORDER BY seq", call["call_id"])
    assert lines[-2]["text"] == BOOK.format(hour="2pm") and "RE-" in lines[-1]["text"]


# -- outages and bugs: the error layer itself, on a real server ----------------------------

OUTAGE_ERRORS: list[BaseException] = [
    redis_errors.ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused."),
    redis_errors.BusyLoadingError("Redis is loading the dataset in memory"),
    redis_errors.TimeoutError("Timeout reading from socket"),
    redis_errors.ResponseError("NOREPLICAS Not enough good replicas to write."),
    asyncpg.InternalClientError("unexpected message"),
    asyncpg.CannotConnectNowError("the database system is shutting down"),
    asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    ConnectionRefusedError(111, "Connection refused"),
    TimeoutError(),
]


def _error_app() -> FastAPI:
    app = FastAPI()
    errors.install(app)

    @app.get("/outage/{n}")
    async def outage(n: int) -> None:
        raise OUTAGE_ERRORS[n]

    @app.get("/bug")
    async def bug() -> None:
        raise RuntimeError("a bug, whose message may hold caller data")

    @app.get("/query-bug")
    async def query_bug() -> None:
        raise redis_errors.ResponseError("errMsg: Invalid input 'x': expected MATCH")

    @app.get("/ok")
    async def ok() -> dict[str, bool]:
        return {"ok": True}

    return app


@pytest.fixture(scope="module")
def error_server() -> Iterator[tuple[str, int]]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(_error_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        time.sleep(0.02)
    yield "127.0.0.1", port
    server.should_exit = True
    thread.join(10)


def _exchange(sock: socket.socket, path: str) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request on an open connection, and its whole response."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    while len(rest) < int(headers["content-length"]):
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        rest += chunk
    return int(lines[0].split()[1]), headers, rest


@pytest.mark.parametrize("n", range(len(OUTAGE_ERRORS)), ids=[type(e).__name__ for e in OUTAGE_ERRORS])
def test_every_store_outage_is_a_503_with_retry_after(error_server: tuple[str, int], n: int) -> None:
    with socket.create_connection(error_server, timeout=10) as sock:
        status, headers, content = _exchange(sock, f"/outage/{n}")
        assert status == 503 and int(headers["retry-after"]) > 0
        assert json.loads(content)["error"]["code"] == "unavailable"


def test_a_bug_is_a_500_that_keeps_the_connection(error_server: tuple[str, int]) -> None:
    with socket.create_connection(error_server, timeout=10) as sock:
        for path in ("/bug", "/query-bug"):
            status, headers, content = _exchange(sock, path)
            assert status == 500 and json.loads(content) == {
                "error": {"code": "internal", "message": "unexpected error"}
            }
            assert headers.get("connection") != "close"
            again, _, body = _exchange(sock, "/ok")  # the same socket: not reset
            assert again == 200 and json.loads(body) == {"ok": True}


# -- a graph outage on a real server: starts are 503, turns degrade -------------------------


@pytest.fixture(scope="module")
def own_graph(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedFalkorDB]:
    """A FalkorDB of this module's own, to stop and start again (the session's is shared)."""
    server = EmbeddedFalkorDB(tmp_path_factory.mktemp("outage"), free_port(), uuid.uuid4().hex)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def outage_api(stack: Settings, own_graph: EmbeddedFalkorDB) -> Iterator[Api]:
    settings = stack.model_copy(
        update={"graph_uri": own_graph.graph_uri, "redis_url": own_graph.url, "api_key": SecretStr(API_KEY)}
    )
    app = create_app(settings, {"graph": True, "redis": True, "postgres": False}, replay_every_s=None)
    with serving(app) as base_url:
        yield Api(base_url, API_KEY)


async def test_a_graph_outage_is_503_for_starts_and_turns_degrade(
    outage_api: Api, own_graph: EmbeddedFalkorDB, db: Database
) -> None:
    async with httpx.AsyncClient(base_url=outage_api.base_url, headers=outage_api.headers, timeout=120) as c:
        call = await start_call(c, name=_name(), **{"from": f"0412{uuid.uuid4().int % 10**6:06d}"})
        await say(c, call["call_id"], "our budget is 1.8 million")
        own_graph.stop()
        try:
            started = await c.post("/v1/calls", json={"name": _name()})
            assert started.status_code == 503, started.text
            assert started.json()["error"]["code"] == "unavailable"
            assert int(started.headers["retry-after"]) > 0
            caller = f"/v1/callers/{call['caller']['id']}"
            for path in (caller, f"{caller}/timeline"):
                read = await c.get(path)
                assert read.status_code == 503, (path, read.text)
            assert (await c.get("/readyz")).status_code == 503

            sums = await say(c, call["call_id"], "what would repayments be on 900k over 30 years at 6%")
            assert sums["agent"] == "Mortgage" and "$" in sums["reply"], sums
            # the handoffs go on without memory; the search needs it, and says so as a question
            homes = await say(c, call["call_id"], "any houses in Bondi?")
            assert homes["agent"] == "Property Search" and homes["reply"].endswith("?"), homes
            assert [t["failure"] for t in homes["tool_calls"]] == ["unexpected"]
        finally:
            own_graph.start()
        lines = await db.pool.fetch("SELECT text FROM turns WHERE call_id = $1 ORDER BY seq", call["call_id"])
        assert len(lines) == 7, "both degraded turns are in the transcript"

        back = await c.post("/v1/calls", json={"name": _name()})
        assert back.status_code == 201, back.text
        again = await say(c, call["call_id"], "and over 25 years?")
        assert again["agent"] == "Mortgage"
