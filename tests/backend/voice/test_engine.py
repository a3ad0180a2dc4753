"""How replies are cut for speech (the caller hears the first clause while the rest is made), and
when the words of a turn read as finished."""

from __future__ import annotations

import pytest

from backend.voice.engine import clauses, sounds_finished


def test_replies_are_spoken_clause_by_clause() -> None:
    listing = "I found 5 homes in Coogee: 1) 23 Carrington Rd, Coogee, 2 bed, $1,350,000; 2) 65 George St."
    assert clauses(listing) == [
        "I found 5 homes in Coogee:",
        "1) 23 Carrington Rd, Coogee, 2 bed, $1,350,000;",
        "2) 65 George St.",
    ]
    long_first = "I'm transferring you to one of our team now, they'll have the details of this call."
    assert clauses(long_first) == [
        "I'm transferring you to one of our team now,",
        "they'll have the details of this call.",
    ]
    assert clauses("Thanks for calling. Goodbye!") == ["Thanks for calling.", "Goodbye!"]
    assert clauses("  ") == []


@pytest.mark.parametrize(
    ("words", "finished"),
    [
        ("How many bedrooms does it have?", True),
        ("I want three bedrooms.", True),
        ("I'd like to book a viewing of...", False),  # Whisper trails an unfinished turn off
        ("We are looking in Bondi and…", False),
        ("Can I see the one on?", False),  # a mark after a word no sentence ends on
        ("My budget is about", False),
        ("", False),
    ],
)
def test_the_words_of_a_finished_turn(words: str, finished: bool) -> None:
    assert sounds_finished(words) is finished
