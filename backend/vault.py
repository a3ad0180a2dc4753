"""Secrets a tenant gives us that we must use, not only check (a Twilio auth token: it signs
the webhooks we verify): encrypted at rest (Fernet) under the deployment's key,
``SWITCHBOARD_VAULT_KEY``, else ``DATA_DIR/vault.key`` made once. Every API process needs the
same key; losing it means entering the secrets again, nothing else."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

from backend.config import Settings
from backend.keyfiles import made_once

KEY_FILE = "vault.key"


class SealedElsewhere(ValueError):
    """A secret sealed under another key (the vault key changed): enter it again."""


def _key(settings: Settings) -> bytes:
    given = settings.vault_key.get_secret_value().encode() if settings.vault_key else None
    return given or made_once(settings.data_dir / KEY_FILE)


def _fernet(settings: Settings) -> Fernet:
    # Any key text works: Fernet wants 32 bytes, urlsafe-base64 encoded.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(_key(settings)).digest()))


def ticket(settings: Settings, *parts: str) -> str:
    """A keyed digest of ``parts``: what a media stream presents to show that our webhook
    (which checked Twilio's signature) started it."""
    return hmac.new(_key(settings), "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def valid_ticket(settings: Settings, given: str, *parts: str) -> bool:
    # As bytes: compare_digest refuses str with non-ASCII characters (a forged ticket may hold them).
    return hmac.compare_digest(given.encode(), ticket(settings, *parts).encode())


def seal(settings: Settings, secret: str) -> bytes:
    return _fernet(settings).encrypt(secret.encode())


def unseal(settings: Settings, sealed: bytes) -> str:
    try:
        return _fernet(settings).decrypt(sealed).decode()
    except InvalidToken:
        raise SealedElsewhere("a secret sealed under another vault key: set it again") from None
