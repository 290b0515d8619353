"""Secrets at rest (mailbox passwords and OAuth2 tokens), encrypted with Fernet.

Keys come from ``MAILBOX_ENCRYPTION_KEYS``: comma-separated Fernet keys, the first encrypts and
every one decrypts, so a key is rotated by putting the new one first and re-saving (or
``rotate``-ing) the rows before the old one is dropped.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class KeyMissing(ImproperlyConfigured):
    pass


class DecryptError(Exception):
    """The stored secret was encrypted with a key no longer configured."""


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.MAILBOX_ENCRYPTION_KEYS))


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise KeyMissing("MAILBOX_ENCRYPTION_KEYS is required when DEBUG is off (mailbox secrets are encrypted).")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError):
        raise KeyMissing("MAILBOX_ENCRYPTION_KEYS holds a value that is not a Fernet key.") from None


def encrypt(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptError("The stored secret cannot be decrypted with the configured keys.") from None


def rotate(token: str) -> str:
    return fernet().rotate(token.encode()).decode() if token else ""
