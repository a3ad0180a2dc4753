"""The API is typed end to end (issue 12): every operation's success body has a schema, so a
route that answers an untyped dict fails here instead of reaching clients undocumented."""

from __future__ import annotations

from typing import Any

from backend.api.main import create_app
from backend.config import load_settings


def _typed(schema: dict[str, Any] | None, components: dict[str, Any]) -> bool:
    """A schema that says what the body holds: not ``{}``, not an object that only allows
    any properties (what ``dict[str, Any]`` publishes)."""
    if not schema:
        return False
    if "$ref" in schema:
        return _typed(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    if alternatives := schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf"):
        return all(_typed(s, components) for s in alternatives)
    if schema.get("type", "object") == "object":
        return bool(schema.get("properties"))
    return True


def test_every_operation_documents_a_typed_success_body() -> None:
    spec = create_app(load_settings()).openapi()
    components = spec["components"]["schemas"]
    untyped = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            bodies = [
                media.get("schema")
                for status, response in operation["responses"].items()
                if status.startswith("2")
                for media in response.get("content", {}).values()
            ]
            if not bodies or not all(_typed(body, components) for body in bodies):
                untyped.append(f"{method.upper()} {path}")
    assert len(spec["paths"]) >= 10 and not untyped, untyped
