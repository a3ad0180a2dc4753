"""How something is said, whatever it is about: the clauses and sentences of a turn, and the
cues that change what a mention in them means (negated, corrected, confirmed, in the past).

Readers give positions (``start``, ``end``): a mention is read against the clause around it,
so "not Bondi, Coogee" negates one suburb and not the other.
"""

from __future__ import annotations

import re

from backend.speech.numbers import NUMBER_WORDS, words_to_number

# -- clauses and sentences ----------------------------------------------------------------

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


def sentence_end(text: str, position: int) -> int:
    """Where the sentence that ``position`` is in ends."""
    m = _SENTENCE_BREAK.search(text, position)
    return m.start() if m else len(text)


def enclosing(pieces: list[tuple[int, int]], position: int) -> tuple[int, int]:
    for start, end in pieces:
        if start <= position < end:
            return start, end
    return position, position


# -- negation ------------------------------------------------------------------------------

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


def negated(prefix: str) -> bool:
    """Whether the clause text before a mention negates it ("not Bondi", "anything but Manly")."""
    return bool(NEGATION.search(prefix)) and not NOT_NEGATION.search(prefix)


# -- corrections and confirmations --------------------------------------------------------------

CORRECTION = re.compile(
    r"\b(?:actually|make (?:that|it)|sorry|i mean|i meant|or rather|no wait|correction|oops)\b"
    r"|^\s*no\b|,\s*(?:no|nah|nope)\s*,",  # "ten percent down, no, fifteen"
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

_BARE_NUMBER = re.compile(rf"(?:(?P<num>\d+(?:\.\d+)?)|\b(?P<words>{NUMBER_WORDS}))\b", re.IGNORECASE)
_AFTER_CORRECTION = re.compile(
    r"(?:\b(?:make (?:that|it)|actually|sorry|i mean|i meant|or rather|no wait)\b|,\s*no\b)[\s,]*(?:no,?\s*)?"
    r"(?:make (?:that|it)\s+|it's\s+|its\s+|we(?:'ll| will) (?:say|go|do)\s+|let'?s say\s+|call it\s+)?",
    re.IGNORECASE,
)


def corrected_number(text: str, counted: re.Pattern[str]) -> tuple[int, int, float] | None:
    """A bare number right after a correction cue ("actually, make that three", "sorry, 1.25"):
    it replaces the last number stated, whatever that was. ``counted`` matches what follows a
    number that is not bare (its unit: "3 bedrooms", "2 kids"); what a unit is, a vertical says."""
    result = None
    for cue in _AFTER_CORRECTION.finditer(text):
        m = _BARE_NUMBER.match(text, cue.end())
        if not m or counted.match(text[m.end() :]):
            continue
        value = float(m["num"]) if m["num"] else words_to_number(m["words"])
        if value is not None:
            result = (m.start(), m.end(), value)
    return result


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
