"""The call's state a turn keeps to undo itself with."""

from __future__ import annotations

from backend.agents.context import CallState
from backend.verticals.real_estate.listings import Listing


def _listing(n: int) -> Listing:
    return Listing(property_id=f"p{n}", address=f"{n} George St", suburb="Coogee", price=2e6, status="sale")


def test_a_snapshot_is_what_the_state_was_before_the_turn_changed_it() -> None:
    state = CallState(last_results=[_listing(1)], search={"suburbs": ["Coogee"]}, shortlist=["p1"])
    state.history = [{"role": "user", "content": "a house in Coogee"}]
    before = state.snapshot()

    # what a turn does: the history and the results replaced or grown, criteria edited in place
    state.history = [*state.history, {"role": "assistant", "content": "I found 1 home"}]
    state.last_results.append(_listing(2))
    state.search["suburbs"].append("Bondi")
    state.shortlist.append("p2")
    state.pending = {"tool": "book_viewing", "args": {}}

    assert before.history == [{"role": "user", "content": "a house in Coogee"}]
    assert [x.property_id for x in before.last_results] == ["p1"]
    assert before.search == {"suburbs": ["Coogee"]}
    assert before.shortlist == ["p1"]
    assert before.pending is None
    assert before.working_set() != state.working_set()
