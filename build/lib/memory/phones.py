"""Phone numbers as E.164, the one form the graph keeps."""

from __future__ import annotations

import phonenumbers

from memory.errors import MalformedPhone


def to_e164(raw: str, region: str) -> str:
    """``0412 345 678`` with region AU → ``+61412345678``; MalformedPhone if not a number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise MalformedPhone(f"{raw!r} is not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(number):
        raise MalformedPhone(f"{raw!r} is not a valid phone number (region {region})")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
