"""The caller-core patterns the offline extractor reads with, whatever the vertical: the
caller's own name from a self-introduction, and opt-outs by channel.

The language underneath is ``backend.speech``'s (clauses and negation in ``clauses``, whose a
contact detail is in ``contacts``); a vertical's own facts are read with its patterns
(``backend.verticals.real_estate.extraction``).
"""

from __future__ import annotations

import re

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
