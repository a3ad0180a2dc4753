"""The patterns the offline extractor (``ingest.extract.offline``) reads real-estate facts with:
what a number or a place means for a home buyer (a budget, bedrooms, a suburb or a listing
wanted or taken back), as pure functions over one turn's text.

The language underneath is ``backend.speech``'s: spoken numbers and money (``numbers``, which
the agents' slot filling reads with too, so a budget means the same whether an agent or
ingestion recorded it), and clauses, negation and corrections (``clauses``).
"""

from __future__ import annotations

import re

from backend.speech.numbers import Amount, count_word
from backend.speech.numbers import amounts as numbers_said

# -- places ----------------------------------------------------------------------------------

RETRACTION = re.compile(
    r"\b(?:no longer|any ?more|forget|scratch|scrap|rul(?:e|ed|ing) out|off (?:the|my|our) (?:short)?list"
    r"|decided against|done with|gone cold on|leave \w+(?: \w+)? out|not (?:looking|keen) (?:there|any ?more)"
    r"|cross(?:ed)?\b|pass on|had enough of|gone off|changed (?:our|my) minds?|don'?t bother with"
    r"|not (?:keen|interested) (?:in|on) (?:it|that|this|there)|withdraw|drop(?:ped)?)\b",
    re.IGNORECASE,
)
# Properties are dropped more plainly than suburbs: "not interested in 7 Beach Rd".
PROPERTY_RETRACTION = re.compile(RETRACTION.pattern + r"|\bnot (?:interested|keen)\b|\bnot for us\b", re.I)
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

# A known suburb followed or preceded by one of these is a different place ("Bondi Junction").
_OTHER_SUBURB_AFTER = re.compile(
    r"^\s+(?:Junction|Vale|Heights|Park|Point|Plains|Creek|Valley|Ridge|Grove|Hill)\b"
)
_OTHER_SUBURB_BEFORE = re.compile(r"\b(?:North|South|East|West|Lower|Upper)\s+$")
# What a retraction points back at when it names nothing: the suburb or listing named last.
ANAPHOR_PLACE = re.compile(r"\b(?:there|that area|that suburb)\b", re.IGNORECASE)
ANAPHOR_LISTING = re.compile(
    r"\b(?:it|that one|this one|that place|that house|that property|that listing)\b", re.IGNORECASE
)
SUBURB_ONE = r"\bthe\s+({})\s+(?:one|place|house|home|listing|property|unit|apartment|townhouse)\b"
"""A listing by the suburb it was named with ("the Bronte one"); ``{}`` is the suburbs' alternation."""
IN_SUBURB = re.compile(r"^,?\s+in\s+")
"""After a listing's address, the suburb it is in: "23 Beach Rd in Bronte"."""


def within_other_suburb(text: str, start: int, end: int) -> bool:
    """Whether the known suburb named at ``text[start:end]`` is part of another place's name
    ("Bondi Junction", "North Bondi")."""
    return bool(_OTHER_SUBURB_AFTER.match(text[end:]) or _OTHER_SUBURB_BEFORE.search(text[:start]))


def elsewhere(prefix: str, cues: re.Pattern[str] = OTHER_PLACE) -> bool:
    """Whether a mention is where someone lives, works or came from rather than a wish: a cue
    in the last few words before it and no wish ("we'd love to live in Bondi" is one)."""
    window = " ".join(prefix.split()[-6:])
    return bool(cues.search(window)) and not DESIRE.search(window)


# -- money ------------------------------------------------------------------------------

# What a number is when it is not money: "2 kids", "3 o'clock", "unit 5", "45 Ocean St".
UNIT_AFTER = re.compile(
    r"^\s*(?:-\s*)?(?:bed|bedroom|bedder|br\b|bdr|bath|car|kid|child|year|yr|month|week|day|minute|min\b"
    r"|hour|hr|%|percent|per ?cent|o'?clock|am\b|pm\b|a\.m|p\.m|st\b|street|rd\b|road|ave|avenue|hwy"
    r"|sq|square|metre|meter|m2|storey|stor|level|floor|people|person|dog|cat|time|of us|bathroom|toilet"
    r"|garage|space|spot|th\b|st\b|nd\b|rd\b|:|or (?:so )?(?:bed|car))",
    re.IGNORECASE,
)
"""Also what makes a number after a correction cue a count, not a bare correction ("sorry, 3 kids")."""
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
    r"|went for|reserve|salary|income|earn|earns|savings?|saved|deposit)\b"
    r"|\b(?:mil|million|grand|k|thousand)\s+down\b",  # "if we put half a mil down": a deposit
    re.IGNORECASE,
)
TIGHT_BUDGET_CUE = re.compile(
    r"\b(?:budget(?:'s| is)?|spend|max(?:imum)?(?: is)?|up to|under|below|tops|limit)\s*\$?\s*$", re.I
)
"""A budget word right before a small bare number ("budget's 2", "under 3")."""
BUDGET_QUESTION = re.compile(r"\b(?:budget|price|spend|range|afford|how much)\b", re.IGNORECASE)
MIN_BUDGET, MAX_BUDGET = 50_000, 100_000_000


def amounts(text: str) -> list[Amount]:
    """Every number that could be money, with its value in dollars if a scale says so and
    the bare number otherwise (the caller decides what a bare "1.3" means): not "2 kids",
    "3 o'clock", "unit 5", "45 Ocean St"."""
    return [
        a
        for a in numbers_said(text)
        if not UNIT_AFTER.match(text[a.end :])
        and (text[a.start] == "$" or not _NOT_AMOUNT_BEFORE.search(text[max(0, a.start - 14) : a.start]))
    ]


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
