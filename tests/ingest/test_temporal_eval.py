"""The temporal eval (``switchboard eval temporal``) at a small size: the world's ground truth
follows memory's rules, and memory answers every question right through structured episodes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ingest import caller_worlds, temporal_eval
from ingest.caller_worlds import Event
from memory import Memory

JAN, FEB, MAR = (datetime(2026, m, 1, tzinfo=UTC) for m in (1, 2, 3))


def test_truth_follows_the_timeline_rules() -> None:
    events = [
        Event("identified", "a", JAN, "+61412000001", name="Ann"),
        Event("budget", "a", JAN, 900_000),
        Event("budget", "a", MAR, 1_100_000),
        Event("suburb", "a", JAN, "Bondi"),
        Event("unsuburb", "a", FEB, "Bondi"),
        Event("identified", "b", FEB, "+61412000001", name="Bea"),  # the number moves
    ]
    truth = caller_worlds.truth
    assert truth(events, "a", "budget", FEB) == 900_000.0
    assert truth(events, "a", "budget", datetime(2026, 4, 1, tzinfo=UTC)) == 1_100_000.0
    assert truth(events[:2], "a", "budget", datetime(2026, 4, 1, tzinfo=UTC)) == 900_000.0
    assert truth(events, "a", "suburbs", JAN) == ("Bondi",)
    assert truth(events, "a", "suburbs", MAR) == ()
    assert truth(events, "a", "phones", JAN) == ("+61412000001",)
    assert truth(events, "a", "phones", MAR) == ()
    assert truth(events, "b", "phones", MAR) == ("+61412000001",)


def test_questions_cover_every_type() -> None:
    world = caller_worlds.generate(6, 8)
    asked = temporal_eval.questions(world)
    assert {q.type for q in asked} == set(caller_worlds.TYPES)
    assert any(e.late for e in world.arrivals)


async def test_small_world_is_answered_right_through_structured_episodes(mem: Memory, tmp_path: Path) -> None:
    result = await temporal_eval.evaluate(mem, seed=6, callers=8)
    assert result["questions"] >= 150
    assert result["accuracy"]["structured"] == 1.0, result["misses"]["structured"]
    assert 0 <= result["accuracy"]["transcript"] <= 1  # reported, not a target
    assert set(result["by_type"]) == set(caller_worlds.TYPES)
    temporal_eval.write_markdown(tmp_path / "temporal.md", result)
    assert "| all |" in (tmp_path / "temporal.md").read_text()
