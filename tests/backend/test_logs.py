"""What an operator reads of a bug: where it was raised, never what the caller said."""

from __future__ import annotations

from backend.logs import frames


def _innermost(said: str) -> None:
    raise ValueError(f"cannot read {said!r}")


def _outer(said: str) -> None:
    _innermost(said)


def test_frames_name_where_an_error_was_raised_without_its_message() -> None:
    try:
        _outer("Priya on 0412 345 678")
    except ValueError as error:
        where = frames(error)
    assert where.startswith("_innermost (") and " < _outer (" in where, where
    assert "test_logs.py:" in where
    assert "Priya" not in where and "0412" not in where
