"""What routes depend on, as typed FastAPI dependencies (``db: Db``, ``who: CurrentTenant``).

The app's lifespan builds one ``Services`` per process; only this module reads it from the
app's state, so a route names what it uses in its signature instead of looking it up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from agents.realtime import RealtimeModel
from arq.connections import ArqRedis
from fastapi import Depends
from starlette.requests import HTTPConnection

from backend.api.auth import Keys
from backend.calls import CallDesk
from backend.config import Settings
from backend.connections import Connections
from backend.store import Database
from backend.store.tenants import Principal
from memory import Memory


@dataclass(frozen=True)
class Services:
    """The long-lived objects of one API process."""

    settings: Settings
    conns: Connections
    memory: Memory
    db: Database
    desk: CallDesk
    keys: Keys
    realtime: Callable[[], RealtimeModel]
    """A new connection to the realtime speech model (``SWITCHBOARD_VOICE=realtime``)."""


def services(conn: HTTPConnection) -> Services:
    found: Services = conn.app.state.services
    return found


# The dependencies are ``async``: FastAPI would run a plain function in a worker thread.


async def settings(conn: HTTPConnection) -> Settings:
    return services(conn).settings


async def connections(conn: HTTPConnection) -> Connections:
    return services(conn).conns


async def database(conn: HTTPConnection) -> Database:
    return services(conn).db


async def memory(conn: HTTPConnection) -> Memory:
    return services(conn).memory


async def desk(conn: HTTPConnection) -> CallDesk:
    return services(conn).desk


async def realtime(conn: HTTPConnection) -> Callable[[], RealtimeModel]:
    return services(conn).realtime


async def queue(conn: HTTPConnection) -> ArqRedis:
    """The queue's client; ConnectionError (a 503) when it was unreachable at start."""
    redis = services(conn).conns.redis
    if redis is None:
        raise ConnectionError("the queue is not reachable")
    return redis


async def current_tenant(conn: HTTPConnection) -> Principal:
    """The tenant (and key) the request's ``Authorization`` header names; 401 otherwise."""
    return await services(conn).keys.principal(conn.headers.get("authorization", ""))


Config = Annotated[Settings, Depends(settings)]
Conns = Annotated[Connections, Depends(connections)]
Db = Annotated[Database, Depends(database)]
Mem = Annotated[Memory, Depends(memory)]
Desk = Annotated[CallDesk, Depends(desk)]
Queue = Annotated[ArqRedis, Depends(queue)]
Realtime = Annotated[Callable[[], RealtimeModel], Depends(realtime)]
CurrentTenant = Annotated[Principal, Depends(current_tenant)]
