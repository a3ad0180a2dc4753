"""Business time: spoken times are read and said on the tenant's wall clock, stored as UTC."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from agents.tool_context import ToolContext

from backend.agents.clock import BusinessHours, local, spoken
from backend.agents.context import CallContext
from backend.agents.policy import parse, slots
from backend.agents.runner import AgentRuntime
from backend.agents.tools.failures import InThePast, OutsideBusinessHours
from backend.config import SettingsError, load_settings, region_timezone
from backend.store import Database, bookings, tenants
from backend.verticals.real_estate.agents import REAL_ESTATE, greeting
from backend.verticals.real_estate.demo import seed_demo
from backend.verticals.real_estate.tools import preferences, viewings
from memory import CallerContext, Memory
from memory.models import Caller, UpcomingBooking
from tests.conftest import Api

SYDNEY = ZoneInfo("Australia/Sydney")
FRIDAY_NIGHT = datetime(2026, 10, 16, 21, tzinfo=SYDNEY)
"""Friday 16 October 2026, 9 pm in Sydney (10:00 UTC): daylight time, +11."""
SATURDAY_10_LOCAL = datetime(2026, 10, 16, 23, tzinfo=UTC)
"""Saturday 17 October, 10 am in Sydney."""


def utc(moment: datetime | None) -> datetime:
    assert moment is not None and moment.tzinfo is not None
    return moment.astimezone(UTC)


def sydney_call(now: datetime = FRIDAY_NIGHT, **fields: Any) -> CallContext:
    """A call of a Sydney tenant, without stores (reading and saying times needs none)."""
    given: dict[str, Any] = {"memory": None, "db": None, **fields}
    return CallContext(group_id="tz", call_id="tz", now=now.astimezone(UTC), tz=SYDNEY, **given)


# -- reading spoken times ----------------------------------------------------------------------


def test_saturday_at_10_said_on_a_friday_night_in_sydney() -> None:
    moment = parse.when("this Saturday at 10am", FRIDAY_NIGHT)
    assert moment is not None and moment.utcoffset() is not None
    assert (moment.hour, moment.tzinfo) == (10, SYDNEY)  # local wall clock, aware
    assert utc(moment) == SATURDAY_10_LOCAL  # Friday 23:00Z
    # The policy model's slot reads the same against the call's (UTC) clock in the tenant's zone.
    said = slots.read("when", "string", "this Saturday at 10am", sydney_call())
    assert utc(datetime.fromisoformat(said)) == SATURDAY_10_LOCAL


BEFORE_SPRING = datetime(2026, 10, 3, 12, tzinfo=SYDNEY)
"""Saturday noon, AEST (+10): at 02:00 on Sunday 4 October the clocks go to 03:00 AEDT (+11)."""
BEFORE_AUTUMN = datetime(2026, 4, 4, 12, tzinfo=SYDNEY)
"""Saturday noon, AEDT (+11): at 03:00 on Sunday 5 April the clocks go back to 02:00 AEST (+10)."""


@pytest.mark.parametrize(
    ("said_on", "said", "expected"),
    [
        (BEFORE_SPRING, "Sunday at 10am", datetime(2026, 10, 3, 23, tzinfo=UTC)),
        (BEFORE_SPRING, "tomorrow at 2:30", datetime(2026, 10, 4, 3, 30, tzinfo=UTC)),
        (BEFORE_AUTUMN, "Sunday at 10am", datetime(2026, 4, 5, 0, tzinfo=UTC)),
        (BEFORE_AUTUMN, "tomorrow at 2:30", datetime(2026, 4, 5, 4, 30, tzinfo=UTC)),
    ],
)
def test_across_the_daylight_saving_changes(said_on: datetime, said: str, expected: datetime) -> None:
    assert said_on.utcoffset() != expected.astimezone(SYDNEY).utcoffset()  # the clocks change in between
    assert utc(parse.when(said, said_on)) == expected
    # Read against the call's UTC clock, as the slot filler and the tool do.
    call = sydney_call(said_on)
    assert utc(datetime.fromisoformat(slots.read("when", "string", said, call))) == expected
    assert utc(viewings._moment(call, said)) == expected


def test_a_time_in_the_spring_forward_gap_becomes_a_real_one() -> None:
    moment = parse.when("tomorrow at 2:30 in the morning", BEFORE_SPRING)
    assert moment is not None and (moment.hour, moment.minute) == (3, 30)  # 02:30 never happens that day
    assert utc(moment) == datetime(2026, 10, 3, 16, 30, tzinfo=UTC)


def test_an_iso_time_without_offset_is_local_and_one_with_offset_is_kept() -> None:
    call = sydney_call()
    assert utc(viewings._moment(call, "2026-10-17T10:00:00")) == SATURDAY_10_LOCAL
    assert utc(viewings._moment(call, "2026-10-16T23:00:00+00:00")) == SATURDAY_10_LOCAL
    assert viewings._moment(call, "2026-10-16T23:00:00+00:00").tzinfo == SYDNEY


# -- business hours and the past ---------------------------------------------------------------


def test_a_time_already_gone_is_refused() -> None:
    call = sydney_call()
    with pytest.raises(InThePast) as gone:
        viewings._moment(call, "2026-10-16T10:00:00")  # this morning, Sydney time
    assert gone.value.code == "in_the_past" and gone.value.say.endswith("?")
    assert "Friday 16 October at 10:00 AM" in gone.value.say


@pytest.mark.parametrize(
    ("said", "offer"),
    [("Saturday at 8pm", "5 PM that day"), ("Saturday at 7:30 in the morning", "9 AM that day")],
)
def test_a_time_outside_business_hours_is_refused_with_a_question(said: str, offer: str) -> None:
    with pytest.raises(OutsideBusinessHours) as closed:
        viewings._moment(sydney_call(), said)
    failure = closed.value
    assert failure.say == f"We show homes between 9 AM and 6 PM. Would {offer} suit?"
    assert failure.as_output()["failure"] == "outside_business_hours"
    assert (failure.data["opens"], failure.data["closes"]) == ("09:00", "18:00")
    # 8 pm in Sydney is 9 am UTC: the hours are the tenant's, not UTC's.
    assert viewings._moment(sydney_call(), "Saturday at 5pm").hour == 17


def test_a_closed_day_offers_the_next_open_one() -> None:
    weekdays = BusinessHours(days=frozenset(range(5)))
    with pytest.raises(OutsideBusinessHours) as closed:
        viewings._moment(sydney_call(hours=weekdays), "Saturday at 11am")
    assert closed.value.say.endswith("Would Monday 19 October at 9:00 AM suit?")


# -- saying times ------------------------------------------------------------------------------


def test_replies_say_the_local_time() -> None:
    assert spoken(SATURDAY_10_LOCAL, SYDNEY) == "Saturday 17 October at 10:00 AM"
    assert spoken(SATURDAY_10_LOCAL) == "Friday 16 October at 11:00 PM"  # what UTC would have said
    result = {"booked": True, "address": "12 Ocean St", "reference": "RE-1", "starts_at": ""}
    result["starts_at"] = local(SATURDAY_10_LOCAL, SYDNEY).isoformat()
    assert "on Saturday 17 October at 10:00 AM" in viewings.reply_book(result)


def _known_caller() -> CallerContext:
    return CallerContext(
        caller=Caller(id="c1", uuid="u1", name="Mara Quinn"),
        confidence=1.0,
        matched_on="phone",
        verified=True,
        facts=[],
        upcoming_bookings=[
            UpcomingBooking(booking_id="b1", starts_at=SATURDAY_10_LOCAL, address="12 Ocean St")
        ],
        last_calls=[],
    )


def test_the_greeting_says_the_local_time() -> None:
    said = greeting(sydney_call(caller=_known_caller()))
    assert "12 Ocean St is on Saturday 17 October at 10:00 AM" in said and "11:00 PM" not in said


async def test_the_caller_summary_says_the_local_time() -> None:
    class Recalls:
        async def recall_caller(self, group_id: str, **_: object) -> CallerContext:
            return _known_caller()

    call = sydney_call(memory=Recalls(), caller_id="c1")
    tool = ToolContext(context=call, tool_name="caller_summary", tool_call_id="t1", tool_arguments="{}")
    result = await preferences.caller_summary.on_invoke_tool(tool, "{}")
    assert result["viewings"] == ["12 Ocean St on Saturday 17 October at 10:00 AM"]


async def _book_in_sydney(
    mem: Memory, db: Database, now: datetime, said: str
) -> tuple[str, bookings.Booking]:
    """A Sydney agency's caller books P001 as ``said`` at ``now``: the reply and the booking."""
    runtime = AgentRuntime(REAL_ESTATE, mem, db)
    group, call_id = "tz" + uuid.uuid4().hex[:10], "call-" + uuid.uuid4().hex[:8]
    await seed_demo(mem, group)
    phone = f"0412 {uuid.uuid4().int % 10**6:06d}"
    call = await runtime.open_call(
        group, call_id, now=now.astimezone(UTC), name="Tess Zhou", phone=phone, tz=SYDNEY
    )
    call.state.last_property = "P001"
    result = await runtime.turn(call, said, "Viewing Scheduler")
    [booking] = await bookings.of_caller(db, group, call.caller_id or "")
    return result.reply, booking


async def test_a_booking_is_stored_as_utc_and_said_locally(mem: Memory, db: Database) -> None:
    reply, booking = await _book_in_sydney(
        mem, db, FRIDAY_NIGHT, "can I book a viewing for this Saturday at 10am"
    )
    assert "Saturday 17 October at 10:00 AM" in reply, reply
    assert booking.starts_at == SATURDAY_10_LOCAL  # Friday 23:00Z in the ledger


async def test_a_reference_carries_the_agency_s_date(mem: Memory, db: Database) -> None:
    tuesday_morning = datetime(2027, 3, 2, 9, tzinfo=SYDNEY)  # Monday 22:00 UTC
    reply, booking = await _book_in_sydney(
        mem, db, tuesday_morning, "can I book a viewing for Thursday at 11am"
    )
    assert booking.reference.startswith("RE-20270302-"), booking.reference
    assert booking.reference in reply


# -- the tenant's zone -------------------------------------------------------------------------


def test_the_default_zone_follows_the_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SWITCHBOARD_TIMEZONE", raising=False)
    zones = {r: load_settings(default_region=r).business_timezone for r in ("AU", "US", "GB")}
    assert zones == {"AU": "Australia/Sydney", "US": "America/New_York", "GB": "Europe/London"}
    assert region_timezone("ZZ") == "UTC"  # a region with no zone of its own
    monkeypatch.setenv("SWITCHBOARD_TIMEZONE", "Australia/Perth")
    assert load_settings().business_timezone == "Australia/Perth"


@pytest.mark.parametrize("bad", ["Mars/Olympus_Mons", "Australia", "../etc/passwd"])
def test_a_bad_zone_stops_start_up_naming_the_variable(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("SWITCHBOARD_TIMEZONE", bad)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert "SWITCHBOARD_TIMEZONE" in str(err.value) and str(err.value).count("\n") == 1


async def test_a_tenant_keeps_its_zone(db: Database) -> None:
    name = "tz-" + uuid.uuid4().hex[:8]
    tenant, key = await tenants.create(db, name, timezone="Europe/London")
    who = await tenants.authenticate(db, key, "Australia/Sydney")
    assert who is not None and who.tenant == tenant and who.tenant.timezone == "Europe/London"
    with pytest.raises(tenants.UnknownTimezone):
        await tenants.create(db, name + "-bad", timezone="Europe/Londres")
    # One stored without a zone (as before migration 003) reads as the settings' default.
    _, older = await tenants.create(db, name + "-old")
    who = await tenants.authenticate(db, older, "Pacific/Auckland")
    assert who is not None and who.tenant.timezone == "Pacific/Auckland"
    listed = {r["name"]: r["timezone"] for r in await tenants.listing(db, "Pacific/Auckland")}
    assert listed[name] == "Europe/London" and listed[name + "-old"] == "Pacific/Auckland"


async def test_the_local_tenant_gets_the_settings_default(api: Api, db: Database) -> None:
    who = await tenants.authenticate(db, api.key)
    assert who is not None and who.tenant.name == tenants.LOCAL
    assert who.tenant.timezone == "Australia/Sydney"  # the test stack's region is AU


def _switchboard(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "SWITCHBOARD_TIMEZONE"}
    return subprocess.run(
        [sys.executable, "-m", "backend", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**environ, **env},
    )


def test_tenants_create_with_a_timezone(stack) -> None:  # type: ignore[no-untyped-def]
    data_dir, name = str(stack.data_dir), "tz-cli-" + uuid.uuid4().hex[:8]
    made = _switchboard("tenants", "create", name, "--timezone", "America/Chicago", "--data-dir", data_dir)
    assert made.returncode == 0, made.stderr
    bad = _switchboard("tenants", "create", name + "-bad", "--timezone", "Mars/Base", "--data-dir", data_dir)
    assert bad.returncode == 2 and "--timezone" in bad.stderr and "Mars/Base" in bad.stderr
    plain = _switchboard(
        "tenants", "create", name + "-gb", "--data-dir", data_dir, SWITCHBOARD_DEFAULT_REGION="GB"
    )
    assert plain.returncode == 0, plain.stderr
    listed = _switchboard("tenants", "list", "--json", "--data-dir", data_dir)
    zones = {t["name"]: t["timezone"] for t in json.loads(listed.stdout)}
    assert zones[name] == "America/Chicago" and zones[name + "-gb"] == "Europe/London"
    assert name + "-bad" not in zones
    table = _switchboard("tenants", "list", "--data-dir", data_dir, COLUMNS="200")
    assert "America/Chicago" in table.stdout
