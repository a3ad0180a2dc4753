"""Every error is JSON: ``{"error": {"code", "message"}}`` with a 4xx; a store outage is 503
with Retry-After; 500 only for a bug, and even then the connection stays usable."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from redis.exceptions import ResponseError
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.calls import CallEnded, CallNotFound
from backend.logs import frames
from backend.outages import OUTAGES, RETRY_AFTER_S, is_outage
from memory import MemoryInputError

log = structlog.get_logger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


_MEANING = {
    401: "no or unknown API key (`unauthorized`)",
    403: "a webhook whose signature is missing or not valid (`bad_signature`)",
    404: "no such call, caller or turn for this tenant (`not_paged`: nobody of that name was paged)",
    409: "the call has ended (`call_ended`), or someone else answered the page (`already_answered`)",
    413: "the turn text or the request body is too long",
    422: "the request is not valid (`invalid_request`, `invalid_memory_request`)",
    503: "a store is down or loading (`unavailable`); retry after `Retry-After` seconds",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for the error statuses a route can answer."""
    return {s: {"model": ErrorBody, "description": _MEANING[s]} for s in statuses}


COMMON = responses(401, 422, 503)
"""Every /v1 route: a key is checked, input validated, stores read."""


def body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def _json(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(body(code, message, **extra), status_code=status)


def unavailable() -> JSONResponse:
    response = _json(503, "unavailable", "a store is not reachable or still loading; retry shortly")
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _json(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return _json(422, "invalid_request", "the request is not valid", details=details)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's "error parsing the body": not JSON, or not UTF-8
            return _json(422, "invalid_request", "the body is not JSON text")
        response = _json(exc.status_code, _HTTP_CODES.get(exc.status_code, "http_error"), str(exc.detail))
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:  # every route of the path, not only the first one's methods
            response.headers["Allow"] = ", ".join(_methods_of(request))
        return response

    @app.exception_handler(CallNotFound)
    async def no_call(request: Request, exc: CallNotFound) -> JSONResponse:
        return _json(404, "call_not_found", f"no call {exc}")

    @app.exception_handler(CallEnded)
    async def ended(request: Request, exc: CallEnded) -> JSONResponse:
        return _json(409, "call_ended", str(exc))

    @app.exception_handler(MemoryInputError)
    async def memory_refused(request: Request, exc: MemoryInputError) -> JSONResponse:
        return _json(422, "invalid_memory_request", str(exc))

    async def store_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("store unavailable", error=type(exc).__name__, path=request.url.path)
        return unavailable()

    for outage in OUTAGES:
        app.add_exception_handler(outage, store_down)

    @app.exception_handler(ResponseError)
    async def store_refused(request: Request, exc: ResponseError) -> JSONResponse:
        if is_outage(exc):  # up, but refusing writes (no replicas, disk full, out of memory)
            return await store_down(request, exc)
        log.error("unhandled", error=type(exc).__name__, path=request.url.path, frames=frames(exc))
        return _json(500, "internal", "unexpected error")

    # Outermost, so that it sees everything; not an ``Exception`` handler, whose middleware
    # re-raises after answering and makes the server drop the keep-alive connection.
    app.add_middleware(Unexpected)


def _methods_of(request: Request) -> list[str]:
    """The methods some route answers on this path (routes of included routers too)."""
    return [
        method
        for method in ("DELETE", "GET", "PATCH", "POST", "PUT")
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.router.routes
        )
    ]


class Unexpected:
    """A bug answers 500 ``internal`` and is logged (its type, never its message: it may hold
    caller data); the exception goes no further, so the connection is kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            log.error("unhandled", error=type(exc).__name__, path=scope.get("path", ""), frames=frames(exc))
            if not started:  # a stream already under way can only be cut short
                response = _json(500, "internal", "unexpected error")
                await response(scope, receive, send)
