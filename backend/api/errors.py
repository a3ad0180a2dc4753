"""Every error is JSON: ``{"error": {"code", "message"}}`` with a 4xx (5xx only for an outage)."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from backend.calls import CallEnded, CallNotFound
from memory import MemoryInputError

log = structlog.get_logger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def _json(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(body(code, message, **extra), status_code=status)


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
        return _json(exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(CallNotFound)
    async def no_call(request: Request, exc: CallNotFound) -> JSONResponse:
        return _json(404, "call_not_found", f"no call {exc}")

    @app.exception_handler(CallEnded)
    async def ended(request: Request, exc: CallEnded) -> JSONResponse:
        return _json(409, "call_ended", str(exc))

    @app.exception_handler(MemoryInputError)
    async def memory_refused(request: Request, exc: MemoryInputError) -> JSONResponse:
        return _json(422, "invalid_memory_request", str(exc))

    @app.exception_handler(ConnectionError)
    async def store_down(request: Request, exc: ConnectionError) -> JSONResponse:
        return _json(503, "unavailable", "a store is not reachable; retry shortly")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled", error=type(exc).__name__, path=request.url.path)
        return _json(500, "internal", "unexpected error")
