"""Typed errors of the memory API. Each message says what was wrong and with what."""

from __future__ import annotations


class MemoryInputError(Exception):
    """Base of every error the memory API raises on bad input."""


class InvalidGroupId(MemoryInputError, ValueError):
    """A group id (tenant) that is not 1–64 letters, digits, ``-`` or ``_``."""


class InvalidEpisode(MemoryInputError, ValueError):
    """An episode that does not validate (unknown type, naive datetime, oversize text...)."""


class MalformedPhone(MemoryInputError, ValueError):
    """A phone number that phonenumbers cannot read as a valid number."""


class UnknownEntity(MemoryInputError, LookupError):
    """An episode or read refers to a caller, booking or property that does not exist."""


class EpisodeConflict(MemoryInputError, ValueError):
    """An episode id that was already recorded with different content."""
