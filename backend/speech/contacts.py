"""Contact details in what people say or type: emails written or spelled out, digits read out,
phone numbers as E.164 (phonenumbers' matcher for written ones), and whether they are the
speaker's own or replace an old one."""

from __future__ import annotations

import re

import phonenumbers

from backend.speech.numbers import digit_runs

WRITTEN_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TLDS = "com|net|org|edu|gov|au|io|co|uk|nz|me|info|biz|id|asn|ai|app|dev"
_LOCAL_SEP = r"\s+(?:dot|underscore|dash|hyphen|period)\s+|[._-]"
_SPELLED = r"(?:[a-z0-9] ){2,}[a-z0-9]"  # "z o e"
_SPOKEN_EMAIL = re.compile(
    rf"(?<![\w.@'’])(?P<local>{_SPELLED}|[a-z0-9]+(?:(?:{_LOCAL_SEP})[a-z0-9]+)*)\s+(?:at|@)\s+"
    rf"(?P<domain>[a-z0-9-]+(?:\s+[a-z0-9-]+)?(?:(?:\s+dot\s+|\.)[a-z0-9-]+)*(?:\s+dot\s+|\.)(?:{_TLDS}))\b",
    re.IGNORECASE,
)
_AT = re.compile(r"@|\sat\s", re.IGNORECASE)
_SEPARATORS = {"dot": ".", "period": ".", "underscore": "_", "dash": "-", "hyphen": "-"}
_SPOKEN_SEPARATOR = re.compile(r"\s+(dot|period|underscore|dash|hyphen)\s+")
SIX_DIGITS = re.compile(r"(?:\d[\s().-]{0,3}){6}")
"""Six digits or more: below that the (slow) phone matcher has nothing to find."""
OTHER_PERSON = re.compile(
    r"\b(?:husband|wife|partner|son|daughter|mum|mom|mother|dad|father|brother|sister|friend|boss|agent"
    r"|lawyer|solicitor|conveyancer|broker|office|neighbour)(?:'s|s'|’s)\b",
    re.IGNORECASE,
)
"""Whose a number or email is, when it is not the speaker's: "my husband's number is …"."""
NEW_CONTACT = re.compile(
    r"\b(?:new (?:mobile|number|phone|email|e-mail|address)|changed (?:my|our) (?:number|mobile|phone|email)"
    r"|(?:number|mobile|email) (?:has|have) changed|on this number|use my|instead|from now on)\b",
    re.IGNORECASE,
)
"""A number or email given to replace the speaker's old one: "my new mobile is …", "use my …"."""


_SPELLING = re.compile(
    r",?\s*\b(?:all (?:one word|lower ?case|together)|no spaces?|one word)\b,?", re.IGNORECASE
)
"""How an address is spelt, said inside it ("ignatius dot ferreiraquinn, all one word, at …")."""


def emails(text: str) -> list[tuple[int, int, str]]:
    """(start, end, address) of written ("j.smith@bigpond.com") and spoken ("sarah dot chen at
    gmail dot com", "z o e at …") emails, lower-cased, in order."""
    if not _AT.search(text):
        return []  # most lines: no "@" and no " at "
    text = _SPELLING.sub(lambda m: " " * len(m.group(0)), text)  # blanked: the offsets stand
    found = [(m.start(), m.end(), m.group(0).lower().rstrip(".")) for m in WRITTEN_EMAIL.finditer(text)]
    for m in _SPOKEN_EMAIL.finditer(text):
        if any(s < m.end() and m.start() < e for s, e, _ in found):
            continue
        local = m["local"].lower()
        local = local.replace(" ", "") if re.fullmatch(_SPELLED, local) else local
        local = _SPOKEN_SEPARATOR.sub(lambda w: _SEPARATORS[w[1]], local)
        domain = re.sub(r"\s+dot\s+", ".", m["domain"].lower())
        found.append((m.start(), m.end(), f"{local}@{domain.replace(' ', '')}"))
    return sorted(found)


def email(text: str) -> str | None:
    """The first email said or typed ("Isabella@Example.com." → isabella@example.com)."""
    found = emails(text)
    return found[0][2] if found else None


def digits(text: str) -> str | None:
    """The digits said, of the longest run of three or more ("it ends in 019", "zero one nine",
    "4 8 2 1"); None when there is none (an email's digits do not count)."""
    best = max((run.digits for run in digit_runs(_blank(text, emails(text)))), key=len, default="")
    return best if len(best) >= 3 else None


def e164(raw: str, region: str) -> str | None:
    """``0412 345 678`` with region AU → ``+61412345678``; None if it is not a valid number.
    (``memory.phones.to_e164`` is the same rule for memory, which imports nothing of ours.)"""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def written_phones(text: str, region: str) -> list[tuple[int, int, str]]:
    """(start, end, E.164) of the phone numbers written in ``text`` (phonenumbers' matcher)."""
    if not SIX_DIGITS.search(text):
        return []  # the matcher is slow; a number has six digits or more
    return [
        (m.start, m.end, phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164))
        for m in phonenumbers.PhoneNumberMatcher(text, region)
    ]


def phones(text: str, region: str) -> list[tuple[int, int, str]]:
    """(start, end, E.164) of every phone number in ``text``, in order: read out in words ("oh
    four one two, double two …"), which the matcher cannot see, or written. Emails are skipped."""
    masked = _blank(text, emails(text))
    found = []
    for run in digit_runs(masked):
        if run.spoken and len(run.digits) >= 6:
            if number := e164(run.digits, region):
                found.append((run.start, run.end, number))
            masked = _blank(masked, [(run.start, run.end, "")])
    return sorted(found + written_phones(masked, region))


def _blank(text: str, spans: list[tuple[int, int, str]]) -> str:
    for start, end, _ in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


_WORD_OF_NAME = r"[A-Z](?:[a-z'’]+|['’](?=[A-Z]))(?:-?[A-Z][a-z'’]+|-[a-z]+)*"
"""One word of a name as written: "Philippa", "Rosenthal-Adebayo", "O'Brien", "McKenzie"."""
_NAME = rf"({_WORD_OF_NAME}(?: {_WORD_OF_NAME})?)"
_INTRODUCED = re.compile(
    rf"\b(?i:my name(?:'s|’s| is)|this is|it'?s|it’s|i'?m|i’m|i am)(?: (?i:actually|just|really))? {_NAME}"
    rf"|^\W*(?:[\w']+\W+){{0,2}}?{_NAME} (?:here|speaking)\b"
)
_RENAMED = re.compile(rf",?\s*(?i:um|uh|er|erm|sorry|i mean|or rather|actually),?\s+{_NAME}\b")
"""A name put right as it is said ("it's Billie, um, Wilhelmina", "Bill, I mean William")."""
_NOT_NAMES = frozenset(
    {"I", "Hi", "Hello", "Hey", "The", "A", "An", "Just", "Not", "So", "Sorry", "Still", "Only", "Also",
     "Calling", "Looking", "After", "Interested", "Thinking", "Here", "There", "Me", "Yes", "No", "Okay",
     "Ok", "About", "My", "Our", "Your", "Us", "Good", "Great", "Fine", "Keen", "Happy", "Sure", "From",
     "With", "In", "On", "At", "Its", "It's",
     "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Morning", "Afternoon"}
)  # fmt: skip


_TYPED_LOWER = re.compile(
    r"\bmy name(?:'s|’s| is) ([a-z][a-z'’-]+(?: [a-z][a-z'’-]+)?)"
    r"|^\W*(?:(?:hi|hey|hello|g'?day)\W+)?([a-z][a-z'’-]+(?: [a-z][a-z'’-]+)?) here\b"
    r"|^\W*(?:(?:hi|hey|hello|g'?day)\W+)?(?:it'?s|it’s|this is) ([a-z][a-z'’-]+ [a-z][a-z'’-]+)"
    r"(?=\s*[.,!;]|\s+here\b|$)"
)
"""A name typed in lower case, where no capital marks it: only the plainest ways of giving one
("my name is dominika fairweather", "hi siobhan achterberg here", "hi it's theodora quilliam.",
"hi its ignatius featherby here, …")."""


def introduced(text: str) -> str | None:
    """The name a speaker gives as their own ("my name's Arjun", "this is actually Greta, his
    wife", "Tobias Engelhardt here", "G'day, Marcus Oyelowo speaking"); names are read as
    written, capitalised."""
    found = [(m, text) for m in _INTRODUCED.finditer(text)]
    if not found and text == text.lower():
        found = [(m, _capitalised(text, m)) for m in _TYPED_LOWER.finditer(text)]
    for m, said in found:
        name = said[m.start(m.lastindex or 0) : m.end(m.lastindex or 0)]
        if (again := _RENAMED.match(said, m.end())) and again.group(1).split()[0] not in _NOT_NAMES:
            name = again.group(1)
        words = [w for w in name.split() if w not in _NOT_NAMES]
        if words and words[0] == name.split()[0]:
            return " ".join(words)
    return None


def _capitalised(text: str, m: re.Match[str]) -> str:
    start, end = m.span(m.lastindex or 0)
    return text[:start] + text[start:end].title() + text[end:]


def named_before(name: str, earlier: str) -> bool:
    """The caller named this person earlier in the call ("my wife Bev's on the speaker too",
    "Noelene and I are downsizing"): when they say who is speaking now, it is one party taking
    turns at the phone, not a new caller."""
    first = re.escape(name.split()[0]) if name.strip() else ""
    return bool(first) and re.search(rf"\b{first}\b", earlier, re.IGNORECASE) is not None
