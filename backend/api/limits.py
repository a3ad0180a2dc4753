"""What the edge accepts, decided once: text without NUL or broken Unicode, bounded metadata,
bounded bodies. Names, ids and metadata with a NUL are refused; spoken text loses its NULs
(a transcriber's or a keyboard's stray byte is not worth a failed turn)."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BODY_BYTES = 1 << 20
"""Largest request body read (413 ``body_too_large`` above)."""
METADATA_BYTES = 16 * 1024
"""A call's metadata as UTF-8 JSON."""
METADATA_DEPTH = 2
"""Nesting: a value is a scalar, or a list or object of scalars (``{"utm": {"source": "x"}}``)."""
METADATA_KEYS = 64
"""Keys in metadata, counted at every level."""
METADATA_KEY_CHARS = 64
METADATA_STRING_CHARS = 1_000
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
"""A call or caller id in a path: what we mint (``call-…``, ``caller-…``) and graph uuids."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def printable(value: str, what: str) -> str:
    """``value`` if it holds no control character (NUL, tab and newline included) and no
    lone surrogate: for names, phones, labels and metadata keys."""
    if _CONTROL.search(value):
        raise ValueError(f"{what} must not hold control characters (such as NUL)")
    return whole_unicode(value, what)


def whole_unicode(value: str, what: str) -> str:
    """A lone surrogate (``"\\ud800"`` in JSON) is not text: no store can keep it."""
    if _SURROGATE.search(value):
        raise ValueError(f"{what} holds a lone UTF-16 surrogate, which is not text")
    return value


def spoken(value: str) -> str:
    """Spoken text: NULs dropped, the rest kept as said."""
    return whole_unicode(value.replace("\x00", ""), "text")


def metadata(value: dict[str, Any]) -> dict[str, Any]:
    """Metadata within its limits (METADATA_SCHEMA says the same to clients, but for the
    total of keys and the bytes, which JSON Schema cannot)."""
    keys = _walk(value, depth=1)
    if keys > METADATA_KEYS:
        raise ValueError(f"metadata holds {keys} keys; at most {METADATA_KEYS}")
    size = len(json.dumps(value, ensure_ascii=False).encode())
    if size > METADATA_BYTES:
        raise ValueError(f"metadata is {size} bytes as JSON; at most {METADATA_BYTES}")
    return value


def _walk(node: Any, depth: int) -> int:
    """Checks one container of metadata; the number of keys in it and below."""
    values = node.values() if isinstance(node, dict) else node
    if isinstance(node, dict):
        for key in node:
            if len(key) > METADATA_KEY_CHARS or not key or _CONTROL.search(key):
                raise ValueError(f"metadata keys are 1–{METADATA_KEY_CHARS} characters, none a control")
            whole_unicode(key, "a metadata key")
    keys = len(node) if isinstance(node, dict) else 0
    for child in values:
        if isinstance(child, dict | list):
            if depth >= METADATA_DEPTH:
                raise ValueError(f"metadata nests at most {METADATA_DEPTH} levels")
            keys += _walk(child, depth + 1)
        else:
            _scalar(child)
    return keys


def _scalar(value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("metadata numbers must be finite (no NaN, Infinity or overflowing literals)")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("a metadata value must not hold NUL")
        if len(value) > METADATA_STRING_CHARS:
            raise ValueError(f"a metadata string holds at most {METADATA_STRING_CHARS} characters")
        whole_unicode(value, "a metadata value")


_SCALAR: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "maxLength": METADATA_STRING_CHARS, "pattern": "^[^\\x00]*$"},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "null"},
    ]
}
_KEYS: dict[str, Any] = {"minLength": 1, "maxLength": METADATA_KEY_CHARS, "pattern": "^[^\\x00-\\x1f\\x7f]*$"}
METADATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "maxProperties": METADATA_KEYS,
    "propertyNames": _KEYS,
    "additionalProperties": {
        "anyOf": [
            *_SCALAR["anyOf"],
            {"type": "array", "maxItems": METADATA_KEYS, "items": _SCALAR},
            {
                "type": "object",
                "maxProperties": METADATA_KEYS,
                "propertyNames": _KEYS,
                "additionalProperties": _SCALAR,
            },
        ]
    },
    "description": (
        f"The client's own data: keys of 1–{METADATA_KEY_CHARS} characters (no control characters);"
        f" values are strings (at most {METADATA_STRING_CHARS} characters, no NUL), finite numbers,"
        f" booleans, null, or one level of lists or objects of those; at most {METADATA_KEYS} keys"
        f" in all and {METADATA_BYTES} bytes as JSON."
    ),
}


def moment(value: datetime | None, what: str) -> datetime | None:
    """A point in time with a zone, that exists in UTC (``0001-01-01T00:00:00+14:00`` does not)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"{what} needs a timezone, e.g. 2026-11-21T10:00:00Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{what} is outside the years 1–9999 in UTC") from None


class BodyLimit:
    """Refuses a request body over ``limit`` bytes with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int = BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.limit:
            await JSONResponse(_too_large(self.limit), status_code=413)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:  # a chunked body: the route's error handler answers 413
                raise HTTPException(413, _too_large(self.limit)["error"]["message"])
            return message

        await self.app(scope, counted, send)


def _too_large(limit: int) -> dict[str, Any]:
    return {"error": {"code": "body_too_large", "message": f"a request body holds at most {limit} bytes"}}
