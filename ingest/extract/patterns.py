"""Domain patterns for the offline extractor: cue words, spoken numbers, money, bedrooms,
contact details, opt-outs and viewing times, as pure functions over one turn's text.

Conventions follow the agents' slot filling (``backend.agents.policy.parse``) so that a
fact means the same whether an agent or ingestion recorded it: the same scale words
("k", "grand", "mil"), a bare day means 10 am, "at 3" means 3 pm, "arvo" is 2 pm. That
module is not imported: importing it loads the whole agent runtime (the SDK, ~0.9 s and
~40 MB per worker process), and these functions need spans, which it does not give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

# -- spoken numbers -------------------------------------------------------------------

UNITS = {
    "zero": 0, "oh": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
        "ninety": 90}  # fmt: skip
SCALE = {"k": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "mil": 1e6, "mill": 1e6, "million": 1e6,
         "millions": 1e6}  # fmt: skip
_NUMBER_WORD = "|".join(
    sorted([*UNITS, *TENS, "hundred", "a", "half", "point", "and", "quarter"], key=len, reverse=True)
)
_NUMBER_WORDS = rf"(?:{_NUMBER_WORD})(?:[\s-]+(?:{_NUMBER_WORD}))*"
_NUMERIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


def words_to_number(words: str) -> float | None:
    """ "seven hundred and fifty" → 750, "one point five" → 1.5, "three and a half" → 3.5,
    "a" → 1, "half a" → 0.5; None when the words are not one number."""
    tokens = [t for t in re.split(r"[\s-]+", words.lower()) if t]
    if tokens[:2] == ["half", "a"] and len(tokens) == 2:
        return 0.5
    if "point" in tokens:
        i = tokens.index("point")
        whole, decimals = words_to_number(" ".join(tokens[:i])), tokens[i + 1 :]
        if whole is None or not decimals or any(d not in UNITS or UNITS[d] > 9 for d in decimals):
            return None
        return float(f"{int(whole)}." + "".join(str(UNITS[d]) for d in decimals))
    half = tokens[-3:] == ["and", "a", "half"]
    if half:
        tokens = tokens[:-3]
    total, current, seen = 0, 0, False
    for token in tokens:
        if token in UNITS:
            current, seen = current + UNITS[token], True
        elif token in TENS:
            current, seen = current + TENS[token], True
        elif token == "a" and not seen:
            current, seen = 1, True
        elif token == "hundred" and seen:
            current *= 100
        elif token != "and":
            return None
    if not seen:
        return None
    total += current
    return total + 0.5 if half else float(total)


_DIGIT_WORDS = {k: v for k, v in UNITS.items() if v <= 9} | {"o": 0}
_SPOKEN_DIGIT = r"(?:zero|oh|o|nought|one|two|three|four|five|six|seven|eight|nine|\d)"
_SPOKEN_RUN = re.compile(
    rf"\b(?:(?:double|triple)\s+)?{_SPOKEN_DIGIT}(?:[\s,.-]+(?:(?:double|triple)\s+)?{_SPOKEN_DIGIT}){{5,}}\b",
    re.IGNORECASE,
)


def spoken_digit_runs(text: str) -> list[tuple[int, int, str]]:
    """Runs of six or more spoken digits ("oh four one two, double two …") as digit strings:
    phone numbers read out, which the phone matcher cannot see as words."""
    runs = []
    for m in _SPOKEN_RUN.finditer(text):
        tokens = re.findall(r"double|triple|[a-z]+|\d", m.group(0).lower())
        if all(t.isdigit() for t in tokens):
            continue  # written digits: the matcher reads those itself
        digits, repeat = [], 1
        for token in tokens:
            if token in ("double", "triple"):
                repeat = 2 if token == "double" else 3
                continue
            digit = token if token.isdigit() else str(_DIGIT_WORDS[token])
            digits.append(digit * repeat)
            repeat = 1
        runs.append((m.start(), m.end(), "".join(digits)))
    return runs


# -- clauses and cues ------------------------------------------------------------------

# Clause boundaries: punctuation, and conjunctions that start a new thought. "anything but"
# is a negation, not a boundary.
_CLAUSE_BREAK = re.compile(
    r"[.;!?,:]+(?:\s|$)|\s[-–—]\s|\b(?<!anything )(?<!anywhere )(?<!nothing )(?<!everywhere )but\b"
    r"|\b(?:so|though|although|whereas|because|cause)\b|\band(?=\s+(?:we|i|i'm|we're|my|our|they)\b)",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[.;!?]+(?:\s|$)")


def spans(text: str, breaks: re.Pattern[str]) -> list[tuple[int, int]]:
    """(start, end) of each piece of ``text`` between ``breaks``."""
    out, start = [], 0
    for m in breaks.finditer(text):
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out or [(0, len(text))]


def clauses(text: str) -> list[tuple[int, int]]:
    return spans(text, _CLAUSE_BREAK)


def sentences(text: str) -> list[tuple[int, int]]:
    return spans(text, _SENTENCE_BREAK)


def enclosing(pieces: list[tuple[int, int]], position: int) -> tuple[int, int]:
    for start, end in pieces:
        if start <= position < end:
            return start, end
    return position, position


RETRACTION = re.compile(
    r"\b(?:no longer|any ?more|forget|scratch|scrap|rul(?:e|ed|ing) out|off (?:the|my|our) (?:short)?list"
    r"|decided against|done with|gone cold on|leave \w+(?: \w+)? out|not (?:looking|keen) (?:there|any ?more)"
    r"|cross(?:ed)?\b|pass on|had enough of|gone off|changed (?:our|my) minds?|don'?t bother with"
    r"|not (?:keen|interested) (?:in|on) (?:it|that|this|there)|withdraw|drop(?:ped)?)\b",
    re.IGNORECASE,
)
# Properties are dropped more plainly than suburbs: "not interested in 7 Beach Rd".
PROPERTY_RETRACTION = re.compile(RETRACTION.pattern + r"|\bnot (?:interested|keen)\b|\bnot for us\b", re.I)
NEGATION = re.compile(
    r"\b(?:not|never|no|nothing in|except|avoid|anything but|anywhere but|other than|apart from"
    r"|rather than|instead of|against|without)\b|n't\b|n’t\b",
    re.IGNORECASE,
)
# Negated words that still say yes ("don't mind Glebe").
NOT_NEGATION = re.compile(
    r"\b(?:don'?t|wouldn'?t|do not|would not) mind\b|\bnot (?:opposed|against)\b|\bwhy not\b|\bno less\b"
    r"|\bnot too\b|\bno more than\b|\bnot more than\b|\bnot over\b|\bnot above\b",
    re.IGNORECASE,
)
DISLIKE_AFTER = re.compile(
    r"^[^.!?]{0,40}?\btoo (?:expensive|pricey|dear|far|busy|noisy|crowded|small)\b"
    r"|^[^.!?]{0,30}?\bout of (?:our|my) (?:league|range|budget|price range)",
    re.IGNORECASE,
)
# A place named as where someone lives, works or comes from: not a wish.
OTHER_PLACE = re.compile(
    r"\b(?:grew up|grow up|lives?|living|lived|sold|(?:calling|ringing|moving|moved|coming|relocating) from"
    r"|(?:moved|moving) out of|left"
    r"|from|work|works|working|born|raised|renting|rent|own|owned|(?:my|our) (?:place|home|house|unit))\b",
    re.IGNORECASE,
)
# An address is also a landmark ("near George St", "next to 12 Queen St").
OTHER_ADDRESS = re.compile(
    OTHER_PLACE.pattern + r"|\b(?:near|next to|opposite|behind|around the corner)\b", re.I
)
DESIRE = re.compile(
    r"\b(?:want|wanna|like|love|looking|look|keen|hoping|hope|prefer|after|consider|interested|move to"
    r"|moving to|buy|buying|search|show|see)\b",
    re.IGNORECASE,
)
CORRECTION = re.compile(
    r"\b(?:actually|make (?:that|it)|sorry|i mean|i meant|or rather|no wait|correction|oops)\b"
    r"|^\s*no\b",
    re.IGNORECASE,
)
# A stronger cue for set-valued facts (suburbs): "Bronte, sorry, I mean Bondi".
STRONG_CORRECTION = re.compile(
    r"\b(?:i mean|i meant|or rather|make (?:that|it)|no wait|correction|actually,?\s+no)\b", re.IGNORECASE
)
AFFIRMATION = re.compile(
    r"^\W*(?:yes|yep|yeah|yup|correct|exactly|spot on|that's right|that is right|right|sure|sounds right"
    r"|that's it)\b[\w\s,.'!]{0,25}$",
    re.IGNORECASE,
)


def negated(prefix: str) -> bool:
    """Whether the clause text before a mention negates it ("not Bondi", "anything but Manly")."""
    return bool(NEGATION.search(prefix)) and not NOT_NEGATION.search(prefix)


def elsewhere(prefix: str, cues: re.Pattern[str] = OTHER_PLACE) -> bool:
    """Whether a mention is where someone lives, works or came from rather than a wish: a cue
    in the last few words before it and no wish ("we'd love to live in Bondi" is one)."""
    window = " ".join(prefix.split()[-6:])
    return bool(cues.search(window)) and not DESIRE.search(window)


# -- money ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Amount:
    start: int
    end: int
    value: float
    scaled: bool
    """Said with a scale or a dollar sign ("$850k", "1.2 million"), not a bare number."""


_MONEY = re.compile(
    rf"(?P<dollar>\$\s?)?(?:(?P<num>{_NUMERIC})|\b(?P<words>{_NUMBER_WORDS}))\s*"
    r"(?P<scale>k|grand|thousand|m|mil|mill|millions?)?\b(?!\.\d)",
    re.IGNORECASE,
)
# What a number is when it is not money: "2 kids", "3 o'clock", "unit 5", "45 Ocean St".
_UNIT_AFTER = re.compile(
    r"^\s*(?:-\s*)?(?:bed|bedroom|bedder|br\b|bdr|bath|car|kid|child|year|yr|month|week|day|minute|min\b"
    r"|hour|hr|%|percent|per ?cent|o'?clock|am\b|pm\b|a\.m|p\.m|st\b|street|rd\b|road|ave|avenue|hwy"
    r"|sq|square|metre|meter|m2|storey|stor|level|floor|people|person|dog|cat|time|of us|bathroom|toilet"
    r"|garage|space|spot|th\b|st\b|nd\b|rd\b|:|or (?:so )?(?:bed|car))",
    re.IGNORECASE,
)
_NOT_AMOUNT_BEFORE = re.compile(
    r"(?:\b(?:at|unit|number|no\.?|lot|#|postcode|level|apartment|flat|shop|page|ref(?:erence)?|is it|on)"
    r"|:)\s*$",
    re.IGNORECASE,
)
BUDGET_CUE = re.compile(
    r"\b(?:budget|spend|spending|afford|stretch|up to|upto|under|below|max|maximum|tops|limit|ceiling"
    r"|price ?range|range|pre-?approv\w*|approved|no more than|less than|between|can do|looking at|around"
    r"|about|somewhere|price-?wise|borrow|borrowing|finance|go to|go up to|capped|cap|top end|at most"
    r"|comfortable)\b",
    re.IGNORECASE,
)
NOT_BUDGET = re.compile(
    r"\b(?:asking|listed|list price|sold|selling|sell|deposit|strata|levies|levy|rates|rent|renting|bond"
    r"|stamp duty|a week|per week|weekly|a month|per month|monthly|a quarter|per quarter|quarterly"
    r"|a year|per annum|p\.?a|equity|firm|negotiable|offers?|valued|worth|paid|pay|paying|quoted|guide"
    r"|went for|reserve|salary|income|earn|earns|savings?|saved|deposit)\b",
    re.IGNORECASE,
)
BUDGET_QUESTION = re.compile(r"\b(?:budget|price|spend|range|afford|how much)\b", re.IGNORECASE)
MIN_BUDGET, MAX_BUDGET = 50_000, 100_000_000


def amounts(text: str) -> list[Amount]:
    """Every number that could be money, with its value in dollars if a scale says so and
    the bare number otherwise (the caller decides what a bare "1.3" means)."""
    found = []
    for m in _MONEY.finditer(text):
        if m["words"] and not m["scale"] and not re.search(r"\bpoint\b", m["words"], re.IGNORECASE):
            continue  # "three" alone is a count, not money
        raw = m["num"] or m["words"]
        value = float(raw.replace(",", "")) if m["num"] else words_to_number(raw)
        if (
            value is None
            or _UNIT_AFTER.match(text[m.end() :])
            or (not m["dollar"] and _NOT_AMOUNT_BEFORE.search(text[max(0, m.start() - 14) : m.start()]))
        ):
            continue
        scale = (m["scale"] or "").lower()
        if scale in ("m",) and not m["num"]:
            continue
        if scale:
            value *= SCALE[scale]
        found.append(Amount(m.start(), m.end(), value, bool(scale or m["dollar"])))
    return found


def dollars(amount: Amount) -> float | None:
    """A budget in dollars; a bare number is read as the caller would mean it: "1.3" is
    millions, "900" thousands ("under 900"), 20–99 too ambiguous to read."""
    value = amount.value
    if not amount.scaled:
        if value < 20:
            value *= 1e6
        elif 100 <= value < 10_000:
            value *= 1e3
        elif value < 10_000:
            return None
    return value if MIN_BUDGET <= value <= MAX_BUDGET else None


# -- bedrooms -----------------------------------------------------------------------------

_COUNT = r"\d{1,2}|one|two|three|four|five|six|seven|a couple of|a couple|couple of|single"
_BEDROOMS = re.compile(
    rf"\b(?P<n>{_COUNT})(?:\s+(?:or|to|-)\s+(?P<m>{_COUNT}))?\s*(?:-\s*)?"
    r"(?:bed(?:room)?s?|bedroom(?:ed)?|bedder|br|bdr|bd|b/r)\b",
    re.IGNORECASE,
)
_LISTING_BEFORE = re.compile(r"\bthe\s*$|(?<!make )(?<!make it )\b(?:that|this)\s*$", re.IGNORECASE)


def count_word(word: str) -> int | None:
    word = word.lower()
    if word.isdigit():
        return int(word)
    if "couple" in word:
        return 2
    if word == "single":
        return 1
    return UNITS.get(word)


def bedroom_mentions(text: str) -> list[tuple[int, int, int]]:
    """(start, end, bedrooms) of each stated need; a range means its lower bound (a minimum),
    "the 3 bedroom one" names a listing, not a need."""
    found = []
    for m in _BEDROOMS.finditer(text):
        if _LISTING_BEFORE.search(text[: m.start()]):
            continue
        low = count_word(m["n"])
        if m["m"] is not None:
            high = count_word(m["m"])
            low = min(low, high) if low is not None and high is not None else low
        if low is not None and 0 <= low <= 20:
            found.append((m.start(), m.end(), low))
    return found


_BARE_NUMBER = re.compile(rf"(?:(?P<num>\d+(?:\.\d+)?)|\b(?P<words>{_NUMBER_WORDS}))\b", re.IGNORECASE)
_AFTER_CORRECTION = re.compile(
    r"\b(?:make (?:that|it)|actually|sorry|i mean|i meant|or rather|no wait)\b[\s,]*(?:no,?\s*)?"
    r"(?:make (?:that|it)\s+|it's\s+|its\s+|we(?:'ll| will) (?:say|go|do)\s+)?",
    re.IGNORECASE,
)


def corrected_number(text: str) -> tuple[int, int, float] | None:
    """A bare number right after a correction cue ("actually, make that three", "sorry, 1.25"):
    it replaces the last number stated, whatever that was."""
    result = None
    for cue in _AFTER_CORRECTION.finditer(text):
        m = _BARE_NUMBER.match(text, cue.end())
        if not m or _UNIT_AFTER.match(text[m.end() :]):
            continue
        value = float(m["num"]) if m["num"] else words_to_number(m["words"])
        if value is not None:
            result = (m.start(), m.end(), value)
    return result


# -- contact details ---------------------------------------------------------------------

WRITTEN_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TLDS = "com|net|org|edu|gov|au|io|co|uk|nz|me|info|biz|id|asn|ai|app|dev"
_LOCAL_SEP = r"\s+(?:dot|underscore|dash|hyphen|period)\s+|[._-]"
_SPELLED = r"(?:[a-z0-9] ){2,}[a-z0-9]"  # "z o e"
_SPOKEN_EMAIL = re.compile(
    rf"(?<![\w.@'’])(?P<local>{_SPELLED}|[a-z0-9]+(?:(?:{_LOCAL_SEP})[a-z0-9]+)*)\s+(?:at|@)\s+"
    rf"(?P<domain>[a-z0-9-]+(?:\s+[a-z0-9-]+)?(?:(?:\s+dot\s+|\.)[a-z0-9-]+)*(?:\s+dot\s+|\.)(?:{_TLDS}))\b",
    re.IGNORECASE,
)
_SEPARATORS = {"dot": ".", "period": ".", "underscore": "_", "dash": "-", "hyphen": "-"}
_SPOKEN_SEPARATOR = re.compile(r"\s+(dot|period|underscore|dash|hyphen)\s+")


def emails(text: str) -> list[tuple[int, int, str]]:
    """Written ("j.smith@bigpond.com") and spoken ("sarah dot chen at gmail dot com") emails."""
    found = [(m.start(), m.end(), m.group(0).lower().rstrip(".")) for m in WRITTEN_EMAIL.finditer(text)]
    for m in _SPOKEN_EMAIL.finditer(text):
        if any(s < m.end() and m.start() < e for s, e, _ in found):
            continue
        local = m["local"].lower()
        local = local.replace(" ", "") if re.fullmatch(_SPELLED, local) else local
        local = _SPOKEN_SEPARATOR.sub(lambda w: _SEPARATORS[w[1]], local)
        domain = re.sub(r"\s+dot\s+", ".", m["domain"].lower())
        found.append((m.start(), m.end(), f"{local}@{domain.replace(' ', '')}"))
    return sorted(found)


OTHER_PERSON = re.compile(
    r"\b(?:husband|wife|partner|son|daughter|mum|mom|mother|dad|father|brother|sister|friend|boss|agent"
    r"|lawyer|solicitor|conveyancer|broker|office|neighbour)(?:'s|s'|’s)\b",
    re.IGNORECASE,
)
NEW_CONTACT = re.compile(
    r"\b(?:new (?:mobile|number|phone|email|e-mail|address)|changed (?:my|our) (?:number|mobile|phone|email)"
    r"|(?:number|mobile|email) (?:has|have) changed|on this number|use my|instead)\b",
    re.IGNORECASE,
)

# -- names --------------------------------------------------------------------------------

_NAME_WORD = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"  # "Sarah", "O'Brien", "Smith-Jones"
_NAME = rf"(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}"
STRONG_NAME = re.compile(
    rf"(?i:\bmy name(?:'s|’s|\s+is)\s+|\b(?:you can |just )?call me\s+)(?P<name>{_NAME})"
    rf"|(?:^|[,.!?]\s*|\b(?i:hi|hello|g'day|gday|yeah|yes|oh|morning|afternoon|mate|there)[,\s]+)"
    rf"(?P<name2>{_NAME})\s+(?i:here|speaking|calling)\b"
)
WEAK_NAME = re.compile(rf"(?i:\b(?:this is|it's|it’s|it is|i'm|i’m|i am)\s+)(?P<name>{_NAME})")
NAME_PARTS = re.compile(
    rf"(?i:\b(?P<part>first name|surname|last name|family name)(?:'s|\s+is)?\s*,?\s+)(?P<name>{_NAME})"
)
NAME_BOUNDARY = re.compile(
    r"^\s*(?:$|[,.!?]|here\b|calling\b|speaking\b|from\b|by the way\b|again\b|returning\b|and\b)",
    re.IGNORECASE,
)
HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+")
# Capitalised words a cue can precede that are not names ("it's Monday", "I'm Keen").
NOT_NAMES = frozenset({
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "sydney", "australia", "okay", "ok", "sorry", "just", "not", "yes", "yeah", "no", "hello", "hi",
    "thanks", "there", "here", "good", "great", "fine", "interested", "looking", "calling", "ringing",
    "after", "keen", "happy", "sure", "right", "well", "still", "also", "only", "really", "actually",
    "back", "home", "free", "busy", "available", "everyone", "someone", "nobody", "anyone",
})  # fmt: skip

# -- opt-outs -----------------------------------------------------------------------------

_AGAIN = r"(?:again|any ?more|ever again)"


def _any(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE)


OPT_OUTS: list[tuple[str, re.Pattern[str]]] = [
    (
        "all",
        _any(
            r"\bremove me (?:from (?:your|the) (?:database|list|system|records|books)|completely|entirely)\b",
            r"\b(?:don'?t|do not|never) contact me\b",
            r"\bstop contacting me\b",
            r"\bno (?:more |further )?contact\b",
            r"\bunsubscribe me from (?:everything|all)\b",
            r"\bleave me alone\b",
            r"\bdon'?t want any more contact\b",
            r"\bstop sending me (?:stuff|things|anything|everything)\b",
            r"\b(?:rather|would rather|prefer) not (?:to )?be contacted(?! by)\b",
            r"\bdo not contact\b",
        ),
    ),
    (
        "phone",
        _any(
            rf"\b(?:don'?t|do not|never) (?:call|ring|phone) (?:me|us) {_AGAIN}\b",
            r"\bstop (?:calling|ringing|phoning)\b",
            r"\bno more (?:phone )?calls\b",
            r"\bnot be (?:contacted|called) by (?:phone|telephone)\b",
            r"\bdo not call (?:list|register)\b",
            r"\bdon'?t want any more (?:phone )?calls\b",
        ),
    ),
    (
        "sms",
        _any(
            r"\bstop (?:texting|messaging|sms-?ing)\b",
            r"\bstop sending (?:me |us )?(?:texts|sms|messages|text messages)\b",
            rf"\b(?:don'?t|do not|never) (?:text|message|sms) (?:me|us)(?: {_AGAIN})?\b",
            r"\bno more (?:texts|sms)\b",
            r"\bnot be (?:contacted|texted) by (?:text|sms)\b",
            r"\bdon'?t want any more (?:texts|text messages|sms)\b",
        ),
    ),
    (
        "email",
        _any(
            r"\b(?:take|remove) me off (?:your|the) (?:mailing|email|e-mail) list\b",
            r"\bstop (?:emailing|e-mailing|sending (?:me |us )?(?:emails|e-mails|newsletters))\b",
            r"\bno (?:more )?(?:emails|e-mails)\b",
            r"\bdon'?t want any more (?:emails|e-mails)\b",
            r"\bunsubscribe me from (?:your |the )?(?:emails|newsletters?|list)\b",
            rf"\b(?:don'?t|do not) (?:email|e-mail) (?:me|us)(?: {_AGAIN})?\b",
            r"\bnot be contacted by e-?mail\b",
        ),
    ),
]
# "Don't stop sending me listings" says the opposite; "don't ring me on this number" asks for another one.
OPT_OUT_VETO = re.compile(r"\b(?:don'?t|do not|never) stop\b|\bon this number\b|\buse my\b", re.IGNORECASE)

# -- dates and times ---------------------------------------------------------------------

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Whole day names only: "sat", "sun" and "wed" are words too.
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tues|thurs|weds)"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL_DAY = (
    r"\d{1,2}(?:st|nd|rd|th)(?!\s+(?:bed|bedroom|floor|level|one|place|house|property|listing|time|option|car"
    r"|street|st\b|home|inspection|viewing|open))"
)
_DAY = re.compile(
    r"\b(?P<today>today|tonight|this (?:morning|afternoon|arvo|evening))\b"
    r"|\b(?P<after>day after tomorrow)\b|\b(?P<tomorrow>tomorrow|tmrw)\b"
    rf"|\b(?P<past>yesterday|last (?:{_WEEKDAY}|week|weekend|night|month))\b"
    rf"|\b(?P<rel>this |next |coming |this coming )?(?P<weekday>{_WEEKDAY})\b(?P<week>\s+week)?"
    rf"|\b(?P<date>(?:the\s+)?{_ORDINAL_DAY}(?:\s+(?:of\s+)?{_MONTH})?|{_MONTH}\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?"
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?)\b",
    re.IGNORECASE,
)
_NOT_A_TIME = (
    r"bed|bath|car|kid|child|people|person|minute|min\b|hour|week|month|year|day|k\b|m\b|mil|million|grand"
    r"|thousand|%|per|percent|st\b|street|rd\b|road|ave|of\b|or\b|to\b|and\b|-"
)
_HOUR_WORD = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_HOUR = rf"(?:\d{{1,2}}|{_HOUR_WORD})"
_TIME = re.compile(
    rf"\b(?P<h1>\d{{1,2}})(?::(?P<m1>[0-5]\d)\s*(?P<ap1>am|pm|a\.m\.|p\.m\.)?|\.(?P<m1b>[0-5]\d)\s*(?P<ap1b>am|pm))"
    rf"|\b(?P<h2>{_HOUR})\s*(?P<ap2>am|pm|a\.m\.|p\.m\.)"
    rf"|\b(?P<h3>{_HOUR})\s*o'?clock\b"
    rf"|\b(?P<frac>half past|quarter past|quarter to) (?P<h4>{_HOUR})\b"
    rf"|\b(?P<anchor>at|after|around|about|from|by)\s+(?P<h5>{_HOUR})\b(?![.,:]?\d|\s*(?:{_NOT_A_TIME}))"
    r"|\b(?P<part>morning|midday|noon|lunchtime|lunch time|afternoon|arvo|evening|tonight)\b",
    re.IGNORECASE,
)
DAYPART = {"morning": 10, "midday": 12, "noon": 12, "lunchtime": 12, "lunch time": 12, "afternoon": 14,
           "arvo": 14, "evening": 18, "tonight": 18}  # fmt: skip
_PAST_VERB = re.compile(r"\b(?:went|was|were|saw|did|had|visited|inspected|been)\b", re.IGNORECASE)
_PAST_VISIT = re.compile(
    r"\b(?:went|looked|saw|visited|inspected|viewed|came|loved|liked|hated|checked it out|had a look)\b", re.I
)
_LOOSE_ANCHORS = ("around", "about", "from", "by")


def _hour_value(word: str) -> int:
    return int(word) if word.isdigit() else UNITS[word.lower()]


def _weekday(word: str) -> int:
    prefix = word.lower()[:3]
    return next(i for i, d in enumerate(WEEKDAYS) if d.startswith(prefix))


def day_of(m: re.Match[str], now: datetime) -> datetime | None:
    """The day a matched day expression names (midnight, ``now``'s zone); None for a past one."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if m["past"]:
        return None
    if m["today"]:
        return midnight
    if m["after"]:
        return midnight + timedelta(days=2)
    if m["tomorrow"]:
        return midnight + timedelta(days=1)
    if m["weekday"]:
        ahead = (_weekday(m["weekday"]) - now.weekday()) % 7
        if (m["rel"] or "").strip() == "next":
            ahead = ahead or 7  # as the agents read it: "next Tuesday" is the coming one
        if m["week"]:
            ahead += 7  # "Friday week": a week after the coming Friday
        return midnight + timedelta(days=ahead)
    return calendar_day(m["date"], now)


@lru_cache(maxsize=1024)
def _calendar_day(text: str, base: datetime) -> tuple[int, int, int] | None:
    import dateparser  # slow to import and to run: only for dates said with a day of the month

    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "future",
        "PREFER_DAY_OF_MONTH": "first",
        "DATE_ORDER": "DMY",
        "REQUIRE_PARTS": ["day"],
    }
    cleaned = re.sub(r"^the\s+", "", text.strip(), flags=re.IGNORECASE)
    found = dateparser.parse(cleaned, languages=["en"], settings=settings)  # type: ignore[arg-type]
    return (found.year, found.month, found.day) if found else None


def calendar_day(text: str, now: datetime) -> datetime | None:
    ymd = _calendar_day(text, now.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0))
    if ymd is None:
        return None
    day = now.replace(year=ymd[0], month=ymd[1], day=ymd[2], hour=0, minute=0, second=0, microsecond=0)
    if day.date() < now.date() and not re.search(_MONTH, text, re.IGNORECASE):
        # "the 3rd" said on the 14th is next month's (dateparser keeps this month's)
        month = day.month % 12 + 1
        try:
            day = day.replace(year=day.year + (month == 1), month=month)
        except ValueError:
            return None
    return day if day.date() >= now.date() else None


@dataclass(frozen=True)
class Said:
    """What one sentence says about when."""

    named: bool
    """A day was named ("Saturday", "tomorrow", "the 28th", "last week")."""
    day: datetime | None
    """That day at midnight in the call's zone; None if none was named or it is past."""
    clock: tuple[int, int] | None
    """(hour, minute), if a time or a part of the day was said."""
    weekday: bool = False
    """The day was named as a weekday ("Saturday"), so a passed time means next week's."""


def moments(sentence: str, now: datetime) -> Said:
    named, day, weekday = False, None, False
    for m in _DAY.finditer(sentence):
        named, day, weekday = True, day_of(m, now), bool(m["weekday"])
        if m["past"]:
            break
    return Said(named, day, time_of_day(sentence, named), weekday)


def time_of_day(sentence: str, has_day: bool) -> tuple[int, int] | None:
    hour: int | None = None
    minute, meridiem, part = 0, "", None
    for m in _TIME.finditer(sentence):
        if m["part"]:
            part = part or m["part"].lower()
            continue
        if hour is not None:
            continue
        if m["h1"]:
            hour, minute = int(m["h1"]), int(m["m1"] or m["m1b"])
            meridiem = m["ap1"] or m["ap1b"] or ""
        elif m["h2"]:
            hour, meridiem = _hour_value(m["h2"]), m["ap2"]
        elif m["h3"]:
            hour = _hour_value(m["h3"])
        elif m["h4"]:
            hour = _hour_value(m["h4"])
            minute = 30 if m["frac"].lower().startswith("half") else 15
            if m["frac"].lower().endswith("to"):
                hour, minute = hour - 1, 60 - minute
        elif m["h5"] and (m["anchor"].lower() not in _LOOSE_ANCHORS or has_day or _DAY_WORD.search(sentence)):
            hour = _hour_value(m["h5"])  # "around 2" only with a day or a part of one
    if hour is None:
        return (DAYPART[part], 0) if part else None
    if hour > 23 or minute > 59:
        return None
    meridiem = meridiem.lower().replace(".", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    elif not meridiem and hour < 12 and (hour <= 7 or (part and DAYPART[part] >= 14)):
        hour += 12  # "at 3" is the afternoon for a viewing; "evening at 6" too
    return hour, minute


_DAY_WORD = re.compile(r"\b(?:morning|afternoon|arvo|evening|tonight|today|tomorrow)\b", re.IGNORECASE)


# "Good morning", "Morning, my name's …": a greeting, not a time.
GREETING = re.compile(
    r"\bgood (?:morning|afternoon|evening|arvo)\b|^\W*(?:morning|afternoon|evening)\s*[,!.]", re.I
)


def past(sentence: str) -> bool:
    return bool(_PAST_VERB.search(sentence))


def past_visit(sentence: str) -> bool:
    """ "We looked at it on Tuesday": a day already gone, not a proposal."""
    return bool(_PAST_VISIT.search(sentence))


SIX_DIGITS = re.compile(r"(?:\d[\s().-]{0,3}){6}")
"""Six digits or more: below that the (slow) phone matcher has nothing to find."""
