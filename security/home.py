"""Where each role lands after sign-in, contributed by the apps that own those pages.

A role with no registered page gets the security home (staff, roles, sign-ins), which also
shows the sections apps to the right register in ``overview_sections`` (the reports app's
summary of the dashboard, for the managers and the MP).
"""

from __future__ import annotations

from mpoffice.lib.sections import SectionRegistry

_home_by_role: dict[str, str] = {}

# Sections of the overview home page, contributed by apps to the right of security.
overview_sections = SectionRegistry()


def register(*, roles: list[str], url_name: str) -> None:
    for role in roles:
        _home_by_role[role] = url_name


def url_name_for(role: str) -> str | None:
    return _home_by_role.get(role)
