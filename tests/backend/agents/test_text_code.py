"""A one-time code texted to the number on file: the step-up check for a possible match with
nothing else on file to ask for (a chat caller who typed their number, which proves nothing).
Over real HTTP on the embedded stack; the texts go to a local server speaking Twilio's
Messages API (``backend.evals.phones``)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from backend import texts, vault
from backend.agents.tools import identity
from backend.config import Settings
from backend.evals import phones
from backend.store import Database, telephony, tenants
from backend.verticals.real_estate.demo import seed_demo
from memory import Memory
from memory.phones import to_e164
from tests.conftest import a_phone, say, serving, start_call

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def texted() -> Iterator[phones.Phones]:
    with phones.ringing() as ringing:
        yield ringing


@pytest.fixture(scope="module")
def api_url(stack: Settings, texted: phones.Phones) -> Iterator[str]:
    from backend.api.main import create_app

    settings = stack.model_copy(update={"twilio_api_url": texted.url})
    with serving(create_app(settings, replay_every_s=None)) as url:
        yield url


async def _tenant(
    url: str, db: Database, mem: Memory, stack: Settings, token: str | None
) -> AsyncIterator[httpx.AsyncClient]:
    tenant, key = await tenants.create(db, f"texts-{uuid.uuid4().hex[:6]}")
    if token is not None:
        number = f"+612{uuid.uuid4().int % 10**8:08d}"
        await telephony.set_line(db, tenant.tenant_id, [number], vault.seal(stack, token), phones.ACCOUNT)
    await seed_demo(mem, tenant.group_id)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as c:
        yield c


@pytest.fixture
async def texting(
    api_url: str, db: Database, mem: Memory, stack: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """A tenant with a Twilio account and number."""
    async for client in _tenant(api_url, db, mem, stack, phones.TOKEN):
        yield client


@pytest.fixture
async def misconfigured(
    api_url: str, db: Database, mem: Memory, stack: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """A tenant whose Twilio auth token Twilio refuses."""
    async for client in _tenant(api_url, db, mem, stack, "not-the-token"):
        yield client


async def _rang_and_typed(client: httpx.AsyncClient) -> tuple[str, str, str]:
    """A caller known by the number she rang from (nothing else on file but a budget), then a
    chat in which she types that number: (her caller id, her number, the chat's call id)."""
    phone = a_phone()
    rang = await start_call(client, channel="voice", name="Tamsin Okafor-Reyes", **{"from": phone})
    await say(client, rang["call_id"], "I'm after a two bedroom place in Bondi, up to 1.3 million")
    await client.post(f"/v1/calls/{rang['call_id']}/end")
    chat = await start_call(client, **{"from": phone})
    assert chat["caller"]["possible_match"] and chat["caller"]["id"] != rang["caller"]["id"]
    return rang["caller"]["id"], phone, chat["call_id"]


async def test_a_typed_number_with_nothing_else_on_file_is_checked_by_a_texted_code(
    texting: httpx.AsyncClient, texted: phones.Phones
) -> None:
    her, phone, call_id = await _rang_and_typed(texting)
    asked = await say(texting, call_id, "what budget did I give you?")
    assert asked["reply"].endswith(identity.TEXTED) and "1,300,000" not in asked["reply"], asked
    code = texted.code(to_e164(phone, "AU"))
    assert code is not None and len(code) == identity.CODE_DIGITS
    assert texted.inbox[to_e164(phone, "AU")][0].startswith("texts-"), "the text names the agency"

    wrong = f"{(int(code) + 1) % 10**6:06d}"
    failed = await say(texting, call_id, f"it says {wrong}")
    assert "doesn't match" in failed["reply"] and identity.CODE_AGAIN in failed["reply"], failed
    assert len(texted.inbox[to_e164(phone, "AU")]) == 1, "while it is valid, the code is asked for again"

    passed = await say(texting, call_id, f"ok it's {code[:3]} {code[3:]}")
    assert "matches what we have on file" in passed["reply"], passed
    assert "$1,300,000" in passed["reply"], "the question the check stood in front of is answered"
    record = (await texting.get(f"/v1/calls/{call_id}")).json()
    assert record["caller_id"] == her, "the call is hers now"


async def test_a_text_that_cannot_be_sent_is_said_and_unlocks_nothing(
    misconfigured: httpx.AsyncClient, texted: phones.Phones
) -> None:
    _, phone, call_id = await _rang_and_typed(misconfigured)
    asked = await say(misconfigured, call_id, "what budget did I give you?")
    assert asked["reply"] == identity.NOT_TEXTED, asked
    assert not texted.inbox.get(to_e164(phone, "AU")), "Twilio refused it"
    guess = await say(misconfigured, call_id, "it's 123456")
    assert "1,300,000" not in guess["reply"], guess


async def test_a_tenant_that_cannot_text_says_it_cannot_check(
    api_url: str, db: Database, mem: Memory, stack: Settings
) -> None:
    async for client in _tenant(api_url, db, mem, stack, None):
        _, _, call_id = await _rang_and_typed(client)
        asked = await say(client, call_id, "what budget did I give you?")
        assert asked["reply"].endswith(identity.CANNOT) or identity.CANNOT in asked["reply"], asked


async def test_one_number_is_texted_a_few_times_an_hour_at_most(
    texting: httpx.AsyncClient, texted: phones.Phones
) -> None:
    """Anyone can type a number into a chat: each call's check texts it once, and the tenant
    texts it ``PER_HOUR`` times an hour at most."""
    _, phone, call_id = await _rang_and_typed(texting)
    replies = [(await say(texting, call_id, "what budget did I give you?"))["reply"]]
    for _ in range(texts.PER_HOUR):
        chat = await start_call(texting, **{"from": phone})
        replies.append((await say(texting, chat["call_id"], "what budget did I give you?"))["reply"])
    assert [r.endswith(identity.TEXTED) for r in replies] == [True] * texts.PER_HOUR + [False]
    assert replies[-1] == identity.NOT_TEXTED
    assert len(texted.inbox[to_e164(phone, "AU")]) == texts.PER_HOUR


async def test_the_digits_of_the_number_typed_are_no_try_and_no_mismatch(
    api_url: str, db: Database, mem: Memory, stack: Settings
) -> None:
    """A tenant that cannot text, a chat caller who typed the only number on file: its digits
    neither match nor fail, and the reply says nothing can be checked (no "doesn't match")."""
    async for client in _tenant(api_url, db, mem, stack, None):
        _, phone, call_id = await _rang_and_typed(client)
        await say(client, call_id, "what budget did I give you?")
        tried = await say(client, call_id, f"it ends in {phone[-3:]}")
        assert tried["reply"] == identity.CANNOT, tried


async def test_the_digits_of_the_number_typed_are_answered_with_the_code_alone(
    texting: httpx.AsyncClient, texted: phones.Phones
) -> None:
    """Session 23 (d18): a tenant that can text, the digits of the typed number said: the code is
    texted and asked for, with no "I can't check it's you with that" before it."""
    _, phone, call_id = await _rang_and_typed(texting)
    tried = await say(texting, call_id, f"it ends in {phone[-3:]}")
    assert tried["reply"] == identity.TEXTED and texted.code(to_e164(phone, "AU")), tried


async def test_a_need_said_with_the_typed_number_is_answered_once_the_code_passes(
    texting: httpx.AsyncClient, texted: phones.Phones
) -> None:
    """Session 24 (d18): "This is Dulcie … I have lost the time I was given. My mobile number is
    …": the number leads to a texted code, and the lost time is said once the code is given."""
    phone = a_phone()
    rang = await start_call(texting, channel="voice", name="Dulcie Fairbrother", **{"from": phone})
    booked = await say(
        texting, rang["call_id"], "Can I book a viewing of 132 Ocean St, Bondi on Saturday at 11am?"
    )
    assert "11:00 AM" in booked["reply"], booked
    await texting.post(f"/v1/calls/{rang['call_id']}/end")
    chat = await start_call(texting)
    asked = await say(
        texting,
        chat["call_id"],
        "Hello. This is Dulcie Fairbrother. I booked to see a flat on the telephone and I have lost the"
        f" time I was given. My mobile number is {phone}.",
    )
    assert asked["reply"].endswith(identity.TEXTED) and "11:00" not in asked["reply"], asked
    code = texted.code(to_e164(phone, "AU"))
    passed = await say(texting, chat["call_id"], f"It says {code}")
    assert "matches what we have on file" in passed["reply"] and "Saturday" in passed["reply"], passed
    assert "11:00 AM" in passed["reply"], passed
