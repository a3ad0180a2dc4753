"""Caller identity as evidence: a name, a typed number or an email makes a *possible* match,
which is kept apart from the caller it may be until the caller passes a step-up check (the
last digits of the number on file, or the email on file). Before that, nothing of theirs is
said (the tools refuse, the output guardrail checks) and their bookings are not touched (the
tools refuse, the tool guardrail checks)."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from agents import RunContextWrapper, function_tool

from backend.agents.context import CallContext, text_of
from backend.agents.internal_ids import caller_name
from backend.agents.policy import parse
from backend.agents.tools.failures import NeedsVerification, NotVerified
from backend.speech import contacts
from backend.store import calls as calls_store
from memory import CallerContext, CallerIdentified, Identification, IdentityVerified, PossibleDuplicate
from memory.recall import same_person

MAX_TRIES = 3
"""Failed step-up checks allowed in one call."""
BOOKING_ACTIONS = frozenset({"cancel_viewing", "reschedule_viewing"})
"""Tools that change an existing booking: never on a possible match's say-so."""
FIRST = "Before I go into anything on file, I need to check it's you."
NOT_YET = f"{FIRST} Could you tell me the last digits of the phone number we have for you, or your email?"
"""What a caller hears instead of a reply the output guardrail stopped for saying a possible
match's facts."""
CANNOT = (
    "I can't check who you are on this call, so I can't go into anything on file. I'm happy to"
    " help with a new enquiry, or I can put you through to our team."
)
UNUSABLE = "I can't check it's you with that on this call."
"""Evidence no possible match can be checked with: the digits of the number they gave, an email
when none is on file."""
CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
TEXTED = (
    f"{FIRST} I've just texted a {CODE_DIGITS}-digit code to the number we have on file. What does it say?"
)
CODE_AGAIN = f"Could you tell me the {CODE_DIGITS}-digit code I texted to the number we have on file?"
NOT_TEXTED = (
    "I'm sorry, I couldn't send a text to the number we have on file just now, so I can't go into"
    " anything on file on this call. I'm happy to help with a new enquiry, or I can put you through"
    " to our team."
)
LOCKED = (
    "I'm sorry, I couldn't confirm that it's you, so I can't go into anything on file on this call."
    " I'm happy to help with a new enquiry, or I can put you through to our team."
)


def candidates_of(found: Identification, phone_e164: str | None, email: str | None) -> list[dict[str, Any]]:
    """The possible matches as the call keeps them (in its working set: ids, never facts)."""
    return [
        {
            "id": c.caller.id,
            "matched_on": c.matched_on,
            "confidence": c.confidence,
            "checks": checks(c, phone_e164, email),
        }
        for c in found.possible
    ]


def checks(candidate: CallerContext, phone_e164: str | None, email: str | None) -> list[str]:
    """What can prove the caller is ``candidate``: evidence the caller has not already given.
    The digits of the number they called or typed from prove nothing, nor the email they typed;
    a code texted to a number on file does (asked for only when nothing else can be)."""
    found = []
    numbers = _phones(candidate)
    if numbers and phone_e164 not in numbers:
        found.append("phone_digits")
    emails = _emails(candidate)
    if emails and (email or "").strip().lower() not in emails:
        found.append("email")
    if numbers:
        found.append("text_code")
    return found


def links(
    group_id: str, call_id: str, now: datetime, caller_id: str, found: Identification
) -> list[PossibleDuplicate]:
    """A possible-duplicate link from the new caller to each caller they may be, for analysts."""
    return [
        PossibleDuplicate(
            id=f"{call_id}:possible:{c.caller.id}",
            group_id=group_id,
            valid_at=now,
            caller_id=caller_id,
            other_id=c.caller.id,
            matched_on=c.matched_on,  # type: ignore[arg-type]  # never "id": ids are verified
            confidence=c.confidence,
        )
        for c in found.possible
    ]


def pending(call: CallContext) -> bool:
    """The caller may be someone we know and has not proved it."""
    return bool(call.state.candidates)


def step_up_question(call: CallContext) -> str:
    """What to ask for (only checks that can succeed), or why nothing can be asked."""
    if call.state.step_up_failures >= MAX_TRIES:
        return LOCKED
    offered = {check for entry in call.state.candidates for check in entry["checks"]}
    ways = []
    if "phone_digits" in offered:
        ways.append("the last three or four digits of the phone number we have for you")
    if "email" in offered:
        ways.append("the email address we have on file")
    if ways:
        return f"{FIRST} Could you tell me {' or '.join(ways)}?"
    return _text_code(call) if "text_code" in offered and call.can_text else CANNOT


def _text_code(call: CallContext) -> str:
    """A one-time code texted to the number on file of the likeliest possible match that has one
    (once: while it is valid the caller is asked for it again)."""
    sent = call.state.text_code
    if sent and datetime.fromisoformat(sent["expires"]) > call.now:
        return f"{FIRST} {CODE_AGAIN}"
    entries = {e["id"]: e for e in call.state.candidates}
    to = next(
        (
            (c.caller.id, min(_phones(c)))
            for c in call.candidates
            if "text_code" in entries.get(c.caller.id, {}).get("checks", ())
        ),
        None,
    )
    if to is None:
        return CANNOT
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(8)
    expires = (call.now + CODE_TTL).isoformat()
    call.state.text_code = {
        "caller_id": to[0],
        "salt": salt,
        "digest": _digest(salt, code),
        "expires": expires,
    }
    minutes = int(CODE_TTL.total_seconds() // 60)
    call.turn.texts.append(
        (to[1], f"Your code to confirm it's you on this call: {code}. It works for {minutes} minutes.")
    )
    return TEXTED


def _digest(salt: str, code: str) -> str:
    # Short-lived and tried at most MAX_TRIES times a call: a salted hash keeps it out of the row.
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def _code_of(call: CallContext, digits: str | None) -> str | None:
    """The possible match whose texted code ``digits`` is (still valid), if any."""
    sent = call.state.text_code
    if (
        not (sent and digits and len(digits) == CODE_DIGITS)
        or datetime.fromisoformat(sent["expires"]) <= call.now
    ):
        return None
    return (
        sent["caller_id"] if secrets.compare_digest(_digest(sent["salt"], digits), sent["digest"]) else None
    )


def ask(call: CallContext) -> str:
    """The step-up question, remembered as asked: the answer goes to the check from any agent."""
    question = step_up_question(call)
    call.state.step_up_asked = question not in {CANNOT, LOCKED}
    return question


def require_verified(call: CallContext) -> None:
    """Tools that say facts or touch bookings start here."""
    if pending(call):
        raise NeedsVerification(ask(call))


def touches_theirs(call: CallContext, args: dict[str, Any]) -> bool:
    """A booking action a possible match may not take: on a booking of whom they may be, or
    with no booking of their own made in this call (then "my viewing" means one of theirs)."""
    if not pending(call):
        return False
    said = str(args.get("reference") or "").upper()
    theirs = {x for c in call.candidates for b in c.upcoming_bookings for x in (b.reference, b.booking_id)}
    return call.state.last_booking is None or bool(said and said in theirs)


async def load(call: CallContext) -> None:
    """The possible matches' contexts (after a rebuild the working set holds only their ids);
    one erased meanwhile is dropped."""
    if not call.state.candidates or len(call.candidates) == len(call.state.candidates):
        return
    loaded, kept = [], []
    for entry in call.state.candidates:
        known = await call.memory.recall_caller(call.group_id, caller_id=entry["id"])
        if known is not None:
            update = {"verified": False, "matched_on": entry["matched_on"], "confidence": entry["confidence"]}
            loaded.append(known.model_copy(update=update))
            kept.append(entry)
    call.candidates, call.state.candidates = loaded, kept


def undisclosed(call: CallContext, text: str, amounts: set[int]) -> int:
    """How many facts of the call's possible matches ``text`` would say (their viewings'
    references and addresses, email, phone, budget) that no tool said this turn."""
    heard = " ".join(call.turn.tool_output).lower()
    said = text.lower()
    found = 0
    for c in call.candidates:
        words = [w for b in c.upcoming_bookings for w in (b.reference, b.address)]
        words += [*_phones(c), *_emails(c)]
        found += sum(1 for w in words if w and w.lower() in said and w.lower() not in heard)
        budgets = {round(float(f.value)) for f in c.facts if f.name == "HAS_BUDGET" and f.value is not None}
        found += len(budgets & (amounts - call.turn.grounding))
    return found


def own_number_again(call: CallContext, said: str) -> bool:
    """Digits alone ("987", "0412 345 987") that end the checked caller's number on file: typed
    again once the check has passed, they ask for nothing."""
    digits_only = re.fullmatch(r"[\d\s+().-]+", said.strip(" .!?"))
    if call.caller is None or not call.caller.verified or not digits_only:
        return False
    return _ends_their_number(call.caller, re.sub(r"\D", "", said))


def _phones(c: CallerContext) -> set[str]:
    return {str(f.value) for f in c.facts if f.name == "HAS_PHONE" and f.value}


def _ends_their_number(c: CallerContext, digits: str) -> bool:
    """Three or more digits that end (in their last four) a number on file for ``c``."""
    return len(digits) >= 3 and any(number.endswith(digits[-4:]) for number in _phones(c))


def _emails(c: CallerContext) -> set[str]:
    return {str(f.value).lower() for f in c.facts if f.name == "HAS_EMAIL" and f.value}


def _passes(entry: dict[str, Any], c: CallerContext, digits: str | None, email: str | None) -> str | None:
    """The check ``c`` passes with what was said, if any."""
    if digits and "phone_digits" in entry["checks"] and _ends_their_number(c, digits):
        return "phone_digits"
    if email and "email" in entry["checks"] and email in _emails(c):
        return "email"
    return None


@function_tool
async def verify_identity(
    ctx: RunContextWrapper[CallContext], digits: str | None = None, email: str | None = None
) -> dict[str, Any]:
    """Check who the caller is: the last digits of the phone number on file, or the email on file.

    Args:
        digits: The last three or four digits of their phone number.
        email: Their email address.
    """
    call = ctx.context
    if not pending(call):
        return {"verified": True, "checked": False}
    if call.state.step_up_failures >= MAX_TRIES:
        raise NotVerified(LOCKED)
    said_digits, said_email = parse.digits(digits or ""), parse.email(email or "")
    if not (said_digits or said_email):
        raise NeedsVerification(ask(call))
    offered = {check for entry in call.state.candidates for check in entry["checks"]}
    if not (
        (said_digits and ("phone_digits" in offered or call.state.text_code))
        or (said_email and "email" in offered)
    ):
        # The digits of the number they typed, or nothing of the kind on file: no failed try.
        question = ask(call)
        if question in {CANNOT, LOCKED, TEXTED}:  # a code just texted is the check: no "can't check"
            raise NotVerified(question)
        raise NotVerified(f"{UNUSABLE} {question.removeprefix(FIRST).strip()}")
    await load(call)
    entries = {e["id"]: e for e in call.state.candidates}
    by_code = _code_of(call, said_digits)
    for candidate in call.candidates:
        if candidate.caller.id == by_code:
            method: str | None = "text_code"
        else:
            method = _passes(entries[candidate.caller.id], candidate, said_digits, said_email)
        if method:
            await _become(call, candidate, method)
            return {"verified": True, "checked": True, "name": caller_name(call.caller)}
    call.state.step_up_failures += 1
    call.state.tried.append("a step-up identity check failed")
    if call.state.step_up_failures >= MAX_TRIES:
        raise NotVerified(LOCKED)
    again = ask(call).removeprefix(FIRST).strip()
    raise NotVerified(f"That doesn't match what we have on file. {again}")


async def _become(call: CallContext, candidate: CallerContext, method: str) -> None:
    """The call goes on as the verified caller: in Postgres first (a rebuilt call and post-call
    ingestion follow it), then as an ``IdentityVerified`` episode (``SAME_AS`` in memory)."""
    await calls_store.set_caller(call.db, call.call_id, candidate.caller.id)
    await call.memory.record(
        call.episode(
            IdentityVerified, f"{call.call_id}:verified", verified_as=candidate.caller.id, method=method
        )
    )
    call.caller_id = candidate.caller.id
    call.caller = candidate.model_copy(update={"verified": True})
    if call.context is not None:  # what the rest of this turn defaults from is theirs now
        call.context.caller = call.caller
    call.state.candidates, call.candidates, call.state.text_code = [], [], None
    call.state.last_booking = None  # a booking made before the check was the provisional caller's
    call.state.tried.append("identity verified")
    await read_out_before(call)


async def read_out_before(call: CallContext) -> None:
    """What the caller's latest other call read out last, when this one has read out nothing:
    a known caller's "that Bronte one", "the second one" still points somewhere."""
    if call.shown is None or call.caller_id is None or call.state.last_results:
        return
    earlier = await calls_store.read_out_last(call.db, call.group_id, call.caller_id, call.call_id)
    call.state.last_results = [call.shown.model_validate(x) for x in earlier]


def reply_verified(result: dict[str, Any]) -> str:
    if not result.get("checked"):
        return "Thanks, there's nothing I need to check. How can I help?"
    name = result.get("name")
    thanks = f"Thanks, {name.split()[0]}" if name else "Thanks"
    return f"{thanks}, that matches what we have on file. How can I help?"


INTRODUCE = "introduce"
"""The tool a caller's own name given mid-call goes to (``someone_else`` says when)."""


def someone_else(call: CallContext, name: str | None) -> bool:
    """``name`` is clearly not that of the caller the call was taken for ("this is actually
    Greta, his wife" on Tobias's landline; "my name's Arjun" on a number reassigned)."""
    on_file = caller_name(call.caller) if call.caller is not None else None
    if not (name and on_file) or name.lower() in {s.lower() for s in call.suburbs.values()}:
        return False
    return not same_person(name, on_file) and not _with_them(call, name)


def _with_them(call: CallContext, name: str) -> bool:
    return contacts.named_before(name, " ".join(_said(call)))


def _said(call: CallContext) -> list[str]:
    history = call.state.history
    return [text_of(item) for item in history if isinstance(item, dict) and item.get("role") == "user"]


def on_the_phone(call: CallContext, utterance: str) -> str | None:
    """Who is speaking after ``utterance``: the first name of someone the caller named earlier
    who says it is them now, None once the caller says it is them again (or anyone else does);
    until a name is given, whoever spoke last."""
    name = contacts.introduced(utterance)
    if not name:
        return call.state.speaking
    on_file = caller_name(call.caller) if call.caller is not None else None
    if on_file and not same_person(name, on_file) and _with_them(call, name):
        return name.split()[0]
    return None


def unknown(call: CallContext) -> bool:
    """A caller we have no name for (a chat that sent nothing, a number we had never seen) and no
    possible match pending: who they say they are mid-call is looked up."""
    # On voice a number on file with a name is who they are; one we had never seen may be
    # someone we know from another number or a chat.
    return not pending(call) and (call.caller is None or caller_name(call.caller) is None)


def new_number(call: CallContext, phone: str | None) -> bool:
    """A number typed on a chat that is not the caller's own on file: whom it is on file for
    is looked up ("oh ok, my mobile's 0438 920 803" from a chat that sent a name we did not know)."""
    if call.phone_verified or pending(call) or not phone:
        return False
    return call.caller is None or phone not in _phones(call.caller)


@function_tool
async def introduce(
    ctx: RunContextWrapper[CallContext],
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> dict[str, Any]:
    """The caller says who they are. Someone other than the caller we took them for (a partner
    on a shared phone, the new owner of a number) goes on as a new caller: nothing of the other
    person's is said or changed from then on. A caller we did not know may be someone we do:
    they become a possible match, for a step-up check.

    Args:
        name: The name they gave (none when they gave only a number or an email).
        phone: A phone number they typed or said.
        email: An email address they gave.
    """
    call = ctx.context
    if unknown(call) or (name is None and new_number(call, phone)):
        return await _named(call, name, phone, email)
    if not name or not someone_else(call, name):
        return {"name": name.split()[0] if name else None, "new": False}
    new_id = f"caller-{uuid.uuid4().hex[:12]}"
    # Postgres first: a rebuilt call and post-call ingestion follow the call to the new caller.
    await calls_store.set_caller(call.db, call.call_id, new_id)
    await call.memory.record(
        call.episode(CallerIdentified, f"{call.call_id}:introduced", caller_id=new_id, name=name)
    )
    call.caller_id, call.caller = new_id, None
    if call.context:  # read for the other person: nothing of theirs fills this turn's tools
        call.context.caller, call.context.snippets = None, []
    call.state.candidates, call.candidates = [], []
    call.state.last_booking, call.state.shortlist = None, []
    call.state.tried.append("the caller was someone other than the one on file for the number")
    return {"name": name.split()[0], "new": True}


async def _named(call: CallContext, name: str | None, phone: str | None, email: str | None) -> dict[str, Any]:
    """What the call's start would have made of a name, number and email given then: the
    caller is known by them (a number or email on file for someone else is not taken from
    them) and linked to each caller they may be, who is checked before anything is said."""
    found = await call.memory.identify(call.group_id, name=name, phone=phone, email=email)
    assert call.caller_id is not None
    episode = call.episode(
        CallerIdentified,
        f"{call.call_id}:named:t{call.state.turns}",
        name=name,
        phone=None if found.phone_held else phone,
        email=None if found.email_held else email,
    )
    linked = links(call.group_id, call.call_id, call.now, call.caller_id, found)
    await call.memory.record_many([episode, *linked])
    call.state.candidates = candidates_of(found, phone, email)
    call.candidates = list(found.possible)
    # Only a number or an email given ("0438 916 406"): they want to be found, so the check is asked.
    check = ask(call) if name is None and pending(call) else None
    return {"name": name.split()[0] if name else None, "new": False, "looked_up": True, "check": check}


def introduced_preface(result: dict[str, Any]) -> str:
    """The thanks for saying who they are, before the answer to what else they asked."""
    if result["new"]:
        return f"Sorry about that, {result['name']}, and thanks for letting me know."
    return f"Thanks, {result['name']}." if result["name"] else "Thanks."


def reply_introduced(result: dict[str, Any]) -> str:
    if result.get("check"):
        return f"{introduced_preface(result)} {result['check']}"
    ask = "How can I help you today?" if result["new"] else "How can I help?"
    return f"{introduced_preface(result)} {ask}"
