"""Where each role lands after sign-in, contributed by the apps that own those pages.

A role with no registered page gets the security home (staff, roles, sign-ins).
"""

from __future__ import annotations

_home_by_role: dict[str, str] = {}


def register(*, roles: list[str], url_name: str) -> None:
    for role in roles:
        _home_by_role[role] = url_name


def url_name_for(role: str) -> str | None:
    return _home_by_role.get(role)
