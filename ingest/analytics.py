"""Post-call analytics: a short structured summary, sentiment, a lead score with its
reasons, and the outcome — pure functions of the turns and the extracted episodes.

Deterministic on purpose: a re-run of an interrupted job must compute the same
``CallCompleted`` episode, or memory would refuse it as a conflicting rewrite.
The summary is built from the structured facts, never copied from the transcript,
so it carries no names, phone numbers or emails.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from decimal import Decimal
from typing import Any

from backend.verticals.real_estate.episodes import (
    AppraisalRequested,
    BedroomsWanted,
    BookingCancelled,
    BookingMade,
    BookingRescheduled,
    BudgetStated,
    PropertyInterest,
    SuburbPreferred,
)
from memory import CallerIdentified, ContactChanged, Episode, Escalated, OptedOut, Turn


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


POSITIVE = _words(
    "great love lovely perfect thanks thank wonderful happy excellent good keen interested fantastic"
    " awesome brilliant beautiful helpful appreciate amazing nice pleased glad excited ideal"
)
NEGATIVE = _words(
    "bad terrible awful unhappy disappointed disappointing angry annoyed frustrated frustrating rude"
    " useless hate worst problem complaint complain waste expensive overpriced ridiculous stop"
    " unacceptable poor slow confusing"
)
NEGATORS = _words("not no never don't dont isn't isnt wasn't wasnt")
_WORD = re.compile(r"[a-z']+")
_PREAPPROVAL = re.compile(
    r"pre[- ]?approv|finance (is )?approved|approval in principle|conditional approval", re.I
)
_MONEY = re.compile(r"\$\s?\d|\b\d+(\.\d+)?\s?(k|m|mil|million|thousand)\b", re.I)

# Points per signal of buying intent, and what an opt-out costs.
POINTS = {
    "booked a viewing": 30,
    "budget known": 20,
    "mortgage pre-approval discussed": 15,
    "suburb preference": 10,
    "interested in a listing": 10,
    "bedrooms known": 5,
    "contact details given": 5,
    "opted out of contact": -50,
    "negative call": -10,
}


@dataclass(frozen=True)
class CallAnalytics:
    summary: str
    sentiment: float
    """−1 (hostile) … 1 (delighted), from the caller's words."""
    lead_score: int
    """0–100: how ready to act the caller sounded."""
    lead_reasons: list[dict[str, Any]] = field(default_factory=list)
    """``{"reason", "points"}`` for each signal that moved the score."""
    outcome: str = "enquiry"
    """One of ``OUTCOMES``."""


OUTCOMES = ("no_answer", "viewing_booked", "viewing_changed", "appraisal_requested", "escalated", "enquiry")
"""The outcome labels, in precedence order: a call gets the first that holds (docs/ingest.md)."""
CALLER_SPEAKERS = frozenset({"caller", "user"})


def analyse(
    turns: Sequence[Turn],
    episodes: Sequence[Episode],
    *,
    booked: Collection[str] = (),
    transferred: bool = False,
) -> CallAnalytics:
    """The call's analytics from its turns and episodes (extracted and recorded live), the
    bookings the ledger holds for it (``booked``: ids) and whether it went to a person."""
    caller_text = [t.text for t in turns if t.speaker == "caller"]
    mood = sentiment(caller_text)
    reasons = lead_reasons(caller_text, episodes, mood)
    score = max(0, min(100, sum(r["points"] for r in reasons)))
    result = derive_outcome(turns, episodes, booked=booked, transferred=transferred)
    return CallAnalytics(
        summary=summarize(turns, episodes, result),
        sentiment=mood,
        lead_score=score,
        lead_reasons=reasons,
        outcome=result,
    )


def sentiment(texts: Sequence[str]) -> float:
    """Lexicon polarity with simple negation ("not happy" counts as negative)."""
    positive = negative = 0
    for text in texts:
        words = _WORD.findall(text.lower())
        for i, word in enumerate(words):
            polarity = (word in POSITIVE) - (word in NEGATIVE)
            if not polarity:
                continue
            if any(w in NEGATORS for w in words[max(0, i - 2) : i]):
                polarity = -polarity
            positive += polarity > 0
            negative += polarity < 0
    # Damped so that one "thanks" is mildly positive, not a perfect 1.0.
    return round((positive - negative) / (positive + negative + 2), 3)


def lead_reasons(
    caller_text: Sequence[str], episodes: Sequence[Episode], mood: float
) -> list[dict[str, Any]]:
    kinds = {type(e) for e in episodes}
    said = " ".join(caller_text)
    signals = {
        "booked a viewing": BookingMade in kinds,
        "budget known": BudgetStated in kinds or bool(_MONEY.search(said)),
        "mortgage pre-approval discussed": bool(_PREAPPROVAL.search(said)),
        "suburb preference": SuburbPreferred in kinds,
        "interested in a listing": PropertyInterest in kinds,
        "bedrooms known": BedroomsWanted in kinds,
        "contact details given": any(_gave_contact(e) for e in episodes),
        "opted out of contact": OptedOut in kinds,
        "negative call": mood <= -0.3,
    }
    return [{"reason": name, "points": POINTS[name]} for name, present in signals.items() if present]


def _gave_contact(e: Episode) -> bool:
    return isinstance(e, CallerIdentified | ContactChanged) and bool(e.phone or e.email)


def derive_outcome(
    turns: Sequence[Turn],
    episodes: Sequence[Episode],
    *,
    booked: Collection[str] = (),
    transferred: bool = False,
) -> str:
    """The first label of ``OUTCOMES`` that holds. What the call achieved comes before the
    transfer (a transfer is always on the call's status and brief); a booking made and
    cancelled in the same call is a change, not a booking."""
    if not any(t.speaker in CALLER_SPEAKERS for t in turns):
        return "no_answer"
    made = {e.booking_id for e in episodes if isinstance(e, BookingMade)} | set(booked)
    cancelled = {e.booking_id for e in episodes if isinstance(e, BookingCancelled)}
    if made - cancelled:
        return "viewing_booked"
    if cancelled or any(isinstance(e, BookingRescheduled) for e in episodes):
        return "viewing_changed"
    if any(isinstance(e, AppraisalRequested) for e in episodes):
        return "appraisal_requested"
    if transferred or any(isinstance(e, Escalated) for e in episodes):
        return "escalated"
    return "enquiry"


def summarize(turns: Sequence[Turn], episodes: Sequence[Episode], outcome: str) -> str:
    """One line per call from the structured facts, e.g. "Enquiry, 20 turns. Budget $850,000
    AUD; suburbs Bondi, Coogee; 3 bedrooms; viewing booked (P0001, Fri 13 Nov 23:00 UTC)."""
    parts: list[str] = []
    budgets = [e for e in episodes if isinstance(e, BudgetStated)]
    if budgets:
        last = max(budgets, key=lambda e: (e.valid_at, e.id))
        parts.append(f"budget {_money(last.amount, last.currency)}")
    suburbs = sorted({e.suburb for e in episodes if isinstance(e, SuburbPreferred)})
    if suburbs:
        parts.append("suburbs " + ", ".join(suburbs))
    bedrooms = [e for e in episodes if isinstance(e, BedroomsWanted)]
    if bedrooms:
        parts.append(f"{max(bedrooms, key=lambda e: (e.valid_at, e.id)).bedrooms} bedrooms")
    interests = sorted({e.property_id for e in episodes if isinstance(e, PropertyInterest)})
    if interests:
        parts.append("interested in " + ", ".join(interests))
    for b in sorted((e for e in episodes if isinstance(e, BookingMade)), key=lambda e: e.starts_at):
        # UTC, said so: the tenant's zone is not at hand here (the summary is for staff, not callers).
        parts.append(f"viewing booked ({b.property_id}, {b.starts_at.astimezone(UTC):%a %d %b %H:%M} UTC)")
    if any(isinstance(e, OptedOut) for e in episodes):
        parts.append("asked not to be contacted")
    label = outcome.replace("_", " ")
    head = f"{label[:1].upper()}{label[1:]}, {len(turns)} turns."
    body = "; ".join(parts)
    return (f"{head} {body[:1].upper()}{body[1:]}." if body else head)[:2000]


def _money(amount: Decimal, currency: str) -> str:
    return f"${amount:,.0f} {currency}"
