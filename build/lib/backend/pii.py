"""Finding and redacting caller contact details (phone numbers, emails) in text."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def phones(text: str, region: str = "AU") -> list[str]:
    """Phone numbers in ``text`` as E.164 (phonenumbers' matcher, not a digit regex)."""
    return [
        phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
        for m in phonenumbers.PhoneNumberMatcher(text, region)
    ]


def emails(text: str) -> list[str]:
    return [e.lower() for e in _EMAIL.findall(text)]


def redact(value: Any, region: str = "AU") -> Any:
    """The same value with phone numbers and emails replaced, recursively."""
    if isinstance(value, str):
        text = _EMAIL.sub("[email]", value)
        for match in reversed(list(phonenumbers.PhoneNumberMatcher(text, region))):
            text = text[: match.start] + "[phone]" + text[match.end :]
        return text
    if isinstance(value, dict):
        return {k: redact(v, region) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, region) for v in value]
    return value
