"""Days and times of day as people say them, read on a clock in a time zone.

``now`` is always aware and on the wall clock the speaker means (the tenant's zone): day and
hour arithmetic is done on that wall clock, so a daylight-saving change in between is right.
The conventions are the agents' and the extractor's alike: a day said alone means 10 am, "at 3"
means 3 pm (nobody books a viewing at 3 am), "arvo" is 2 pm.
"""

from __future__ import annotations

import calendar
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from backend.speech.clauses import CORRECTION, sentence_end

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = tuple(name.lower() for name in calendar.month_name[1:])
_DAYPARTS = {"morning": 10, "midday": 12, "noon": 12, "lunchtime": 12, "lunch time": 12, "after lunch": 13,
            "afternoon": 14, "arvo": 14, "evening": 18, "tonight": 18, "first thing": 9}  # fmt: skip
"""The hour a part of the day means when no time is said."""
DAY_HOUR = 10
"""The hour a day said alone means ("Saturday")."""
PM_UNTIL = 7
"""An hour up to this one said without am/pm is in the afternoon: "at 3" is 3 pm."""

_UTC = ZoneInfo("UTC")


def existing(moment: datetime) -> datetime:
    """``moment`` as a wall clock can show it: a time in a spring-forward gap (02:30 on the day
    clocks jump from 2 to 3) becomes the time an hour later, as if the clock had been set then."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(_UTC).astimezone(moment.tzinfo)


class ImpossibleDate(ValueError):
    """A day the calendar does not have ("the 31st of February")."""

    def __init__(self, day: int, month: int) -> None:
        super().__init__(f"there is no {day} {calendar.month_name[month]}")
        self.day, self.month = day, month


# -- days ----------------------------------------------------------------------------------------

# Whole day names, short forms that are no other word, and "Mon", "Wed", "Sat", "Sun" only with
# a capital, before a time or "instead", or after "on", "this", "next", "for" or what is booked
# ("sat 2pm", "wed instead same time", "2 inspections sat"; "we sat down", "c'mon", "the sun",
# "wed" for "we'd" are no days).
_WEEKDAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tues?|thu(?:rs?)?|weds|fri"
    r"|(?-i:Mon|Wed|Sat|Sun)|(?:mon|wed|sat|sun)(?=\s+(?:at\s+|@\s*)?(?:\d|half\b|quarter\b|noon\b)"
    r"|\s+(?:morning|arvo|afternoon|midday|lunch(?:time)?|instead|same\s+time)\b)"
    r"|(?:(?<=\bon )|(?<=\bthis )|(?<=\bnext )|(?<=\bfor )|(?<=inspections )|(?<=inspection )|(?<=viewings )"
    r"|(?<=viewing )|(?<=midday )|(?<=noon )|(?<=morning )|(?<=arvo )|(?<=afternoon )|(?<=pm )|(?<=am ))"
    r"(?:mon|wed|sat|sun)\b)"
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_SUFFIX = r"(?:st|nd|rd|th)"
# "The 3rd bedroom", "the 2nd one", "my 2nd viewing" are not days of the month.
_NOT_A_DATE = (
    r"(?!\s+(?:bed|floor|level|one|place|house|home|property|listing|apartment|unit|time|option|car"
    r"|street|st\b|inspection|viewing|open))"
)
_DAY = re.compile(
    r"\b(?P<today>today|tonight|this (?:morning|afternoon|arvo|evening))\b"
    r"|\b(?P<after>(?:the )?day after tomorrow)\b|\b(?P<tomorrow>tomorrow|tmrw)\b"
    rf"|\b(?P<past>yesterday|last (?:{_WEEKDAY}|week|weekend|night|month))\b"
    rf"|\b(?P<rel>this |next |coming |this coming )?(?P<weekday>{_WEEKDAY})\b(?P<week>\s+week\b)?"
    rf"|\b(?:the\s+)?(?P<d1>\d{{1,2}})(?P<s1>{_SUFFIX})?\s+(?:of\s+)?(?P<m1>{_MONTH})\b(?:,?\s+(?P<y1>20\d\d)\b)?"
    rf"|\b(?P<m2>{_MONTH})\s+(?:the\s+)?(?P<d2>\d{{1,2}}){_SUFFIX}?\b(?:,?\s+(?P<y2>20\d\d)\b)?"
    rf"|\b(?:the\s+)?(?P<d3>\d{{1,2}}){_SUFFIX}\b{_NOT_A_DATE}"
    r"|\b(?P<d4>\d{1,2})/(?P<m4>\d{1,2})(?:/(?P<y4>\d{2}|\d{4}))?\b",
    re.IGNORECASE,
)
_MOVED_FROM = re.compile(
    r"\b(?:from|instead of|rather than|than|not|booked (?:it |one |in )?(?:for|on)|can'?t (?:make|do)(?: it)?"
    r"|(?:my|the|our) (?:viewing|inspection|booking|appointment)(?: on| for)?)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
"""What precedes the day a booking is moved away from: "from Tuesday", "instead of Wednesday"."""
_BOOKED_ON = re.compile(r"^(?:'?s)?\s+(?:viewing|inspection|booking|appointment)\b", re.IGNORECASE)
"""What follows the day a booking is on: "Friday's viewing", "fridays inspection"."""
_MOVED_TO = re.compile(r"\b(?:to|into|onto|till|until)\s+(?:the\s+)?$", re.IGNORECASE)
"""What precedes the day a booking is moved to: "move it to Saturday"."""


@dataclass(frozen=True)
class Day:
    """A day named, where it was said."""

    start: int
    end: int
    day: datetime | None
    """Midnight of that day on ``now``'s wall clock; None for a day gone ("last Saturday") or
    one the calendar does not have."""
    weekday: bool = False
    """Named as a weekday ("Saturday"): a time already passed that day means next week's."""
    moved_from: bool = False
    """The day something is moved away from ("instead of Wednesday", "from Tuesday")."""
    moved_to: bool = False
    """The day something is moved to ("to Saturday"): it outranks a day named later as a
    reason ("move Friday's viewing to Saturday, my partner's working Fri")."""
    impossible: tuple[int, int] | None = None
    """(day, month) of a date the calendar does not have ("the 31st of February")."""
    gone: datetime | None = None
    """Midnight of a day gone ("yesterday", "last Friday"): a booking for it is in the past."""


_ORDINAL_WORDS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth"
    " fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
)
_ORDINAL_DAYS = {w: n for n, w in enumerate(_ORDINAL_WORDS.split(), 1)} | {"thirtieth": 30}
_SPOKEN_DATE = re.compile(
    rf"\b(?:(?P<tens>twenty|thirty)[\s-]?)?(?P<unit>{'|'.join(_ORDINAL_DAYS)})\b"
    rf"(?=\s+(?:of\s+)?{_MONTH}\b)",
    re.IGNORECASE,
)
_TENS = {"": 0, "twenty": 20, "thirty": 30}


def _spoken_dates(text: str) -> str:
    """A day of the month said in words, in digits ("the thirty-first of November" reads as
    the 31st, so impossible; ``_DAY`` does not check the suffix)."""
    return _SPOKEN_DATE.sub(
        lambda m: f"{_ORDINAL_DAYS[m['unit'].lower()] + _TENS[(m['tens'] or '').lower()]}th", text
    )


def days(text: str, now: datetime) -> list[Day]:
    """Every day named in ``text``, in order: "today", "tomorrow", "next Tuesday", "Friday week",
    "the 28th", "3rd of December", "December 3", "12/12", and days gone ("yesterday",
    "last Saturday"). A date without a year is the next one on or after today."""
    text = _spoken_dates(text)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    next_week = "next week" in text.lower()
    found = []
    for m in _DAY.finditer(text):
        moved = bool(_MOVED_FROM.search(text[: m.start()]) or _BOOKED_ON.match(text[m.end() :]))
        if m["past"]:
            found.append(Day(m.start(), m.end(), None, moved_from=moved, gone=_gone(m["past"], midnight)))
        elif m["today"]:
            found.append(Day(m.start(), m.end(), midnight, moved_from=moved))
        elif m["after"] or m["tomorrow"]:
            ahead = 2 if m["after"] else 1
            found.append(Day(m.start(), m.end(), midnight + timedelta(days=ahead), moved_from=moved))
        elif m["weekday"]:
            ahead = (_weekday(m["weekday"]) - now.weekday()) % 7
            if (m["rel"] or "").strip() == "next" or next_week:
                ahead = ahead or 7  # "next Tuesday" said on a Monday is tomorrow, as most people mean it
            if m["week"]:
                ahead += 7  # "Friday week": a week after the coming Friday
            to = bool(_MOVED_TO.search(text[: m.start()]))
            found.append(Day(m.start(), m.end(), midnight + timedelta(days=ahead), True, moved, to))
        elif day := _date(m, midnight):
            gone = _gone_date(m, midnight) if day[0] is None and day[1] is None else None
            found.append(Day(m.start(), m.end(), day[0], moved_from=moved, impossible=day[1], gone=gone))
    return found


def _gone(said: str, midnight: datetime) -> datetime:
    """The day a past phrase names: "last Friday" the latest Friday before today; "last week" or
    "last month" a week back (when exactly does not matter: it has passed)."""
    word = said.lower().removeprefix("last ").strip()
    if word in {"yesterday", "night"}:
        return midnight - timedelta(days=1)
    if word in {"week", "weekend", "month"}:
        return midnight - timedelta(days=7)
    return midnight - timedelta(days=(midnight.weekday() - _weekday(word)) % 7 or 7)


def _date(m: re.Match[str], midnight: datetime) -> tuple[datetime | None, tuple[int, int] | None] | None:
    """The day a calendar date names (or why there is none); None if it is no date."""
    if m["m1"] or m["m2"]:
        day, month = int(m["d1"] or m["d2"]), _month(m["m1"] or m["m2"])
        if m["m1"] and not m["s1"] and m["m1"].lower() == "may":
            return None  # "the 2 may be too small"
        if not 1 <= day <= calendar.monthrange(2028, month)[1]:  # 2028: a leap year has 29 February
            return None, (day, month)
        if year := m["y1"] or m["y2"]:  # "the 3rd of Jan 2025": that one, gone or not
            return _on(midnight, int(year), month, day), None
        return _next(midnight, month, day), None
    if m["d3"]:
        day = int(m["d3"])  # this month's, or next month's once it has passed
        this_month = _next(midnight, midnight.month, day, years=0)
        next_month = _next(midnight, midnight.month % 12 + 1, day, years=int(midnight.month == 12))
        return this_month or next_month, None
    day, month = int(m["d4"]), int(m["m4"])  # day first, as Australians and the British write it
    if not 1 <= month <= 12:
        return None
    if m["y4"]:
        year = int(m["y4"]) + (2000 if len(m["y4"]) == 2 else 0)
        return _on(midnight, year, month, day), None
    return _next(midnight, month, day), None


def _next(midnight: datetime, month: int, day: int, years: int = 1) -> datetime | None:
    """That day and month on or after today, this year or (``years``) later ones."""
    for year in range(midnight.year, midnight.year + years + 1):
        if (moment := _on(midnight, year, month, day)) is not None:
            return moment
    return None


def _gone_date(m: re.Match[str], midnight: datetime) -> datetime | None:
    """Midnight of a date said with its year that has passed ("the 3rd of Jan 2025")."""
    if not (year := m["y1"] or m["y2"] or m["y4"]):
        return None
    if m["d4"]:
        day, month = int(m["d4"]), int(m["m4"])
    else:
        day, month = int(m["d1"] or m["d2"]), _month(m["m1"] or m["m2"])
    try:
        return midnight.replace(year=int(year) + (2000 if len(year) == 2 else 0), month=month, day=day)
    except ValueError:
        return None


def _on(midnight: datetime, year: int, month: int, day: int) -> datetime | None:
    try:
        moment = midnight.replace(year=year, month=month, day=day)
    except ValueError:
        return None
    return moment if moment >= midnight else None


def _weekday(word: str) -> int:
    return next(i for i, d in enumerate(_WEEKDAYS) if d.startswith(word.lower()[:3]))


def _month(word: str) -> int:
    return next(i for i, name in enumerate(_MONTHS, 1) if name.startswith(word.lower()[:3]))


# -- times of day ------------------------------------------------------------------------------------

_HOUR_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
               "twelve")  # fmt: skip
_HOUR = rf"(?:\d{{1,2}}|{'|'.join(_HOUR_WORDS)})"
_MINUTE_WORDS = {"fifteen": 15, "thirty": 30, "forty five": 45, "forty-five": 45, "twenty": 20, "fifty": 50}
_SPOKEN_MINUTES = "|".join(_MINUTE_WORDS)
_MINUTE = rf"(?:[:.](?P<{{0}}>[0-5]\d)(?!\d)|\s+(?P<{{0}}w>{_SPOKEN_MINUTES})\b)"
"""Minutes after an hour, written ("2:30", "12.30") or spoken ("one thirty"); ``{0}``: the group's name."""
_STREET_NAME = (
    r"[a-z']+(?:\s+[a-z']+)?\s+(?:street|st|road|rd|avenue|ave|parade|pde|crescent|cres|drive|dr"
    r"|place|pl|lane|ln|way|terrace|tce|court|ct|highway|hwy|close|grove|boulevard|blvd)\b"
)
"""After "at 13", what makes it a house number: "at 13 Victoria Road", "at 84 Pacific Hwy"."""
_PART = (
    r"(?:straight |just )?after lunch|morning|midday|noon|lunchtime|lunch time|afternoon|arvo|evening|tonight"
)
_IN_THE = r"\s*(?:o'?clock\s*)?(?:(?:in the\s+)?(?:morning|afternoon|arvo|evening)|at night)\b"
_MERIDIEM = r"[ap]\.?m\b\.?"
# After "at 2", what makes it a count or an amount, not a time: "at 2 bedrooms", "about 3 kids",
# "around 2 or 3 of us", "at 6.2", "around 1.2 million".
_NOT_AN_HOUR = (
    r"bed|br\b|bath|car|kid|child|people|person|minute|mins?\b|hour|week|month|year|yr|day|of\b"
    r"|k\b|m\b|b\b|mil|hundred|thousand|million|grand|point\b|and a half|%|per|percent"
    r"|st\b|nd\b|rd\b|th\b|street|road|ave"
    rf"|{_STREET_NAME}"
)
_ANCHORED = (
    rf"(?P<anchor>@|at|after|around|about|say|from|by|make it|make that|do|try)\s*"
    rf"(?P<ah>{_HOUR}){_MINUTE.format('am')}?\b"
    rf"(?![.,:/]?\d|\s*(?:{_NOT_AN_HOUR})|\s*(?:or|and)\s*{_HOUR}\s*(?:{_NOT_AN_HOUR})"
    rf"|\s*(?:-|to|till|until)\s*{_HOUR}\b|\s*{_MERIDIEM}|{_IN_THE}|\s*o'?clock"
    rf"|\s+(?:{_SPOKEN_MINUTES})\b)"  # its minutes were cut off by the lookahead: not this reading
)
_CLOCK = re.compile(
    # "3pm", "8.30 a.m.", "one thirty pm"
    rf"\b(?P<mh>{_HOUR})(?:[:.](?P<mm>[0-5]\d)|\s+(?P<mmw>{_SPOKEN_MINUTES}))?\s*(?P<ap>{_MERIDIEM})"
    # "4 in the afternoon", "nine thirty in the morning"
    rf"|\b(?P<ih>{_HOUR})(?::(?P<im>[0-5]\d)|\s+(?P<imw>{_SPOKEN_MINUTES}))?(?P<in_the>{_IN_THE})"
    rf"|\b(?P<frac>half past|quarter past|quarter to|half)\s+(?P<fh>{_HOUR})\b"  # "half past two", "half ten"
    rf"|\b(?P<oh>{_HOUR})\s*(?:o'?clock|on the dot|sharp"
    # "Nine on Sunday then", never "the first one on Monday"
    r"|(?<!\bone )(?<!\bone)(?=on (?:mon|tues|wednes|thurs|fri|satur|sun)day\b))"
    r"\b"  # "3 o'clock", "nine on the dot"
    rf"|(?<![\w@])(?:{_ANCHORED})"  # "at 3", "around 2:30"
    r"|(?<![\d.:/-])\b(?P<ch>[01]?\d|2[0-3]):(?P<cm>[0-5]\d)\b(?![:\d])"  # "like 5:30"
    # "then nine thirty": an hour and its minutes in words are a time, whatever comes before
    rf"|\b(?P<wh>{'|'.join(_HOUR_WORDS)})\s+(?P<wmw>thirty|fifteen|forty[- ]five)\b"
    r"(?!\s*(?:k\b|grand|thousand|mil|million|per|%|bed|years?|dollars?|minutes?|mins?))"
    # "sat 11", "Sunday 2": an hour in digits right after a weekday ("the Saturday one" is none)
    rf"|\b(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)(?:day|nesday|urday|sday)?\s+(?P<dh>1[0-2]|[1-9])"
    r"(?:[:.](?P<dm>[0-5]\d))?\b"
    rf"(?![.,:/]?\d|\s*(?:{_NOT_AN_HOUR}|{_MONTH})|\s*(?:or|and|-|to|till|until)\s*\d|\s*{_MERIDIEM}"
    rf"|{_IN_THE}|\s*o'?clock)"
    rf"|\b(?P<part>{_PART})\b"
    # "first thing tomorrow": the opening hour; "the first thing I'd ask" is no time.
    r"|\b(?P<first>first thing)\b"
    r"(?=\s+(?:in the morning|tomorrow|on\b|(?:mon|tues|wednes|thurs|fri|satur|sun)day))",
    re.IGNORECASE,
)
_PART_WORD = re.compile(rf"\b(?:{_PART})\b", re.IGNORECASE)


def _part_key(said: str) -> str:
    """ "Straight after lunch" is "after lunch"."""
    return re.sub(r"^(?:straight|just) ", "", said.lower())


_LOOSE = frozenset({"around", "about", "say", "from", "by", "make it", "make that", "do", "try"})
"""Anchors that need a day, a part of one, or a question about time: "around 2" may be a count,
"make it 10" a time only when a time is what was asked about."""
_DAY_WORD = re.compile(r"\b(?:morning|afternoon|arvo|evening|tonight|today|tomorrow)\b", re.IGNORECASE)
_GREETING = re.compile(
    r"\bgood (?:morning|afternoon|evening|arvo)\b|^\W*(?:morning|afternoon|evening)\s*[,!.]", re.IGNORECASE
)
"""A greeting, not a time: "Good morning", "Morning, my name's …"."""


def _hour(said: str) -> int:
    return int(said) if said.isdigit() else _HOUR_WORDS.index(said.lower()) + 1


def _minute(digits: str | None, words: str | None) -> int:
    return int(digits) if digits else _MINUTE_WORDS[words.lower()] if words else 0


_ISH = re.compile(r"\b(\d{1,2}(?:[:.]\d{2})?)\s*-?\s*ish\b", re.IGNORECASE)
"""A time said loosely: "3ish" is "around 3", "10:30-ish" "around 10:30"."""


_PUT_RIGHT = re.compile(
    rf"{CORRECTION.pattern}|,\s*no\b,?(?!\s+(?:later|earlier|sooner|problems?|worries))", re.IGNORECASE
)
"""A time put right: the cues of a correction, and a "no" between two times ("at four, no, five")."""


_BARE_HOUR = re.compile(
    rf"^[\s,]*({_HOUR})\b"
    r"(?!\s*(?:bed|br\b|k\b|grand|thousand|mil|years?|%|per|o'?clock|[:.]\d))",
    re.IGNORECASE,
)
"""An hour said alone right after a time is put right ("four, no, five")."""


_MOVED_TILL = re.compile(
    r"\b(?:push|move|shift|change|bring|put|switch|swap)\w*\b[^.?!,]{0,25}?\s(?:to|till|until)\b",
    re.IGNORECASE,
)
"""A move to a time: said after another time ("a meeting at eleven. Can we push it back to one
o'clock?", "move my 2pm to 4"), the time it moves to is the one meant."""


_OWN_DAY = re.compile(
    r"\b(?:knock(?:s|ing)? off|finish(?:es|ing)?|get(?:ting)? off|clock(?:s|ing)? off|start(?:s|ing)?"
    r"|(?:shift|work|school) (?:ends|finishes|starts|gets out)|(?:at work|working) (?:till|until)"
    # "the little one's got swimming at ten": something else of theirs then, not a viewing
    r"|(?:got|has|have) (?!.*\b(?:look|viewing|inspection|squiz|time|slot)\b)[\w ]{3,30}?)\b"
    r"(?: (?:work|uni|school))?(?: (?:at|around|about|by|till|until))?\s*$",
    re.IGNORECASE,
)
"""The caller's own day before a time ("I knock off at half four, so, quarter past five?"): the
time after it is the one asked for."""


def _own_day_left_out(text: str) -> str:
    """``text`` without a time of the caller's own day, when another time follows it."""
    clocks = [m for m in _CLOCK.finditer(text) if not (m["part"] or m["first"])]
    for m, _ in itertools.pairwise(clocks):
        if _OWN_DAY.search(text[max(0, m.start() - 40) : m.start()]):
            return text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    return text


def _last_said(text: str, fixes: list[re.Match[str]], before: Callable[[re.Match[str]], int]) -> str | None:
    """What is left to read after the last of ``fixes`` that follows a time (ending where
    ``before`` says) and is followed by one; None if none is."""
    for fix in reversed(fixes):
        if not _CLOCK.search(text[: before(fix)]):
            continue
        rest = _BARE_HOUR.sub(r"at \1", text[fix.end() :], count=1)  # "at four, no, five": at five
        if _CLOCK.search(rest):
            return " " * fix.end() + rest
    return None


def time_of_day(text: str, *, asked: bool = False, day_named: bool = False) -> tuple[int, int] | None:
    """(hour, minute) of the first time said ("3pm", "half past two", "4 in the afternoon",
    "at 3", "5:30"), else of a part of the day ("tomorrow arvo"); greetings are no time.
    "Around 2" is a time only when ``asked`` (the speaker was asked when), a day is named
    (``day_named``) or a part of the day is said."""
    if _GREETING.search(text):
        text = _GREETING.sub(lambda g: " " * len(g.group(0)), text)
    # "quarter past one, no, sorry, half past one"; "at eleven. Can we push it back to one?"
    text = (
        _last_said(text, list(_PUT_RIGHT.finditer(text)), lambda fix: fix.start())
        or _last_said(text, list(_MOVED_TILL.finditer(text)), lambda fix: fix.end())
        or _own_day_left_out(text)
    )
    text = _ISH.sub(r"around \1", text)
    part = None
    for m in _CLOCK.finditer(text):
        if m["part"] or m["first"]:
            part = part or _part_key(m["part"] or m["first"])
            continue
        loose = m["anchor"] and m["anchor"].lower() in _LOOSE
        if loose and not (asked or day_named or _DAY_WORD.search(text)):
            continue
        clock = _clock(m)
        if clock is None:
            continue
        hour, minute, meridiem = clock
        if meridiem == "p" and hour < 12:
            hour += 12
        elif meridiem == "a" and hour == 12:
            hour = 0
        elif not meridiem and hour < 12:
            # "one o'clock? Surf's good in the morning": a part of the day in its own sentence
            later = _PART_WORD.search(text, m.end(), sentence_end(text, m.end()))
            part = part or (_part_key(later.group(0)) if later else None)
            morning = bool(part) and _DAYPARTS[part] < _DAYPARTS["midday"]  # "half six in the morning"
            if not morning and (hour <= PM_UNTIL or (part and _DAYPARTS[part] >= _DAYPARTS["afternoon"])):
                hour += 12  # "at 3" is the afternoon for a viewing; "evening at 6" too
        return hour, minute
    return (_DAYPARTS[part], 0) if part else None


def _clock(m: re.Match[str]) -> tuple[int, int, str] | None:
    """(hour, minute, "a" / "p" / "") of one time said; None if it is no time ("at 25")."""
    if m["mh"]:
        if not m["mh"].isdigit() and m["ap"].lower() == "am":
            return None  # "which one am I looking at"
        hour, minute, meridiem = _hour(m["mh"]), _minute(m["mm"], m["mmw"]), m["ap"][0].lower()
    elif m["ih"]:
        hour, minute = _hour(m["ih"]) % 12, _minute(m["im"], m["imw"])
        meridiem = "a" if "morning" in m["in_the"].lower() else "p"
    elif m["fh"]:
        # "Half ten" is half past ten (as Australians and the British say it).
        hour, minute, meridiem = _hour(m["fh"]), 30 if m["frac"].lower().startswith("half") else 15, ""
        if m["frac"].lower().endswith("to"):
            hour, minute = hour - 1, 60 - minute
    elif m["oh"]:
        hour, minute, meridiem = _hour(m["oh"]), 0, ""
    elif m["ah"]:
        hour, minute, meridiem = _hour(m["ah"]), _minute(m["am"], m["amw"]), ""
    elif m["dh"]:
        hour, minute, meridiem = int(m["dh"]), int(m["dm"] or 0), ""
    elif m["wh"]:
        hour, minute, meridiem = _hour(m["wh"]), _minute(None, m["wmw"]), ""
    else:
        hour, minute, meridiem = int(m["ch"]), int(m["cm"]), ""
    return (hour, minute, meridiem) if hour <= 23 and minute <= 59 else None


_AMOUNT_OF_TIME = (
    r"(?P<n{0}>an?|one|two|three|half an?|\d{{1,3}})\s+(?P<unit{0}>hours?|hrs?|minutes?|mins?)"
    r"(?P<half{0}>\s+and a half)?"
)
_SHIFT = re.compile(
    rf"\b{_AMOUNT_OF_TIME.format(1)}\s+(?P<dir1>later|earlier|sooner)\b"
    rf"|\b(?P<dir2>later|earlier|back|forward|sooner)\s+(?:by\s+)?{_AMOUNT_OF_TIME.format(2)}\b",
    re.IGNORECASE,
)
_COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "half a": 0.5, "half an": 0.5}


def shift(text: str) -> timedelta | None:
    """A move relative to a time already set: "an hour later", "push it back half an hour",
    "30 minutes earlier", "bring it forward an hour and a half"; None if none is said."""
    m = _SHIFT.search(text)
    if not m:
        return None
    k = "1" if m["dir1"] else "2"
    said = m[f"n{k}"].lower()
    amount = float(said) if said.isdigit() else _COUNT_WORDS[said]
    amount += 0.5 if m[f"half{k}"] else 0
    minutes = amount * (60 if m[f"unit{k}"].lower().startswith(("hour", "hr")) else 1)
    earlier = m[f"dir{k}"].lower() in {"earlier", "sooner", "forward"}
    return timedelta(minutes=-minutes if earlier else minutes)


_SAME_TIME = re.compile(r"\b(?:same|usual) time\b", re.IGNORECASE)


def same_time(text: str) -> bool:
    """The time already set, kept on another day: "Sunday, same time"."""
    return bool(_SAME_TIME.search(text))


_SAME_DAY = re.compile(
    r"\b(?:the )?same day (?:as|like|of) (?:my|our|the) (?:other |first )?"
    r"(?:booking|viewing|inspection|one)\b",
    re.IGNORECASE,
)


def same_day(text: str) -> bool:
    """The day of a viewing already booked, at another time: "on the same day as my booking"."""
    return bool(_SAME_DAY.search(text))


_WEEK_ON = re.compile(r"\b(?:next week|a week later|the week after)\b", re.IGNORECASE)


def same_time_on(text: str, kept: datetime, now: datetime) -> datetime | None:
    """ "Sunday, same time": ``kept``'s clock on the day ``text`` names (both local), "the same
    time next week" a week on from ``kept``; None unless it says both."""
    if not same_time(text):
        return None
    if _WEEK_ON.search(text) and all(d.moved_from for d in days(text, now)):
        return existing(kept + timedelta(days=7))
    if (day := said(text, now).day) is None:
        return None
    return existing(day.replace(hour=kept.hour, minute=kept.minute))


_FREE = re.compile(
    r"\b(?:what(?:'s| is)? (?:free|available|open)|what times?|which times?|availability|free slots?"
    r"|openings?|when (?:are you|is it|is that|'s it) (?:free|available|open)|earliest"
    r"|(?:got|have) (?:any(?:thing)?|something) (?:free|available|open))\b",
    re.IGNORECASE,
)
_ANY = re.compile(
    r"\b(?:any ?time|anything|what (?:else )?(?:have you|do you have|you) got"
    r"|what else (?:is|'s) (?:there|free))\b",
    re.IGNORECASE,
)
"""About free times only with a day or a part of one: "anything else?" is no such question."""
_DAYISH = re.compile(
    rf"\b(?:today|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day|{_PART}|first thing)\b", re.IGNORECASE
)
_WINDOWS = {"morning": (0, 12), "first thing": (0, 11), "midday": (11, 14), "noon": (11, 14),
            "lunchtime": (11, 14), "lunch time": (11, 14), "after lunch": (13, 16), "afternoon": (12, 24),
            "arvo": (12, 24), "evening": (16, 24), "tonight": (16, 24)}  # fmt: skip
"""The hours a part of the day spans, as [from, to): business hours narrow them."""


_PART_SAID = re.compile(r"\b(morning|afternoon|arvo|evening|tonight)\b", re.IGNORECASE)
_AM_PM = re.compile(rf"\b({_HOUR})(?::\d\d)?\s*([ap])\.?m\b", re.IGNORECASE)


def parts_clash(text: str) -> tuple[str, str] | None:
    """(the part of the day, the time) when a time said with am or pm is outside the part of
    the day said with it ("Saturday morning at 3pm"); None when they agree."""
    text = _GREETING.sub(" ", text)
    clock = _AM_PM.search(text)
    if clock is None:
        return None
    # Only in the time's own sentence: "make it five PM instead? I can't get out of work in the
    # morning." says why, and no clash.
    start = max((m.end() for m in re.finditer(r"[.!?](?:\s|$)", text[: clock.start()])), default=0)
    end = next(
        (m.start() for m in re.finditer(r"[.!?](?:\s|$)", text[clock.end() :])), len(text) - clock.end()
    )
    part = _PART_SAID.search(text[start : clock.end() + end])
    if part is None:
        return None
    hour = _hour(clock[1]) % 12 + (12 if clock[2].lower() == "p" else 0)
    start, end = _WINDOWS[part[1].lower()]
    return None if start <= hour < end else (part[1].lower(), clock.group(0))


def free_asked(text: str) -> tuple[int, int] | None:
    """The hours [from, to) whose free times the caller asks about: "any time Sunday morning?"
    (0, 12), "what have you got Saturday arvo?" (12, 24), "anything on Sunday?" the whole day;
    None when no such question is asked, or a time is said ("anything at 3?" is a time to try)."""
    if not (_FREE.search(text) or (_ANY.search(text) and _DAYISH.search(text))):
        return None
    parts = [m for m in _CLOCK.finditer(text) if m["part"] or m["first"]]
    rest = _CLOCK.sub(lambda m: " " if m["part"] or m["first"] else m.group(0), text)
    if time_of_day(rest, asked=True) is not None:
        return None
    return _WINDOWS[_part_key(parts[0]["part"] or parts[0]["first"])] if parts else (0, 24)


# -- a moment --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Said:
    """What one piece of speech says about when."""

    named: bool
    """A day was named, even one gone ("Saturday", "tomorrow", "the 28th", "last week")."""
    day: datetime | None
    """The day meant, midnight on ``now``'s wall clock: the last one named that is not the one
    being moved away from ("Thursday instead of Wednesday"); None if none or it is gone."""
    weekday: bool
    """The day meant was named as a weekday: a time already passed that day means next week's."""
    clock: tuple[int, int] | None
    """(hour, minute), if a time or a part of the day was said."""
    gone: datetime | None = None
    """Midnight of the day meant when it has passed ("yesterday at 3"); ``day`` is then None."""


def said(text: str, now: datetime, *, asked: bool = False) -> Said:
    """What ``text`` says about when, read against ``now`` (see ``days`` and ``time_of_day``).
    ImpossibleDate for a date the calendar does not have."""
    named = days(text, now)
    for d in named:
        if d.impossible:
            raise ImpossibleDate(*d.impossible)
    # The last day named that is neither gone nor the one moved away from, else the last named.
    wanted = [d for d in named if d.day is not None and not d.moved_from] or named[-1:]
    wanted = [d for d in wanted if d.moved_to] or wanted
    meant = wanted[-1] if wanted else None
    clock = time_of_day(text, asked=asked, day_named=bool(named))
    gone = meant.gone if meant else None
    return Said(bool(named), meant.day if meant else None, bool(meant and meant.weekday), clock, gone)


def when(text: str, now: datetime) -> datetime | None:
    """The moment asked for: "Saturday at 10", "tomorrow afternoon", "next Tuesday 3pm", "the
    28th at 11am", "at 2" (the next 2 pm), "yesterday at 3" (gone: the caller is told so);
    None if ``text`` names no day and no time.

    Days and hours are the wall clock of ``now``'s zone: pass the call's time in the tenant's
    zone and "Saturday at 10" is 10 am there, with that day's UTC offset. A time in a
    spring-forward gap moves an hour on."""
    heard = said(text, now, asked=True)
    if heard.day is None and heard.clock is None and heard.gone is None:
        return None
    hour, minute = heard.clock or (DAY_HOUR, 0)
    if heard.day is None and heard.gone is not None:
        # "yesterday at 3" is a time gone, never tomorrow's 3 pm: the caller hears that it passed.
        return existing(heard.gone.replace(hour=hour, minute=minute))
    moment = (heard.day or now).replace(hour=hour, minute=minute, second=0, microsecond=0)
    if moment <= now:
        # "at 10" alone means the next 10 o'clock; "Saturday at 10" said on a Saturday, next week's.
        moment += timedelta(days=7 if heard.day is not None and heard.weekday else 1)
    return existing(moment)
