"""Business time: a tenant's time zone and opening hours. Storage is UTC; callers hear
and are understood in local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from backend.speech.times import existing

UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class BusinessHours:
    """When viewings happen and people answer the phone, in the tenant's local time."""

    opens: time = time(9, 0)
    closes: time = time(18, 0)
    days: frozenset[int] = frozenset(range(7))
    """Weekdays open (Monday is 0)."""
    holding: str = "A member of our team will be with you shortly."
    """The transfer policy in hours: what a caller handed to a person hears until one takes the call."""
    after_hours: str = (
        "Our team is back at {opens}; I've passed your details on and someone will call you back first thing."
    )
    """The transfer policy out of hours ({opens}: the opening time as said, "9 AM")."""

    def contains(self, local: datetime) -> bool:
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def closed_reply(self, local: datetime) -> str | None:
        """Out of hours, what a caller handed to a person hears instead of being put through;
        None in hours."""
        return None if self.contains(local) else self.after_hours.format(opens=spoken_clock(self.opens))

    def holding_reply(self, local: datetime) -> str:
        """What a transferred caller hears on every further turn."""
        return self.closed_reply(local) or self.holding

    def nearest(self, local: datetime) -> datetime:
        """The open time to offer instead of ``local``: opening time if it is earlier, the last
        hour before closing if later; on a closed day, opening time on the next open day."""
        day, at = local, (self.opens if local.time() < self.opens else self.last_start)
        for _ in range(7 if self.days else 0):
            if day.weekday() in self.days:
                break
            day, at = day + timedelta(days=1), self.opens
        return existing(day.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0))

    @property
    def last_start(self) -> time:
        """The latest start that leaves an hour before closing (opening time if hours are short)."""
        minutes = max(_minutes(self.closes) - 60, _minutes(self.opens))
        return time(minutes // 60, minutes % 60)


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` on the tenant's wall clock."""
    return moment.astimezone(zone)


def zone_of(name: str | None) -> ZoneInfo:
    """The zone a tenant names (validated when it was stored); none: UTC."""
    return ZoneInfo(name) if name else UTC_ZONE


def spoken(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """How a time is said to a caller: "Saturday 5 December at 10:00 AM", on the wall clock of
    ``zone`` (else of ``moment``'s own offset). The one place this format lives."""
    if zone is not None:
        moment = moment.astimezone(zone)
    return f"{moment:%A %-d %B at %-I:%M %p}"


def spoken_clock(at: time) -> str:
    """A time of day as said: "9 AM", "5:30 PM"."""
    return f"{at:%-I %p}" if at.minute == 0 else f"{at:%-I:%M %p}"
