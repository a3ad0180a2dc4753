"""Phone numbers and emails in a line of a transcript, and whether the speaker gave them as
their own, for erasure by contact detail and for the tombstones that keep it erased.

The extractor's patterns read them (written or spoken: "oh four one two …", "erin dot
smith at gmail dot com"); "my husband's number is …" is someone else's, as for the extractor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from backend.store.tombstones import Contact
from ingest.extract import patterns as p

_CLAUSE_END = re.compile(r"[.!?;]")
_EMAIL = re.compile(r"[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+\.[^\s@\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Said:
    contact: Contact
    own: bool
    """Given as the speaker's own, not another person's ("my wife's email is …")."""


def phone(raw: str, region: str) -> Contact | None:
    """A phone number as E.164, or None if it is not a valid number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return Contact("phone", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def email(raw: str) -> Contact | None:
    """An email in lower case, or None if it does not look like one."""
    value = raw.strip().lower()
    return Contact("email", value) if _EMAIL.fullmatch(value) else None


def national_digits(e164: str) -> str:
    """The number without its country code ("+61412345678" → "412345678"): how it ends however
    it was written ("0412 345 678", "+61 412 345 678")."""
    return str(phonenumbers.parse(e164).national_number)


def said_in(text: str, region: str) -> list[Said]:
    """Every phone number and email in ``text``, in order."""
    found: list[tuple[int, Said]] = []
    masked = text
    for start, end, address in p.emails(text):
        if contact := email(address):
            found.append((start, Said(contact, _own(text, start))))
        masked = masked[:start] + " " * (end - start) + masked[end:]
    for start, end, digits in p.spoken_digit_runs(masked):
        if contact := phone(digits, region):
            found.append((start, Said(contact, _own(text, start))))
        masked = masked[:start] + " " * (end - start) + masked[end:]
    if p.SIX_DIGITS.search(masked):
        for m in phonenumbers.PhoneNumberMatcher(masked, region):
            number = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
            found.append((m.start, Said(Contact("phone", number), _own(text, m.start))))
    return [s for _, s in sorted(found, key=lambda f: f[0])]


def _own(text: str, start: int) -> bool:
    clause = _CLAUSE_END.split(text[:start])[-1]
    return not p.OTHER_PERSON.search(clause)
