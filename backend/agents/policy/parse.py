"""Reading values out of ordinary speech: money, counts, ordinals, rates, times."""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta

from backend.agents.clock import existing

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
_UNITS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2)
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
    "final": -1,
    "latter": -1,
    "former": 1,
}
_SCALE = {
    "k": 1e3,
    "thousand": 1e3,
    "grand": 1e3,
    "m": 1e6,
    "mil": 1e6,
    "mill": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "billion": 1e9,
}

_MONEY = re.compile(
    r"(?P<dollar>\$)?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<scale>k|thousand|grand|m|mil|mill|million|millions|b|billion)?\b"
    r"(?!\s*(?:bed|br\b|bath|%|percent|per cent|year|yr|am\b|pm\b|a\.m|p\.m|st\b|nd\b|rd\b|th\b))",
    re.IGNORECASE,
)
_WORD_MONEY = re.compile(
    r"\b(?P<num>" + "|".join(_WORDS) + r"|half a|a half)\s+(?P<scale>thousand|million|mil)\b",
    re.IGNORECASE,
)
_HALF_MORE = re.compile(r"\b(?P<num>\d+)\s*(?P<scale>million|mil|m)\s+and\s+a\s+half\b", re.IGNORECASE)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent|per cent|pc\b|p\.?a\b|interest\b)", re.IGNORECASE)
# A rate said without "percent": a decimal after "at", or any number after "rate"/"interest".
_BARE_RATE = re.compile(
    r"\b(?:at\s+(\d{1,2}\.\d{1,3})|(?:rates?|interest)(?: rate)?(?: of| is| are| at| would be)?"
    r"(?: around| about| roughly)?\s+(\d{1,2}(?:\.\d{1,3})?))\b(?!\s*(?:[kmb]|mil|am|pm|:|years?|yrs?))",
    re.IGNORECASE,
)
# Loose amounts, for a price only: "under 1.6" is 1.6 million, "anything under 850" 850 thousand.
_LOOSE = re.compile(
    r"\b(?:under|below|up to|down to|max(?:imum)?|budget(?:'s| is| of)?|limit(?:'s| is| of)?|around|about"
    r"|at most|less than|no more than|cap(?:ped)? at|spend)\s+\$?(\d{1,3}(?:\.\d{1,3})?)(?![\d.,:])"
    r"(?!\s*(?:bed|br\b|%|percent|per cent|year|yr|am\b|pm\b))"
    r"|\b(\d{1,3}(?:\.\d{1,3})?)\s+(?:tops|max(?:imum)?|or (?:less|under))\b",
    re.IGNORECASE,
)

# Spoken numbers, rewritten as digits where they carry a unit: "one point eight million",
# "seven hundred and fifty thousand", "twenty-five years", "six and a half percent".
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TENS, "hundred"], key=len, reverse=True))
_SPOKEN = re.compile(
    rf"\b(?:{_NUMBER_WORD})(?:(?:(?<=hundred)\s+and\s+|[\s-]+)(?:{_NUMBER_WORD}))*"
    rf"(?:\s+point(?:\s+(?:{'|'.join(_UNITS)}))+)?(?:\s+and\s+a\s+half)?"
    r"(?=\s*(?:million|mil|thousand|grand|k\b|percent|per cent|%|years?|yrs?|year))",
    re.IGNORECASE,
)
_MILLION_AND_A_HALF = re.compile(r"\b(a|one|two|three)\s+(million|mil)\s+and\s+a\s+half\b", re.IGNORECASE)


def _spoken_value(words: str) -> float:
    whole, _, rest = words.lower().replace("-", " ").partition(" point ")
    half = " and a half" in (rest or whole)
    whole = whole.replace(" and a half", "")
    rest = rest.replace(" and a half", "")
    total = current = 0
    for w in whole.split():
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
    total += current
    value = float(total)
    if rest:
        value = float(f"{total}." + "".join(str(_UNITS[w]) for w in rest.split() if w in _UNITS))
    return value + (0.5 if half else 0.0)


def spoken(text: str) -> str:
    """``text`` with spelled-out amounts, rates and terms written as digits."""

    def number(m: re.Match[str]) -> str:
        value = _spoken_value(m.group(0))
        return f"{value:g}"

    text = _MILLION_AND_A_HALF.sub(lambda m: f"{_spoken_value(m.group(1)) or 1:g}.5 {m.group(2)}", text)
    text = _SPOKEN.sub(number, text)
    return re.sub(r"\b(\d+)\s+and\s+a\s+half\b", lambda m: f"{int(m.group(1)) + 0.5:g}", text)


def money(text: str, *, minimum: float = 1_000, loose: bool = False) -> float | None:
    """The largest plausible amount: "$850k", "1.2 million", "850,000", "half a million".
    ``loose`` also reads a price said without its unit ("under 1.6", "max 850")."""
    text = spoken(text)
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
    for m in _HALF_MORE.finditer(text):
        found.append((int(m["num"]) + 0.5) * _SCALE[m["scale"].lower()])
    found = [v for v in found if v >= minimum]
    if not found and loose:
        for m in _LOOSE.finditer(text):
            said = m.group(1) or m.group(2)
            value = float(said)
            if 0.3 <= value < 20 and "." in said:
                found.append(value * 1e6)  # "under 1.6": millions, for a Sydney home
            elif 100 <= value < 1000 and "." not in said:
                found.append(value * 1e3)  # "anything under 850"
    return max(found) if found else None


def count(text: str, near: str | None = None) -> int | None:
    """A small whole number, preferring one next to ``near`` ("three bedrooms")."""
    text = re.sub(r"(\d)\s*(?:br|bdr|bdrm|bed)s?\b", r"\1 bed", text, flags=re.IGNORECASE)
    text = spoken(text)
    words = re.findall(r"[a-z0-9]+", text.lower())
    candidates: list[tuple[int, int]] = []  # (distance to `near`, value)
    anchor = [i for i, w in enumerate(words) if near and w.startswith(near)]
    if near and not anchor:
        return None
    for i, w in enumerate(words):
        value = int(w) if w.isdigit() and len(w) <= 2 else _WORDS.get(w)
        if value is None and i + 1 in anchor and _ORDINALS.get(w, 0) > 1:
            value = _ORDINALS[w]  # "a third bedroom" makes three
        if value is None or (w in {"a", "an"} and not anchor):
            continue
        distance = min((abs(i - j) for j in anchor), default=0)
        if anchor and distance > 3:
            continue
        candidates.append((distance, value))
    return min(candidates)[1] if candidates else None


def ordinal(text: str) -> int | None:
    """1-based position ("the second one", "number four") or -1 for "the last one"."""
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        if w in _ORDINALS:
            return _ORDINALS[w]
    m = re.search(r"\b(?:number|no\.?|#)\s*(\d|one|two|three|four|five|six|seven|eight|nine)\b", text, re.I)
    if not m:
        return None
    said = m.group(1).lower()
    return int(said) if said.isdigit() else _UNITS[said]


def percent(text: str) -> float | None:
    """A rate: "6.2%", "six and a half percent", "6.25 interest", "at 6.2" (a decimal)."""
    text = spoken(text)
    m = _PERCENT.search(text) or _BARE_RATE.search(text)
    if not m:
        return None
    value = float(next(g for g in m.groups() if g))
    return value if value <= 30 else None


def years(text: str) -> int | None:
    text = spoken(text)
    m = re.search(r"(\d{1,2})\s*(?:-|\s)?\s*(?:years?|yrs?)\b", text, re.IGNORECASE)
    if m:
        return int(m.group(1))
    return count(text, near="year")


_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DAYPART = {
    "morning": 10,
    "midday": 12,
    "noon": 12,
    "lunchtime": 12,
    "lunch time": 12,
    "afternoon": 14,
    "evening": 18,
    "tonight": 18,
    "arvo": 14,
}
_CLOCK = re.compile(r"\b(\d{1,2})(?:[:.](\d\d))?\s*(am|pm|a\.m\.|p\.m\.)", re.IGNORECASE)
_AT = re.compile(
    r"\b(?:at|@|around|about|say)\s*(\d{1,2})(?::(\d\d))?\b(?![.,]\d)"
    r"(?!\s*(?:am|pm|%|bed|br|k\b|mil|million|thousand|grand|percent|per cent|years?|yrs?"
    r"|st\b|nd\b|rd\b|th\b))",
    re.IGNORECASE,
)
_HOUR_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_PAST = re.compile(
    rf"\b(half|quarter)\s+(past|to)\s+(\d{{1,2}}|{_HOUR_WORDS})\b",
    re.IGNORECASE,
)
_IN_THE = re.compile(
    r"\b(\d{1,2})(?::(\d\d))?\s*(?:o'?clock\s*)?(?:in the\s+)?(morning|afternoon|arvo|evening)\b",
    re.IGNORECASE,
)
_HH_MM = re.compile(r"(?<![\d.:/-])\b([01]?\d|2[0-3]):([0-5]\d)\b(?![:\d])")
"""A clock time with no am/pm and no "at": "like 5:30"."""
_O_CLOCK = re.compile(rf"\b(\d{{1,2}}|{_HOUR_WORDS})\s*o'?clock\b", re.IGNORECASE)
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE)
_NTH = re.compile(
    r"\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:one|listing|property|house|home|place|apartment|unit)\b)",
    re.IGNORECASE,
)
_SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b")
_DATE_WORDS = re.compile(
    r"\b(\d{1,2}(?:st|nd|rd|th)|january|february|march|april|june|july|august|september"
    r"|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b",
    re.IGNORECASE,
)
_SHORT = {"tuesday": "s", "wednesday": "s", "thursday": "rs?"}
"""Spoken short forms besides the first three letters: "tues", "weds", "thurs"."""
_OLD_DAY = re.compile(
    r"\b(?:from|instead of|rather than|than|not|booked (?:it |one |in )?(?:for|on)|can'?t (?:make|do)(?: it)?"
    r"|(?:my|the|our) (?:viewing|inspection|booking|appointment)(?: on| for)?)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
"""What precedes the day a booking is moved away from: "from Tuesday", "instead of Wednesday"."""


def _hour(said: str) -> int:
    return int(said) if said.isdigit() else _UNITS[said.lower()]


def _time_of_day(text: str) -> tuple[int, int] | None:
    if m := _CLOCK.search(text):
        hour, minute = int(m.group(1)) % 12, int(m.group(2) or 0)
        return (hour + 12 if m.group(3).lower().startswith("p") else hour), minute
    if m := _PAST.search(text):
        hour = _hour(m.group(3))
        minute = 30 if m.group(1).lower() == "half" else 15
        if m.group(2).lower() == "to":
            hour, minute = hour - 1, 60 - minute
        return (hour + 12 if hour <= 7 else hour), minute
    if m := _IN_THE.search(text):
        hour, minute = _hour(m.group(1)) % 12, int(m.group(2) or 0)
        return (hour if m.group(3).lower() == "morning" else hour + 12), minute
    if m := _AT.search(text):
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if hour <= 7:
            hour += 12  # "at 3" means the afternoon for a viewing
        if hour <= 23 and minute < 60:
            return hour, minute
    if m := _HH_MM.search(text):
        hour, minute = int(m.group(1)), int(m.group(2))
        return (hour + 12 if hour <= 7 else hour), minute
    if m := _O_CLOCK.search(text):
        hour = _hour(m.group(1))
        return (hour + 12 if hour <= 7 else hour), 0
    for part, hour in _DAYPART.items():
        if re.search(rf"\b{part}\b", text, re.IGNORECASE):
            return hour, 0
    return None


def _month(said: str) -> int:
    return next(i for i, name in enumerate(_MONTHS, 1) if name.startswith(said.lower()[:3]))


class ImpossibleDate(ValueError):
    """A day the calendar does not have ("the 31st of February")."""

    def __init__(self, day: int, month: int) -> None:
        super().__init__(f"there is no {day} {calendar.month_name[month]}")
        self.day, self.month = day, month


def _real(day: int, month: int) -> tuple[int, int]:
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2028, month)[1]:  # a leap year
        raise ImpossibleDate(day, month if 1 <= month <= 12 else 1)
    return day, month


def _calendar(day: int, month: int, now: datetime) -> datetime | None:
    """The next ``day``/``month`` on or after today (a date in the past means next year)."""
    for year in (now.year, now.year + 1):
        try:
            moment = now.replace(year=year, month=month, day=day)
        except ValueError:
            continue
        if moment.date() >= now.date():
            return moment
    return None


def _mentions(text: str, now: datetime) -> list[tuple[int, datetime]]:
    """Every day named in ``text``, with where it was said."""
    lowered = text.lower()
    found: list[tuple[int, datetime]] = []
    for m in re.finditer(r"\b(?:today|tonight|this (?:morning|afternoon|evening|arvo))\b", lowered):
        found.append((m.start(), now))
    for m in re.finditer(r"\b(?:the )?day after tomorrow\b", lowered):
        found.append((m.start(), now + timedelta(days=2)))
    for m in re.finditer(r"(?<!after )\btomorrow\b", lowered):
        found.append((m.start(), now + timedelta(days=1)))
    for index, name in enumerate(_WEEKDAYS):
        short = _SHORT.get(name, name[3:])
        for m in re.finditer(rf"\b(next\s+)?{name[:3]}(?:{name[3:]}|{short})?\b", lowered):
            ahead = (index - now.weekday()) % 7
            if m.group(1) or "next week" in lowered:
                ahead = ahead or 7
            found.append((m.start(), now + timedelta(days=ahead)))
    for m in _DAY_MONTH.finditer(text):
        if moment := _calendar(*_real(int(m.group(1)), _month(m.group(2))), now):
            found.append((m.start(), moment))
    for m in _MONTH_DAY.finditer(text):
        if moment := _calendar(*_real(int(m.group(2)), _month(m.group(1))), now):
            found.append((m.start(), moment))
    if not found:
        for m in _NTH.finditer(text):
            day = int(m.group(1))
            moment = _calendar(day, now.month, now) or _calendar(day, now.month % 12 + 1, now)
            if moment:
                found.append((m.start(), moment))
        for m in _SLASH_DATE.finditer(text):
            if moment := _calendar(int(m.group(1)), int(m.group(2)), now):
                found.append((m.start(), moment))
    return sorted(found, key=lambda x: x[0])


def _day(text: str, now: datetime) -> datetime | None:
    """The day meant: the last one named that is not the one being moved away from
    ("Thursday instead of Wednesday", "from Tuesday to Wednesday")."""
    found = _mentions(text, now)
    wanted = [moment for at, moment in found if not _OLD_DAY.search(text[:at])]
    if found:
        return wanted[-1] if wanted else found[-1][1]
    if _DATE_WORDS.search(text):
        settings = {
            "RELATIVE_BASE": now.replace(tzinfo=None),
            "PREFER_DATES_FROM": "future",
            "PREFER_DAY_OF_MONTH": "first",
            "DATE_ORDER": "DMY",
        }
        from dateparser.search import search_dates

        for _, moment in search_dates(text, settings=settings, languages=["en"]) or []:
            if moment.year <= now.year + 1:  # "the 3rd of December at 11" is not the year 2111
                return moment.replace(tzinfo=now.tzinfo)
    return None


def when(text: str, now: datetime) -> datetime | None:
    """A future moment from "Saturday at 10", "tomorrow afternoon", "next Tuesday 3pm",
    "the 28th at 11am" (relative to ``now``, the call's time; a bare day means 10am).

    Days and hours are the wall clock of ``now``'s zone: pass the call's time in the tenant's
    zone (``clock.local``) and "Saturday at 10" is 10 am there, with that day's UTC offset
    (the arithmetic is on the wall clock, so a daylight-saving change in between is right)."""
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
    return existing(moment)


def _names_weekday(text: str) -> bool:
    return any(re.search(rf"\b{d[:3]}", text, re.IGNORECASE) for d in _WEEKDAYS)


_DIGIT_WORDS = {"zero": "0", "oh": "0", "nought": "0", "one": "1", "two": "2", "three": "3",
                "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_DIGIT = rf"(?:\d+|(?:{'|'.join(_DIGIT_WORDS)})\b)"
_DIGIT_RUN = re.compile(rf"\b{_DIGIT}(?:[\s,.-]*{_DIGIT})*", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def digits(text: str) -> str | None:
    """The digits said, of the longest run of three or more ("it ends in 019", "zero one nine",
    "4 8 2 1"); None when there is none (an email's digits do not count)."""
    runs = []
    for m in _DIGIT_RUN.finditer(_EMAIL.sub(" ", text)):
        said = "".join(_DIGIT_WORDS.get(w.lower(), w) for w in re.findall(r"\d+|[a-z]+", m.group(0), re.I))
        runs.append(said)
    best = max(runs, key=len, default="")
    return best if len(best) >= 3 else None


def email(text: str) -> str | None:
    """An email address said or typed, lower-cased ("Isabella@Example.com." → isabella@example.com)."""
    m = _EMAIL.search(text)
    return m.group(0).rstrip(".").lower() if m else None


__all__ = ["count", "digits", "email", "money", "ordinal", "percent", "spoken", "when", "years"]
