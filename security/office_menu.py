"""The office manager's page of everything that runs the office, contributed by the apps.

Each app registers its settings and work-queue pages from ``AppConfig.ready()``; the page
shows those the member's role allows, grouped, so the main navigation stays short.
"""

from __future__ import annotations

from dataclasses import dataclass

from security.models import Membership


@dataclass(frozen=True)
class Entry:
    group: str
    title: str
    url_name: str
    perm: str
    description: str
    order: int = 50


GROUPS = ("Work queues", "Correspondence", "Casework", "Reports", "People and security", "Data protection")
_entries: dict[str, Entry] = {}


def register(*entries: Entry) -> None:
    for entry in entries:
        if entry.group not in GROUPS:
            raise ValueError(f"Unknown office menu group {entry.group!r}; use one of {GROUPS}.")
        _entries[entry.url_name] = entry


def groups_for(membership: Membership) -> list[tuple[str, list[Entry]]]:
    allowed = [entry for entry in _entries.values() if membership.allows(entry.perm)]
    grouped = [
        (group, sorted((e for e in allowed if e.group == group), key=lambda e: (e.order, e.title))) for group in GROUPS
    ]
    return [(group, entries) for group, entries in grouped if entries]


def url_names() -> set[str]:
    return set(_entries)
