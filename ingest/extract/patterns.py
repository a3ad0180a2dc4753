"""Domain patterns for the offline extractor: cue words, budgets, bedrooms, whose contact
details they are, names, opt-outs, as pure functions over one turn's text.

The language itself (spoken numbers, money, digits read out, emails, days and times of day)
is ``backend.speech``'s, the same rules the agents' slot filling reads with, so that a fact
means the same whether an agent or ingestion recorded it. What is here decides what a number
or a place means for a home buyer (a budget, bedrooms, a suburb taken back).
"""

from __future__ import annotations

import re

from backend.speech.numbers import NUMBER_WORDS, Amount, count_word, words_to_number
from backend.speech.numbers import amounts as numbers_said

# -- clauses and cues ------------------------------------------------------------------

# Clause boundaries: punctuation (not the dot of "p.m."), and conjunctions that start a new
# thought. "anything but" is a negation, not a boundary.
_CLAUSE_BREAK = re.compile(
    r"(?<!\b[ap]\.m)[.;!?,:]+(?:\s|$)|\s[-–—]\s"
    r"|\b(?<!anything )(?<!anywhere )(?<!nothing )(?<!everywhere )but\b"
    r"|\b(?:so|though|although|whereas|because|cause)\b|\band(?=\s+(?:we|i|i'm|we're|my|our|they)\b)",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"(?<!\b[ap]\.m)[.;!?]+(?:\s|$)")


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
    the bare number otherwise (the caller decides what a bare "1.3" means): not "2 kids",
    "3 o'clock", "unit 5", "45 Ocean St"."""
    return [
        a
        for a in numbers_said(text)
        if not _UNIT_AFTER.match(text[a.end :])
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


_BARE_NUMBER = re.compile(rf"(?:(?P<num>\d+(?:\.\d+)?)|\b(?P<words>{NUMBER_WORDS}))\b", re.IGNORECASE)
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

# -- days gone ---------------------------------------------------------------------------

_PAST_VERB = re.compile(r"\b(?:went|was|were|saw|did|had|visited|inspected|been)\b", re.IGNORECASE)
_PAST_VISIT = re.compile(
    r"\b(?:went|looked|saw|visited|inspected|viewed|came|loved|liked|hated|checked it out|had a look)\b", re.I
)


def past(sentence: str) -> bool:
    return bool(_PAST_VERB.search(sentence))


def past_visit(sentence: str) -> bool:
    """ "We looked at it on Tuesday": a day already gone, not a proposal."""
    return bool(_PAST_VISIT.search(sentence))
