"""Synthetic caller histories for the retrieval eval: callers who ring an agency every few
weeks, with labelled evidence turns and questions about what they said.

Seeded and deterministic. Each caller has a life (a partner, a child at a school, a dog, a
job, a budget and suburbs that change), told across calls in the way people talk: an agent
asks, the caller answers in their own words, topics come back weeks later, minds change.
Every question names the turns that hold its answer (``evidence``), so recall is exact.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

Kind = Literal["single", "multi_hop", "temporal", "changed"]
KINDS: tuple[Kind, ...] = ("single", "multi_hop", "temporal", "changed")


@dataclass(frozen=True)
class Line:
    """One turn as said: who, what, and at what offset into the call."""

    id: str
    speaker: str
    text: str
    at: datetime


@dataclass
class Call:
    call_id: str
    started: datetime
    turns: list[Line] = field(default_factory=list)


@dataclass
class Question:
    kind: Kind
    text: str
    caller_id: str
    asked_at: datetime
    evidence: list[tuple[str, str]]
    """(call id, turn id) of every turn the answer needs."""


@dataclass
class History:
    caller_id: str
    name: str
    calls: list[Call] = field(default_factory=list)


@dataclass
class World:
    seed: int
    histories: list[History]
    questions: list[Question]

    @property
    def turns(self) -> int:
        return sum(len(c.turns) for h in self.histories for c in h.calls)


FIRST = [
    "Caroline",
    "Melanie",
    "Priya",
    "Nadia",
    "Grace",
    "Olivia",
    "Harriet",
    "Zoe",
    "Ingrid",
    "Leila",
    "Tessa",
    "Mei",
    "Rosa",
    "Anika",
    "Daniel",
    "Marcus",
    "Tom",
    "Luca",
    "Ravi",
    "Hamish",
    "Jonah",
    "Felix",
    "Omar",
    "Kenji",
    "Sean",
    "Ethan",
    "Theo",
    "Viktor",
]
SURNAMES = [
    "Nguyen",
    "Smith",
    "Kowalski",
    "Patel",
    "O'Brien",
    "Rossi",
    "Tanaka",
    "Murphy",
    "Haddad",
    "Jensen",
    "Silva",
    "Chen",
    "Novak",
    "Walker",
    "Fitzgerald",
    "Moreau",
    "Ahmed",
    "Larsen",
    "Costa",
    "Kaur",
]
PARTNERS = [
    "Dan",
    "Sophie",
    "Ali",
    "Jess",
    "Marco",
    "Hannah",
    "Raj",
    "Clare",
    "Ben",
    "Tara",
    "Nick",
    "Yuki",
    "Pete",
    "Amira",
]
KIDS = [
    "Mia",
    "Leo",
    "Ava",
    "Noah",
    "Isla",
    "Oscar",
    "Ruby",
    "Max",
    "Chloe",
    "Archie",
    "Lily",
    "Jack",
    "Eva",
    "Hugo",
]
SCHOOLS = [
    "Clovelly Public",
    "Randwick North High",
    "St Brigid's Primary",
    "Bronte Montessori",
    "Coogee Public",
    "Maroubra Bay Public",
    "Newtown High School of the Performing Arts",
    "Glebe Public",
    "Rozelle Public",
    "Balmain Public",
    "Bondi Beach Public",
    "Waverley College",
    "St Clare's College",
    "Leichhardt Public",
    "Annandale North Public",
    "Summer Hill Public",
]
SCHOOL_SUBURBS = [
    "Clovelly",
    "Randwick",
    "Bronte",
    "Coogee",
    "Maroubra",
    "Newtown",
    "Glebe",
    "Rozelle",
    "Balmain",
    "Bondi",
]
PETS = (
    ("dog", "Biscuit"),
    ("dog", "Pepper"),
    ("cat", "Miso"),
    ("dog", "Rex"),
    ("cat", "Olive"),
    ("dog", "Bonnie"),
    ("greyhound", "Arrow"),
    ("cat", "Tofu"),
    ("dog", "Banjo"),
)
EMPLOYERS = [
    "Westpac",
    "the Prince of Wales Hospital",
    "Atlassian",
    "a law firm",
    "the council",
    "Qantas",
    "a architecture practice",
    "Sydney Uni",
    "the ABC",
    "a bakery",
    "Canva",
    "a physio clinic",
]
WORK_SUBURBS = [
    "Parramatta",
    "Mascot",
    "Ultimo",
    "Randwick",
    "Surry Hills",
    "Chatswood",
    "Barangaroo",
    "North Sydney",
]
SUBURBS = [
    "Bondi",
    "Coogee",
    "Randwick",
    "Maroubra",
    "Bronte",
    "Clovelly",
    "Newtown",
    "Marrickville",
    "Leichhardt",
    "Balmain",
    "Rozelle",
    "Glebe",
    "Annandale",
    "Dulwich Hill",
    "Petersham",
    "Stanmore",
    "Erskineville",
    "Alexandria",
]
STREETS = [
    "Ocean St",
    "Arden St",
    "Carrington Rd",
    "Beach St",
    "Darling St",
    "Norton St",
    "Enmore Rd",
    "Victoria Rd",
    "Glebe Point Rd",
    "Booth St",
    "Marion St",
    "Audley St",
    "Clovelly Rd",
    "Perouse Rd",
    "Mansfield St",
    "Trafalgar St",
]
AGENTS = ["Sam", "Priya", "Tom", "Jess", "Aroha"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

SMALL_TALK = (
    ("How's your week been?", "Busy, but good. Work's been flat out."),
    ("Lovely weather today.", "Yeah, finally a bit of sun."),
    ("Thanks for holding, sorry about that.", "No worries at all."),
    ("Can you hear me alright?", "Yep, loud and clear now."),
    ("Did you catch the footy on the weekend?", "Not really, we had a birthday party to get to."),
    ("Is now still a good time to chat?", "Yeah, I've got about ten minutes."),
    ("Sorry, the line dropped for a second there.", "That's okay, I'm in the car."),
)
OPENERS = (
    ("Hi, thanks for calling, it's {agent} speaking.", "Hi {agent}, it's {me} again."),
    ("Good morning, {agent} here, how can I help?", "Morning, {me} here, we spoke a while back."),
    ("Hello, you've reached {agent}.", "Hey, it's {me}, just following up."),
)
CLOSERS = (
    ("Anything else I can help with today?", "No, that's everything, thanks."),
    ("I'll send that through by email.", "Perfect, thanks so much."),
    ("Talk soon then.", "Thanks, bye for now."),
)


LISTING_PITCH = (
    "There's a {beds} bedroom at {no} {street} in {suburb}, asking around {price}.",
    "A new one came up in {suburb}: {no} {street}, {beds} bedrooms, guide {price}.",
    "I've just listed {no} {street}, {suburb}. {beds} beds, close to {school}, about {price}.",
    "Have a look at {no} {street} in {suburb}, it's {beds} bedrooms with a courtyard, {price} or so.",
)
LISTING_REACTIONS = (
    "Hmm, that's a bit far from everything for us.",
    "Could you email me the floor plan?",
    "What's the parking like there?",
    "Is it on a busy road? We had a bad experience with traffic noise.",
    "We'd want to see the strata report first.",
    "Not sure, the photos make it look dark.",
    "Maybe. Is there an open home this weekend?",
    "That price seems optimistic to me.",
)
AGENT_ASIDES = (
    "Prices in the inner west have been holding up, auction clearance was about seventy percent.",
    "A lot of buyers are getting pre-approval sorted before they start inspecting.",
    "Stamp duty changes kick in next financial year, worth keeping in mind.",
    "Building and pest inspections usually take about a week to organise.",
    "The school catchment maps changed last year, so always double check on the department site.",
    "Strata levies in the older blocks can be surprisingly high.",
)
CALLER_ASIDES = (
    "My sister bought in Marrickville last year and she's still renovating.",
    "We went to an auction on the weekend just to see how it works. Terrifying.",
    "Our broker said rates might come down again before Christmas.",
    "I keep refreshing the listings app at midnight, it's becoming a problem.",
    "We drove around a few streets on Sunday just to get a feel for things.",
    "Honestly the bathrooms in most places we've seen need work.",
)


def _money(amount: int) -> str:
    if amount % 1_000_000 == 0:
        return f"{amount // 1_000_000} million"
    if amount >= 1_000_000:
        return f"{amount / 1_000_000:.2f}".rstrip("0") + " million"
    return f"{amount // 1000}k"


class _Teller:
    """Builds one caller's calls and the questions about them."""

    def __init__(self, rng: random.Random, index: int, start: datetime) -> None:
        self.rng = rng
        self.caller_id = f"cust-{index:04d}"
        self.me = FIRST[index % len(FIRST)]
        surname = SURNAMES[(index * 7 + rng.randrange(len(SURNAMES))) % len(SURNAMES)]
        self.name = f"{self.me} {surname}"
        self.agent = rng.choice(AGENTS)
        self.history = History(self.caller_id, self.name)
        self.questions: list[Question] = []
        self.when = start + timedelta(days=rng.randrange(40), hours=rng.randrange(9, 17))
        self.call: Call | None = None

    # -- building calls ------------------------------------------------------

    def new_call(self) -> None:
        if self.call is not None:
            self.when += timedelta(days=self.rng.randrange(9, 35), hours=self.rng.randrange(-3, 4))
        n = len(self.history.calls) + 1
        self.call = Call(f"{self.caller_id}-call{n}", self.when)
        self.history.calls.append(self.call)
        opener = self.rng.choice(OPENERS)
        self.say(self.agent, opener[0].format(agent=self.agent))
        self.say(self.me, opener[1].format(agent=self.agent, me=self.me))

    def say(self, speaker: str, text: str) -> tuple[str, str]:
        assert self.call is not None
        turn = f"t{len(self.call.turns) + 1:03d}"
        at = self.call.started + timedelta(seconds=20 * len(self.call.turns))
        self.call.turns.append(Line(turn, speaker, text, at))
        return self.call.call_id, turn

    def exchange(self, agent_text: str, caller_text: str) -> tuple[str, str]:
        """The agent asks, the caller answers: the answer is the evidence."""
        self.say(self.agent, agent_text)
        return self.say(self.me, caller_text)

    def chatter(self, count: int) -> None:
        for agent_text, caller_text in self.rng.sample(SMALL_TALK, count):
            self.exchange(agent_text, caller_text)

    def close(self) -> None:
        closer = self.rng.choice(CLOSERS)
        self.exchange(*closer)

    def listings(self) -> None:
        """A call of listings read out and chatter: the words of every topic, none of its answers."""
        self.new_call()
        for _ in range(self.rng.randrange(2, 5)):
            pitch = self.rng.choice(LISTING_PITCH).format(
                beds=self.rng.randrange(2, 5),
                no=self.rng.randrange(2, 200),
                street=self.rng.choice(STREETS),
                suburb=self.rng.choice(SUBURBS),
                school=self.rng.choice(SCHOOLS),
                price=_money(self.rng.randrange(9, 32) * 100_000),
            )
            self.exchange(pitch, self.rng.choice(LISTING_REACTIONS))
        self.say(self.agent, self.rng.choice(AGENT_ASIDES))
        self.say(self.me, self.rng.choice(CALLER_ASIDES))
        self.chatter(1)
        self.close()

    def ask(self, kind: Kind, text: str, evidence: list[tuple[str, str]]) -> None:
        self.questions.append(Question(kind, text, self.caller_id, self.when + timedelta(days=3), evidence))


def _caller_story(rng: random.Random, index: int, start: datetime) -> _Teller:
    """One caller's six to fifteen calls, and nine questions over them."""
    t = _Teller(rng, index, start)
    pick = rng.choice
    partner, kid, school = pick(PARTNERS), pick(KIDS), pick(SCHOOLS)
    school_suburb = pick(SCHOOL_SUBURBS)
    pet_kind, pet = pick(PETS)
    employer, work_suburb = pick(EMPLOYERS), pick(WORK_SUBURBS)
    suburbs = rng.sample(SUBURBS, 3)
    budgets = sorted(rng.sample(range(9, 30), 3))
    budgets = [b * 100_000 for b in budgets]
    if rng.random() < 0.5:
        budgets = [*budgets[::-1][:2], budgets[1] + 50000]
    street_no, street = rng.randrange(2, 180), pick(STREETS)
    address = f"{street_no} {street}"
    move_month = pick(MONTHS)

    # Call 1: who they are, what they want.
    t.new_call()
    t.chatter(1)
    first_budget = t.exchange(
        "What sort of budget are you working with?",
        pick(
            (
                f"We're thinking around {_money(budgets[0])}, tops.",
                f"Probably {_money(budgets[0])}, maybe a touch over if it's right.",
            )
        ),
    )
    first_suburb = t.exchange(
        "And where are you hoping to buy?",
        pick(
            (f"{suburbs[0]}, ideally. We love it there.", f"We've been looking mostly around {suburbs[0]}.")
        ),
    )
    partner_turn = t.exchange(
        "Is it just yourself buying?",
        pick(
            (
                f"No, with my partner {partner}. {partner}'s keen too.",
                f"Me and {partner}, my partner. We'll both be at inspections.",
            )
        ),
    )
    kid_turn = t.exchange(
        "Do you have kids? Schools can matter a lot.",
        pick(
            (
                f"One, {kid}. {kid} is at {school} at the moment.",
                f"Yeah, our {pick(('daughter', 'son'))} {kid} goes to {school}, so we'd like to stay close.",
            )
        ),
    )
    t.close()

    for _ in range(rng.randrange(0, 3)):
        t.listings()

    # Call 2: the pet, the school's whereabouts, a viewing booked.
    t.new_call()
    t.chatter(1)
    pet_turn = t.exchange(
        "Anything non-negotiable for the new place?",
        pick(
            (
                f"A proper yard. We've got a {pet_kind} called {pet} who'd go mad in a flat.",
                f"Somewhere {pet} can run around, {pet}'s our {pet_kind}, so a fenced backyard.",
            )
        ),
    )
    school_where = t.say(
        t.me,
        pick(
            (
                f"Oh and for context, {school} is over in {school_suburb}, so that side of town.",
                f"Just so you know, {kid}'s school is in {school_suburb}.",
            )
        ),
    )
    t.exchange(
        f"I've got a three bedroom on {street} that might suit, open on Saturday.",
        "Sounds great, pencil us in.",
    )
    t.chatter(1)
    t.close()

    for _ in range(rng.randrange(0, 3)):
        t.listings()

    # Call 3: they saw the home; a change of mind on budget.
    t.new_call()
    viewing = t.exchange(
        f"How did you go at {address}?",
        pick(
            (
                "We went through on Saturday. Loved the light, but the kitchen was tiny.",
                "We had a look on the weekend, nice street but the bathroom needs a full redo.",
            )
        ),
    )
    second_budget = t.exchange(
        "Has anything changed on your end?",
        pick(
            (
                f"Actually yes, the bank came back and we can stretch to {_money(budgets[1])} now.",
                f"We've had a rethink, we'd rather keep it under {_money(budgets[1])}.",
            )
        ),
    )
    work_turn = t.exchange(
        "Where do you both work? Commute can narrow it down.",
        pick(
            (
                f"{partner} works at {employer} in {work_suburb}, I mostly work from home.",
                f"I'm home most days, but {partner} commutes to {employer}, out at {work_suburb}.",
            )
        ),
    )
    t.chatter(1)
    t.close()

    for _ in range(rng.randrange(0, 3)):
        t.listings()

    # Call 4: suburbs shift; moving date.
    t.new_call()
    t.chatter(1)
    second_suburb = t.exchange(
        f"Are you still focused on {suburbs[0]}?",
        pick(
            (
                f"Not anymore, honestly {suburbs[1]} makes more sense for us now.",
                f"We've gone off {suburbs[0]} a bit, we're looking at {suburbs[1]} instead.",
            )
        ),
    )
    move_turn = t.exchange(
        "When are you hoping to be in?",
        pick(
            (
                f"Our lease runs out in {move_month}, so we'd love to be settled by then.",
                f"We have to be out of the rental by {move_month}.",
            )
        ),
    )
    t.close()

    for _ in range(rng.randrange(0, 3)):
        t.listings()

    # Call 5: the last word on budget and area; the dog again.
    t.new_call()
    third_budget = t.exchange(
        "Just confirming your budget before I send the new listings.",
        pick(
            (
                f"Make it {_money(budgets[2])}, that's our final number.",
                f"We've settled on {_money(budgets[2])} as the absolute max.",
            )
        ),
    )
    third_suburb = t.exchange(
        "And which suburbs should I search?",
        pick(
            (
                f"{suburbs[2]} now, after all that. {suburbs[1]} was too pricey.",
                f"We've landed on {suburbs[2]}. Still like {suburbs[1]} but it's out of reach.",
            )
        ),
    )
    t.close()

    for _ in range(rng.randrange(1, 3)):  # they keep calling, about nothing new
        t.listings()

    # Questions: what they said, what links, when, what it is now.
    t.ask(
        "single",
        pick((f"Which school does {kid} go to?", "What school did I say my kid attends?")),
        [kid_turn],
    )
    t.ask("single", pick(("What's my pet's name?", f"What kind of animal is {pet}?")), [pet_turn])
    t.ask("single", pick(("Who am I buying with?", "What's my partner's name?")), [partner_turn])
    t.ask("multi_hop", f"What suburb is {kid}'s school in?", [kid_turn, school_where])
    t.ask("multi_hop", "Where does my partner work?", [partner_turn, work_turn])
    t.ask(
        "temporal",
        pick((f"When did we go and see {address}?", f"When did I inspect the place on {street}?")),
        [viewing],
    )
    t.ask("temporal", pick(("When does our lease end?", "By when do we need to move?")), [move_turn])
    t.ask("changed", pick(("What's my budget now?", "What is my latest budget?")), [third_budget])
    t.ask(
        "changed",
        pick(("Which suburb am I looking in now?", "Where are we looking to buy these days?")),
        [third_suburb],
    )
    del first_budget, first_suburb, second_budget, second_suburb
    return t


def generate(seed: int, callers: int) -> World:
    """``callers`` histories sharing one agency (one tenant), and their questions."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    tellers = [_caller_story(rng, i, start) for i in range(callers)]
    return World(seed, [t.history for t in tellers], [q for t in tellers for q in t.questions])
