"""The personal-data registry: which models hold personal data and how to handle it.

Every office-owned model either registers a ``PersonalData`` entry (its personal fields, how to
find a constituent's rows, how to export, erase and move them, and its retention category) or
declares that it holds none. Apps to the right of ``security`` register from their
``AppConfig.ready()``; subject access, erasure, retention and handover iterate this registry,
so a new model cannot escape them. A test fails for an unregistered model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models


class Retention(models.TextChoices):
    CASEWORK = "casework", "Casework records (kept for the office's casework period)"
    CORRESPONDENCE = "correspondence", "Correspondence"
    CAMPAIGN = "campaign", "Campaign mail (shorter period)"
    STAFF = "staff", "Staff accounts and security records"


@dataclass(frozen=True)
class PersonalData:
    model: type[models.Model]
    fields: tuple[str, ...]
    retention: str
    # Rows of one constituent: (office, constituent) -> queryset. None for staff-only data.
    rows_for_constituent: Callable[[Any, Any], models.QuerySet[Any]] | None = None
    # Export: row -> dict of field name to printable value. Default: the personal fields.
    export: Callable[[models.Model], dict[str, Any]] | None = None
    # Erase: row -> None. Default: delete the row.
    erase: Callable[[models.Model], None] | None = None
    # Handover to another office: (row, new office) -> None. Default: set office.
    move: Callable[[models.Model, Any], None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def export_row(self, row: models.Model) -> dict[str, Any]:
        if self.export is not None:
            return self.export(row)
        return {name: getattr(row, name) for name in self.fields}


_registry: dict[type[models.Model], PersonalData] = {}
_declared_none: dict[type[models.Model], str] = {}


def register(entry: PersonalData) -> None:
    for name in entry.fields:
        entry.model._meta.get_field(name)  # a typo fails at start-up, not during an erasure
    _registry[entry.model] = entry


def declare_no_personal_data(model: type[models.Model], reason: str) -> None:
    _declared_none[model] = reason


def entries() -> Iterable[PersonalData]:
    return list(_registry.values())


def entry_for(model: type[models.Model]) -> PersonalData | None:
    return _registry.get(model)


def is_declared(model: type[models.Model]) -> bool:
    return model in _registry or model in _declared_none
