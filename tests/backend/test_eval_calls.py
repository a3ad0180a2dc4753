"""The call-scenario harness itself (``switchboard eval calls``): it loads, judges and can fail.

No pass rate is asserted here: the product is being built against these scenarios, and
``switchboard eval calls --require RATE`` is where a rate is enforced."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from rich.console import Console

from backend.evals import calls, checks, verdicts
from backend.evals.calls import Report, ScenarioResult
from backend.evals.phones import Phones
from backend.evals.scenario import (
    Call,
    GreetingExpect,
    Kind,
    ListingsExpect,
    Persona,
    Scenario,
    ScenarioError,
    load_file,
    load_scenarios,
)

pytestmark = pytest.mark.integration  # starts its own servers

FAILING = """
name: harness-must-fail
kind: new_caller
callers:
  tester: {phone: "0412 555 199"}
calls:
  - caller: tester
    turns:
      - say: "Hi, have you got anything in Bondi?"
        expect:
          contains: ["xyzzy, a word no agent says"]
"""


SAME_SLOT = """
name: harness-own-tenant-{n}
kind: new_caller
callers:
  tester: {{phone: "0412 555 198", name: "Tess Harness"}}
calls:
  - caller: tester
    turns:
      - say: "I'd like to book 32 Church Street, Balmain on Saturday at 12"
        expect:
          says: [booked]
    after:
      - upcoming_viewings: 1
"""
"""Two scenarios booking one slot as one person: each on its own tenant, both book it."""


def test_every_scenario_loads_with_a_kind_and_turns() -> None:
    scenarios = load_scenarios()
    assert len(scenarios) >= 40
    assert len({s.name for s in scenarios}) == len(scenarios)
    for s in scenarios:
        assert s.kind
        assert s.turn_count >= 1
    small = [s for s in scenarios if s.small]
    assert 10 <= len(small) <= 16
    assert len({s.kind for s in small}) >= 10


def test_only_selects_by_name_kind_or_glob() -> None:
    assert [s.name for s in load_scenarios(only="budget-change-bondi-same-call")] == [
        "budget-change-bondi-same-call"
    ]
    assert {s.kind for s in load_scenarios(only="escalation")} == {"escalation"}
    assert all(s.name.startswith("widening-") for s in load_scenarios(only="widening-*"))


def _write(tmp_path: Path, scenario: str) -> Path:
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump({"scenarios": [yaml.safe_load(scenario)]}))
    return path


def test_the_failing_fixture_is_a_valid_scenario(tmp_path: Path) -> None:
    assert load_file(_write(tmp_path, FAILING))[0].name == "harness-must-fail"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("expect:", "expct:"),  # a typo'd key
        ("contains:", "contians:"),  # a typo'd assertion
        ("kind: new_caller", "kind: new_callers"),  # an unknown kind
        ("caller: tester", "caller: somebody"),  # a persona never declared
    ],
)
def test_a_typo_in_a_scenario_is_an_error(tmp_path: Path, old: str, new: str) -> None:
    with pytest.raises(ScenarioError):
        load_file(_write(tmp_path, FAILING.replace(old, new)))


def test_the_same_caller_is_any_earlier_calls_not_just_the_last() -> None:
    """A chat call in between gave her a possible match's id of its own: a later voice call
    recognised as her first call's caller is still the same caller."""
    earlier = {"leo": ["caller-voice", "caller-chat"]}
    started = {"greeting": "Welcome back", "caller": {"id": "caller-voice"}}
    same = verdicts.greeting_verdicts(GreetingExpect(same_caller_as="leo"), started, Persona(), earlier)
    other = verdicts.greeting_verdicts(
        GreetingExpect(different_caller_from="leo"), started, Persona(), earlier
    )
    assert [v.ok for v in same] == [True] and [v.ok for v in other] == [False]


def test_a_persona_is_judged_on_the_record_they_are_known_by() -> None:
    """A chat call whose check never passed has a caller of its own: the persona's bookings and
    facts are still on the record of their first call; one that passed is the verified one."""
    run = calls.ScenarioRun(None, load_scenarios()[0], Phones())  # type: ignore[arg-type]
    run.ids, run.unproven = {"leo": ["caller-voice", "caller-chat"]}, {"caller-chat"}
    assert run.latest("leo") == "caller-voice"
    run.ids["leo"].append("caller-voice")  # a later chat's check passed: the call moved to her
    assert run.latest("leo") == "caller-voice"
    run.ids, run.unproven = {"kim": ["caller-chat"]}, {"caller-chat"}  # new with the chat: herself
    assert run.latest("kim") == "caller-chat"


def test_a_call_sends_what_it_names_and_nothing_when_it_names_nothing() -> None:
    ana = Persona(phone="0412 555 100", name="Ana Lima", email="ana@example.org")
    assert calls.start_body(Call(caller="ana", channel="chat", sends=[]), ana) == {"channel": "chat"}
    assert calls.start_body(Call(caller="ana", sends=["phone"]), ana) == {
        "channel": "voice",
        "from": "0412 555 100",
    }
    assert set(calls.start_body(Call(caller="ana"), ana)) == {"channel", "from", "name", "email"}


def test_money_is_read_however_written() -> None:
    for said in ("up to $1,300,000", "up to $1.3M", "about 1.3 million", "1.3 mil", "$1300k"):
        assert checks.mentions_money(said, 1_300_000), said
    assert not checks.mentions_money("3 bedrooms, 30 years, 13 Ocean St", 1_300_000)


def test_clock_times_are_read_in_24_hours() -> None:
    assert checks.clock_times("Saturday at 10:00 AM, or 2pm, or 14:30, or noon") == {
        "10:00",
        "14:00",
        "14:30",
        "12:00",
    }
    assert checks.clock_times("$1,813 a month") == set()


def test_listed_homes_are_judged_by_the_listing_set() -> None:
    want = ListingsExpect(suburbs=["Bondi"], min_bedrooms=3, max_price=1_300_000)
    wrong = "I found 1 home: 1) 41 Glenayr Ave, Parramatta, 1 bed, $370,000."
    assert not all(v.ok for v in verdicts.listing_verdicts(wrong, want))
    none = "I couldn't find anything for sale in Bondi up to $1,300,000. Shall I widen it?"
    assert all(v.ok for v in verdicts.listing_verdicts(none, want))
    silent = "Thanks, noted."
    assert not all(v.ok for v in verdicts.listing_verdicts(silent, want))
    spoken = "There's 21 Queen Street in Bondi, four bedrooms."
    assert [n.address for n in checks.named_homes(spoken)] == ["21 Queen St"]


def test_a_search_that_found_one_home_is_a_listing_and_a_booking_is_not() -> None:
    one = (
        "I found 1 home in Parramatta with 3-4 bedrooms: 1) 47 Carrington Rd, Parramatta, 3 bed, $1,070,000."
    )
    booked = "You're booked to view 47 Carrington Rd on Saturday 5 December at 11:00 AM."
    details = "89 King St, Mosman: 3 bed, $1,950,000. Would you like to book a viewing?"
    assert checks.is_listing(one) and not checks.is_listing(booked) and not checks.is_listing(details)


def test_invariants_catch_sdk_errors_internal_ids_and_tracebacks() -> None:
    assert checks.invariant_violations("You're booked; reference RE-20261205-001.") == []
    assert checks.invariant_violations("An error occurred while running the tool. Please try again.")
    assert checks.invariant_violations("Sure, caller-3fa2b7c9d1 is noted")
    assert checks.invariant_violations("Traceback (most recent call last):")
    assert checks.invariant_violations("  ")


def test_the_cli_exits_1_only_below_the_required_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    half = Report([ScenarioResult("a", "new_caller", True), ScenarioResult("b", "new_caller", True)])
    half.results[1].failures.append(calls.Failure("b", "call 1 turn 1", "reply says x", "y"))
    monkeypatch.setattr(calls, "run", lambda scenarios: half)
    quiet = Console(quiet=True)
    assert calls.main(small=True, json_path=None, only=None, require=None, console=quiet) == 0
    assert calls.main(small=True, json_path=None, only=None, require=0.5, console=quiet) == 0
    assert calls.main(small=True, json_path=None, only=None, require=0.95, console=quiet) == 1


def test_the_heldout_set_loads_and_validates() -> None:
    """The sealed held-out set (docs/evals.md) parses and covers every kind; it is never run here."""
    heldout = load_scenarios(calls.scenario_dir("heldout"))
    assert len(heldout) >= 40
    assert {s.kind for s in heldout} == set(get_args(Kind))
    assert not any(s.small for s in heldout)
    assert not {s.name for s in heldout} & {s.name for s in load_scenarios(calls.scenario_dir("dev"))}


# --- the small suite over HTTP, plus one scenario that must fail ----------------------------


@pytest.fixture(scope="module")
def small_run() -> tuple[list[Scenario], dict[str, Any]]:
    failing = Scenario.model_validate(yaml.safe_load(FAILING))
    same = [Scenario.model_validate(yaml.safe_load(SAME_SLOT.format(n=n))) for n in (1, 2)]
    scenarios = [*load_scenarios(small=True), failing, *same]
    return scenarios, calls.run(scenarios).as_json()


def test_each_scenario_has_a_tenant_of_its_own(small_run: tuple[list[Scenario], dict[str, Any]]) -> None:
    _, result = small_run
    mine = [r for r in result["results"] if r["name"].startswith("harness-own-tenant-")]
    assert [r["passed"] for r in mine] == [True, True], mine


def test_the_small_run_has_the_json_shape(small_run: tuple[list[Scenario], dict[str, Any]]) -> None:
    scenarios, result = small_run
    assert result["scenarios"] == len(scenarios)
    assert 0 <= result["passed"] < result["scenarios"]  # at least the deliberate failure
    kinds = Counter(s.kind for s in scenarios)
    assert {k: v["scenarios"] for k, v in result["by_kind"].items()} == kinds
    assert sum(v["passed"] for v in result["by_kind"].values()) == result["passed"]
    assert len(result["failures"]) == result["scenarios"] - result["passed"]
    for failure in result["failures"]:
        assert {"scenario", "turn", "assertion", "reply"} <= set(failure)


def test_every_reply_was_checked_against_the_invariants(
    small_run: tuple[list[Scenario], dict[str, Any]],
) -> None:
    scenarios, result = small_run
    greetings = sum(len(s.calls) for s in scenarios)
    assert result["replies"] >= greetings  # a greeting per call, then the turns' replies
    assert result["invariant_checks"] == result["replies"]
    assert sum(len(r["transcript"]) for r in result["results"]) == result["replies"]


def test_a_deliberately_failing_assertion_is_reported(
    small_run: tuple[list[Scenario], dict[str, Any]],
) -> None:
    _, result = small_run
    failed = [f for f in result["failures"] if f["scenario"] == "harness-must-fail"]
    assert len(failed) == 1
    assert failed[0]["turn"] == "call 1 turn 1"
    assert "xyzzy" in failed[0]["assertion"]
    assert failed[0]["reply"]  # the reply that failed it, for whoever fixes the product


def test_the_servers_errors_are_shown_not_lost_with_its_data_dir(tmp_path: Path) -> None:
    """A reply of "something went wrong" hides a traceback in the server's log: the run shows it."""
    (tmp_path / "serve.log").write_text(
        '{"event": "demo listings seeded", "level": "info"}\n'
        'INFO:     127.0.0.1 - "POST /v1/calls HTTP/1.1" 201 Created\n'
        '{"tool": "search_properties", "event": "tool failed unexpectedly", "level": "error"}\n'
    )
    [line] = calls._errors(tmp_path)
    assert "tool failed unexpectedly" in line
    assert calls._errors(tmp_path / "gone") == []
