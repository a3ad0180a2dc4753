"""Repayments as callers ask them: a follow-up changes only what it says, an amount borrowed
has no deposit taken off, and rates are read however they are said."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from backend.agents.runner import AgentRuntime, TurnResult
from backend.verticals.real_estate.loans import repayment
from memory import Memory

NOW = datetime(2026, 11, 20, 1, tzinfo=UTC)


async def talk(runtime: AgentRuntime, group: str, *said: str) -> list[TurnResult]:
    call = await runtime.open_call(group, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Mo Gage")
    agent, results = "Triage", []
    for text in said:
        results.append(result := await runtime.turn(call, text, agent))
        agent = result.agent
    return results


def a_month(loan: float, rate: float, years: int) -> str:
    return f"about ${repayment(loan, rate, years):,.0f} a month"


async def test_a_follow_up_keeps_the_terms_it_does_not_change(runtime: AgentRuntime, homes: str) -> None:
    first, later, rate = await talk(
        runtime,
        homes,
        "what would repayments be on 1.5 million with 300k down at six and a quarter percent over 30 years",
        "ok and over 20 yrs?",
        "and what if rates went up to seven?",
    )
    assert a_month(1_200_000, 6.25, 30) in first.reply, first.reply
    assert a_month(1_200_000, 6.25, 20) in later.reply, "the deposit and the rate are kept"
    assert a_month(1_200_000, 7, 20) in rate.reply, rate.reply


async def test_an_amount_borrowed_has_no_deposit_taken_off(runtime: AgentRuntime, homes: str) -> None:
    [borrowed] = await talk(
        runtime,
        homes,
        "If I borrowed one point one million at five point nine nine percent over thirty years, per month?",
    )
    assert borrowed.reply == f"A $1,100,000 loan at 5.99% over 30 years is {a_month(1_100_000, 5.99, 30)}."


async def test_an_amount_after_an_amount_borrowed_is_the_new_loan(runtime: AgentRuntime, homes: str) -> None:
    """ "What about 900k?" after "if I borrow 850k" asks about borrowing 900k, not buying at it."""
    _, more, rate = await talk(
        runtime,
        homes,
        "if i borrow 850k at 6.05% over 30 yrs whats that per month",
        "hmm wat about 900k",
        "ok and 900k but at 6.55?",
    )
    assert more.reply == f"A $900,000 loan at 6.05% over 30 years is {a_month(900_000, 6.05, 30)}.", (
        more.reply
    )
    assert rate.reply == f"A $900,000 loan at 6.55% over 30 years is {a_month(900_000, 6.55, 30)}.", (
        rate.reply
    )


async def test_a_rate_said_after_the_deposit_is_neither_deposit_nor_price(
    runtime: AgentRuntime, homes: str
) -> None:
    [repay] = await talk(
        runtime,
        homes,
        "monthly on 1.2m? we'd have twenty percent down, rate's about five point nine, thirty year loan",
    )
    assert repay.reply.startswith("On $1,200,000 with $240,000 down") and "5.9%" in repay.reply, repay.reply


async def test_the_other_one_is_the_home_read_out_besides_the_one_discussed(
    runtime: AgentRuntime, homes: str
) -> None:
    search, second, other = await talk(
        runtime,
        homes,
        "hi looking for a 2 bedroom apartment in glebe under a million",
        "what would repayments be on the second one w 20% down, 5.8%, 30 years",
        "and the other one?",
    )
    first_home, second_home = (line.split(",")[0] for line in search.reply.split(") ")[1:3])
    assert second.reply.startswith(f"On {second_home} at $"), second.reply
    assert other.reply.startswith(f"On {first_home} at $") and "5.8% over 30 years" in other.reply, (
        other.reply
    )


async def test_the_other_one_is_the_home_named_with_the_one_discussed(
    runtime: AgentRuntime, homes: str
) -> None:
    """Session 24 (d18): two homes named by address, none read out; "and the other one?"."""
    first, other = await talk(
        runtime,
        homes,
        "We've narrowed it down to two in Newtown, thirteen Victoria Road and thirty two Bay Street."
        " With twenty percent down, at six and a quarter over thirty years, what's the monthly on the"
        " Victoria Road one?",
        "And the other one?",
    )
    assert first.reply.startswith("On 13 Victoria Rd at $1,840,000"), first.reply
    assert other.reply.startswith("On 32 Bay St at $") and "6.25% over 30 years" in other.reply, other.reply


async def test_the_cheaper_one_is_the_cheaper_home_read_out(runtime: AgentRuntime, homes: str) -> None:
    search, cheaper = await talk(
        runtime,
        homes,
        "hi looking for a 2 bedroom apartment in glebe under a million",
        "what would the repayments be on the cheaper one with 20% down at 6% over 30 years",
    )
    first_home = search.reply.split(") ")[1].split(",")[0]  # read out cheapest first
    assert cheaper.reply.startswith(f"On {first_home} at $"), cheaper.reply


async def test_repayments_on_the_home_asked_about_on_an_earlier_call(
    runtime: AgentRuntime, homes: str
) -> None:
    """A home asked about is remembered: "that Cronulla place I asked about last time" on the
    next call is that home, and its price is the one worked out."""
    phone = f"0412{uuid.uuid4().int % 10**6:06d}"
    first = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Rhea Call", phone=phone
    )
    pid, address = next(iter(first.addresses.items()))
    place = first.localities[pid]
    asked = await runtime.turn(first, f"Hi, what's the asking price on {address}, {place}?", "Triage")
    assert address in asked.reply and "listed at $" in asked.reply, asked.reply
    price = float(asked.reply.split("listed at $")[1].split(".")[0].replace(",", ""))
    again = await runtime.open_call(
        homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, phone=phone, phone_verified=True
    )
    repay = await runtime.turn(
        again,
        f"Hi again. That {place} place I asked about last time, what would the repayments be"
        " with twenty per cent down at six percent over thirty years?",
        "Triage",
    )
    assert address in repay.reply and a_month(price * 0.8, 6, 30) in repay.reply, repay.reply


async def test_a_viewing_and_its_repayments_in_one_breath(runtime: AgentRuntime, homes: str) -> None:
    """ "I'd like to see <address> Saturday at 11, and also, what would the repayments be on
    it?": booked, then worked out on that home's price (no search read it out)."""
    call = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Rue Both")
    address, place = next((a, call.localities[p]) for p, a in call.addresses.items() if p in call.localities)
    both = await runtime.turn(
        call,
        f"Hi, I'd like to see {address} in {place} this Saturday at 11, and also, what would the"
        " repayments be on it with 20 per cent down at 6 per cent over 30 years?",
        "Triage",
    )
    assert "You're booked to view" in both.reply and "a month" in both.reply, both.reply
    price = float(both.reply.split(" at $")[1].split(" ")[0].replace(",", ""))
    assert address in both.reply.split("booked")[1] and a_month(price * 0.8, 6, 30) in both.reply, both.reply


async def test_and_the_dearer_one_works_out_the_other_home_read_out(
    runtime: AgentRuntime, homes: str
) -> None:
    listed, cheaper, dearer = await talk(
        runtime,
        homes,
        "what one bedroom units have you got in Rozelle under eight hundred grand?",
        "what would the cheaper one cost a month with twenty percent down at 5.9 over thirty years?",
        "and the dearer one?",
    )
    assert listed.reply.startswith("I found 2 homes"), listed.reply
    assert cheaper.reply.startswith("On 85 Military Rd"), cheaper.reply
    assert dearer.reply.startswith("On 88 George St") and "a month" in dearer.reply, dearer.reply


async def test_a_deposit_in_dollars_is_kept_for_the_other_home(runtime: AgentRuntime, homes: str) -> None:
    """What they have saved does not change with the home: "$250k down" stays $250k."""
    *_, dearer = await talk(
        runtime,
        homes,
        "what one bedroom units have you got in Rozelle under eight hundred grand?",
        "what would the cheaper one cost a month with two fifty k down at 6 percent over thirty years?",
        "and the dearer one?",
    )
    assert "with $250,000 down, a $530,000 loan" in dearer.reply, dearer.reply


async def test_a_later_call_keeps_the_terms_worked_out_on_the_last(
    mem: Memory, runtime: AgentRuntime, homes: str
) -> None:
    """ "Same deposit and rate as last time, over 25 years": the home, deposit and rate of the
    last call's repayments (a ``DISCUSSED_LOAN`` fact), only the term changed."""
    phone = "0438 917 512"

    async def call_once(said: str, days: int) -> tuple[TurnResult, str]:
        at = NOW + timedelta(days=days)
        call = await runtime.open_call(
            homes, f"call-{uuid.uuid4().hex[:8]}", now=at, name="Hora Tio", phone=phone, phone_verified=True
        )
        return await runtime.turn(call, said, "Triage"), call.caller_id or ""

    first, _ = await call_once(
        "repayments on 65 Ocean Street Leichhardt with 25 percent down at 6 percent over 30 years?", 0
    )
    assert "65 Ocean St" in first.reply and "6% over 30 years" in first.reply, first.reply
    again, caller = await call_once(
        "same deposit and rate as last time, what would it be over twenty five years?", 2
    )
    assert again.reply.startswith(first.reply.split(", a $")[0]), "the same home and deposit"
    assert "6% over 25 years" in again.reply, again.reply
    [worked_out] = [t for t in again.tool_calls if t["tool"] == "mortgage_repayment"]
    assert worked_out["from_memory"] == ["price", "rate_percent", "deposit"], worked_out
    [fact] = [f for f in await mem.facts(homes, caller) if f.name == "DISCUSSED_LOAN"]
    assert '"years": 25' in str(fact.value), "the latest terms are the ones on file"


async def test_the_figure_worked_out_on_a_last_call_is_said_again(runtime: AgentRuntime, homes: str) -> None:
    """ "What was the monthly figure you worked out?" is in what we know of them (the terms kept
    as ``DISCUSSED_LOAN``), and "the Maroubra place" is the home it was worked out on."""
    phone = f"0438{uuid.uuid4().int % 10**6:06d}"

    async def call_once(said: str, days: int) -> TurnResult:
        at = NOW + timedelta(days=days)
        call = await runtime.open_call(
            homes, f"call-{uuid.uuid4().hex[:8]}", now=at, name="Des Mond", phone=phone, phone_verified=True
        )
        return await runtime.turn(call, said, "Triage")

    await call_once(
        "repayments on 29 Glenayr Avenue Maroubra, 10 per cent deposit, six point four, 30 years?", 0
    )
    figure = a_month(2_040_000 * 0.9, 6.4, 30)
    again = await call_once("you worked out a monthly figure for me last time, what was it again?", 1)
    assert figure in again.reply and "29 Glenayr Ave" in again.reply, again.reply
    higher = await call_once(
        "you did the repayments on the Maroubra place for me. If rates went up to 6.9, same deposit?", 2
    )
    assert higher.reply.startswith("On 29 Glenayr Ave at $2,040,000 with $204,000 down"), higher.reply
    assert a_month(2_040_000 * 0.9, 6.9, 30) in higher.reply


async def test_a_possible_match_is_checked_before_the_figure_worked_out_for_them(
    runtime: AgentRuntime, homes: str
) -> None:
    phone = f"0438{uuid.uuid4().int % 10**6:06d}"
    first = await runtime.open_call(
        homes,
        f"call-{uuid.uuid4().hex[:8]}",
        now=NOW,
        name="Percival Quaintance",
        phone=phone,
        phone_verified=True,
    )
    await runtime.turn(first, "repayments on 13 Victoria Road Newtown, 20% down, 6.2%, 30 years?", "Triage")
    chat = await runtime.open_call(homes, f"call-{uuid.uuid4().hex[:8]}", now=NOW, name="Percival Quaintance")
    asked = await runtime.turn(
        chat, "hi, wat was the monthly repayment u worked out for me on the newtown house?", "Triage"
    )
    assert "last three or four digits" in asked.reply and "a month" not in asked.reply, asked.reply
    checked = await runtime.turn(chat, f"it ends in {phone[-4:]}", "Triage")
    assert checked.reply.startswith("Thanks, Percival, that matches"), checked.reply
    assert a_month(1_840_000 * 0.8, 6.2, 30) in checked.reply, checked.reply


async def test_a_booking_and_its_repayments_said_with_an_aside_between(
    runtime: AgentRuntime, homes: str
) -> None:
    [both] = await talk(
        runtime,
        homes,
        "could I book in to see 140 Carrington Road, Newtown, on Saturday at ten, and while I've got you,"
        " what would the repayments be on it with twenty per cent down at 6.3 over thirty years?",
    )
    assert "You're booked to view 140 Carrington Rd" in both.reply, both.reply
    assert a_month(2_420_000 * 0.8, 6.3, 30) in both.reply, both.reply


async def test_a_deposit_put_right_and_a_term_changed_keep_the_rest(
    runtime: AgentRuntime, homes: str
) -> None:
    first, shorter = await talk(
        runtime,
        homes,
        "What would I be paying a month on twelve Queen Street, Randwick, if I put down four hundred grand,"
        " no sorry, four fifty, at six point oh five percent over thirty years?",
        "Righto. And over twenty years?",
    )
    assert "with $450,000 down" in first.reply and a_month(1_500_000, 6.05, 30) in first.reply, first.reply
    assert a_month(1_500_000, 6.05, 20) in shorter.reply, shorter.reply


async def test_a_rate_moved_and_a_deposit_gathered_keep_the_rest(runtime: AgentRuntime, homes: str) -> None:
    first, higher, gathered = await talk(
        runtime,
        homes,
        "whats the monthly on 48 darling st chatswood if i put a quarter down, 5.99% over 30yrs?",
        "And if rates go up half a percent?",
        "hmm what if i can get 350k togther for the deposit",
    )
    assert "with $345,000 down" in first.reply and a_month(1_035_000, 5.99, 30) in first.reply, first.reply
    assert a_month(1_035_000, 6.49, 30) in higher.reply, higher.reply
    assert "with $350,000 down" in gathered.reply and a_month(1_030_000, 6.49, 30) in gathered.reply


async def test_a_figure_said_alone_changes_only_that_term(runtime: AgentRuntime, homes: str) -> None:
    """ "At seven flat?" after repayments is the same loan at 7%, whatever else it looks like; a
    house number and a rate said without its unit are never the price."""
    first, flat = await talk(
        runtime,
        homes,
        "I ask about 106 King Street, Glebe. If I give deposit three hundred thousand dollar, the bank said"
        " about six point three, thirty year loan, how much I must pay every month?",
        "At seven flat?",
    )
    assert "106 King St at $1,580,000" in first.reply, first.reply
    assert a_month(1_280_000, 6.3, 30) in first.reply, first.reply
    assert a_month(1_280_000, 7, 30) in flat.reply, flat.reply


async def test_weekly_a_term_put_right_and_an_income_as_callers_ask(
    runtime: AgentRuntime, homes: str
) -> None:
    """Session 22 (new-user check): "what about weekly?" is the same loan a week (and stays
    weekly); "Is that over 30 years? Make it 25." is 25; "can we afford it on a combined income
    of 180k?" says the share of that income, and 180k is no price."""
    monthly, weekly, term, income = await talk(
        runtime,
        homes,
        "Hi, I'm looking at 132 Ocean Street in Bondi. What would the repayments be with a 250k deposit?",
        "What about weekly?",
        "Is that over 30 years? Make it 25.",
        "Can we afford it on a combined income of 180k?",
    )
    assert a_month(1_000_000, 6.2, 30) in monthly.reply, monthly.reply
    assert f"about ${repayment(1_000_000, 6.2, 30, 52):,.0f} a week" in weekly.reply, weekly.reply
    assert f"about ${repayment(1_000_000, 6.2, 25, 52):,.0f} a week" in term.reply, term.reply
    share = repayment(1_000_000, 6.2, 25) * 12 / 180_000
    assert "132 Ocean St at $1,250,000" in income.reply and f"{share:.0%} of a $180,000" in income.reply, (
        income.reply
    )


async def test_a_rent_is_no_frequency_and_a_bare_rate_and_more_down_are_follow_ups(
    runtime: AgentRuntime, homes: str
) -> None:
    """Session 23 (d17): "it'd lease for seven-fifty a week" leaves the repayments monthly; "what's
    it at five point nine?" is the rate; "put down a bit more, say two-fifty" is the deposit."""
    first, rate, more = await talk(
        runtime,
        homes,
        "90 King Street, Leichhardt would lease for around seven-fifty a week. What are the repayments"
        " with 200 grand down at six point two over thirty years?",
        "Bloke at work reckons I'd get five point nine if I shop around. What's it at five point nine?",
        "And if I put down a bit more, say two-fifty instead of two hundred? Still five point nine.",
    )
    assert a_month(720_000, 6.2, 30) in first.reply, first.reply
    assert a_month(720_000, 5.9, 30) in rate.reply, rate.reply
    assert a_month(670_000, 5.9, 30) in more.reply, more.reply


async def test_a_companion_named_earlier_takes_the_phone_as_the_same_caller(
    runtime: AgentRuntime, homes: str
) -> None:
    """ "My wife Bev's on the speaker too" then "Hello, it's Bev. … over twenty years instead?":
    one party taking turns, so the follow-up is answered, not a new caller greeted."""
    first, bev = await talk(
        runtime,
        homes,
        "Mo here, and my wife Bev's on the speaker too. If we borrowed four hundred thousand at six"
        " point four percent over fifteen years, what would that be a month?",
        "Hello, it's Bev. Mo's gone a bit deaf in that ear so I'll take over. Could you work that out"
        " over twenty years instead?",
    )
    assert a_month(400_000, 6.4, 15) in first.reply, first.reply
    assert a_month(400_000, 6.4, 20) in bev.reply and "Sorry about that" not in bev.reply, bev.reply


async def test_the_cheaper_one_said_without_the_and_a_share_put_right(
    runtime: AgentRuntime, homes: str
) -> None:
    """Session 25 (d19): "Cheaper one." opens the sentence; "ten percent down, no, fifteen"."""
    search, cheaper = await talk(
        runtime,
        homes,
        "2 bedroom apartments in glebe under a million",
        "Cheaper one. Ten percent down, no, fifteen, at six point one, thirty years.",
    )
    assert "140 Edward St" in search.reply, search.reply
    assert cheaper.reply.startswith("On 140 Edward St at $840,000 with $126,000 down"), cheaper.reply
    assert a_month(714_000, 6.1, 30) in cheaper.reply, cheaper.reply


async def test_how_often_said_alone_and_a_figure_under_a_thousand(runtime: AgentRuntime, homes: str) -> None:
    """Session 25 (d20): "fortnightly?" is the last repayment again; "$927 a week" is said, not
    held back as a figure no tool gave (only amounts of $1,000 or more were grounded)."""
    _, fortnightly, weekly = await talk(
        runtime,
        homes,
        "if I borrowed 550k at 6.25% over 20 years, what's the monthly?",
        "fortnightly?",
        "and weekly?",
    )
    assert fortnightly.reply.startswith("A $550,000 loan at 6.25% over 20 years is about $"), (
        fortnightly.reply
    )
    assert fortnightly.reply.endswith(f"{repayment(550_000, 6.25, 20, 26):,.0f} a fortnight."), (
        fortnightly.reply
    )
    assert weekly.reply.endswith(f"about ${repayment(550_000, 6.25, 20, 52):,.0f} a week."), weekly.reply
    assert repayment(550_000, 6.25, 20, 52) < 1000 and not weekly.errors, weekly.errors


async def test_a_number_alone_after_repayments_is_asked_about_then_worked_out(
    runtime: AgentRuntime, homes: str
) -> None:
    """Session 25 (d19): "Twenty-five." after 20% down over 30 years is a deposit or a term;
    d19's writer meant the term, the first reader of it the deposit: asked, not guessed."""
    _, alone, years, percent = await talk(
        runtime,
        homes,
        "repayments on 1 million, 20% down, 6% over 30 years?",
        "Twenty-five.",
        "the years",
        "and thirty percent down?",
    )
    assert alone.reply == "Do you mean 25% down or over 25 years?" and not alone.tool_calls, alone.reply
    assert a_month(800_000, 6, 25) in years.reply, years.reply
    assert a_month(700_000, 6, 25) in percent.reply, percent.reply


async def test_weekly_asked_beside_a_budget_app_is_the_repayment_weekly(
    runtime: AgentRuntime, homes: str
) -> None:
    _, weekly = await talk(
        runtime,
        homes,
        "if I borrowed 800k at 6% over 30 years, what's the monthly?",
        "And weekly? He's got one of those budget apps that does it by the week.",
    )
    assert weekly.reply.endswith(f"about ${repayment(800_000, 6, 30, 52):,.0f} a week."), weekly.reply


async def test_one_of_two_homes_named_is_the_one_pointed_at_again(runtime: AgentRuntime, homes: str) -> None:
    """Session 25 (d22): "32 Bay St and 124 Station St … the Bay St one" is Bay St (not the longer
    street name), and "now the Station St one, same numbers" the other of the two named."""
    bay, station = await talk(
        runtime,
        homes,
        "LOOKING AT 2 PLACES IN NEWTOWN, 32 BAY ST AND 124 STATION ST. WHAT ARE THE MONTHLY REPAYMENTS ON"
        " THE BAY ST ONE WITH 10% DEPOSIT AT 6.29% OVER 30 YEARS",
        "OK NOW THE STATION ST ONE. SAME NUMBERS",
    )
    assert bay.reply.startswith("On 32 Bay St at $1,880,000 with $188,000 down"), bay.reply
    assert station.reply.startswith("On 124 Station St at $2,270,000 with $227,000 down"), station.reply
