"""Reading values out of speech, and routing accuracy as a regression guard."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.agents.policy import parse
from backend.agents.policy.evaluate import evaluate
from backend.agents.policy.router import Router
from backend.agents.real_estate import REAL_ESTATE

NOW = datetime(2026, 11, 21, 15, tzinfo=UTC)  # a Saturday afternoon


@pytest.mark.parametrize(
    ("said", "amount"),
    [
        ("my budget is $850k", 850_000),
        ("around 1.2 million", 1_200_000),
        ("up to 950,000 dollars", 950_000),
        ("half a million", 500_000),
        ("three bedrooms", None),
    ],
)
def test_money(said: str, amount: float | None) -> None:
    assert parse.money(said) == amount


@pytest.mark.parametrize(
    ("said", "moment"),
    [
        ("Saturday at 10", "2026-11-28T10:00"),
        ("tomorrow afternoon", "2026-11-22T14:00"),
        ("next Tuesday 3pm", "2026-11-24T15:00"),
        ("the 28th at 11am", "2026-11-28T11:00"),
        ("at 2", "2026-11-22T14:00"),
        ("December 3rd at 1pm", "2026-12-03T13:00"),
    ],
)
def test_times_are_read_against_the_call_clock(said: str, moment: str) -> None:
    found = parse.when(said, NOW)
    assert found is not None and found.isoformat()[:16] == moment


def test_counts_and_ordinals() -> None:
    assert parse.count("a three bedroom house", near="bed") == 3
    assert parse.count("around 1.2 million", near="bed") is None
    assert parse.ordinal("the second one please") == 2
    assert parse.ordinal("the last one") == -1


def test_routing_accuracy_does_not_regress() -> None:
    heldout = Path(__file__).parent / "data" / "routing_test.jsonl"
    result = evaluate(heldout, Router(REAL_ESTATE), REAL_ESTATE)
    assert result["utterances"] >= 200
    assert result["routing_accuracy"] >= 0.78, result["misses"][:10]  # 81.2% when written
    assert result["slot_accuracy"] >= 0.85
