"""FalkorDB query parameters as the ``CYPHER name=value …`` header the server parses.

The falkordb client builds the same text, one recursive call per value; a write sends a
384-float vector per distinct predicate and about twenty properties per row, and that
call was a third of a bulk load's time (docs/benchmarks.md, issue 16 part 4). Same output,
with lists of floats (embeddings) joined in one step.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any


def header(params: Mapping[str, Any] | None) -> str:
    """What ``falkordb.Graph._build_params_header`` gives for ``params``."""
    if params is None:
        return ""
    return "CYPHER " + "".join(f"`{_name(k)}`={value(v)} " for k, v in params.items())


def value(v: Any) -> str:
    """What ``falkordb.helpers.stringify_param_value`` gives for ``v``."""
    kind = type(v)  # exact types first: the common case, without isinstance chains
    if kind is str:
        return _quoted(v)
    if v is None:
        return "null"
    if kind is list or kind is tuple:
        return _list(v)
    if kind is dict:
        return _map(v)
    if isinstance(v, str):
        return _quoted(str.__str__(v))
    if isinstance(v, list | tuple):
        return _list(v)
    if isinstance(v, dict):
        return _map(v)
    return str(v)


def _list(items: list[Any] | tuple[Any, ...]) -> str:
    if items and set(map(type, items)) == {float}:  # an embedding
        return _floats(tuple(items))
    return "[" + ",".join([value(x) for x in items]) + "]"


@lru_cache(maxsize=2048)
def _floats(items: tuple[float, ...]) -> str:
    """Rows sharing a predicate share its vector, and the same predicates come back batch after
    batch: its text is made once (the tuple and its hash cost about a twentieth of the text)."""
    return "[" + ",".join(map(str, items)) + "]"


def _map(items: dict[Any, Any]) -> str:
    return "{" + ",".join([_key(k) + value(x) for k, x in items.items()]) + "}"


@lru_cache(maxsize=4096)
def _key(key: object) -> str:
    """A map key with its colon: a write repeats the same twenty keys on every row."""
    return f"`{_name(key)}`:"


def _quoted(text: str) -> str:
    if not text:
        return '""'
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _name(key: object) -> str:
    name = key.decode() if isinstance(key, bytes) else str(key)
    if name == "" or "`" in name:
        # The server's header parser reads no escaped backtick inside an identifier.
        raise ValueError(f"not a Cypher parameter or map key: {name!r}")
    return name
