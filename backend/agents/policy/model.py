"""The policy model: a deterministic ``agents.Model`` that needs no LLM.

It routes the caller's last utterance by embedding similarity among the
current agent's tools and handoffs, fills the chosen tool's arguments from its
JSON schema, and phrases tool results with the vertical's reply templates. It
is the default with no API key and the fallback when an LLM fails.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import itertools
import json
import re
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from agents import Model, ModelResponse, ModelSettings, Usage
from agents.agent_output import AgentOutputSchemaBase
from agents.handoffs import Handoff
from agents.items import TResponseInputItem, TResponseStreamEvent
from agents.models.interface import ModelTracing
from agents.testing import assistant_message, function_call
from agents.tool import Tool

from backend import pii
from backend.agents.clock import local, spoken
from backend.agents.context import CallContext, text_of
from backend.agents.handoffs import HandoffPayload, Slot
from backend.agents.policy import parse, slots
from backend.agents.policy.router import Route, Router
from backend.agents.policy.stream import stream_of
from backend.agents.tools import identity, people
from backend.agents.tools.replies import money
from backend.agents.vertical import CONTEXT_BREAK, Vertical
from backend.speech import contacts, noise
from backend.speech.misheard import heard_right
from backend.speech.numbers import words_to_number
from backend.speech.shorthand import written_out

_ids = itertools.count()
VERIFY = "verify_identity"
"""The step-up check's tool (tools/identity.py), owned by the root agent."""
UNHEARD = "Sorry, I didn't catch that. Could you say it again?"
BAD_LINE = "Sorry, the line's breaking up a bit. Could you say that again?"
_YES = re.compile(r"^\W*(yes|yeah|yep|yup|sure|please|go ahead|correct|that'?s right|do it|ok(ay)?)\b", re.I)
_NO = re.compile(
    r"^\W*(no|nope|nah|don'?t|do not|leave it|never ?mind|not really)\b"
    r"(?!\W+(worries|problem|dramas|probs)\b)",
    re.I,
)
"""A no; "no worries" is an Australian "fine", never a refusal."""
_NOTHING_ASKED = re.compile(
    r"^\W*(?:hi|hello|hey|g'?day|morning|yeah|yes|um+|uh+|er+m?|so|well|oh|ok(?:ay)?)?\W*$", re.I
)
"""A clause besides a name that asks nothing ("hi,", "um,")."""
_CRITERIA = frozenset({"suburb", "budget", "bedrooms", "when"})
"""Slots that say what a caller is after, whatever else the clause says."""
_RECOUNTED = re.compile(
    r"\b(?:i|we) (?:was|were|had|told|said|rang|called)\b"
    r"|\b(?:last time|the other (?:day|night)|earlier|before|yesterday|last week)\b",
    re.I,
)
"""A clause about an earlier call, not what they ask now."""
_WORDS = re.compile(r"[a-z]{2,}", re.I)
_CONTACTS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d ()-]{7,}\d")
"""An email or a phone number, as typed: what is left says whether anything else was asked."""
_CHECK_IN = re.compile(
    r"^\W*(hello|hi|hey|hullo)?\W*(are you|is anyone|anybody|is somebody)?\s*(still )?(there|with me)?\W*$",
    re.I,
)
"""Nothing but a greeting or "are you (still) there?"."""
_BARE_NUMBER = re.compile(
    r"^\W*(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\W*$", re.IGNORECASE
)
"""Nothing but a number."""
_THANKS = re.compile(
    r"^\W*(?:(?:actually|oh|ah|alright|all right|ok(?:ay)?)\W+)?"
    r"(?:(?:ok(?:ay)?|great|perfect|lovely|awesome|brilliant|no (?:worries|problem|dramas))\W+)?"
    r"(?:thanks?|thank you|cheers|ta)"
    r"(?: (?:so|very) much)?(?: mate)?\W*$",
    re.I,
)
_POLITE = r"(?:(?:thanks?|thank you|cheers)(?: (?:so|very) much)?\W+)?"
_DONE = (
    r"(?:(?:that'?s|that is) (?:all|it|everything)(?: for now)?|nothing else|all good|bye|goodbye"
    r"|see (?:you|ya)|have a (?:good|great|nice) (?:one|day|night|evening))"
)
_GOODBYE = re.compile(
    rf"^\W*(?:(?:ok(?:ay)?|no|nope|great|perfect|lovely)\W+)?{_POLITE}{_DONE}"
    r"\W*(?:(?:thanks?|thank you|cheers|bye|goodbye)\W*)*$",
    re.I,
)
"""A caller closing the conversation ("thanks, that's all", "bye"): a sign-off, not a request."""
_EARLIER = re.compile(r"\b(next|earlier|earliest|sooner|soonest|first)\b", re.I)
_LATER = re.compile(r"\b(later|latter|last)\b", re.I)
"""Which of the times offered: "the next one after that", "the later one"."""
_CLOSEST = re.compile(r"\b(closest|nearest|close as you can|as near as)\b", re.I)
_WRONG_NUMBER = re.compile(
    r"\bwrong (number|place|people|line)\b|\b(dialled|called|rang|rung) the wrong\b", re.I
)
"""Nothing to help with, nobody to put through: a caller who dialled the wrong number."""
_PERSON_ASKED = re.compile(
    r"\b(?:real|actual|live) (?:person|human|people)\b"
    r"|\b(?:speak|talk|chat) (?:to|with) (?:a |an )?(?:person|human|someone real|somebody real)\b",
    re.I,
)
"""A caller asking for a person outright: put through, whatever else the sentence is about
("can i chat to a real person pls, got questions about the strata")."""
_HANDED_OVER = re.compile(
    r"\b(?:here (?:she|he|they) (?:is|are)|wants? (?:a word|to (?:have a word|speak|talk))"
    r"|(?:i'?ll|let me|gonna|going to) (?:put|pass|hand) (?:you|her|him|them|the phone)"
    r"|(?:putting|passing|handing) (?:you|her|him|them|the phone) (?:over|on|to)"
    r"|(?:put|pass) (?:her|him) on)\b",
    re.I,
)
"""The caller passing the phone to someone beside them ("my wife Noelene wants a word, here she is")."""
ESCALATE = people.escalate_to_human.name
_SAME_TERMS = re.compile(
    r"\bsame (deal|numbers|terms|figures|again)\b|\bon (those|the same) (numbers|terms|figures)\b", re.I
)
"""The last question again, about another home ("the Elizabeth Street one, same deal")."""
_ELLIPSIS = re.compile(
    r"^\W*(?:(?:hmm+|um+|ok(?:ay)?|right|yeah|yep|oh|ah)\W+)*(?:and|what about|how about|ok(?:ay)?|then|so)?"
    r"\s*(?:the\s+)?"
)


def _called(tool: str, args: dict[str, Any]) -> Any:
    """The model's call of ``tool``, under an id of its own."""
    return function_call(tool, args, call_id=f"policy-{next(_ids)}")


def _besides(utterance: str, name: str, asks: Callable[[str], bool] = lambda clause: False) -> str:
    """What was said besides who is speaking: the sentences without their name; in a single
    sentence, its clauses without it ("hi it's Tam, two bedroom in Bondi", "id like to book
    10 elizabeth st saturday, my name is dominika"). Beside other sentences, a clause of the
    name's sentence is kept only when it ``asks`` for something ("it's Marisol, following up
    on the appraisal. Has that gone through?"), not when it says why they call from this
    number ("my name's Arjun, I only got this number last month")."""
    sentences = [s for s in _SENTENCE.split(utterance) if s.strip()]
    kept = []
    for sentence in sentences:
        if name.lower() not in sentence.lower():
            kept.append(sentence.strip())
            continue
        clauses = [c.strip(" ,;") for c in re.split(r"(?<=[,;])", sentence) if name.lower() not in c.lower()]
        alone = len(sentences) == 1
        kept += [c for c in clauses if c and not _NOTHING_ASKED.match(c) and (alone or asks(c))]
    return " ".join(kept).strip()


def last_utterance(items: list[Any]) -> str:
    """What the caller said last, as the readers take it: chat shorthand written out ("cd u"),
    a house number said in words as digits ("forty five Hill Street" is 45 Hill Street)."""
    for item in reversed(items):
        if isinstance(item, dict) and item.get("role") == "user":
            return parse.house_numbers(heard_right(written_out(text_of(item))))
    return ""


def tool_result(output: Any) -> dict[str, Any] | str:
    """Tool outputs arrive as text (a dict's repr, or an error message)."""
    if isinstance(output, dict):
        return output
    text = str(output)
    for loader in (json.loads, ast.literal_eval):
        try:
            value = loader(text)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, dict):
            return value
    return text.split("Error:", 1)[-1].strip() if "Error:" in text else text


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
ASIDE_WORDS = 6
"""A sentence this long or longer may be an aside (what the caller tells of themselves)."""
_NUMBER_SAID = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|fifty"
    r"|sixty|seventy|eighty|ninety|hundred|thousand|million|mil|grand|half|quarter|noon|midday)\b",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"^\W*(?:(?:hi|hey|g'?day|ok(?:ay)?|oh|ah|so|and|also|actually|two things|(?:a )?couple of things)\W+)*"
    r"(?:can|could|would|what|how|is|are|do|does|please|i'?d like|book|tell me|show me|remind me|cancel|move"
    r"|scrap|scratch)\b",
    re.I,
)
_AND = r",?\s+(?:and|n|&)(?: also)?,?\s+"
_HELLO_ONLY = re.compile(
    r"^\W*(?:(?:hi|hello|hey|hiya|g'?day|good (?:morning|afternoon|evening))(?: there| again)?"
    r"|good|great|perfect|lovely|excellent|cool|thanks|thank you|cheers|ok(?:ay)?|right|alright|sure)\W*$",
    re.I,
)
"""A greeting or an acknowledgement alone ("Good."), before the requests of a message."""
_ASIDE = r"(?:while (?:i'?ve|i have) got you|while (?:i'?m|you'?re) at it|one more thing),?\s+"
"""What a caller says before a second request ("and while I've got you, what would …")."""
_TWO_ASKS = re.compile(
    rf"(?<=[.!?])\s+|{_AND}(?:{_ASIDE})?(?=(?:can|could|would|what|how|is|are|do|does|please|remind|tell)\b)",
    re.I,
)


class PolicyModel(Model):
    """One per turn: it reads the call's state (results, suburbs, the clock)."""

    def __init__(self, vertical: Vertical, router: Router, call: CallContext) -> None:
        self.vertical = vertical
        self.router = router
        self.call = call
        self._by_instructions = {s.instructions: s for s in vertical.agents}
        self._preface = ""
        """Said before this turn's reply: the introduction's thanks when the caller asked for
        something in the same breath ("It's Kieran, on mum's phone. A 3 bed in Newtown?")."""
        self._asked = ""
        """What is being answered, when not the whole utterance: what the caller asked besides
        saying who they are, or the first of two requests."""
        self._then = ""
        """The second of two requests said in one breath, answered after the first."""
        self._then_checked = False
        """``_then`` is what the caller asked before a step-up check that has just passed."""

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff],
        tracing: ModelTracing,
        **_: Any,
    ) -> ModelResponse:
        items = [{"role": "user", "content": input}] if isinstance(input, str) else list(input)
        output = self._prefaced(self.respond(system_instructions or "", items, tools, handoffs))
        return ModelResponse(output=[output], usage=Usage(), response_id=None)

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff],
        tracing: ModelTracing,
        **kwargs: Any,
    ) -> AsyncIterator[TResponseStreamEvent]:
        items = [{"role": "user", "content": input}] if isinstance(input, str) else list(input)
        output = self._prefaced(self.respond(system_instructions or "", items, tools, handoffs))
        for event in stream_of(output):
            yield event

    def respond(self, instructions: str, items: list[Any], tools: list[Tool], handoffs: list[Handoff]) -> Any:
        spec = self._by_instructions.get(instructions.split(CONTEXT_BREAK)[0], self.vertical.root)
        last = items[-1] if items else {}
        just_handed = False
        if isinstance(last, dict) and last.get("type") == "function_call_output":
            name = next(
                (
                    i.get("name")
                    for i in items
                    if isinstance(i, dict)
                    and i.get("type") == "function_call"
                    and i.get("call_id") == last.get("call_id")
                ),
                "",
            )
            said = last_utterance(items)
            if name == identity.INTRODUCE and self._asked_more(
                last.get("output"), said, tools, handoffs, spec.name
            ):
                pass  # the rest of what they said is answered now, after the thanks
            elif not str(name).startswith("transfer_to_"):
                reply = self._reply(str(name), last.get("output"), {t.name for t in tools})
                result = tool_result(last.get("output"))
                misheard = isinstance(result, dict) and result.get("failure") == "not_understood"
                if misheard and noise.garbled(said):
                    reply = assistant_message(UNHEARD)  # half heard: asked again, not told what we do
                self._after_check(str(name), result, said)
                if (isinstance(result, dict) and "failure" in result) or not self._then_answered(reply):
                    return reply  # a failure's question is answered before anything else
            else:
                just_handed = True
        utterance = self._asked or last_utterance(items)
        if (answered := self._answer_to_confirm(utterance, tools)) is not None:
            return answered
        if (checked := self._step_up_answer(utterance, tools, handoffs, spec.name)) is not None:
            return checked
        if identity.own_number_again(self.call, utterance):
            fallback = self.vertical.root.fallback
            return assistant_message(f"Thanks, that's the number we have for you. {fallback}")
        if (other := self._introduction(utterance, tools, handoffs, spec.name)) is not None:
            return other
        if speaker := parse.introduced(utterance):  # "Marcus speaking. A three bedder in Rozelle?"
            utterance = _besides(utterance, speaker, self._asks) or utterance
        if (again := self._follow_up(utterance, tools)) is not None:
            return again
        if self.call.state.turns > 1 and _CHECK_IN.match(utterance):
            # "hello?" mid-call asks whether anyone is there, not for the last search again.
            # What the line can do, not the agent's "didn't catch that": the caller was understood.
            return assistant_message(f"Yes, I'm here. {self.vertical.root.fallback}")
        if _WRONG_NUMBER.search(utterance):
            return assistant_message("No worries at all. Goodbye!")
        if _GOODBYE.match(utterance):
            return assistant_message(f"Thanks for {self.call.thanked_for}. Goodbye!")
        if _THANKS.match(utterance):
            return assistant_message("You're welcome. Is there anything else I can help with?")
        if noise.unheard(utterance):
            return assistant_message(UNHEARD)
        if noise.bad_line(utterance) and not self.router.cued_any(utterance):
            return assistant_message(BAD_LINE)
        if _BARE_NUMBER.match(utterance) and not self.call.state.last_results:
            # "Four." with nothing asked and nothing read out: what it counts is unknown.
            return assistant_message(
                f"Sorry, I'm not sure what the {utterance.strip(' .!?').lower()} is for."
                f" {self.vertical.root.fallback}"  # what the line does, whichever agent heard it
            )
        if (again := self._figures_again(utterance, tools)) is not None:
            return again
        utterance = self._without_asides(utterance)
        if not (self._asked or self._then):
            utterance = self._first_of_two(utterance)
        candidates = {t.name for t in tools} | {h.tool_name for h in handoffs}
        if self._preface:
            candidates.discard(identity.INTRODUCE)
        if not (self.call.state.candidates or self.call.state.step_up_asked):
            candidates.discard(VERIFY)  # nobody to check: "just double checking…" asks something else
        if just_handed:
            # The agent above already chose this one: do not bounce straight back.
            candidates.discard(self.router.up(spec.name) or "")
        route = self._person_asked(utterance, candidates, spec.name) or self.router.route(
            utterance, candidates, spec.name
        )
        if route.target is None and self._names_a_home(
            utterance
        ):  # "the Victoria Road one, what time it is?"
            route = self.router.route(utterance, candidates, spec.name, on_topic=True)
        if route.target is None:
            if _HANDED_OVER.search(utterance):  # the next words are someone else's
                return assistant_message("Of course. Hello, how can I help?")
            if noise.garbled(utterance):
                return assistant_message(UNHEARD)
            if self.router.off_topic_said(utterance):  # what the line does, whichever agent heard it
                return assistant_message(
                    f"Sorry, that's not something I can help with. {self.vertical.root.fallback}"
                )
            return self._amount_again(utterance, tools) or assistant_message(spec.fallback)
        if route.target.startswith("transfer_to_"):
            return self._handoff(route.target, utterance)
        tool = next(t for t in tools if t.name == route.target)
        skill = self.vertical.skill(route.target)
        readers = self.vertical.readers_of(route.target)
        args, missing = slots.fill(getattr(tool, "params_json_schema", {}), utterance, self.call, readers)
        if (clash := self._clash(route.target, args, utterance)) is not None:
            return clash
        if missing:
            if args.get("property") in self.call.addresses:  # the answer ("Saturday at 10") is about it
                self.call.state.last_property = args["property"]
            return assistant_message(slots.ask(missing, args, self.call))
        # Asked before we knew who they were: a change is confirmed once they are checked.
        checked_first = self._then_checked and skill is not None and skill.side_effect
        if skill and skill.confirm and (checked_first or not self.router.cued(route.target, utterance)):
            self.call.state.pending = {"tool": route.target, "args": args}
            return assistant_message(skill.confirm(args))
        return _called(route.target, args)

    def _person_asked(self, utterance: str, candidates: set[str], agent: str) -> Route | None:
        """The way to a person, when one is asked for outright and not declined (the escalation
        skill's vetoes: "I don't need to speak to a person")."""
        if not _PERSON_ASKED.search(utterance) or not self.router.probabilities(utterance).get(ESCALATE):
            return None
        toward = [c for c in candidates if c == ESCALATE or ESCALATE in self.router.reach(agent, c)]
        return Route(toward[0], 1.0) if toward else None

    def _after_check(self, tool: str, result: dict[str, Any] | str, said: str) -> None:
        """What the step-up check stood in front of ("remind me of the places you found me") is
        kept, and answered as soon as the check passes, after the thanks."""
        if not isinstance(result, dict):
            return
        if result.get("failure") == "needs_verification":
            self.call.state.after_check = said
        elif tool == VERIFY and result.get("failure") == "not_verified" and self._asked:
            # "This is Dulcie. I've lost the time I was given. My mobile is …": the number led
            # to a texted code; what else she said waits for it.
            self.call.state.after_check = self._asked
        elif tool == VERIFY and result.get("checked"):
            self._then, self.call.state.after_check = self.call.state.after_check or "", None
            # "yes that's fine, my mobile is …": the change is agreed to as the check is answered
            self._then_checked = bool(self._then) and not _YES.search(said)

    def _clash(self, tool: str, args: dict[str, Any], utterance: str) -> Any:
        """Values that cannot all hold ("a 1 bedroom apartment that's also a 5 bedroom house",
        "under 800 grand but nothing cheaper than a million"): which one, asked before anything
        is noted or searched."""
        beds = [name for name in args if "bedroom" in name]
        prices = [name for name in args if name in slots.MONEY and name != "deposit"]
        if beds and (sizes := parse.sizes(utterance)):
            question = f"Sorry, did you mean {sizes[0]} bedroom{'s' * (sizes[0] != 1)} or {sizes[1]}?"
            asked = beds
        elif isinstance(args.get("when"), str) and (parts := parse.parts_clash(utterance)):
            # "sat morning at 3pm": which, before anything is booked; the answer is on that day
            with contextlib.suppress(ValueError):
                self.call.state.day_discussed = datetime.fromisoformat(args["when"]).date().isoformat()
            question = f"Sorry, did you mean the {parts[0]}, or {parts[1]}? What time would suit?"
            self.call.state.pending = {"tool": tool, "args": {**args, "when": None}, "choices": []}
            return assistant_message(question)
        elif prices and (bounds := parse.price_bounds_clash(utterance)):
            self.call.turn.grounding |= {round(x) for x in bounds}  # the caller's own, said back
            most, least = (money(x) for x in bounds)
            question = f"Sorry, under {most} and nothing under {least} can't both hold."
            question += " What's the most you'd like to spend?"
            asked = prices
        else:
            return None
        self.call.state.pending = {"tool": tool, "args": {**args, **dict.fromkeys(asked)}, "asks": asked[0]}
        return assistant_message(question)

    def _answer_to_confirm(self, utterance: str, tools: list[Tool]) -> Any:
        """The caller's answer to "shall I…?": yes runs the waiting call, no leaves things as
        they are, anything else is a new request."""
        pending, self.call.state.pending = self.call.state.pending, None
        if pending is None or pending["tool"] not in {t.name for t in tools}:
            return None
        if pending.get("choices") is not None and parse.free_asked(utterance):
            # "what else have you got that morning?": more free times asked, none taken
            return _called(pending["tool"], {**pending["args"], "when": utterance})
        when = (
            (pending.get("refused") and self._from_refused(utterance, pending["refused"]))
            or (pending.get("choices") and self._picked(utterance, pending["choices"]))
            # "Make it 17:00 then" after a refused 7 pm: the same home (or booking), at the time
            # now said.
            or (pending["tool"] in {"book_viewing", "reschedule_viewing"} and self._another_time(utterance))
        )
        if when:
            return _called(pending["tool"], {**pending["args"], "when": when})
        if pending.get("either") and (which := self._either(pending, utterance)) is not None:
            return which
        if (asked := pending.get("asks")) and (n := self._asked_value(asked, utterance)) is not None:
            return _called(pending["tool"], {**pending["args"], asked: n})  # "at least four"
        if _YES.search(utterance) and "choices" in pending:
            # A yes to offers, none picked (or none offered): which time, not a booking without one.
            offers = " or ".join(spoken(datetime.fromisoformat(c)) for c in pending["choices"])
            self.call.state.pending = pending
            return assistant_message(f"Which would suit: {offers}?" if offers else slots.QUESTIONS["when"])
        if _YES.search(utterance):
            return _called(pending["tool"], pending["args"])
        if _NO.search(utterance):
            return assistant_message("No problem, I'll leave that as it is. What else can I do for you?")
        return None

    def _asked_value(self, asked: str, utterance: str) -> Any:
        """The answer to "how many bedrooms?" ("at least four") or "what's the most?" ("a million")."""
        if asked in slots.MONEY:
            return slots.read(asked, "number", utterance, self.call)
        return parse.count(utterance)

    def _another_time(self, utterance: str) -> str | None:
        """A time said in answer to a refused booking, when nothing else (a home, a position)
        is named: the booking is tried again at it."""
        if slots.read("address", None, utterance, self.call) or parse.ordinal(utterance):
            return None
        if parse.said(utterance, local(self.call.now, self.call.tz), asked=True).clock is None:
            # "twelve then, that'll do": an hour of its own ("yes, that one": a home, no hour)
            hour = parse.count(re.sub(r"\b(that|this|the|which) one\b", " ", utterance, flags=re.I))
            if not (hour and 1 <= hour <= 12 and _YES.search(utterance)):
                return None
            utterance = f"at {hour}"
        when = slots.read("when", None, utterance, self.call)
        return when if isinstance(when, str) else None

    def _from_refused(self, utterance: str, refused: str) -> str | None:
        """A time said from the one refused: "what about Sunday, same time?" (that time, that
        day), "half an hour later then"."""
        now, at = local(self.call.now, self.call.tz), local(datetime.fromisoformat(refused), self.call.tz)
        if (by := parse.shift(utterance)) is not None:
            return (at + by).isoformat()
        try:
            moment = parse.same_time_on(utterance, at, now)
        except parse.ImpossibleDate:
            return None
        return moment.isoformat() if moment else None

    def _picked(self, utterance: str, choices: list[str]) -> str | None:
        """The time offered that the caller takes: by position ("the first one", "the next one",
        "the later one") or by time ("2 works"); a bare yes takes the only one."""
        position = parse.ordinal(utterance)
        if position and position <= len(choices):
            return choices[position - 1] if position > 0 else choices[-1]
        if _EARLIER.search(utterance):
            return choices[0]
        if _LATER.search(utterance):
            return choices[-1]
        clock = parse.said(utterance, local(self.call.now, self.call.tz), asked=True).clock
        offered = {choice: datetime.fromisoformat(choice) for choice in choices}
        for choice, at in offered.items():
            if clock == (at.hour, at.minute):
                return choice
        if clock is not None:
            return None  # "10:30 then", none offered: a time of its own, not the 10 o'clock
        said = parse.count(utterance)  # "3 works", "whichever's closest to 4": an hour, am or pm
        if said and 1 <= said <= 12:
            hours = {said % 12, said % 12 + 12}
            gap = {c: min(abs(at.hour + at.minute / 60 - h) for h in hours) for c, at in offered.items()}
            best = min(gap, key=lambda c: gap[c])
            if gap[best] == 0 or _CLOSEST.search(utterance):
                return best
        return choices[0] if len(choices) == 1 and _YES.search(utterance) else None

    def _step_up_answer(self, utterance: str, tools: list[Tool], handoffs: list[Handoff], agent: str) -> Any:
        """Digits or an email said right after the step-up question ("it ends in 019"), or said
        as an answer to it later ("it ends in 250" is no price), go to the check, whichever agent
        asked: a specialist hands back up (rung by rung) to the root, which owns it."""
        state = self.call.state
        if not (state.step_up_asked or (state.candidates and self.router.cued(VERIFY, utterance))):
            return None
        digits, email = parse.digits(utterance), parse.email(utterance)
        if not (digits or email):
            state.step_up_asked, state.after_check = False, None  # they moved on
            return None
        if any(t.name == VERIFY for t in tools):
            state.step_up_asked = False
            return _called(VERIFY, {"digits": digits, "email": email})
        return self._up(agent, handoffs, VERIFY, "The caller answered the identity check")

    def _asked_more(
        self, output: Any, utterance: str, tools: list[Tool], handoffs: list[Handoff], agent: str
    ) -> bool:
        """Whether the caller who just said who they are also asked for something the agents
        can do; if so, the introduction's thanks becomes the reply's preface."""
        result = tool_result(output)
        if not isinstance(result, dict) or "failure" in result:
            return False
        asked = _besides(utterance, str(result.get("name") or ""), self._asks)
        candidates = ({t.name for t in tools} | {h.tool_name for h in handoffs}) - {identity.INTRODUCE}
        # Someone else on the line: something concrete, not "we share the landline" (a suburb,
        # a budget, a home, a time). A caller we did not know: whatever else they asked.
        if (
            not asked
            or self.router.route(asked, candidates, agent).target is None
            or not (result.get("looked_up") or self._slots_heard(asked))
        ):
            return False
        self._preface, self._asked = identity.introduced_preface(result), asked
        return True

    def _first_of_two(self, utterance: str) -> str:
        """Two requests of different tools in one breath ("What would the monthly be on 24
        Darling St, and can I see it Saturday at 3?", "cancel thurs, n can u do 65 george st fri
        10am instead"): the first is answered now, the second
        once its tool has run, both in one reply."""
        if (homes := self._two_homes(utterance)) is not None:
            self._asked, self._then = homes
            return homes[0]
        parts = [p for p in _TWO_ASKS.split(utterance) if p and re.search(r"[a-z]{3}", p, re.I)]
        while len(parts) > 2 and _HELLO_ONLY.match(parts[0]):
            parts = parts[1:]  # "Hi there. Can you book me in …, and while I've got you, what …"
        lead = ""  # "I've been rostered on Saturday. Can you shift it …, and what …": the first's
        if len(parts) > 2 and not _REQUEST.match(parts[0]) and _REQUEST.match(parts[1]):
            lead, parts = parts[0], parts[1:]
        if len(parts) < 2:
            return utterance
        first, rest = parts[0], " ".join(parts[1:])
        if not (_REQUEST.match(first) and _REQUEST.match(rest)):
            # "Our budget is 1.6 million. How much a month is that?", "Email me them? It's kim@…": one request
            return utterance
        asked = [self.router.domain_of(first), self.router.domain_of(rest)]
        if None in asked or asked[0] == asked[1] or identity.INTRODUCE in asked:
            return utterance
        if not all(self.router.cued(str(t), part) for t, part in zip(asked, (first, rest), strict=True)):
            return utterance  # each said in so many words ("the monthly", "see it"), or it is one request
        first = f"{lead} {first}".strip()
        self._asked, self._then = first, rest
        return first

    def _two_homes(self, utterance: str) -> tuple[str, str] | None:
        """One request of two homes, each with its own time ("can I book 32 Bay Street for
        Saturday at ten, and 124 Station Street the same day at two?"): one, then the other."""
        parts = re.split(_AND, utterance, maxsplit=1, flags=re.I)
        at = [slots.address_at(p) for p in parts]
        # The second starts with its home ("..., and can I see it Saturday" is a request of its own).
        if len(parts) != 2 or at[0] is None or at[1] != 0:
            return None
        now = local(self.call.now, self.call.tz)
        try:
            if not all(parse.said(p, now, asked=True).clock for p in parts):
                return None
        except parse.ImpossibleDate:
            return None  # the booking tool says which day does not exist
        first, second = parts
        asked = first[: at[0]] + second  # "can I book" 124 Station Street …
        routed = [self.router.domain_of(p) for p in (first, asked)]
        return (first, asked) if routed[0] is not None and routed[0] == routed[1] else None

    def _then_answered(self, reply: Any) -> bool:
        """With a second request waiting, the first tool's reply becomes the preface (without
        its closing question) and the second request is routed now; False if there is none,
        or the first ended in nothing but a question the caller must answer first."""
        if not self._then or getattr(reply, "type", "") != "message" or self.call.state.pending:
            return False
        text = "".join(getattr(part, "text", "") for part in reply.content)
        sentences = _SENTENCE.split(text)
        if len(sentences) > 1 and sentences[-1].endswith("?"):
            sentences = sentences[:-1]
        elif text.endswith("?"):
            return False
        self._preface = f"{self._preface} {' '.join(sentences)}".strip()
        self._asked, self._then = self._then, ""
        return True

    def _prefaced(self, output: Any) -> Any:
        if not self._preface or getattr(output, "type", "") != "message":
            return output
        text = "".join(getattr(part, "text", "") for part in output.content)
        preface, self._preface = self._preface, ""
        return assistant_message(f"{preface} {text}")

    def _introduction(self, utterance: str, tools: list[Tool], handoffs: list[Handoff], agent: str) -> Any:
        """Someone other than the caller we took them for, or a caller we did not know, says who
        they are: the call goes on as them (a possible match is checked before anything of theirs
        is said), and what else they asked is answered after the thanks."""
        owned = any(t.name == identity.INTRODUCE for t in tools)
        name = parse.introduced(utterance)
        typed = contacts.phones(utterance, self.call.memory.region)
        said = {"phone": typed[0][2] if typed else None, "email": parse.email(utterance)}
        # A number alone is someone wanting to be found (a specialist hands it up to the root,
        # which owns the lookup); an email alone may answer "what email should we send them to?".
        alone = bool(said["phone"]) and len(_WORDS.findall(_CONTACTS.sub(" ", utterance))) <= 4
        # "hi siobhan achterberg here, mob 0438 915 317", "0438 916 406"
        if identity.unknown(self.call) or (alone and identity.new_number(self.call, said["phone"])):
            if owned and (name or alone):
                return _called(identity.INTRODUCE, {"name": name, **said})
            if alone:
                return self._up(agent, handoffs, identity.INTRODUCE, "The caller gave their number")
        if not owned or not identity.someone_else(self.call, name):
            return None
        return _called(identity.INTRODUCE, {"name": name})

    def _up(self, agent: str, handoffs: list[Handoff], intent: str, reason: str) -> Any:
        """A hand up a rung toward the root, for what only it does; not "The caller said: …":
        what identifies a caller is not for handoff reasons and traces."""
        up = self.router.up(agent)
        if up and any(h.tool_name == up for h in handoffs):
            return _called(up, HandoffPayload(intent=intent, reason=reason).model_dump())
        return None

    def _follow_up(self, utterance: str, tools: list[Tool]) -> Any:
        """ "And the second one?", "and the other one?": the last tool again, about another of
        the homes read out."""
        bare = _ELLIPSIS.sub("", utterance.lower()).strip(" ?.!,")
        last = self._last_tool(tools)
        schema = getattr(last, "params_json_schema", {}).get("properties", {})
        short = len(bare.split()) <= 4 or _SAME_TERMS.search(bare)
        if last is None or "property" not in schema or not short:
            return None
        readers = self.vertical.readers_of(last.name)
        args, missing = slots.fill(last.params_json_schema, utterance, self.call, readers)  # type: ignore[union-attr]
        # "And the dearer one?": another home read out, pointed at by the vertical's reader.
        other = args.get("property") not in (None, self.call.state.last_property)
        if missing or not (parse.ordinal(bare) or parse.other_one(bare) or other):
            return None
        return _called(last.name, args)

    def _last_tool(self, tools: list[Tool]) -> Tool | None:
        """The tool the call ran last, when this agent has it."""
        return next((t for t in tools if t.name == self.call.state.last_tool), None)

    def _figures_again(self, utterance: str, tools: list[Tool]) -> Any:
        """ "At seven flat?", "and over 25?", "fortnightly?": a few words that say only figures of
        the last tool's (its rate, its term, how often): that tool again with them, the rest as before."""
        last = self._last_tool(tools)
        if last is None or len(_WORDS.findall(utterance)) > 4:
            return None
        schema = getattr(last, "params_json_schema", {})
        args, missing = slots.fill(schema, utterance, self.call, self.vertical.readers_of(last.name))
        # "fortnightly?": a few words of the tool's choices are its figures too
        figures = [
            n for n, spec in schema.get("properties", {}).items() if slots.numeric(spec) or slots.choice(spec)
        ]
        said = {n: args[n] for n in figures if args[n]}
        if said and not missing:
            return _called(last.name, said)
        return self._which_figure(utterance, last.name)

    def _which_figure(self, utterance: str, tool: str) -> Any:
        """ "Twenty-five." after repayments: 25% down or over 25 years? Asked, not guessed."""
        skill = self.vertical.skill(tool)
        n = words_to_number(utterance.strip(" .!?,").lower()) if skill and len(skill.alone) > 1 else None
        if skill is None or n is None or n != int(n) or not 1 <= n <= 100:
            return None
        self.call.state.pending = {"tool": tool, "args": {}, "either": dict.fromkeys(skill.alone, int(n))}
        ways = [way.format(n=int(n)) for way in skill.alone.values()]
        return assistant_message(f"Do you mean {', '.join(ways[:-1])} or {ways[-1]}?")

    def _either(self, pending: dict[str, Any], utterance: str) -> Any:
        """The answer to "25% down or over 25 years?" ("percent", "the years"): the tool again
        with the number as the parameter whose reader hears it beside the answer."""
        readers = self.vertical.readers_of(pending["tool"])
        for name, n in pending["either"].items():
            reader = readers.get(name) or functools.partial(slots.read, name, None)
            if reader(f"{n} {utterance}", self.call) == n or reader(f"{utterance} {n}", self.call) == n:
                return _called(pending["tool"], {**pending["args"], name: n})
        return None

    def _amount_again(self, utterance: str, tools: list[Tool]) -> Any:
        """ "Her folks are chipping in, so make it two and a half": like nothing the agents do,
        but an amount, after a tool that takes one (a search's price): that tool again with it,
        the rest as before."""
        last = self._last_tool(tools)
        schema = getattr(last, "params_json_schema", {}).get("properties", {})
        money = [name for name in schema if name in slots.MONEY and name != "deposit"]
        if last is None or len(money) != 1 or (amount := parse.money(utterance, loose=True)) is None:
            return None
        return _called(last.name, {money[0]: amount})

    def _names_a_home(self, utterance: str) -> bool:
        """A home is pointed at (the vertical's ``pointed`` reader: "the Arden Street one"):
        whatever else it sounds like, it is about it."""
        read = self.vertical.readers.get("pointed")
        return read is not None and read(utterance, self.call) is not None

    def _handoff(self, target: str, utterance: str) -> Any:
        intent = self.router.domain_of(utterance) or target.removeprefix("transfer_to_")
        heard = self._slots_heard(utterance)
        facts = [f.uuid for f in self.call.caller.facts] if self.call.caller else []
        payload = HandoffPayload(
            intent=intent.removeprefix("transfer_to_")[:60],
            slots=heard,
            fact_ids=facts[:50],
            # Contact details are not for reasons, traces and briefs: a number said may be anyone's.
            reason=f"The caller said: {pii.redact(utterance[:400])}" if utterance else "Routing",
        )
        return _called(target, payload.model_dump())

    def _without_asides(self, utterance: str) -> str:
        """Beside a request, the sentences that only tell of the caller ("Alf's gone a bit deaf
        in that ear so I'll take over.", "I'm a chef so I've only got a minute.") are left out:
        they name no number, home or criterion, ask no tool, and route nowhere."""
        sentences = [s.strip() for s in _SENTENCE.split(utterance) if s.strip()]
        asked = [bool(_REQUEST.match(s) or s.endswith("?")) for s in sentences]
        if len(sentences) < 2 or not any(asked):
            return utterance
        kept = [s for s, request in zip(sentences, asked, strict=True) if request or not self._aside(s)]
        return " ".join(kept)

    def _aside(self, sentence: str) -> bool:
        if len(_WORDS.findall(sentence)) < ASIDE_WORDS or _NUMBER_SAID.search(sentence):
            return False  # "Yep, that one.", "it's me again.": short, and they point at something
        if _RECOUNTED.search(sentence):  # "I was on your chat the other day": an earlier call
            return False
        return not (self._asks(sentence) or self._names_a_home(sentence))

    def _asks(self, clause: str) -> bool:
        """The clause asks something of a tool (the likeliest one's cue word is in it) or says
        what they are after ("we're after a two bed flat in Leichhardt": a suburb, a size)."""
        tool = self.router.domain_of(clause)
        if tool is not None and self.router.cued(tool, clause):
            return True
        if _RECOUNTED.search(clause):  # "I was on the chat the other night about Bondi": said before
            return False
        return any(s.name in _CRITERIA for s in self._slots_heard(clause))

    def _slots_heard(self, utterance: str) -> list[Slot]:
        """What a specialist needs that the caller said: a suburb, a budget, a time…"""
        heard = []
        for name in ("suburb", "budget", "bedrooms", "property", "when"):
            own = self.vertical.readers.get(name)
            value = own(utterance, self.call) if own else slots.read(name, None, utterance, self.call)
            if value is not None:
                heard.append(Slot(name=name, value=str(value)[:200]))
        return heard

    def _reply(self, tool_name: str, output: Any, available: set[str]) -> Any:
        result = tool_result(output)
        skill = self.vertical.skill(tool_name)
        if isinstance(result, str) or skill is None:
            return assistant_message(result if isinstance(result, str) else str(result))
        if "failure" in result:  # a typed tool failure: its reply is a specific question
            return assistant_message(str(result["say"]))
        follow = skill.then(result) if skill.then else None
        if follow and follow[0] in available:
            return _called(follow[0], follow[1])
        return assistant_message(skill.reply(result))
