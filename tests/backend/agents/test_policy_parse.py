"""Reading values out of speech, and routing accuracy as a regression guard."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.agents.policy import parse, slots
from backend.agents.policy.router import Router
from backend.agents.vertical import build
from backend.cli import HELDOUT
from backend.evals.routing import evaluate, offline_call
from backend.speech import numbers
from backend.speech.numbers import rate_move
from backend.verticals.real_estate.agents import REAL_ESTATE

NOW = datetime(2026, 11, 21, 15, tzinfo=UTC)  # a Saturday afternoon


@pytest.mark.parametrize(
    ("said", "amount"),
    [
        ("my budget is $850k", 850_000),
        ("around 1.2 million", 1_200_000),
        ("up to 950,000 dollars", 950_000),
        ("half a million", 500_000),
        ("three bedrooms", None),
        ("one point eight million", 1_800_000),
        ("seven hundred and fifty thousand", 750_000),
        ("a million and a half", 1_500_000),
        ("one and a half mil", 1_500_000),
        ("900 grand", 900_000),
        ("change the bedrooms to 2", None),
    ],
)
def test_money(said: str, amount: float | None) -> None:
    assert parse.money(said) == amount


@pytest.mark.parametrize(
    ("said", "amount"),
    [
        ("anything under 1.6?", 1_600_000),
        ("max 850", 850_000),
        ("1.25 tops", 1_250_000),
        ("at 6.2", None),
        ("Twelve fifty tops. Same thing, two beds in Bondi.", 1_250_000),  # hundreds, in thousands
        ("up to 1250", 1_250_000),  # no home costs $1,250
        ("fourteen seventy five max", 1_475_000),
        ("can I see it at twelve fifty on saturday", None),  # a time, with no price word
    ],
)
def test_a_price_said_without_its_unit(said: str, amount: float | None) -> None:
    assert parse.money(said, loose=True) == amount


@pytest.mark.parametrize(
    ("said", "amount"),
    [
        ("Coogee, three bedrooms, budget two point one, no wait, sorry, two point seven.", 2_700_000),
        ("budget 1.3 million, sorry, 1.2 million", 1_200_000),
        ("under 1.2m, actually make that 4 bedrooms", 1_200_000),  # a count corrects no price
        ("under 2.1, in Bondi", 2_100_000),  # a comma after a price said without its unit
    ],
)
def test_a_price_corrected_mid_sentence(said: str, amount: float) -> None:
    assert parse.money(said, loose=True) == amount


@pytest.mark.parametrize(
    ("said", "rate", "term"),
    [
        ("six and a half percent over twenty-five years", 6.5, 25),
        ("30 yr loan, 6.25 interest", 6.25, 30),
        ("at 6.2 over 30 years", 6.2, 30),
        ("7 per cent", 7.0, None),
    ],
)
def test_rates_and_terms(said: str, rate: float, term: int | None) -> None:
    assert parse.percent(said) == rate
    assert parse.years(said) == term


@pytest.mark.parametrize(
    ("said", "rate"),
    [
        ("ouch. and if rates went up to six point four five?", 6.45),
        ("what if the rate goes to 6.8", 6.8),
        ("and if rates came down to 5.5?", 5.5),
    ],
)
def test_a_rate_that_moves_is_a_rate_never_a_price(said: str, rate: float) -> None:
    call = offline_call()
    assert (slots.read("rate", None, said, call), slots.read("price", None, said, call)) == (rate, None)


@pytest.mark.parametrize(
    ("said", "deposit", "share", "price"),
    [
        ("We've got 150k saved for a deposit, what about a 925 thousand unit?", 150_000, None, 925_000),
        ("If I put down 100k on an 800k unit", 100_000, None, 800_000),
        ("a deposit of 300 grand on a 1.5 mil home", 300_000, None, 1_500_000),
        ("putting down 20 per cent on a 1.9 million house", None, 20.0, 1_900_000),
        ("If we put half a million down on a 2.4 million house", 500_000, None, 2_400_000),
    ],
)
def test_deposits_are_not_the_price(
    said: str, deposit: float | None, share: float | None, price: float
) -> None:
    call = offline_call()
    assert slots.read("deposit", None, said, call) == deposit
    assert slots.read("deposit_percent", None, said, call) == share
    assert slots.read("price", None, said, call) == price


@pytest.mark.parametrize(
    ("said", "deposit", "share"),
    [
        (
            "If we put two fifty k down, no wait, three hundred k down, at six point one percent",
            300_000,
            None,
        ),
        ("20% down, sorry, 25 percent down", None, 25.0),
        ("a 200k deposit and we've saved 50k for stamp duty", 200_000, None),
        ("What if I put down three hundred, no, sorry, three-twenty. On that one.", 320_000, None),
        ("And if I put down a bit more, say two-fifty instead of two hundred?", 250_000, None),
        ("what if we put more down, like 300k", 300_000, None),
    ],
)
def test_a_deposit_corrected_is_the_one_it_corrects_to(
    said: str, deposit: float | None, share: float | None
) -> None:
    call = offline_call()
    assert (slots.read("deposit", None, said, call), slots.read("deposit_percent", None, said, call)) == (
        deposit,
        share,
    )


@pytest.mark.parametrize(
    ("said", "moment"),
    [
        ("Saturday at 10", "2026-11-28T10:00"),
        ("tomorrow afternoon", "2026-11-22T14:00"),
        ("next Tuesday 3pm", "2026-11-24T15:00"),
        ("the 28th at 11am", "2026-11-28T11:00"),
        ("at 2", "2026-11-22T14:00"),
        ("December 3rd at 1pm", "2026-12-03T13:00"),
        ("the 3rd of December at 11", "2026-12-03T11:00"),
        ("the 2nd of December, around 4 in the afternoon", "2026-12-02T16:00"),
        ("Tuesday at half past two", "2026-11-24T14:30"),
        ("Thursday instead of Wednesday", "2026-11-26T10:00"),
        ("move my booking from Tuesday to Wednesday at 9:30", "2026-11-25T09:30"),
        ("I can't make my inspection tomorrow, is Thursday at 10 ok instead?", "2026-11-26T10:00"),
    ],
)
def test_times_are_read_against_the_call_clock(said: str, moment: str) -> None:
    found = parse.when(said, NOW)
    assert found is not None and found.isoformat()[:16] == moment


def test_counts_and_ordinals() -> None:
    assert parse.count("a three bedroom house", near="bed") == 3
    assert parse.count("around 1.2 million", near="bed") is None
    assert parse.ordinal("the second one please") == 2
    assert parse.ordinal("the last one") == -1
    assert parse.ordinal("can you shortlist number four") == 4
    assert parse.ordinal("mark the final one") == -1
    assert parse.count("can u check maroubra for me, 3 br", near="bed") == 3
    assert parse.count("2bd apt in mosman under 1.8m?", near="bed") == 2
    # an amount is one word: no "2" of "2.5m" beside "bedrooms"; "two kids" counts no bedrooms
    assert parse.count("3 or more bedrooms, budget 2.5m. Two kids and a very loud dog.", near="bed") == 3
    unit = "the address is 3/45 Arden Street"
    assert slots.read("address", None, unit, offline_call()) == "3/45 Arden Street"


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(REAL_ESTATE)


def test_routing_accuracy_does_not_regress(router: Router) -> None:
    result = evaluate(HELDOUT, router, REAL_ESTATE)
    assert result["utterances"] >= 200
    assert result["routing_accuracy"] >= 0.915, result["misses"][:10]  # 93.6% when written (81.2% before)
    assert result["slot_accuracy"] >= 0.96  # 98.3% when written (91.0% before)


def test_routing_on_the_development_set(router: Router) -> None:
    """The set the router was tuned on (its misses may be read; the sealed set's may not)."""
    dev = HELDOUT.with_name("routing_dev.jsonl")
    result = evaluate(dev, router, REAL_ESTATE)
    assert result["utterances"] >= 250
    assert result["routing_accuracy"] >= 0.96, result["misses"]  # 98.5% when written
    assert result["slot_accuracy"] >= 0.97, result["slot_misses"]  # 99.0% when written


@pytest.mark.parametrize(
    ("agent", "said", "target"),
    [
        ("Mortgage", "and over 25 years?", "mortgage_repayment"),
        ("Mortgage", "what about at 6 percent", "mortgage_repayment"),
        ("Mortgage", "ok what if it was 1.2 million instead", "mortgage_repayment"),
        ("Mortgage", "Actually our budget is now 2.5 million", "transfer_to_triage"),
        ("Mortgage", "can you book me a viewing of 5 Bay St for tomorrow at 2pm", "transfer_to_triage"),
        ("Property Search", "and in Surry Hills?", "search_properties"),
        ("Property Search", "I like the first one", "shortlist_property"),
        ("Property Search", "Could I see it Saturday at 11am?", "transfer_to_triage"),
        ("Property Search", "I have a complaint, put me through to the manager", "transfer_to_triage"),
        ("Viewing Scheduler", "can we do Sunday instead", "reschedule_viewing"),
        ("Viewing Scheduler", "actually make it 10", "reschedule_viewing"),
        ("Viewing Scheduler", "could we do it an hour later?", "reschedule_viewing"),
        ("Property Search", "yeah, go on then, have a look nearby", "search_properties"),
        ("Property Search", "how much are they asking?", "property_details"),
        ("Property Search", "book the cheaper one for sat 2pm", "transfer_to_triage"),  # no own tool fits
        ("Property Search", "bump it up to two point four", "update_preferences"),  # one does: it stays
        ("Viewing Scheduler", "what would the repayments be on it", "transfer_to_triage"),
        ("Suburb Intelligence", "how about Manly", "suburb_profile"),
        ("Seller Intake", "it's at 5 Smith St", "request_appraisal"),
        ("Triage", "hello", None),
        ("Triage", "mortgage please", "transfer_to_mortgage"),
        # a bare decimal is a rate ("at five point nine"); "same deposit" on another home is a sum
        (
            "Mortgage",
            "Bloke at work reckons I'd get five point nine. What's it at five point nine?",
            "mortgage_repayment",
        ),
        (
            "Mortgage",
            "And the one on Pacific Highway in Bondi instead? Same deposit, same everything.",
            "mortgage_repayment",
        ),
        (
            "Triage",
            "Can I get a look at 57 Edward Street, Maroubra, Tuesday, half four?",
            "transfer_to_viewing_scheduler",
        ),  # a home, a day and a time: no search
        (
            "Viewing Scheduler",
            "omg actually make it 2pm same day, forgot i have netball",
            "reschedule_viewing",
        ),  # a cue heard is business, whatever else sounds like sport
    ],
)
def test_the_owner_keeps_follow_ups_and_hands_back_the_rest(
    router: Router, agent: str, said: str, target: str | None
) -> None:
    spec = build(REAL_ESTATE)[agent]
    candidates = {t.name for t in spec.tools} | {h.tool_name for h in spec.handoffs}
    assert router.route(said, candidates, agent).target == target


def test_a_time_without_a_day_is_on_the_day_just_discussed() -> None:
    """ "What about 2pm then?" after Sunday 1 PM was taken is Sunday's 2 PM, not tomorrow's."""
    call = offline_call()
    assert slots.read("when", "string", "what about 2pm then?", call) == "2026-11-22T14:00:00+00:00"
    call.state.day_discussed = "2026-11-29"
    assert slots.read("when", "string", "what about 2pm then?", call) == "2026-11-29T14:00:00+00:00"
    said_a_day = slots.read("when", "string", "Monday at 2pm then", call)
    assert said_a_day == "2026-11-23T14:00:00+00:00", "a day said now wins over the one discussed"


def test_a_day_gone_reaches_the_tool_as_a_time_gone() -> None:
    moment = slots.read("when", "string", "can you book me in for yesterday at 3?", offline_call())
    assert moment == "2026-11-20T15:00:00+00:00"


@pytest.mark.parametrize(
    ("said", "ruled_out", "chosen"),
    [
        ("What about the one in Coogee, what's that like?", "suburb_profile", "property_details"),
        ("Neutral Bay, three bedrooms, up to two and a half million. What do you reckon?", "suburb_profile",
         "search_properties"),
        ("Hi again, anything new come up since we last spoke?", "caller_summary", "search_properties"),
        ("so is the viewing still on?", "cancel_viewing", "caller_summary"),
        ("Could you email me the details? It's pat@example.com", "verify_identity", "send_details"),
        ("Hi, it's Ana again. What were those Glebe ones you found me?", "caller_summary",
         "search_properties"),
        ("no no, I don't need to speak to anyone. just tell me about 3 bedders in manly", "escalate_to_human",
         "search_properties"),
        ("Hi, yeah, remind me, what was I looking at when I was on the chat before?", "caller_summary",
         "search_properties"),
        ("Hi, is there something on Bay Street in Neutral Bay? How much is it?", "suburb_profile",
         "search_properties"),
        ("hi marcus here. what time am i seeing the place on saturday?", "book_viewing", "caller_summary"),
        ("whats my reference for the saturday 2pm one", "book_viewing", "caller_summary"),
    ],
)  # fmt: skip
def test_a_hard_veto_rules_a_tool_out(router: Router, said: str, ruled_out: str, chosen: str) -> None:
    probs = router.probabilities(said)
    assert probs[ruled_out] == 0.0
    assert max(probs, key=lambda t: probs[t]) == chosen
    assert abs(sum(probs.values()) - 1.0) < 1e-6


def test_a_reference_said_is_given_for_a_change_not_asked_for(router: Router) -> None:
    probs = router.probabilities("here's my booking reference RE-20261203-001, please cancel it")
    assert probs["cancel_viewing"] > 0 and max(probs, key=lambda t: probs[t]) == "cancel_viewing"


def test_a_hard_veto_is_no_soft_feature(router: Router) -> None:
    assert all(not v.pattern.startswith("!") for vetoes in router.vetoes.values() for v in vetoes)
    assert router.never["suburb_profile"], "the hard vetoes are kept apart"


@pytest.mark.parametrize(
    ("said", "dollars"),
    [
        ("budget's about two point one", 2_100_000),  # a price in words, without its unit
        ("under one point oh five million", 1_050_000),  # "oh" is a digit
        ("under two and a half", 2_500_000),
        ("we can only do 2.75 now", 2_750_000),
        ("a three bedder, budget's about two point one.", 2_100_000),  # the sentence's full stop
    ],
)
def test_a_price_in_words_without_its_unit(said: str, dollars: int) -> None:
    assert parse.money(said, loose=True) == dollars


def test_a_deposit_scraped_together_and_a_rate_put_right() -> None:
    """ "Only scrape together fifteen percent" is the deposit, never the rate; "meant 5.8 not
    6.8" puts the rate right; "the bank reckons we can go to two point one" is a budget."""
    call = offline_call()
    said = "What if we could only scrape together fifteen percent?"
    assert slots.read("deposit_percent", None, said, call) == 15.0
    assert slots.read("rate_percent", None, said, call) is None
    assert slots.read("rate_percent", None, "sorry typo, meant 5.8 not 6.8", call) == 5.8
    assert slots.read("budget", None, "the bank reckons we can go to two point one", call) == 2_100_000


@pytest.mark.parametrize(
    ("said", "target"),
    [
        ("Could you scrap the Paddington one please? We'll still do Surry Hills.", "cancel_viewing"),
        ("please cancel the Bondi one", "cancel_viewing"),
        ("ugh no sorry scrap it altogether, partner cant do sunday at all", "cancel_viewing"),
        ("scrap Paddington", "drop_suburb"),
        ("ok so whats the reference", "caller_summary"),
        ("hi what was that place you found me on the phone the other day?", "search_properties"),
    ],
)
def test_cancelling_a_booking_is_not_dropping_a_suburb(router: Router, said: str, target: str) -> None:
    assert router.route(said, set(router.tools)).target == target


@pytest.mark.parametrize(
    ("said", "target"),
    [
        ("um, could we make that three instead of one?", "reschedule_viewing"),
        ("can we do five instead of three", "reschedule_viewing"),
        ("make that four bedrooms instead of three", "update_preferences"),
        ("actually three bedrooms instead of two", "update_preferences"),
    ],
)
def test_a_bare_number_instead_of_another_is_a_time(router: Router, said: str, target: str) -> None:
    """Without "bedrooms", "three instead of one" moves a viewing (the greeting just named it)."""
    assert router.route(said, set(router.tools)).target == target


def test_a_deposit_put_right_and_a_share_too_big_for_a_rate() -> None:
    """ "400 grand, no sorry, four fifty" is a 450k deposit; "with the twenty five per cent"
    (said of a deposit a turn before) is no 25% rate; a decimal alone among a loan's terms is
    its rate ("ten per cent deposit, six point four, thirty year loan")."""
    call = offline_call()
    said = "if I put down four hundred grand, no sorry, four fifty, at six point oh five percent?"
    assert slots.read("deposit", None, said, call) == 450_000
    assert slots.read("rate_percent", None, said, call) == 6.05
    again = "Okay, and with the twenty five per cent, over twenty years?"
    assert slots.read("deposit_percent", None, again, call) == 25.0
    assert slots.read("rate_percent", None, again, call) is None
    listed = "Ten per cent deposit, six point four, thirty year loan."
    assert slots.read("rate_percent", None, listed, call) == 6.4
    assert slots.read("deposit_percent", None, listed, call) == 10.0
    assert slots.read("budget", None, "hmm actually the missus says cap it at 2.2", call) == 2_200_000


@pytest.mark.parametrize(
    ("said", "target"),
    [
        ("Ah, actually, scratch the Ocean Street one, my wife's already been through it.", "cancel_viewing"),
        ("oh wait sorry i meant thurs not tues, same time", "reschedule_viewing"),
        ("Could we bring Monday's viewing forward to nine thirty in the morning?", "reschedule_viewing"),
        ("Righto. And over twenty years?", "mortgage_repayment"),
        ("actually scratch the dee why one, too far to drive on the same day", "cancel_viewing"),
        ("Um, I've got a viewing on Saturday, could we make it a bit later, say four?", "reschedule_viewing"),
        ("And how many bedrooms has that got?", "property_details"),
        ("Thank you, love. And remind me of the address, I'll pop it on the calendar.", "caller_summary"),
        (
            "Hi, it's Cormac. Can you cancel the ten o'clock on Saturday, but keep the other one?",
            "cancel_viewing",
        ),
        (
            "You ran the numbers on that Paddington place for me the other day. Can you do it again, same as"
            " last time, but with six hundred grand down?",
            "mortgage_repayment",
        ),
        ("cancel saturday and make it sunday instead", "reschedule_viewing"),
        ("Make that quarter past two, no, sorry, half past two.", "reschedule_viewing"),  # after repayments
    ],
)
def test_bookings_and_loans_as_callers_name_them(router: Router, said: str, target: str) -> None:
    """A booking scratched, put right, moved or called off by its home, day or time; a term
    changed or figures run again; a home asked about; an address asked again."""
    assert router.route(said, set(router.tools)).target == target


def test_a_deposit_gathered_or_said_as_a_fraction() -> None:
    call = offline_call()
    assert slots.read("deposit", None, "hmm what if i can get 350k togther for the deposit", call) == 350_000
    said = "We'd put a quarter down, rate's six point two five, over thirty years."
    assert slots.read("deposit_percent", None, said, call) == 25.0
    assert slots.read("rate_percent", None, said, call) == 6.25
    assert slots.read("rate_percent", None, "And if rates go up half a percent?", call) is None


def test_a_budget_put_right_twice_is_the_last() -> None:
    said = (
        "budget's two point two, no, two point four, actually, let's say two point three, the wife'll kill me"
    )
    assert slots.read("max_price", None, said, offline_call()) == 2_300_000


@pytest.mark.parametrize(
    ("said", "rate", "term"),
    [
        # A share too big for a rate said first, and the rate said bare after it
        (
            "Say we've got twenty per cent to put down, and the broker reckons six point four, over"
            " thirty years.",
            6.4,
            30,
        ),
        ("the rate I've been quoted is six point oh nine, over thirty years", 6.09, 30),
        # put right: the later one
        (
            "a quarter down, at six point seven five, no sorry, five point seven five, over thirty years",
            5.75,
            30,
        ),
        ("what if it's 5.8, sorry 5.9", 5.9, None),
        # a decimal before the rate is more likely the price
        ("budget 2.5, rate 6.1", 6.1, None),
        # the years of something else are no term when the loan's are said
        ("we've been renting in Manly for eleven years. 20% down at 6.4 over thirty years?", 6.4, 30),
        ("six point one, thirty year loan", 6.1, 30),
    ],
)
def test_the_rate_and_term_of_a_loan_among_other_figures(said: str, rate: float, term: int | None) -> None:
    call = offline_call()
    assert slots.read("rate_percent", None, said, call) == rate
    assert slots.read("years", None, said, call) == term


@pytest.mark.parametrize(
    ("said", "move"),
    [
        ("Okay. And what if rates go up, say another one percent on top of that?", 1.0),
        ("rates drop by 0.25%", -0.25),
        ("if we put down twenty percent", None),  # a deposit, not a fall in rates
        ("If I put three hundred and ninety grand down, five point nine nine percent", None),
    ],
)
def test_a_move_in_rates_is_said_of_rates(said: str, move: float | None) -> None:
    assert rate_move(said) == move


def test_a_deposit_raised_to_hundreds_is_thousands() -> None:
    said = "Yeah okay. And if I got the deposit up to two fifty, still at the seven?"
    assert slots.read("deposit", None, said, offline_call()) == 250_000


@pytest.mark.parametrize(
    ("said", "budget"),
    [
        (
            "Alright, stretch it to three point three, still four bedrooms, still those two suburbs.",
            3_300_000,
        ),
        ("we sold the unit, so the budget's now two point seven. Same as before otherwise", 2_700_000),
    ],
)
def test_a_new_budget_said_without_its_unit(said: str, budget: int) -> None:
    assert slots.read("max_price", None, said, offline_call()) == budget


@pytest.mark.parametrize(
    ("said", "target"),
    [
        (
            "Hi, Marisol again. We sold the unit, so the budget's now two point seven. Same as before"
            " otherwise, what have you got?",
            "search_properties",
        ),
        ("so make it 950k", "update_preferences"),
        ("And remind me what they're asking for it?", "property_details"),
        ("Oh, Tuesday's no good, I forgot the dentist. Same time Thursday?", "reschedule_viewing"),
        (
            "Radomir Quennell. Ten Elizabeth Street, Leichhardt. Wednesday, quarter past eleven."
            " Can you book that.",
            "book_viewing",
        ),
        (
            "Book me in for 134 Carrington Road, Thursday, ten thirty, actually no, hang on, make it"
            " quarter past eleven, I've got the school run.",
            "book_viewing",
        ),
    ],
)
def test_a_new_budget_is_searched_or_noted_never_recapped_or_a_time(
    router: Router, said: str, target: str
) -> None:
    assert router.route(said, set(router.tools)).target == target


def test_a_budget_said_alone_after_a_correction() -> None:
    assert slots.read("max_price", None, "Scratch that. Two point two.", offline_call()) == 2_200_000
    assert slots.read("rate_percent", None, "At seven flat?", offline_call()) == 7.0


@pytest.mark.parametrize(
    ("said", "target"),
    [
        (
            "Good news, the bank's bumped our pre-approval up to two point nine. What does that open up?",
            "search_properties",
        ),
        (
            "My accountant says I can go a bit higher after all, up to one point oh five million."
            " Is there anything more now?",
            "search_properties",
        ),
        (
            "I'm selling the family home and I'd like a two bedroom unit in Glebe, near my sister."
            " I can't spend more than nine hundred thousand.",
            "update_preferences",
        ),
        ("I'd like to sell my three bedroom house in Glebe", "request_appraisal"),
        ("Yep, that one. Saturday, twelve thirty?", "book_viewing"),
        ("Yep, the first one. Saturday, eleven thirty?", "book_viewing"),  # found by the new-user check
        ("how much is the victoria rd one?", "property_details"),
        ("And what if the price was 1.1 million instead?", "mortgage_repayment"),  # a loan's "what if"
        ("ok, and on 950k?", "mortgage_repayment"),
        ("And if we held off a bit and saved up two twenty k?", "mortgage_repayment"),
        ("ok n the glebe one over 25yrs", "mortgage_repayment"),
    ],
)
def test_a_new_budget_or_a_time_to_see_it_is_no_recap_loan_or_appraisal(
    router: Router, said: str, target: str
) -> None:
    """Session 22 (d15): a budget raised and "what does that open up?" is a search; a sentence
    without a word of a loan's cost is no repayment question; selling is why a buyer buys; "that
    one, Saturday 12:30" is a booking."""
    assert router.route(said, set(router.tools)).target == target


@pytest.mark.parametrize(
    ("said", "target"),
    [
        (
            "Hello, yes, is me, I book on the chat for Thursday. Please, can be more late? Half past four,"
            " same day.",
            "reschedule_viewing",
        ),
        (
            "I'm booking on behalf of my brother, he's flying in from Nairobi. Eighteen Military Road in"
            " Balmain, tomorrow at two in the afternoon, please. Put it under my name.",
            "book_viewing",
        ),
    ],
)
def test_a_booking_asked_later_or_for_someone_else(router: Router, said: str, target: str) -> None:
    """Session 22 (d14): "can be more late?" moves the booking (no new one, no recap); a booking
    made on someone's behalf is no cancellation."""
    assert router.route(said, set(router.tools)).target == target


@pytest.mark.parametrize(
    ("said", "target"),
    [
        ("the hill st one!! sat 1pm? 🥹", "book_viewing"),
        ("The one in Queen Street. Saturday, ten o'clock, is okay?", "book_viewing"),
        ("Beauty. Put me down for that one Saturday, half two.", "book_viewing"),
        ("Yep, the one you said last. Sunday, midday.", "book_viewing"),
        ("haha ok ok. the military rd one, fri 12:30? 🙌", "book_viewing"),
        ("wait wats the price again 👀", "property_details"),
        ("Would you repeat the time back to me, please? I'm writing it in my diary.", "caller_summary"),
        (
            "Hello. Yesterday I miss the viewing for forty one Glenayr Avenue, Parramatta. Please, you book"
            " me for yesterday at eleven o'clock?",
            "book_viewing",
        ),
    ],
)
def test_a_home_a_day_and_a_time_book_it_and_a_price_is_no_change(
    router: Router, said: str, target: str
) -> None:
    """Session 22 (d16, a new cast: speakerphone couples, second-language English, callers in
    the car, emoji): a home pointed at and then a day and a time is a booking; a price asked
    moves and cancels nothing; "repeat the time back" is a recap."""
    assert router.route(said, set(router.tools)).target == target


@pytest.mark.parametrize(
    ("said", "amount"),
    [
        ("Maximum one million six hundred thousand.", 1_600_000),
        ("two million two hundred and fifty thousand", 2_250_000),
    ],
)
def test_a_million_and_its_thousands_said_whole(said: str, amount: int) -> None:
    assert parse.money(said, loose=True) == amount
    assert [a.value for a in numbers.amounts(said)] == [amount], "the extractor reads it alike"
