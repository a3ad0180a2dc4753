"""Numbers as people say them: number words, amounts of money, counts, ordinals, rates,
terms and runs of digits.

Readers that the offline extractor needs give where a number was said (``start``, ``end``):
clause-level negation and corrections work on positions. The slot filler takes the values.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
        "ninety": 90}  # fmt: skip
_SCALE = {"k": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "mil": 1e6, "mill": 1e6, "million": 1e6,
         "millions": 1e6, "b": 1e9, "billion": 1e9}  # fmt: skip
_DIGIT_WORDS = {"zero": 0, "oh": 0, "o": 0, "nought": 0} | {w: n for w, n in _UNITS.items() if 1 <= n <= 9}
"""Digits as they are read out one by one ("oh four one two", "z o e" is not one: see ``digit_runs``)."""
_COUNT_WORDS = {**_UNITS, **_TENS, "a": 1, "an": 1, "single": 1, "couple": 2}
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
    "5th": 5, "last": -1, "final": -1, "latter": -1, "former": 1,
}  # fmt: skip

_WORD = "|".join(sorted([*_UNITS, *_TENS, "hundred"], key=len, reverse=True))
_DIGIT_WORD = "|".join(sorted(_DIGIT_WORDS, key=len, reverse=True))
_MORE_WORDS = (
    rf"(?:(?:(?<=hundred)\s+and\s+|[\s-]+)(?:{_WORD}))*"
    rf"(?:\s+point(?:\s+(?:{_DIGIT_WORD})\b)+)?(?:\s+and\s+a\s+half)?"
)
NUMBER_WORDS = rf"(?:half an?|a|{_WORD}){_MORE_WORDS}"
"""A number in words: "seven hundred and fifty", "one point five", "three and a half", "half a"
("and" only after "hundred": "between three and four" is two numbers)."""
_NUMERIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE_WORD = r"k|grand|thousand|m|mil|mill|millions?|b|billion"
_HALF = r"\s+and\s+a\s+half\b"


def words_to_number(words: str) -> float | None:
    """ "seven hundred and fifty" → 750, "one point five" → 1.5, "three and a half" → 3.5,
    "a" → 1, "half a" → 0.5; None when the words are not one number."""
    tokens = [t for t in re.split(r"[\s-]+", words.lower()) if t]
    if tokens in (["half", "a"], ["half", "an"]):
        return 0.5
    if "point" in tokens:
        i = tokens.index("point")
        whole, decimals = words_to_number(" ".join(tokens[:i])), tokens[i + 1 :]
        if whole is None or not decimals or any(d not in _DIGIT_WORDS for d in decimals):
            return None  # "one point oh five" is 1.05
        return float(f"{int(whole)}." + "".join(str(_DIGIT_WORDS[d]) for d in decimals))
    half = tokens[-3:] == ["and", "a", "half"]
    if half:
        tokens = tokens[:-3]
    current, seen, previous = 0, False, ""
    for token in tokens:
        if token in _TENS and 1 <= _UNITS.get(previous, 0) <= 9 and current < 10:
            current = current * 100 + _TENS[token]  # "two fifty k" is 250k, said the Australian way
        elif token in _UNITS or token in _TENS:
            current, seen = current + _UNITS.get(token, _TENS.get(token, 0)), True
        elif token == "a" and not seen:
            current, seen = 1, True
        elif token == "hundred":
            current, seen = (current or 1) * 100, True  # "a hundred", "hundred grand"
        elif not (token == "and" and previous == "hundred"):
            return None
        previous = token
    if not seen:
        return None
    return current + 0.5 if half else float(current)


# -- money -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Amount:
    """A number that could be money, where it was said."""

    start: int
    end: int
    value: float
    """In dollars when a scale was said ("1.2 million"), else the bare number ("1.3", "850")."""
    scaled: bool
    """Said with a scale or a dollar sign ("$850k", "1.2 million"), not a bare number."""


_AMOUNT = re.compile(
    rf"(?P<dollar>\$\s?)?(?:(?P<num>{_NUMERIC})(?P<num_half>{_HALF})?|\b(?P<words>{NUMBER_WORDS}))"
    rf"(?:\s*(?P<scale>{_SCALE_WORD}))?\b(?!\.\d)(?(scale)(?P<scale_half>{_HALF})?)",
    re.IGNORECASE,
)
# A number with one of these after it is a rate, a term or a time of day, never money.
_NOT_MONEY_AFTER = re.compile(
    r"\s*(?:%|percent|per ?cent|year|yr|am\b|pm\b|a\.m|p\.m|o'?clock|:\d)", re.IGNORECASE
)


def amounts(text: str) -> list[Amount]:
    """Every number that could be money: "$850k", "1.2 million", "one point five mil", "half a
    million", "a million and a half", "850,000", and bare numbers ("1.3", "900"), whose meaning
    is left to the reader (a budget, a price)."""
    found = []
    for m in _AMOUNT.finditer(text):
        scale = (m["scale"] or "").lower()
        if m["words"] and not scale and not re.search(r"\bpoint\b", m["words"], re.IGNORECASE):
            continue  # "three" alone is a count, not money
        if m["words"] and scale == "m":
            continue  # "one m"
        if _NOT_MONEY_AFTER.match(text, m.end()):
            continue
        value = float(m["num"].replace(",", "")) if m["num"] else words_to_number(m["words"])
        if value is None:
            continue
        value += 0.5 if m["num_half"] or m["scale_half"] else 0.0
        found.append(Amount(m.start(), m.end(), value * _SCALE.get(scale, 1), bool(scale or m["dollar"])))
    return _whole(text, found)


def _whole(text: str, found: list[Amount]) -> list[Amount]:
    """ "One million six hundred thousand" is one amount, 1,600,000, not two."""
    merged: list[Amount] = []
    for a in found:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.scaled
            and a.scaled
            and last.value >= 1e6
            and last.value % 1e6 == 0
            and 1e3 <= a.value < 1e6
            and re.fullmatch(r"\s*,?\s*(?:and\s+)?", text[last.end : a.start])
        ):
            merged[-1] = Amount(last.start, a.end, last.value + a.value, True)
        else:
            merged.append(a)
    return merged


# -- spoken numbers written as digits ------------------------------------------------------------

_SPOKEN = re.compile(
    rf"\b(?:{_WORD}){_MORE_WORDS}(?=\s*(?:million|mil|thousand|grand|k\b|percent|per cent|%|years?|yrs?))",
    re.IGNORECASE,
)
_HUNDREDS = re.compile(rf"\b(?:{_WORD})\s+hundred(?:(?:\s+and\s+|[\s-]+)(?:{_WORD}))*\b", re.IGNORECASE)
"""Hundreds are never a count of rooms ("under nine hundred"): digits whatever follows."""
_AND_A_HALF = re.compile(rf"\b(\d+(?:\.\d+)?)\s*(million|mil|m\b)?{_HALF}", re.IGNORECASE)
"""Left after the words are digits: "2 and a half", "1 million and a half"."""
_A_MILLION_AND_A_HALF = re.compile(rf"\ba\s+(million|mil){_HALF}", re.IGNORECASE)
_HALF_A_MILLION = re.compile(r"\bhalf an?\s+(million|mil)\b", re.IGNORECASE)
""""Half a million" is 0.5 million: an amount in digits, as a deposit or a price is read."""


_DECIMAL = re.compile(rf"\b(?:{_WORD})(?:\s+point(?:\s+(?:{_DIGIT_WORD})\b)+|{_HALF})", re.IGNORECASE)


_TEENS = "|".join(w for w, n in _UNITS.items() if 10 <= n <= 19)
_DIGITS = "|".join(w for w, n in _UNITS.items() if 1 <= n <= 9)
_TEENS_AND_TENS = re.compile(
    rf"\b({_TEENS})[\s-]+({'|'.join(_TENS)})(?:[\s-]+({_DIGITS}))?\b",
    re.IGNORECASE,
)
"""Hundreds said as two numbers ("twelve fifty", "fourteen seventy five"): thousands of a price."""


def spoken_decimals(text: str) -> str:
    """``spoken``, and decimals in words written as digits without a unit after them ("budget's
    two point one", "under two and a half"): for a price said without its unit."""

    def number(m: re.Match[str]) -> str:
        value = words_to_number(m.group(0))
        return m.group(0) if value is None else f"{value:g}"

    return _DECIMAL.sub(number, spoken(text))


def spoken_hundreds(text: str) -> str:
    """ "twelve fifty" as 1250 (for a price said in thousands without its unit; a time could
    be said so too)."""

    def hundreds(m: re.Match[str]) -> str:
        low = m.group(0).lower().replace("-", " ").split()
        return str(_UNITS[low[0]] * 100 + _TENS[low[1]] + (_UNITS[low[2]] if len(low) > 2 else 0))

    return _TEENS_AND_TENS.sub(hundreds, text)


def spoken(text: str) -> str:
    """``text`` with spelled-out amounts, rates and terms written as digits: "one point eight
    million" → "1.8 million", "six and a half percent" → "6.5 percent", "twenty-five years"."""

    def number(m: re.Match[str]) -> str:
        value = words_to_number(m.group(0))
        return m.group(0) if value is None else f"{value:g}"

    text = _A_HUNDRED.sub(r"one \1", text)
    text = _HALF_A_MILLION.sub(r"0.5 \1", _A_MILLION_AND_A_HALF.sub(r"1.5 \1", text))
    text = _HUNDREDS.sub(number, _SPOKEN.sub(number, text))
    text = _AND_QUARTERS.sub(_quarters, text)
    text = _MILLION_AND_THOUSANDS.sub(lambda m: f"{float(m[1]) * 1e6 + float(m[2]) * 1e3:.0f}", text)
    return _AND_A_HALF.sub(lambda m: f"{float(m[1]) + 0.5:g}" + (f" {m[2]}" if m[2] else ""), text)


_MILLION_AND_THOUSANDS = re.compile(
    r"\b(\d+(?:\.\d+)?)\s*(?:million|mil)\s*,?\s+(?:and\s+)?(\d{1,3})\s*(?:thousand|grand|k)\b", re.IGNORECASE
)
""""One million six hundred thousand" is 1,600,000 (said whole, not "1.6 million")."""
_A_HUNDRED = re.compile(r"\ba (hundred|thousand)\b", re.IGNORECASE)
""""A hundred and fifty grand" is one hundred and fifty."""
_AND_QUARTERS = re.compile(rf"\b(\d+(?:\.\d+)?|{_WORD})\s+and\s+(?:a|(three))\s+quarters?\b", re.IGNORECASE)
""""Six and a quarter" (a rate), "2 and three quarters"."""


def _quarters(m: re.Match[str]) -> str:
    whole = float(m[1]) if m[1][0].isdigit() else words_to_number(m[1])
    return m[0] if whole is None else f"{whole + (0.75 if m[2] else 0.25):g}"


# -- counts, positions, rates and terms ------------------------------------------------------------


def count_word(word: str) -> int | None:
    """One word as a count: "3", "three", "couple", "a couple of", "single"."""
    word = word.lower()
    if word.isdigit():
        return int(word)
    if "couple" in word:
        return 2
    return _COUNT_WORDS.get(word) if word not in ("a", "an") else None


_NOT_ANCHORS = frozenset({"bedlam", "bedside", "bedding", "bedtime", "yearning", "yearly"})
"""Words that start like a unit and are none ("it's bedlam")."""


def count(text: str, near: str | None = None) -> int | None:
    """A small whole number, preferring one next to ``near`` ("three bedrooms")."""
    text = re.sub(r"(\d)\s*(?:br|bd|bdr|bdrm|bed)s?\b", r"\1 bed", text, flags=re.IGNORECASE)
    # An amount is one word ("budget 2.5m. Two kids": no 2 beside "bedrooms")
    words = re.findall(r"\d+(?:[.,]\d+)*[a-z]*|[a-z]+", spoken(text).lower())
    candidates: list[tuple[int, bool, int]] = []  # (distance to `near`, after it, value)
    anchor = [i for i, w in enumerate(words) if near and w.startswith(near) and w not in _NOT_ANCHORS]
    if near and not anchor:
        return None
    for i, w in enumerate(words):
        value = int(w) if w.isdigit() and len(w) <= 2 else _COUNT_WORDS.get(w)
        if value is None and i + 1 in anchor and _ORDINALS.get(w, 0) > 1:
            value = _ORDINALS[w]  # "a third bedroom" makes three
        if value is None or (w in {"a", "an"} and not anchor):
            continue
        distance = min((abs(i - j) for j in anchor), default=0)
        if anchor and distance > 3:
            continue
        after = not any(j - i == distance for j in anchor)  # "four bedrooms. A house": the four
        candidates.append((distance, after, value))
    return min(candidates)[2] if candidates else None


_SIZE = re.compile(
    r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|single)[\s-]?(?:bed|br\b|bdr|bds?\b)", re.I
)
_NOT_A_CLASH = re.compile(
    r"\b(?:or|to|nor|either|than|between|least|most|max|min|up|sorry|actually|mean|meant|make|rather|wait"
    r"|instead|no|not|but|with)\b|[-–/+]",
    re.IGNORECASE,
)


def sizes(text: str) -> list[int]:
    """Bedroom counts said of one home that cannot all hold: "a 1 bedroom apartment that's
    also a 5 bedroom house". Alternatives, ranges, bounds and corrections between two counts
    ("2 or 3 bedrooms", "three, sorry, four bed") are no clash; empty when nothing clashes."""
    said = list(_SIZE.finditer(text))
    for before, after in itertools.pairwise(said):
        first, second = count_word(before[1]), count_word(after[1])
        if first != second and not _NOT_A_CLASH.search(text, before.end(), after.start()):
            return [n for n in (first, second) if n is not None]
    return []


_NUMBERED = re.compile(r"\b(?:number|no\.?|#)\s*(\d|one|two|three|four|five|six|seven|eight|nine)\b", re.I)


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_NOT_A_POSITION = re.compile(
    r"\s+(?:week|weekend|month|year|night|time|thing|call|monday|tuesday|wednesday|thursday|friday|saturday"
    rf"|sunday|bed\w*|floor|home buyers?|buyers?|of\s+{_MONTH}|(?:one|question|thing)\W+(?:i\s+)?promise)\b",
    re.IGNORECASE,
)
"""After "first" or "last": no position among homes ("last Friday", "first thing", "first home
buyer", "the first of December", "last one, promise")."""
_DAY_OF_MONTH = re.compile(
    r"(?:(?:twenty|thirty)[\s-]?|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+(?:the\s+)?)$",
    re.IGNORECASE,
)
"""Before an ordinal: a day of the month ("thirty-first", "Saturday the 5th")."""


_WHOSE = re.compile(r"\b(?:my|our|their|his|her|a)\s+$", re.IGNORECASE)
"""Before "first": a life's first, not a place in a list ("this is my first place", "a first home")."""


_FIRST_OF_ALL = re.compile(r"\s*(?:[.,!?;]|$|\s+(?:then|please|pls|thanks|and)\b)", re.IGNORECASE)
_DONE_FIRST = re.compile(
    r"\b(?:one|it|that|this|them|place|house|road|rd|street|st|avenue|ave|\w+day)\s+$", re.IGNORECASE
)
"""Around "first": "Victoria Road first.", "the George Street one first, okay" order what to do;
"the first.", "first." (which of them) are a home."""


_LAST_QUESTION = re.compile(
    r"^\W*(?:(?:um|uh|ah|er|ok|okay|and|so|right)\W+)*(?:last one|one last (?:thing|question))\s*[,.:-]"
    r"(?=\s*(?:um|uh|ah|er|still|and|what|how|if|with|same)\b)",
    re.IGNORECASE,
)
"""'Um, last one, ah, still fortnightly…': the caller's last question, no home."""


def ordinal(text: str) -> int | None:
    """1-based position ("the second one", "number four") or -1 for "the last one"."""
    text = _LAST_QUESTION.sub(" ", text)
    for m in re.finditer(r"[a-z0-9]+", text.lower()):
        if (
            m.group(0) in _ORDINALS
            and not _NOT_A_POSITION.match(text, m.end())
            and not _DAY_OF_MONTH.search(text, 0, m.start())
            and not (m.group(0) == "first" and _WHOSE.search(text, 0, m.start()))
            and not (
                m.group(0) == "first"
                and _FIRST_OF_ALL.match(text, m.end())
                and _DONE_FIRST.search(text, 0, m.start())
            )
        ):
            return _ORDINALS[m.group(0)]
    m = _NUMBERED.search(text)
    if not m:
        return None
    said = m.group(1).lower()
    return int(said) if said.isdigit() else _UNITS[said]


_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent|per cent|pc\b|p\.?a\b|interest\b)", re.IGNORECASE)
# A rate said without "percent": a decimal after "at", or any number after "rate"/"interest".
RATE_SAID = (
    r"(?:rates?|interest)(?:'s| rate)?(?: of| is| are| at| would be"
    r"| (?:went|go(?:es)?|going|rose|rises?|jump(?:ed|s)?|climb(?:ed|s)?|drop(?:ped|s)?|fell|falls?|hits?"
    r"|came|comes?|move[sd]?)(?: up| down| back)?(?: to)?)?(?: around| about| roughly)?"
)
"""What introduces a rate ("the rate's about", "if rates went up to"): the number after it is one."""
_RATE_WORD = "one|two|three|four|five|six|seven|eight|nine|ten"
_BARE_RATE = re.compile(
    rf"\b(?:(?:at|@|still)\s*(\d{{1,2}}\.\d{{1,3}})|at\s+(\d{{1,2}}|{_RATE_WORD})\s+(?:flat|even)\b|{RATE_SAID}\s+"
    rf"(\d{{1,2}}(?:\.\d{{1,3}})?|{_RATE_WORD}))\b"
    r"(?!\s*(?:[kmb]\b|mil|am|pm|:|years?|yrs?))",
    re.IGNORECASE,
)


_FILLER = re.compile(r",?\s*\b(?:uh|um|er|erm)\b,?", re.IGNORECASE)
_IF_RATE = re.compile(
    r"\b(?:if (?:it'?s|its|it is|it was|it were|we got|we get)|i meant?|meant)\s+(\d{1,2}\.\d{1,3})\b"
    r"(?!\s*(?:m\b|mil|million))",
    re.IGNORECASE,
)
"""A decimal said as the what-if of a loan ("what if it's 5.8") or put right ("sorry typo, meant 5.8
not 6.8"): a rate when it could be one."""
_LISTED_RATE = re.compile(r"(?:^|,)\s*(\d{1,2}\.\d{1,3})\s*(?=\s*(?:,|\.?$))")
"""A decimal alone among a loan's terms ("10 per cent deposit, six point four, thirty year loan")."""


_RATE_MOVE = re.compile(
    r"\b(?<!sav\w )(?<!saves )(?<!saving )(?<!saved )"  # "saves up twenty percent": a deposit
    r"(?:(?P<up>up|rises?|rose|increases?|increased|jumps?|jumped|climbs?|climbed)"
    r"|(?<!put )(?<!putting )(?<!pay )(?<!paying )(?P<down>down|drops?|dropped|falls?|fell|cuts?))"
    r"(?:\s+|(?:,?\s+(?:by|say|like|maybe|about|another)\b)+,?\s+)"  # "up, say another one percent"
    r"(?P<by>half an?|a half|half|a quarter(?: of an?)?|quarter|\d+(?:\.\d+)?)"
    r"\s*(?:percent|per cent|%|percentage points?|points?)",
    re.IGNORECASE,
)
_MOVES = {
    "half": 0.5,  # "go up half percent"
    "quarter": 0.25,
    "half a": 0.5,
    "half an": 0.5,
    "a half": 0.5,
    "a quarter": 0.25,
    "a quarter of a": 0.25,
    "a quarter of an": 0.25,
}


def rate_move(text: str) -> float | None:
    """How much the rate moves, in points: "if rates go up half a percent" 0.5, "drop by 0.25%"
    -0.25; None when no move is said."""
    m = _RATE_MOVE.search(spoken(text))
    if not m:
        return None
    said = m["by"].lower()
    by = float(said) if said[0].isdigit() else _MOVES[said]
    return by if m["up"] else -by


def percent(text: str) -> float | None:
    """A rate: "6.2%", "six and a half percent", "6.25 interest", "at 6.2" (a decimal), "the
    rate's about five point nine"."""
    text = _FILLER.sub(" ", spoken_decimals(text))
    m = _PERCENT.search(text) or _BARE_RATE.search(text)
    if not m and (what_if := _IF_RATE.search(text) or _LISTED_RATE.search(text)):
        return float(what_if[1]) if 2 <= float(what_if[1]) <= 15 else None  # a rate, never a price
    if not m:
        return None
    said = next(g for g in m.groups() if g)
    value = float(said) if said[0].isdigit() else words_to_number(said)
    return value if value is not None and value <= 30 else None


_LONE_DECIMAL = re.compile(
    r"(?<![\d$.])(\d{1,2}\.\d{1,3})\b(?!\s*(?:[kmb]\b|mil|million|thousand|grand|am\b|pm\b|:|years?|yrs?|bed))",
    re.IGNORECASE,
)
"""A decimal with nothing after it ("the broker reckons six point four"): a rate, when it can be."""


def rates(text: str, most: float = 15) -> list[tuple[int, float]]:
    """Every figure said that can be a loan's yearly rate, as (where, value), in order: a
    percentage or a rate said as one, up to ``most``, and a decimal said alone between 2 and
    ``most`` ("the broker reckons six point four") after one or when there is none (before one,
    it is more likely a price: "budget 2.5, rate 6.1"). ``text``: ``spoken_decimals``."""
    text = _FILLER.sub(" ", text)

    def found(*patterns: re.Pattern[str], least: float = 0) -> list[tuple[int, float]]:
        return sorted(
            (m.start(), v)
            for pattern in patterns
            for m in pattern.finditer(text)
            if (v := _rate_value(m)) is not None and least <= v <= most
        )

    said = sorted(found(_PERCENT, _BARE_RATE) + found(_IF_RATE, _LISTED_RATE, least=2))
    alone = found(_LONE_DECIMAL, least=2)
    return sorted(said + [a for a in alone if a[0] > said[0][0]]) if said else alone  # "5.8, sorry 5.9"


def _rate_value(m: re.Match[str]) -> float | None:
    said = next((g for g in m.groups() if g), None)
    if said is None:
        return None
    return float(said) if said[0].isdigit() else words_to_number(said)


_TERM = re.compile(
    r"\b(?:over|across)\s+(?:a\s+)?(\d{1,2})\s*(?:-|\s)?\s*(?:years?|yrs?|y)\b"
    r"|\b(\d{1,2})\s*(?:-|\s)?\s*(?:years?|yrs?|y)\s+(?:loan|mortgage|term)\b",
    re.IGNORECASE,
)
"""A loan's term, said as one ("over 30 years", "a 25 year loan"): before any other years said
("renting for eleven years")."""


_MADE = re.compile(
    r"\b(?:make (?:it|that)|change (?:it|that) to|try|do it over)\s+(\d{1,2})\b"
    r"(?!\s*(?:k\b|grand|thousand|mil|million|%|percent|per cent|bed|br\b|[ap]\.?m\b|o'?clock|[:.]\d"
    r"|down|deposit))",
    re.IGNORECASE,
)
"""A term put right with a bare number ("Is that over 30 years? Make it 25.")."""


def years(text: str) -> int | None:
    """A term: "25 years", "twenty-five years", "a 30 yr loan"; one put right, the later."""
    text = _OVER_WORDS.sub(_over_in_digits, spoken(text))
    if (
        (made := _MADE.search(text))
        and 5 <= int(made[1]) <= 40
        and re.search(r"\b(years?|yrs?|term)\b", text)
    ):
        return int(made[1])
    if term := _TERM.search(text):
        return int(term[1] or term[2])
    m = re.search(r"(\d{1,2})\s*(?:-|\s)?\s*(?:years?|yrs?|y)\b", text, re.IGNORECASE)
    if m:
        return int(m.group(1))
    if (over := _OVER.search(text)) and 5 <= int(over.group(1)) <= 40:
        return int(over.group(1))  # "and over 25?": a loan's term, the unit left unsaid
    return count(text, near="year")


_OVER_WORDS = re.compile(rf"\b(over\s+)((?:{_WORD})(?:[\s-]+(?:{_WORD}))*)\b", re.IGNORECASE)
"""A term left unsaid in words: "and over twenty five?"."""


def _over_in_digits(m: re.Match[str]) -> str:
    value = words_to_number(m[2])
    return m[0] if value is None else f"{m[1]}{value:g}"


_OVER = re.compile(
    r"\bover\s+(\d{1,2})\b(?!\s*(?:k\b|grand|thousand|mil|million|%|percent|per cent|bed|br\b"
    r"|minutes?|mins?|hours?|days?|weeks?|months?))",
    re.IGNORECASE,
)


# -- digits read out ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigitRun:
    """Digits said in a row: "0412 345 678", "oh four one two, double two", "zero one nine"."""

    start: int
    end: int
    digits: str
    spoken: bool
    """At least one digit was said as a word: a phone matcher cannot read it."""


_ONE_DIGIT = rf"(?:(?:{_DIGIT_WORD})\b(?!')|\d)"  # not the "o" of "o'clock"
_DIGIT_TOKEN = rf"(?:(?:double|triple)\s+{_ONE_DIGIT}|\d+|(?:{_DIGIT_WORD})\b(?!'))"
_DIGIT_RUN = re.compile(rf"\b{_DIGIT_TOKEN}(?:[\s,.-]*{_DIGIT_TOKEN})*", re.IGNORECASE)
_TOKEN = re.compile(rf"(double|triple)\s+({_ONE_DIGIT})|(\d+)|({_DIGIT_WORD})", re.IGNORECASE)


def digit_runs(text: str) -> list[DigitRun]:
    """Every run of digits, written or read out ("double two" is 22), in order."""
    runs = []
    for m in _DIGIT_RUN.finditer(text):
        said, spoken_word = [], False
        for t in _TOKEN.finditer(m.group(0)):
            repeat, digit, number, word = t.groups()
            if number:
                said.append(number)
                continue
            spoken_word = True
            one = digit or word
            one = one if one.isdigit() else str(_DIGIT_WORDS[one.lower()])
            said.append(one * (1 if not repeat else 2 if repeat.lower() == "double" else 3))
        runs.append(DigitRun(m.start(), m.end(), "".join(said), spoken_word))
    return runs


# -- house numbers -------------------------------------------------------------------------------

STREET_KINDS = (
    r"street|st|road|rd|avenue|ave|parade|pde|crescent|cres|drive|dr|place|pl|lane|ln|way|terrace"
    r"|tce|court|ct|highway|hwy|close|grove|boulevard|blvd"
)
"""The kinds of street an address ends with, spelt out or abbreviated (a regex alternation)."""
_NOT_A_STREET_NAME = (
    r"on|in|at|of|near|by|the|a|an|and|or|to|for|bed(?:s|rooms?|ders?)?|br|bath(?:s|rooms?)?|cars?|houses?|homes?"
    r"|apartments?|flats?|units?|places?|minutes?|mins?|blocks?|doors?|down|up|from|off"
)
_HOUSE_NUMBER = re.compile(
    rf"\b(?P<number>(?:{_WORD})(?:(?:(?<=hundred)\s+and\s+|[\s-]+)(?:{_WORD}|oh|o)\b)*)"
    rf"(?=\s+(?:(?!(?:{_NOT_A_STREET_NAME})\b)[a-z']+\s+){{1,3}}(?:{STREET_KINDS})\b)",
    re.IGNORECASE,
)


def house_numbers(text: str) -> str:
    """``text`` with a house number said in words written as digits: "forty five Hill Street"
    → "45 Hill Street", "one hundred and two Ocean St". A count is never one: "two bed on Hill
    Street" keeps its words (a street's name holds no "bed", "on" or "in")."""

    def number(m: re.Match[str]) -> str:
        written = _house_number(m["number"])
        return m["number"] if written is None else written

    return _HOUSE_NUMBER.sub(number, text)


def _house_number(words: str) -> str | None:
    """ "forty five" → "45"; read in pairs as house numbers are, "one twenty four" → "124",
    "one oh eight" → "108"; with "hundred" as a number, "one hundred and two" → "102"."""
    tokens = [t for t in re.split(r"[\s-]+", words.lower()) if t and t != "and"]
    if "hundred" in tokens:
        value = words_to_number(words)
        return str(int(value)) if value and value == int(value) else None
    groups: list[str] = []
    for i, token in enumerate(tokens):
        if token in ("oh", "o"):
            groups.append("0")  # "one oh eight": 108
        elif token in _TENS:
            groups.append(str(_TENS[token] // 10) + "0")
        elif i and tokens[i - 1] in _TENS and 1 <= _UNITS[token] <= 9:
            groups[-1] = groups[-1][0] + str(_UNITS[token])
        else:
            groups.append(str(_UNITS[token]))
    written = "".join(groups)
    return written if written and not written.startswith("0") else None
