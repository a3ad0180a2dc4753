"""Reading values out of ordinary speech: money, counts, ordinals, rates, times."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_WORDS = {
    "zero": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "single": 1,
    "two": 2,
    "couple": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
}
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "last": -1,
    "latter": -1,
    "former": 1,
}
_SCALE = {
    "k": 1e3,
    "thousand": 1e3,
    "grand": 1e3,
    "m": 1e6,
    "mil": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "billion": 1e9,
}

_MONEY = re.compile(
    r"(?P<dollar>\$)?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<scale>k|thousand|grand|m|mil|million|millions|b|billion)?\b(?!\s*(?:bed|bedroom|br|bath|%|percent|year|yr))",
    re.IGNORECASE,
)
_WORD_MONEY = re.compile(
    r"\b(?P<num>" + "|".join(_WORDS) + r"|half a|a half)\s+(?P<scale>thousand|million|mil)\b",
    re.IGNORECASE,
)
_INT = re.compile(r"\b(\d{1,3})\b")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent|per cent)", re.IGNORECASE)


def money(text: str, *, minimum: float = 1_000) -> float | None:
    """The largest plausible amount: "$850k", "1.2 million", "850,000", "half a million"."""
    found: list[float] = []
    for m in _MONEY.finditer(text):
        value = float(m["num"].replace(",", ""))
        scale = (m["scale"] or "").lower()
        if scale:
            value *= _SCALE[scale]
        elif not m["dollar"] and value < minimum:
            continue
        found.append(value)
    for m in _WORD_MONEY.finditer(text):
        word = m["num"].lower()
        base = 0.5 if "half" in word else _WORDS[word]
        found.append(base * _SCALE[m["scale"].lower()])
    found = [v for v in found if v >= minimum]
    return max(found) if found else None


def count(text: str, near: str | None = None) -> int | None:
    """A small whole number, preferring one next to ``near`` ("three bedrooms")."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    candidates: list[tuple[int, int]] = []  # (distance to `near`, value)
    anchor = [i for i, w in enumerate(words) if near and w.startswith(near)]
    if near and not anchor:
        return None
    for i, w in enumerate(words):
        value = int(w) if w.isdigit() and len(w) <= 2 else _WORDS.get(w)
        if value is None or (w in {"a", "an"} and not anchor):
            continue
        distance = min((abs(i - j) for j in anchor), default=0)
        if anchor and distance > 3:
            continue
        candidates.append((distance, value))
    return min(candidates)[1] if candidates else None


def ordinal(text: str) -> int | None:
    """1-based position ("the second one") or -1 for "the last one"."""
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        if w in _ORDINALS:
            return _ORDINALS[w]
    m = re.search(r"\b(?:number|no\.?|#)\s*(\d)\b", text, re.IGNORECASE)
    return int(m.group(1)) if m else None


def percent(text: str) -> float | None:
    m = _PERCENT.search(text)
    return float(m.group(1)) if m else None


def years(text: str) -> int | None:
    m = re.search(r"(\d{1,2})\s*(?:-|\s)?\s*(?:years?|yrs?)\b", text, re.IGNORECASE)
    if m:
        return int(m.group(1))
    return count(text, near="year")


_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DAYPART = {
    "morning": 10,
    "midday": 12,
    "noon": 12,
    "lunchtime": 12,
    "afternoon": 14,
    "evening": 18,
    "arvo": 14,
}
_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d\d))?\s*(am|pm|a\.m\.|p\.m\.)", re.IGNORECASE)
_AT = re.compile(r"\b(?:at|@)\s*(\d{1,2})(?::(\d\d))?\b(?!\s*(?:am|pm|%|bed))", re.IGNORECASE)
_DATE_WORDS = re.compile(
    r"\b(\d{1,2}(?:st|nd|rd|th)|january|february|march|april|june|july|august|september"
    r"|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?)\b",
    re.IGNORECASE,
)


def _time_of_day(text: str) -> tuple[int, int] | None:
    if m := _CLOCK.search(text):
        hour, minute = int(m.group(1)) % 12, int(m.group(2) or 0)
        return (hour + 12 if m.group(3).lower().startswith("p") else hour), minute
    if m := _AT.search(text):
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if hour <= 7:
            hour += 12  # "at 3" means the afternoon for a viewing
        return hour, minute
    for part, hour in _DAYPART.items():
        if re.search(rf"\b{part}\b", text, re.IGNORECASE):
            return hour, 0
    return None


def _day(text: str, now: datetime) -> datetime | None:
    lowered = text.lower()
    if re.search(r"\btoday|tonight|this (?:morning|afternoon|evening|arvo)\b", lowered):
        return now
    if "day after tomorrow" in lowered:
        return now + timedelta(days=2)
    if "tomorrow" in lowered:
        return now + timedelta(days=1)
    for index, name in enumerate(_WEEKDAYS):
        if re.search(rf"\b{name[:3]}(?:{name[3:]})?\b", lowered):
            ahead = (index - now.weekday()) % 7
            if "next" in lowered and ahead < 7:
                ahead = ahead or 7
            return now + timedelta(days=ahead or 7 if "next" in lowered else ahead)
    if _DATE_WORDS.search(lowered):
        settings = {
            "RELATIVE_BASE": now.replace(tzinfo=None),
            "PREFER_DATES_FROM": "future",
            "PREFER_DAY_OF_MONTH": "first",
            "DATE_ORDER": "DMY",
        }
        from dateparser.search import search_dates

        for _, found in search_dates(text, settings=settings, languages=["en"]) or []:
            return found.replace(tzinfo=now.tzinfo)
    return None


def when(text: str, now: datetime) -> datetime | None:
    """A future moment from "Saturday at 10", "tomorrow afternoon", "next Tuesday 3pm",
    "the 28th at 11am" (relative to ``now``, the call's time; a bare day means 10am)."""
    day = _day(text, now)
    clock = _time_of_day(text)
    if day is None and clock is None:
        return None
    hour, minute = clock or (10, 0)
    moment = (day or now).replace(hour=hour, minute=minute, second=0, microsecond=0)
    if moment <= now:
        # "at 10" alone means the next 10 o'clock; "Saturday at 10" the next Saturday.
        named_day = day is not None and day.date() == now.date() and _names_weekday(text)
        moment += timedelta(days=7 if named_day else 1)
    return moment


def _names_weekday(text: str) -> bool:
    return any(re.search(rf"\b{d[:3]}", text, re.IGNORECASE) for d in _WEEKDAYS)


__all__ = ["count", "money", "ordinal", "percent", "when", "years"]
