"""Erasing a person everywhere Switchboard keeps them, by caller id, phone number or email:
queued jobs, calls, turns, the ledger, traces, bookings, the graph, and the files on disk.
Plain functions: the API calls them directly (so a phone or email never sits in a job's
arguments); the ``erase_caller`` job and ingestion's ``refuse_erased`` check run them in a worker.

Who is erased:

- by id: the caller, the callers a step-up check showed to be them (``SAME_AS``), and then
  everyone found by the numbers and emails they held as their own, as below;
- by phone or email: every caller who ever held it as theirs (``HAS_PHONE``, ``HAS_EMAIL``,
  whatever the row's validity: a number that moved to someone else was still theirs once),
  every call that began with it unless the caller of that call only shares the phone (a
  household: ``USES_PHONE``), and every call in which the caller gave it as their own
  ("my number is …", spoken or written), with that call's caller.

A line that names the number or email as someone else's ("my wife's number is …"), or an
agent's line that repeats it, is redacted (``[erased]``), in Postgres and in the graph, and
that call's traces go. A household member keeps their record and loses the link to the number.

The graph part runs under the tenant's graph lock (``memory.locks``: a Redis lock every
process shares), and an ingestion re-checks its call under the same lock before writing, so
a job in flight either finishes before the erasure (and its writes are erased) or finds its
call gone (and writes nothing). The numbers and emails
erased are kept as keyed hashes (``backend.store.tombstones``); an ingestion of a call that
began before their erasure refuses what the call says about them (``refuse_erased``).
Then the files are rewritten (``backend.store.purge``, ``Memory.rewrite_files``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis

from backend import contacts
from backend.config import Settings
from backend.keyfiles import made_once
from backend.queue import dequeue, job_id_of
from backend.store import Database, bookings, purge, recordings, tombstones
from backend.store import calls as call_store
from backend.store import traces as trace_store
from backend.store.tombstones import Contact
from memory import ErasureReceipt, Memory, UnknownEntity
from memory.locks import GroupLocks, RedisLocks, held

CALLER_SPEAKERS = frozenset({"caller", "user"})
KEY_FILE = "erasure.key"


@dataclass(frozen=True)
class CallerErased:
    """The receipt: what went, never the values erased."""

    caller_id: str | None
    """The caller asked for (None: an erasure by phone or email)."""
    group_id: str
    receipt: ErasureReceipt | None
    """Memory's proof of erasure of ``caller_id``; None when the graph held nothing of them."""
    calls: int
    """Calls deleted from Postgres (their turns and ledger rows with them)."""
    jobs_dequeued: int
    """Ingestion jobs removed from the queue before they ran."""
    callers: tuple[str, ...] = ()
    """Every caller erased (``caller_id`` and those found by their numbers and emails)."""
    receipts: tuple[ErasureReceipt, ...] = ()
    turns_redacted: int = 0
    """Lines of calls that were not erased which named an erased number or email."""
    calls_redacted: int = 0
    """Calls that were not erased whose number, email, metadata or brief held one."""
    transcript_turns: int = 0
    """Transcript turns taken out of the graph beside those of the callers' own calls."""
    traces: int = 0
    spans: int = 0
    bookings_cancelled: int = 0
    """Viewings still to come, cancelled (their slots are free again)."""
    bookings_anonymized: int = 0
    """Bookings kept for accounting without caller or call (the cancelled ones included)."""
    tombstones: dict[str, int] = field(default_factory=dict)
    """Keyed hashes written, per kind (``phone``, ``email``)."""
    disk: dict[str, Any] = field(default_factory=dict)
    """What was rewritten on disk: ``graph`` (bool), ``postgres`` (``purge.Purged``)."""

    @property
    def found(self) -> bool:
        return bool(self.receipts or self.calls or self.turns_redacted or self.calls_redacted)

    def as_dict(self) -> dict[str, Any]:
        return {
            "caller_id": self.caller_id,
            "group_id": self.group_id,
            "graph": self.receipt.model_dump() if self.receipt else None,
            "callers": list(self.callers),
            "receipts": [r.model_dump() for r in self.receipts],
            "calls": self.calls,
            "jobs_dequeued": self.jobs_dequeued,
            "turns_redacted": self.turns_redacted,
            "calls_redacted": self.calls_redacted,
            "transcript_turns": self.transcript_turns,
            "traces": {"traces": self.traces, "spans": self.spans},
            "bookings": {"cancelled": self.bookings_cancelled, "anonymized": self.bookings_anonymized},
            "tombstones": self.tombstones,
            "disk": self.disk,
        }


@dataclass
class _Plan:
    """What one erasure takes: found first, then removed."""

    contacts: set[Contact] = field(default_factory=set)
    callers: set[str] = field(default_factory=set)
    calls: set[str] = field(default_factory=set)
    """Calls erased whole (beside the callers' own, found later)."""
    turns: dict[str, set[int]] = field(default_factory=dict)
    """Lines to redact, by call."""
    redacted: dict[str, dict[str, bool]] = field(default_factory=dict)
    """Calls whose columns to clear: ``phone``, ``email``, ``details``."""
    households: set[str] = field(default_factory=set)
    """Callers who only share an erased number."""

    def redact(self, call_id: str, part: str) -> None:
        self.redacted.setdefault(call_id, {"phone": False, "email": False, "details": False})[part] = True


# -- entry points ------------------------------------------------------------------------


async def erase_caller(
    memory: Memory,
    db: Database,
    redis: Redis,
    group_id: str,
    caller_id: str,
    *,
    settings: Settings,
    locks: GroupLocks | None = None,
) -> CallerErased:
    """Erase the caller, and whoever their numbers and emails lead to (see the module)."""
    async with held(locks or RedisLocks(redis), group_id):
        plan = _Plan(callers={caller_id, *await memory.same_person(group_id, caller_id)})
        phones, emails = await memory.contacts_of(group_id, caller_id)
        if not phones and not emails:  # the graph lost them: what their calls were started with
            phones, emails = await _contacts_of_calls(db, group_id, [caller_id], settings.default_region)
        plan.contacts |= _contacts(phones, emails)
        await _sweep(memory, db, group_id, plan, settings.default_region)
        erased = await _erase(memory, db, redis, group_id, plan, settings, asked=caller_id)
    if not erased.found:
        return erased  # nobody by that id: nothing to rewrite
    return await _purge_files(memory, db, erased, settings)


async def erase_contact(
    memory: Memory,
    db: Database,
    redis: Redis,
    group_id: str,
    *,
    phone: str | None = None,
    email: str | None = None,
    settings: Settings,
    locks: GroupLocks | None = None,
) -> CallerErased:
    """Erase everything under a phone number or email (see the module). ValueError if the
    number is not one."""
    wanted = set()
    if phone is not None:
        number = contacts.phone(phone, settings.default_region)
        if number is None:
            raise ValueError("not a valid phone number")
        wanted.add(number)
    if email is not None:
        address = contacts.email(email)
        if address is None:
            raise ValueError("not an email address")
        wanted.add(address)
    async with held(locks or RedisLocks(redis), group_id):
        plan = _Plan(contacts=wanted)
        await _sweep(memory, db, group_id, plan, settings.default_region)
        erased = await _erase(memory, db, redis, group_id, plan, settings, asked=None)
    if not erased.found:
        return erased  # nothing held it: no tombstone, no rewrite
    return await _purge_files(memory, db, erased, settings)


# -- finding ---------------------------------------------------------------------------------


async def _sweep(memory: Memory, db: Database, group_id: str, plan: _Plan, region: str) -> None:
    """Who and what the plan's contacts lead to: holders in the graph, calls started with
    them, and lines that say them."""
    for contact in sorted(plan.contacts, key=lambda c: (c.kind, c.value)):
        phone = contact.value if contact.kind == "phone" else None
        email = contact.value if contact.kind == "email" else None
        held = await memory.contact_holders(group_id, phone=phone, email=email)
        plan.callers |= {c for c, owner in held.items() if owner}
        household = {c for c, owner in held.items() if not owner}
        plan.households |= household
        digits = contacts.national_digits(phone) if phone else None
        for call in await call_store.with_contact(db, group_id, national_digits=digits, email=email):
            _started_with(plan, call, contact, household, region)
    if not plan.contacts:
        return
    async for rows in call_store.texts(db, group_id):
        for row in rows:
            _mentions(plan, row, region)


def _started_with(
    plan: _Plan, call: dict[str, Any], contact: Contact, household: set[str], region: str
) -> None:
    """A call that began with the contact: theirs, unless its caller only shares the phone."""
    if contact.kind == "phone":
        given = contacts.phone(call["caller_phone"] or "", region)
        if given != contact:
            return  # the same national digits under another country code
    caller = call["caller_id"]
    if caller in household:
        plan.redact(call["call_id"], contact.kind)
    elif caller:
        plan.callers.add(caller)
    else:
        plan.calls.add(call["call_id"])


def _mentions(plan: _Plan, row: dict[str, Any], region: str) -> None:
    """A line (or a call's metadata and brief) that says one of the contacts: the caller's
    own words make the call theirs; anything else is redacted."""
    said = [s for s in contacts.said_in(row["text"] or "", region) if s.contact in plan.contacts]
    if not said:
        return
    if row["seq"] is None:
        plan.redact(row["call_id"], "details")
    elif _own_words(row, said) and row["caller_id"] not in plan.households:
        if row["caller_id"]:
            plan.callers.add(row["caller_id"])
        else:
            plan.calls.add(row["call_id"])
    else:  # someone else's, an agent repeating it, or a household member's words
        plan.turns.setdefault(row["call_id"], set()).add(row["seq"])


def _own_words(row: dict[str, Any], said: list[contacts.Said]) -> bool:
    return (row["speaker"] or "").lower() in CALLER_SPEAKERS and any(s.own for s in said)


async def _contacts_of_calls(
    db: Database, group_id: str, caller_ids: list[str], region: str
) -> tuple[list[str], list[str]]:
    phones, emails = [], []
    for call in await call_store.contacts_of_calls(db, group_id, caller_ids):
        if call["caller_phone"] and (number := contacts.phone(call["caller_phone"], region)):
            phones.append(number.value)
        if call["caller_email"]:
            emails.append(call["caller_email"])
    return phones, emails


def _contacts(phones: Iterable[str], emails: Iterable[str]) -> set[Contact]:
    found = {Contact("phone", p) for p in phones}
    found |= {c for e in emails if (c := contacts.email(e))}
    return found


# -- removing --------------------------------------------------------------------------------


async def _erase(
    memory: Memory,
    db: Database,
    redis: Redis,
    group_id: str,
    plan: _Plan,
    settings: Settings,
    *,
    asked: str | None,
) -> CallerErased:
    callers = sorted(plan.callers)
    for caller_id in callers:  # what the erased held is tombstoned too, before it goes
        phones, emails = await memory.contacts_of(group_id, caller_id)
        plan.contacts |= _contacts(phones, emails)
    call_ids = sorted({*await call_store.of_callers(db, group_id, callers), *plan.calls})
    kept_calls = sorted(c for c in {*plan.turns, *plan.redacted} if c not in call_ids)
    dequeued = await dequeue(redis, settings.queue_name, [job_id_of(c) for c in call_ids])
    traces, spans = await trace_store.erase_of_calls(db, [*call_ids, *kept_calls])
    cancelled, anonymized = await bookings.anonymize(db, group_id, callers, call_ids, datetime.now(UTC))
    calls = await call_store.erase_calls(db, group_id, call_ids)
    receipts = await _erase_graph(memory, group_id, callers, plan.contacts)
    graph_turns = await _erase_transcripts(memory, group_id, call_ids, plan)
    turns_redacted, redacted = await _redact(db, plan, call_ids)
    found = bool(receipts or calls or turns_redacted or redacted)
    written = await tombstones.add(db, group_id, tombstone_key(settings), plan.contacts) if found else 0
    return CallerErased(
        caller_id=asked,
        group_id=group_id,
        receipt=next((r for r in receipts if r.caller_id == asked), None),
        calls=calls,
        jobs_dequeued=dequeued,
        callers=tuple(callers) if found else (),
        receipts=tuple(receipts),
        turns_redacted=turns_redacted,
        calls_redacted=len(redacted),
        transcript_turns=graph_turns,
        traces=traces,
        spans=spans,
        bookings_cancelled=cancelled,
        bookings_anonymized=anonymized,
        tombstones=_kinds(plan.contacts) if written else {},
    )


async def _erase_graph(
    memory: Memory, group_id: str, callers: list[str], erased: set[Contact]
) -> list[ErasureReceipt]:
    """The callers, then what is left of the numbers and emails (a household's link)."""
    receipts = []
    for caller_id in callers:
        try:
            receipts.append(await memory.erase_caller(group_id, caller_id))
        except UnknownEntity:  # never reached the graph
            continue
    for contact in erased:
        phone = contact.value if contact.kind == "phone" else None
        email = contact.value if contact.kind == "email" else None
        await memory.erase_contact(group_id, phone=phone, email=email)
    return receipts


async def _redact(db: Database, plan: _Plan, erased_calls: list[str]) -> tuple[int, list[str]]:
    """Lines and columns of the calls that stay; how many lines, which calls' columns."""
    lines = 0
    for call_id, seqs in plan.turns.items():
        if call_id not in erased_calls:
            lines += await call_store.redact_turns(db, call_id, sorted(seqs))
    calls = [c for c in plan.redacted if c not in erased_calls]
    for call_id in calls:
        await call_store.redact_call(db, call_id, **plan.redacted[call_id])
    # A call that stays keeps its other lines, but audio cannot be redacted line by line.
    await recordings.drop(db, sorted({*plan.turns, *calls} - set(erased_calls)))
    return lines, calls


async def _erase_transcripts(memory: Memory, group_id: str, call_ids: list[str], plan: _Plan) -> int:
    """Transcript turns the callers' erasure does not reach: calls linked to no erased caller
    in the graph, and the redacted lines of calls that stay."""
    removed = 0
    for call_id in call_ids:
        removed += await memory.erase_turns(group_id, call_id)
    for call_id, seqs in plan.turns.items():
        if call_id not in call_ids:
            removed += await memory.erase_turns(group_id, call_id, [f"t{s}" for s in sorted(seqs)])
    return removed


async def _purge_files(
    memory: Memory, db: Database, erased: CallerErased, settings: Settings
) -> CallerErased:
    """Rewrite the graph server's files and purge Postgres's, outside the tenant's lock (a
    rewrite of a large graph outlasts the lock's expiry)."""
    graph = await memory.rewrite_files(erased.group_id)
    postgres = await purge.purge(db, rewrite=await purge.owns_files(db, settings.data_dir))
    return replace(erased, disk={"graph": graph, "postgres": postgres.as_dict()})


def _kinds(found: set[Contact]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for contact in found:
        kinds[contact.kind] = kinds.get(contact.kind, 0) + 1
    return kinds


# -- the tombstones --------------------------------------------------------------------------


def tombstone_key(settings: Settings) -> bytes:
    """``SWITCHBOARD_ERASURE_KEY``, else ``DATA_DIR/erasure.key`` (32 random bytes, made once,
    mode 0600): apart from the servers' password, so rotating that keeps the tombstones."""
    if settings.erasure_key is not None:
        return settings.erasure_key.get_secret_value().encode()
    return made_once(settings.data_dir / KEY_FILE)


async def refuse_erased(
    memory: Memory,
    db: Database,
    redis: Redis,
    settings: Settings,
    call_id: str,
    locks: GroupLocks | None = None,
) -> str | None:
    """Before a call is ingested: if it began before the erasure of a number or email it
    holds, take that out first. A call that began with one, or whose caller gave one as
    their own, is the erased person's: it is erased (with its caller, if that caller is
    known from no other call) and ``"erased"`` returned. Other lines naming one are
    redacted (``"redacted"``). None: nothing erased is in the call."""
    call = await call_store.identity_of(db, call_id)
    if call is None or not await tombstones.any_in(db, call["group_id"]):
        return None
    group, region, key = call["group_id"], settings.default_region, tombstone_key(settings)
    lines = await call_store.turns(db, call_id)
    said = {(t["seq"], s) for t in lines for s in contacts.said_in(t["text"], region)}
    given = _contacts(
        [n.value for n in [contacts.phone(call["caller_phone"] or "", region)] if n],
        [call["caller_email"]] if call["caller_email"] else [],
    )
    erased = await tombstones.erased_at(db, group, key, {*given, *(s.contact for _, s in said)})
    erased = {c for c, at in erased.items() if at > call["started_at"]}
    if not erased:
        return None
    speakers = {t["seq"]: t["speaker"].lower() for t in lines}
    own = any(s.own and s.contact in erased and speakers[seq] in CALLER_SPEAKERS for seq, s in said)
    seqs = sorted({seq for seq, s in said if s.contact in erased})
    async with held(locks or RedisLocks(redis), group):  # an earlier try may have written some of it
        if own or given & erased:
            await _erase_call(memory, db, group, call)
            return "erased"
        await call_store.redact_turns(db, call_id, seqs)
        await memory.erase_turns(group, call_id, [f"t{s}" for s in seqs])
    return "redacted"


async def _erase_call(memory: Memory, db: Database, group_id: str, call: dict[str, Any]) -> None:
    call_id, caller_id = call["call_id"], call["caller_id"]
    only_call = caller_id and await call_store.of_callers(db, group_id, [caller_id]) == [call_id]
    await trace_store.erase_of_calls(db, [call_id])
    await bookings.anonymize(db, group_id, [caller_id] if only_call else [], [call_id], datetime.now(UTC))
    await call_store.erase_calls(db, group_id, [call_id])
    await memory.erase_turns(group_id, call_id)
    if only_call:
        with contextlib.suppress(UnknownEntity):
            await memory.erase_caller(group_id, caller_id)
