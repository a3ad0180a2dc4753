"""The after-hours property-management line, declared in one place: a two-level tree (leads
over specialists), its skills, examples and replies. Specialists hand back up a rung; what
no agent can settle goes to the on-call team, paged rung by rung (``backend.oncall``)."""

from __future__ import annotations

from backend.agents.context import CallContext
from backend.agents.internal_ids import caller_name
from backend.agents.tools import people
from backend.agents.vertical import AgentSpec, Skill, Vertical
from backend.verticals.property_management.tools import accounts, repairs, tenancy
from backend.verticals.real_estate import listings as homes
from backend.verticals.real_estate.agents import ROOT as SALES_ROOT
from backend.verticals.real_estate.tools import resolve

TRIAGE = "Triage"
ON_CALL = "On Call"

URGENT = AgentSpec(
    name="Urgent Repairs",
    description=(
        "Emergencies at a rented home: water pouring in, gas, fire, no power, a door that won't lock."
    ),
    instructions=(
        "You log emergency repairs with report_urgent_repair, which pages the on-call team with a"
        " brief. Never tell a caller to wait for business hours. Hand back up for anything else."
    ),
    examples=(
        "this is an emergency",
        "it's urgent, water everywhere",
        "something dangerous is happening at the house",
    ),
    skills=(
        Skill(
            repairs.report_urgent_repair,
            (
                "water is pouring through the ceiling",
                "I can smell gas in the kitchen",
                "a pipe has burst and the bathroom is flooding",
                "the power's out in the whole unit",
                "there are sparks coming from the power point",
                "the front door won't lock and it's midnight",
                "sewage is coming up through the shower drain",
                "the hot water system is leaking everywhere",
                "someone broke in and smashed the back door",
                "there's smoke coming out of the oven",
            ),
            repairs.reply_report,
            cues=(repairs.EMERGENCY.pattern, r"\b(emergency|urgent|dangerous|right now|immediately)\b"),
            side_effect=True,
            readers={"problem": repairs.problem},
        ),
    ),
)

ROUTINE = AgentSpec(
    name="Routine Repairs",
    description=(
        "Repairs that can wait for a tradesperson: a dripping tap, a broken appliance, a stuck window."
    ),
    instructions=(
        "You log routine repair requests with report_repair and give the job reference. Hand back"
        " up for anything else."
    ),
    examples=(
        "something needs fixing at my place",
        "I'd like to put in a maintenance request",
        "can someone come and fix it",
    ),
    skills=(
        Skill(
            repairs.report_repair,
            (
                "the kitchen tap is dripping",
                "the dishwasher isn't working",
                "a window in the bedroom is stuck",
                "the oven light has blown",
                "there's a crack in the bathroom tiles",
                "the garage remote stopped working",
                "the fence has a loose paling",
                "the toilet keeps running",
                "the flyscreen is torn",
                "one of the cupboard doors fell off",
            ),
            repairs.reply_report,
            cues=(
                r"\b(broken|broke|not working|isn'?t working|stopped working|dripping|leak\w*|stuck"
                r"|loose|torn|crack\w*|blown|fix|repair|maintenance)\b",
                r"!\b(status|update|progress|what'?s happening with|any news|reference)\b",
            ),
            side_effect=True,
            readers={"problem": repairs.problem},
        ),
    ),
)

MAINTENANCE = AgentSpec(
    name="Maintenance",
    description=(
        "Repairs and maintenance at a rented home: reporting them, and where a reported one is up to."
    ),
    instructions=(
        "You lead repairs: urgent ones to Urgent Repairs, others to Routine Repairs; you tell callers"
        " where a reported repair is up to with repair_status. Hand back up for anything else."
    ),
    examples=(
        "I need to report a repair",
        "something's broken at the property",
        "it's about maintenance",
        "I have a problem at the house I rent",
    ),
    skills=(
        Skill(
            repairs.repair_status,
            (
                "what's happening with my repair",
                "has anyone been assigned to fix the tap",
                "any update on job PM-20261201-004",
                "when is the plumber coming",
                "is my repair done yet",
                "I'm calling to follow up on a maintenance request",
            ),
            repairs.reply_status,
            cues=(
                r"\b(status|update|progress|follow(ing)? up|any news|what'?s happening with|done yet"
                r"|coming)\b",
                r"\bPM[\s-]?\d{8}",
            ),
            readers={"reference": repairs.reference},
        ),
    ),
    team=(URGENT, ROUTINE),
)

RENT = AgentSpec(
    name="Rent and Arrears",
    description="Rent payments, arrears and payment plans.",
    instructions="You note rent and arrears questions for the accounts team. Hand back up for anything else.",
    skills=(
        Skill(
            accounts.rent_question,
            (
                "I'm going to be late with the rent",
                "I missed a rent payment",
                "can I go on a payment plan",
                "how much rent do I owe",
                "I'm behind on my rent",
                "when is my rent due",
                "I paid my rent but it says I'm in arrears",
            ),
            accounts.reply_accounts,
            cues=(r"\b(rent|arrears|owe|owing|behind|payment plan|overdue|paid)\b", r"!\b(bond|lease)\b"),
            side_effect=True,
            readers={"topic": accounts.money_topic, "detail": repairs.problem},
        ),
    ),
)

BOND_LEASE = AgentSpec(
    name="Bond and Lease",
    description="The bond, and the lease: renewing, breaking or ending it.",
    instructions="You note bond and lease questions for the accounts team. Hand back up for anything else.",
    skills=(
        Skill(
            accounts.bond_or_lease_question,
            (
                "when do I get my bond back",
                "I want to renew my lease",
                "can I break my lease early",
                "my lease ends next month",
                "how do I claim the bond",
                "can I add someone to the lease",
                "I'm giving notice to vacate",
            ),
            accounts.reply_accounts,
            cues=(r"\b(bond|lease|vacate|notice|renew\w*|break (the|my) lease|move out|moving out)\b",),
            side_effect=True,
            readers={"topic": accounts.paper_topic, "detail": repairs.problem},
        ),
    ),
)

ACCOUNTS = AgentSpec(
    name="Accounts",
    description="Money and paperwork of a tenancy: rent, arrears, the bond and the lease.",
    instructions=(
        "You lead accounts questions: rent and arrears, or the bond and the lease. Hand back up otherwise."
    ),
    examples=(
        "it's about my account",
        "I have a question about money",
        "accounts please",
        "a question about my tenancy paperwork",
    ),
    team=(RENT, BOND_LEASE),
)

HUMAN = AgentSpec(
    name=ON_CALL,
    description=("A person on call: anything no one else here can settle, or a caller who asks for a human."),
    instructions="You hand the caller to the on-call team with escalate_to_human and a clear reason.",
    examples=(
        "let me speak to a real person",
        "I want to talk to the property manager",
        "put me through to someone",
        "I have a complaint about the agency",
    ),
    skills=(
        Skill(
            people.escalate_to_human,
            ("get me a person", "I want a human", "connect me to the on-call manager", "transfer me please"),
            people.reply_escalation,
            cues=(
                r"\b(human|person|someone|manager|operator|complain\w*|property manager)\b",
                r"\b(speak to|talk to|put me through|transfer me)\b",
            ),
            side_effect=True,
        ),
    ),
)

FALLBACK = (
    "I can log a repair, check on one, take a rent, bond or lease question, or get our on-call team."
    " What's happening?"
)

ROOT = AgentSpec(
    name=TRIAGE,
    description="Understands what the renter or landlord needs and hands off to the right lead.",
    instructions=(
        "You are the after-hours line of a property manager. Work out what the caller needs and hand"
        " off to Maintenance or Accounts, or to the on-call team. Note the property a caller rents or"
        " owns with note_tenancy. When a tool asks to check who the caller is, check the digits or"
        " email they give with verify_identity."
    ),
    skills=(
        Skill(
            tenancy.note_tenancy,
            (
                "I rent 12 Ocean St",
                "I'm the tenant at 4 Hill Rd",
                "I own 9 Park Ave, it's an investment property",
                "we're renting the place on King Street",
                "I'm the landlord of 22 Beach Rd",
            ),
            tenancy.reply_tenancy,
            cues=(r"\b(i|we) (rent|own|lease)\b|\b(tenant|landlord|owner) (at|of)\b|\brenting\b",),
            side_effect=True,
            readers={"role": tenancy.role},
        ),
        next(s for s in SALES_ROOT.skills if s.name == "verify_identity"),
    ),
    fallback=FALLBACK,
)


def greeting(ctx: CallContext) -> str:
    if ctx.caller is None or not ctx.caller.verified or ctx.caller.confidence < 0.85:
        return "Hi, you've reached the after-hours property line. What's happening?"
    name = caller_name(ctx.caller)
    hello = f"Welcome back, {name.split()[0]}." if name else "Welcome back."
    home = tenancy.their_property(ctx)
    jobs = [str(f.value) for f in ctx.caller.facts if f.name == "REPORTED_ISSUE" and f.value]
    if jobs:
        return f"{hello} Is this about job {jobs[-1]}, or something new?"
    if home:
        return f"{hello} Is this about {home[1]}?"
    return f"{hello} What's happening?"


PROPERTY_MANAGEMENT = Vertical(
    name="property-management",
    root=ROOT,
    specialists=(MAINTENANCE, ACCOUNTS, HUMAN),
    escalation=ON_CALL,
    greeting=greeting,
    gazetteer=homes.gazetteer,
    readers={"property": resolve.read_property, "suburb": resolve.read_suburb},
)
