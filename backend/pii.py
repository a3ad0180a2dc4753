"""Finding and redacting caller contact details (phone numbers, emails) written in text."""

from __future__ import annotations

from typing import Any

from backend.speech.contacts import WRITTEN_EMAIL, written_phones


def phones(text: str, region: str = "AU") -> list[str]:
    """Phone numbers in ``text`` as E.164 (phonenumbers' matcher, not a digit regex)."""
    return [number for _, _, number in written_phones(text, region)]


def emails(text: str) -> list[str]:
    return [e.lower() for e in WRITTEN_EMAIL.findall(text)]


def redact(value: Any, region: str = "AU") -> Any:
    """The same value with phone numbers and emails replaced, recursively."""
    if isinstance(value, str):
        # without an "@" the regex would still try every run of word characters: most text
        text = WRITTEN_EMAIL.sub("[email]", value) if "@" in value else value
        for start, end, _ in reversed(written_phones(text, region)):
            text = text[:start] + "[phone]" + text[end:]
        return text
    if isinstance(value, dict):
        return {k: redact(v, region) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, region) for v in value]
    return value
