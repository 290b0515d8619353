"""Secrets at rest (mailbox passwords and OAuth2 tokens), encrypted with Fernet.

Keys come from ``MAILBOX_ENCRYPTION_KEYS``: comma-separated Fernet keys, the first encrypts and
every one decrypts, so a key is rotated by putting the new one first, running
``manage.py rotate_mailbox_keys`` (which ``rotate``-s every column registered here with
``register_encrypted``), and only then dropping the old key.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

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
    """``token`` encrypted again with the first key (decrypted with whichever key opens it)."""
    if not token:
        return ""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptError("The stored secret cannot be decrypted with the configured keys.") from None


def is_current(token: str) -> bool:
    """True when the first key decrypts ``token`` already (or it is empty): nothing to rotate."""
    if not token:
        return True
    fernet()  # a missing or malformed key fails here, with its message
    first = Fernet(settings.MAILBOX_ENCRYPTION_KEYS[0].encode())
    try:
        first.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


# --- Which columns hold tokens --------------------------------------------------------------------
# Apps register (model, field names) from AppConfig.ready(); this module imports no app.
_ENCRYPTED: list[tuple[Any, tuple[str, ...]]] = []


def register_encrypted(model: Any, fields: tuple[str, ...]) -> None:
    if not any(known is model for known, _ in _ENCRYPTED):
        _ENCRYPTED.append((model, tuple(fields)))


def encrypted_columns() -> Iterator[tuple[Any, tuple[str, ...]]]:
    yield from _ENCRYPTED
