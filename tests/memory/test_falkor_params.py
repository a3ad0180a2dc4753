"""Our parameter header is the falkordb client's, byte for byte (it is only faster)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

import pytest
from falkordb.graph import Graph
from falkordb.helpers import stringify_param_value

from memory.store import _falkor_params


class Kind(StrEnum):
    A = "a"


VALUES: list[object] = [
    "",
    "plain",
    'a "quoted" \\ back\\slash',
    "naïve café – 🏠",
    None,
    True,
    False,
    0,
    -12,
    850000.0,
    -0.00012,
    1e-07,
    Decimal("12.50"),
    Kind.A,
    [],
    [0.1, -0.25, 3.0],
    [1, 2.5, "x", None],
    (1, "two"),
    {},
    {"uuid": "u-1", "episodes": ["e1"], "value": None, "nested": {"k": [1.5, "y"]}},
    [{"src": "a", "vi": 0, "props": {"terms": 'Jane "J" Smith', "rank": "e|F|a|b|False"}}],
]


@pytest.mark.parametrize("v", VALUES, ids=repr)
def test_a_value_reads_as_the_clients(v: object) -> None:
    assert _falkor_params.value(v) == stringify_param_value(v)


def test_the_header_reads_as_the_clients() -> None:
    params = {f"p{i}": v for i, v in enumerate(VALUES)}
    assert _falkor_params.header(params) == Graph._build_params_header(None, params)  # type: ignore[arg-type]
    assert _falkor_params.header(None) == ""


@pytest.mark.parametrize("key", ["", "a`b"])
def test_a_name_the_server_cannot_parse_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="not a Cypher"):
        _falkor_params.header({key: 1})
    with pytest.raises(ValueError, match="not a Cypher"):
        _falkor_params.value({key: 1})
