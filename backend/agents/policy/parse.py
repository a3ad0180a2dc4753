"""Slot values out of what callers say. The language rules (numbers, money, times, contacts)
are ``backend.speech``'s, shared with the offline extractor; what is here is the agents' own
reading of a price said without its unit."""

from __future__ import annotations

import re

from backend.speech.clauses import corrected_number
from backend.speech.contacts import digits, email, introduced
from backend.speech.numbers import (
    amounts,
    count,
    house_numbers,
    ordinal,
    percent,
    sizes,
    spoken,
    spoken_decimals,
    spoken_hundreds,
    years,
)
from backend.speech.times import (
    PM_UNTIL,
    ImpossibleDate,
    existing,
    free_asked,
    parts_clash,
    said,
    same_day,
    same_time,
    same_time_on,
    shift,
    when,
)

# Loose amounts, for a price only: "under 1.6" is 1.6 million, "anything under 850" 850 thousand,
# "the bank reckons we can go to two point one" 2.1 million.
_LOOSE = re.compile(
    r"\b(?:under|below|up to|down to|max(?:imum)?(?:'s| is)?|budget(?:'s| is| of)?(?: now)?"
    r"|limit(?:'s| is| of)?|around|about|at most|less than|no more than|cap(?:ped)?(?: it| that| us)? at"
    r"|spend|(?:only )?do|approved (?:for|to|up to)"
    r"|stretch (?:it |that |us |me )?(?:out )?to|afford"
    r"|make (?:it|that)|lend(?: us| me)?(?: enough for| up to)?"  # "the bank will only lend us 2.1"
    r"|go (?:up )?to|(?:push|bump|raise|increase|take|up|lift) (?:it |that |us )?(?:up )?to)"
    r"\s+\$?(\d{1,4}(?:\.\d{1,3})?)(?![\d:]|,\d|\.\d)"
    r"(?!\s*(?:bed|br\b|%|percent|per cent|year|yr|am\b|pm\b))"
    r"|\b(\d{1,4}(?:\.\d{1,3})?)\s+(?:tops|max(?:imum)?|or (?:less|under))\b"
    r"|(?:^|[.!?]\s+)(\d{1,2}\.\d{1,3})\s*[.!]?\s*$",  # "Scratch that. Two point two."
    re.IGNORECASE,
)


_THOUSANDS_SAID = 10_000
"""A loose price under it is said in thousands."""

_COUNTED = re.compile(r"^\s*(?:bed|br\b|bath|car|kid|%|per ?cent|years?\b|yrs?\b)", re.IGNORECASE)
"""After a number, what makes it a count or a rate rather than a corrected price."""


_AMOUNT_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty"
    r"|hundred|thousand|million|grand)"
)
_NUMBER_WORD = (
    rf"(?:\$?\d[\d.,]*|{_AMOUNT_WORD}|eleven|twelve|\w+teen|sixty|seventy|eighty|ninety"
    r"|mil|k|and|a|point|dollars?)"
)
"""A word of an amount said or written ("three hundred thousand", "$150,000")."""
_NOT_BUT = re.compile(
    rf"\bnot (?=[^,.?!]*(?:\d|\b{_AMOUNT_WORD}\b))[^,.?!]{{1,40}}?,?\s+but\s+(?=\w)", re.IGNORECASE
)
"""An amount set aside for another: "deposit is not three hundred thousand, but 25 percent"."""
_BUT_NOT = re.compile(rf",?\s*\bnot (?:{_NUMBER_WORD}[\s-]*)+(?=[,.?!]|$)", re.IGNORECASE)
"""The amount set aside said after: "twenty percent of the price, not one hundred fifty thousand"."""


def corrected(text: str) -> str:
    """What stands once the caller corrects a number: "budget 2.1, no wait, sorry, 2.7" reads
    as "budget 2.7", "1.3 million, sorry, 1.2 million" as "1.2 million", and "two point two, no,
    two point four, actually, let's say two point three" as 2.3 (each correction in turn)."""
    text = _BUT_NOT.sub("", _NOT_BUT.sub("", text))
    for _ in range(3):
        text, before = _corrected_once(text), text
        if text == before:
            break
    return text


def _corrected_once(text: str) -> str:
    found = corrected_number(text, _COUNTED)
    earlier = list(re.finditer(r"\d+(?:\.\d+)?", text[: found[0]])) if found else []
    if not found or not earlier:
        return text
    start, end, _ = found
    replaced = earlier[-1]
    return text[: replaced.start()] + text[start:end] + text[replaced.end() : start] + text[end:]


_OTHER = re.compile(
    r"\b(?:the )?other (?:one|place|house|home|apartment|flat|unit)\b|\bthe other\W*$", re.IGNORECASE
)


def other_one(text: str) -> bool:
    """ "The other one": the home read out besides the one just discussed."""
    return bool(_OTHER.search(text))


_FLOOR = re.compile(
    r"\b(?:nothing|not|no)\s+(?:cheaper|less|lower|under|below)(?:\s+than)?\b"
    r"|\b(?:at least|more than|upwards of|no less than|a minimum of|over|above)\b",
    re.IGNORECASE,
)
_CEILING = re.compile(
    r"(?<!nothing )(?<!not )(?<!no )\b(?:under|below|less than|up to|no more than|at most|max(?:imum)?)\b",
    re.IGNORECASE,
)


def price_bounds_clash(text: str) -> tuple[float, float] | None:
    """(most, least) when a ceiling is under a floor, whichever is said first: "under eight
    hundred grand, but nothing cheaper than a million", "over three million but under two";
    None when they can both hold."""
    for m in _FLOOR.finditer(text):
        after = text[m.end() :]
        least = money(after[:40])
        most = money(text[: m.start()], loose=True)
        if (ceiling := _CEILING.search(after)) is not None:  # the floor said first
            least = money(after[: ceiling.start()])
            most = money(after[ceiling.start() : ceiling.end() + 40], loose=True)
        if least and most and least > most:
            return most, least
    return None


def money(text: str, *, minimum: float = 1_000, loose: bool = False) -> float | None:
    """The largest plausible amount: "$850k", "1.2 million", "850,000", "half a million";
    a correction counts, not what it corrects. ``loose`` also reads a price said without its
    unit ("under 1.6", "max 850")."""
    text = corrected(spoken_decimals(text))
    if loose:
        text = spoken_hundreds(text)
    found = [a.value for a in amounts(text) if a.value >= minimum]
    if loose:  # no home costs a few thousand dollars: "up to 1250" is said in thousands
        found = [v for v in found if v >= _THOUSANDS_SAID]
    if not found and loose:
        for m in _LOOSE.finditer(text):
            said = m.group(1) or m.group(2) or m.group(3)
            value = float(said)
            if 0.3 <= value < 20 and "." in said:
                found.append(value * 1e6)  # "under 1.6": millions, for a Sydney home
            elif 100 <= value < _THOUSANDS_SAID and "." not in said:
                found.append(value * 1e3)  # "anything under 850", "twelve fifty tops"
    return max(found) if found else None


__all__ = [
    "PM_UNTIL",
    "ImpossibleDate",
    "count",
    "digits",
    "email",
    "existing",
    "free_asked",
    "house_numbers",
    "introduced",
    "money",
    "ordinal",
    "other_one",
    "parts_clash",
    "percent",
    "price_bounds_clash",
    "said",
    "same_day",
    "same_time",
    "same_time_on",
    "shift",
    "sizes",
    "spoken",
    "when",
    "years",
]
