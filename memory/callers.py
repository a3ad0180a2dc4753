"""The caller ontology every vertical shares: who callers are (names, numbers, emails, the
callers they may be or were shown to be), whether they may be contacted, and what happened
on their calls (handoffs between agents, transfers to a person, the people on call paged
about them, outcomes).

Recognition (``memory.recall``) and erasure (``memory.erasure``) read these facts; a
vertical adds its own ontology to this one (``CALLERS + REAL_ESTATE``).
"""

from __future__ import annotations

from memory import episodes as ep
from memory.ontology import (
    Entity,
    EntityType,
    Expansion,
    FactEvent,
    FactType,
    Ontology,
    Ref,
    Translation,
    Value,
    about,
)
from memory.phones import to_e164


def caller(caller_id: str) -> Ref:
    return Ref("Caller", caller_id)


def phone(e164: str) -> Ref:
    return Ref("PhoneNumber", e164)


def _contact(e: ep.CallerIdentified | ep.ContactChanged, region: str) -> Translation:
    me = caller(e.caller_id)
    t = Translation(mentions=[me])
    attributes: dict[str, Value] = {"caller_id": e.caller_id}
    t.entities.append(Entity(me, e.name or e.caller_id, attributes, rename=e.name is not None))
    if isinstance(e, ep.ContactChanged):
        t.requires.append(me)
    who = e.name or "The caller"
    if e.name:
        t.facts.append(
            FactEvent("HAS_NAME", me, me, f"The caller's name is {e.name}", "the caller's name", e.name)
        )
    if e.email:
        email = e.email.lower()
        t.facts.append(
            FactEvent("HAS_EMAIL", me, me, f"{who} has email {email}", "the caller's email address", email)
        )
    if e.phone:
        number = to_e164(e.phone, region)
        held = phone(number)
        t.entities.append(Entity(held, number))
        t.mentions.append(held)
        shared = isinstance(e, ep.CallerIdentified) and e.phone_shared
        t.facts.append(
            FactEvent(
                "USES_PHONE" if shared else "HAS_PHONE",
                me,
                held,
                f"{who} also calls from {number}" if shared else f"{who} has phone number {number}",
                "a phone number the caller also uses" if shared else "the caller's phone number",
                number,
            )
        )
        if isinstance(e, ep.ContactChanged):
            t.expansions.append(
                Expansion(
                    "HAS_PHONE",
                    me,
                    keep=held,
                    text="The caller no longer uses {name}",
                    embed_text="the caller no longer uses a phone number",
                )
            )
    return t


def _possible_duplicate(e: ep.PossibleDuplicate, region: str) -> Translation:
    """New caller → existing caller: kept apart, linked for analysts (never merged)."""
    me, other = caller(e.caller_id), caller(e.other_id)
    return Translation(
        facts=[
            FactEvent(
                "POSSIBLY_SAME_AS",
                me,
                other,
                f"The caller may be the same person as caller {e.other_id}"
                f" (matched on {e.matched_on}, confidence {e.confidence:.2f})",
                "possibly the same person as another caller",
                e.matched_on,
            )
        ],
        mentions=[me, other],
        requires=[me, other],
    )


def _identity_verified(e: ep.IdentityVerified, region: str) -> Translation:
    """The caller a call started as → the existing caller a step-up check showed them to be."""
    me, other = caller(e.caller_id), caller(e.verified_as)
    return Translation(
        facts=[
            FactEvent(
                "SAME_AS",
                me,
                other,
                f"The caller is the same person as caller {e.verified_as} (verified by {e.method})",
                "verified as the same person as another caller",
                e.method,
            )
        ],
        mentions=[me, other],
        requires=[me, other],
    )


def _opted_out(e: ep.OptedOut, region: str) -> Translation:
    channel = "any channel" if e.channel == "all" else e.channel
    return about(
        caller(e.caller_id),
        "OPTED_OUT",
        f"The caller opted out of contact by {channel}",
        f"opted out of contact by {channel}",
        e.channel,
    )


def _handoff(e: ep.Handoff, region: str) -> Translation:
    src, dst = Ref("Agent", e.from_agent), Ref("Agent", e.to_agent)
    t = Translation(
        entities=[Entity(src, e.from_agent), Entity(dst, e.to_agent)],
        facts=[
            FactEvent(
                "HANDED_OFF",
                src,
                dst,
                f"{e.from_agent} handed off to {e.to_agent} ({e.intent}): {e.reason}".rstrip(": "),
                f"handoff to {e.to_agent} for {e.intent}",
                e.intent,
            )
        ],
        mentions=[src, dst],
    )
    if e.caller_id:
        t.mentions.append(caller(e.caller_id))
        t.requires.append(caller(e.caller_id))
    return t


def _escalated(e: ep.Escalated, region: str) -> Translation:
    """Caller → the agent that handed them over; one row per escalation, never closed."""
    me, agent = caller(e.caller_id), Ref("Agent", e.agent)
    return Translation(
        entities=[Entity(agent, e.agent)],
        facts=[
            FactEvent(
                "ESCALATED",
                me,
                agent,
                f"The caller was transferred to a person by {e.agent} ({e.trigger}): {e.reason}".rstrip(": "),
                f"transferred to a person ({e.trigger})",
                e.trigger,
            )
        ],
        mentions=[me, agent],
        requires=[me],
    )


def _paged(e: ep.OnCallPaged | ep.OnCallAnswered, region: str) -> Translation:
    """Caller → the person on call: one row per page and per answer, never closed."""
    me, person = caller(e.caller_id), Ref("Staff", e.person)
    if isinstance(e, ep.OnCallPaged):
        urgent = ", an emergency" if e.emergency else ""
        fact, value = "PAGED", f"rung {e.rung}"
        sentence = f"{e.person} (on-call rung {e.rung}) was paged about the caller{urgent}"
        description = f"on-call rung {e.rung} paged"
    else:
        fact, value = "ANSWERED_BY", f"rung {e.rung}"
        sentence = f"{e.person} (on-call rung {e.rung}) took the caller's call"
        description = f"on-call rung {e.rung} answered"
    return Translation(
        entities=[Entity(person, e.person)],
        facts=[FactEvent(fact, me, person, sentence, description, value)],
        mentions=[me, person],
        requires=[me],
    )


def _exhausted(e: ep.OnCallExhausted, region: str) -> Translation:
    return about(
        caller(e.caller_id),
        "AWAITS_CALLBACK",
        f"Nobody of the {e.rungs} people on call answered: the caller awaits a callback",
        "awaits a callback",
        "on-call ladder exhausted",
    )


def _call_completed(e: ep.CallCompleted, region: str) -> Translation:
    me = caller(e.caller_id)
    return Translation(mentions=[me], requires=[me])


CALLERS = Ontology(
    entity_types=(
        EntityType("Caller", personal=True),
        EntityType("PhoneNumber", personal=True),
        EntityType("Agent"),
        EntityType("Staff"),
    ),
    fact_types=(
        FactType("HAS_NAME", "subject"),
        FactType("HAS_EMAIL", "subject", lookup=True),
        FactType("HAS_PHONE", "object"),
        FactType("USES_PHONE", "pair"),
        FactType("POSSIBLY_SAME_AS", "pair", identifying=False),
        FactType("SAME_AS", "pair", identifying=False),
        FactType("OPTED_OUT", "subject", identifying=False),
        FactType("HANDED_OFF", "episode", identifying=False),
        FactType("ESCALATED", "episode", identifying=False),
        FactType("PAGED", "episode", identifying=False),
        FactType("ANSWERED_BY", "episode", identifying=False),
        FactType("AWAITS_CALLBACK", "episode", identifying=False),
    ),
    episodes={
        ep.CallerIdentified: _contact,
        ep.ContactChanged: _contact,
        ep.PossibleDuplicate: _possible_duplicate,
        ep.IdentityVerified: _identity_verified,
        ep.OptedOut: _opted_out,
        ep.Handoff: _handoff,
        ep.Escalated: _escalated,
        ep.OnCallPaged: _paged,
        ep.OnCallAnswered: _paged,
        ep.OnCallExhausted: _exhausted,
        ep.CallCompleted: _call_completed,
    },
)
