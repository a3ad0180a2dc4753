"""Phone numbers and emails in a line of a transcript, and whether the speaker gave them as
their own, for erasure by contact detail and for the tombstones that keep it erased.

They are read as the extractor reads them (``backend.speech.contacts``: written or spoken, "oh
four one two …", "erin dot smith at gmail dot com"); "my husband's number is …" is someone else's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from backend.speech import contacts as speech
from backend.store.tombstones import Contact

_CLAUSE_END = re.compile(r"[.!?;]")
_EMAIL = re.compile(r"[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+\.[^\s@\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Said:
    contact: Contact
    own: bool
    """Given as the speaker's own, not another person's ("my wife's email is …")."""


def phone(raw: str, region: str) -> Contact | None:
    """A phone number as E.164, or None if it is not a valid number."""
    number = speech.e164(raw, region)
    return Contact("phone", number) if number else None


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
    found = [(start, c) for start, _, address in speech.emails(text) if (c := email(address))]
    found += [(start, Contact("phone", number)) for start, _, number in speech.phones(text, region)]
    return [Said(contact, _own(text, start)) for start, contact in sorted(found, key=lambda f: f[0])]


def _own(text: str, start: int) -> bool:
    clause = _CLAUSE_END.split(text[:start])[-1]
    return not speech.OTHER_PERSON.search(clause)
