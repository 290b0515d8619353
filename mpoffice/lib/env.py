"""Read settings from the environment, loudly.

Every helper accepts ``NAME_FILE`` in place of ``NAME`` (Docker and Kubernetes secrets), and
raises ``ImproperlyConfigured`` naming the variable when a value is missing or malformed, so a
bad deployment stops at start-up instead of misbehaving later.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_MISSING = object()


def env_raw(name: str) -> str | None:
    """The value of ``name``, or the contents of the file named by ``name_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name is not None and name in os.environ:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    if file_name is not None:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name!r} ({error.strerror}).") from None
    return os.environ.get(name)


def env_str(name: str, default: str | object = _MISSING) -> str:
    value = env_raw(name)
    if value is None:
        if default is _MISSING:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default  # type: ignore[return-value]
    return value


def env_bool(name: str, default: bool) -> bool:
    value = env_raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {value!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = env_raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
