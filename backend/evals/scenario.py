"""The scenario format of ``switchboard eval calls``: strict pydantic models over YAML.

A scenario is what one or more callers say over one or more calls, with what a caller
would expect to hear back. Every model forbids unknown keys, so a typo in a scenario
file is an error at load time rather than an assertion that silently never runs."""

from __future__ import annotations

import re
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Kind = Literal[
    "new_caller",
    "returning_same_phone",
    "returning_other_channel",
    "budget_change_keeps_preferences",
    "references",
    "book_reschedule_cancel",
    "booking_times",
    "slot_taken",
    "unknown_street",
    "widening",
    "mortgage_followup",
    "escalation",
    "number_reassigned",
    "shared_phone",
    "erased_then_calls",
    "bad_input",
    "two_word_suburb",
    "post_call_outcome",
]
Outcome = Literal[
    "viewing_booked", "viewing_changed", "appraisal_requested", "escalated", "enquiry", "no_answer"
]
# Things a reply can be heard to say, whatever the wording (phrase sets in checks.INTENTS).
Intent = Literal[
    "greeting",
    "none_found",
    "offer_widen",
    "booked",
    "rescheduled",
    "cancelled",
    "taken",
    "other_times",
    "past_time",
    "outside_hours",
    "not_listed",
    "nothing_to_pick",
    "holding",
    "unknown_place",
    "clarify",
    "repayment",
]
Identifier = Literal["phone", "name", "email"]
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


def _clock(value: str) -> str:
    if not _CLOCK.match(value):
        raise ValueError(f"{value!r} is not a 24-hour HH:MM time")
    return value


class Persona(Strict):
    """A person who calls: what they could be identified by."""

    phone: str | None = None
    name: str | None = None
    email: str | None = None


class HomeFilter(Strict):
    """Constraints on demo listings (checked against the listing set, not the reply's wording)."""

    suburbs: list[str] | None = None
    street: str | None = None
    min_bedrooms: int | None = None
    max_bedrooms: int | None = None
    min_price: int | None = None
    max_price: int | None = None


class ListingsExpect(HomeFilter):
    """Every home the reply lists satisfies the filter; if it lists none, it must say so."""

    at_least: int = Field(default=0, ge=0)
    allow_none: bool = True


class CallState(Strict):
    """GET /v1/calls/{id} while the call is live."""

    status: str | None = None
    brief: bool | None = None


class EventExpect(Strict):
    """An SSE event of the call seen during the turn."""

    type: str
    with_brief: bool = False


class TurnExpect(Strict):
    """What the caller expects of the reply to one turn; every field is optional, all must hold."""

    contains: list[str] | None = None
    """Any of these (case-insensitive)."""
    contains_all: list[str] | None = None
    excludes: list[str] | None = None
    matches: str | None = None
    """A regular expression (case-insensitive)."""
    says: list[Intent] | None = None
    """Each intent must be heard."""
    not_says: list[Intent] | None = None
    money: float | None = None
    """This dollar amount is mentioned, however written."""
    any_money: bool | None = None
    time: str | None = None
    """This local clock time (HH:MM) is said, e.g. '10:00' as '10 AM' or '10:00am'."""
    not_times: list[str] | None = None
    reference: bool | None = None
    """A booking reference like RE-20261205-001 is (or is not) given."""
    listings: ListingsExpect | None = None
    mentions_home: HomeFilter | None = None
    """At least one demo home satisfying the filter is named."""
    names_homes: bool | None = None
    """Whether the reply names any demo home at all (e.g. none while waiting for a person)."""
    refers_to_listed: int | None = Field(default=None, ge=1)
    """The reply names the n-th home of the last search the caller heard."""
    agent: str | None = None
    handoff_to: str | None = None
    tool: str | None = None
    escalated: bool | None = None
    brief: bool | None = None
    call: CallState | None = None
    event: EventExpect | None = None

    @field_validator("time")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        return _clock(value) if value is not None else None

    @field_validator("not_times")
    @classmethod
    def _times(cls, value: list[str] | None) -> list[str] | None:
        return [_clock(v) for v in value] if value is not None else None

    @field_validator("matches")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value


class Turn(Strict):
    say: str = Field(min_length=1)
    expect: TurnExpect = Field(default_factory=TurnExpect)


class GreetingExpect(Strict):
    """The answer to POST /v1/calls."""

    contains: list[str] | None = None
    excludes: list[str] | None = None
    says: list[Intent] | None = None
    names_caller: bool | None = None
    """The persona's first name is (or is not) in the greeting."""
    returning: bool | None = None
    same_caller_as: str | None = None
    """The caller id equals the one an earlier call of this persona got."""
    different_caller_from: str | None = None


class FactExpect(Strict):
    """A caller fact: its type, and its value (numbers within 0.5%) or a word it mentions."""

    name: str
    value: float | str | None = None
    mentions: str | None = None


class ViewingAt(Strict):
    """An upcoming viewing at this local (business time zone) weekday and clock time."""

    weekday: Weekday | None = None
    time: str

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        return _clock(value)


class AfterCheck(Strict):
    """Read back after the call ended and was ingested (bounded wait)."""

    caller: str | None = None
    """A persona alias; default: the call's own caller."""
    outcome_in: list[Outcome] | None = None
    current_facts: list[FactExpect] | None = None
    not_current_facts: list[FactExpect] | None = None
    facts_after_turn: int | None = Field(default=None, ge=1)
    """With ``facts``: the facts valid just after this turn of the call (bi-temporal read)."""
    facts: list[FactExpect] | None = None
    upcoming_viewings: int | None = Field(default=None, ge=0)
    viewing_at: ViewingAt | None = None
    caller_known: bool | None = None

    @model_validator(mode="after")
    def _paired(self) -> AfterCheck:
        if (self.facts_after_turn is None) != (self.facts is None):
            raise ValueError("facts_after_turn and facts go together")
        return self


class Call(Strict):
    caller: str
    """A persona alias."""
    channel: Literal["voice", "chat"] = "voice"
    sends: list[Identifier] | None = None
    """What the channel tells us about the caller at the start; default: all the persona has."""
    erase_first: bool = False
    """DELETE /v1/callers/{id} (the id an earlier call of this persona got) before dialling."""
    greeting: GreetingExpect = Field(default_factory=GreetingExpect)
    turns: list[Turn] = Field(default_factory=list)
    end: bool = True
    after: list[AfterCheck] = Field(default_factory=list)

    @model_validator(mode="after")
    def _after_needs_end(self) -> Call:
        if self.after and not self.end:
            raise ValueError("after-call checks need end: true")
        for check in self.after:
            if check.facts_after_turn and check.facts_after_turn > len(self.turns):
                raise ValueError(f"facts_after_turn {check.facts_after_turn} but {len(self.turns)} turns")
        return self


class Scenario(Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    kind: Kind
    small: bool = False
    description: str = ""
    callers: dict[str, Persona]
    calls: list[Call] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if not any(call.turns for call in self.calls):
            raise ValueError("a scenario needs at least one turn")
        seen: set[str] = set()
        for call in self.calls:
            aliases = [call.caller, call.greeting.same_caller_as, call.greeting.different_caller_from]
            aliases += [check.caller for check in call.after]
            for alias in filter(None, aliases):
                if alias not in self.callers:
                    raise ValueError(f"unknown caller {alias!r} (callers: {sorted(self.callers)})")
            if call.erase_first and call.caller not in seen:
                raise ValueError(f"erase_first: {call.caller!r} has not called yet")
            for identifier in call.sends or []:
                if getattr(self.callers[call.caller], identifier) is None:
                    raise ValueError(f"{call.caller!r} has no {identifier} to send")
            seen.add(call.caller)
        return self

    @property
    def turn_count(self) -> int:
        return sum(len(call.turns) for call in self.calls)


class ScenarioFile(Strict):
    scenarios: list[Scenario] = Field(min_length=1)


class ScenarioError(ValueError):
    """A scenario file that does not parse or validate; names the file."""


SCENARIOS = resources.files("backend.evals") / "scenarios"


def load_file(path: Path) -> list[Scenario]:
    try:
        return ScenarioFile.model_validate(yaml.safe_load(path.read_text())).scenarios
    except (yaml.YAMLError, ValidationError) as exc:
        raise ScenarioError(f"{path.name}: {exc}") from exc


def load_scenarios(
    directory: Path | None = None, *, small: bool = False, only: str | None = None
) -> list[Scenario]:
    """All scenarios (sorted by file, then as written); ``only``: a name, a kind or a glob."""
    where = directory or Path(str(SCENARIOS))
    scenarios = [s for path in sorted(where.glob("*.yaml")) for s in load_file(path)]
    names = [s.name for s in scenarios]
    if dupes := sorted({n for n in names if names.count(n) > 1}):
        raise ScenarioError(f"scenario names used twice: {', '.join(dupes)}")
    if small:
        scenarios = [s for s in scenarios if s.small]
    if only:
        scenarios = [s for s in scenarios if only == s.kind or fnmatch(s.name, only)]
    return scenarios
