"""How replies are cut for speech: the caller hears the first clause while the rest is made."""

from __future__ import annotations

from backend.voice.engine import clauses


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
