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
    DATA_PROTECTION = "data_protection", "Data-protection requests and their exports"


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
    # Rows that belong to these cases: (office, case ids) -> queryset. For handover and retention.
    rows_for_cases: Callable[[Any, list[int]], models.QuerySet[Any]] | None = None
    # After an erasure or a move: rebuild the stored search vectors of these (remaining) rows.
    reindex: Callable[[models.QuerySet[Any]], None] | None = None
    # Names of people a row mentions, offered to the reviewer of a subject access export to redact.
    names: Callable[[models.Model], Iterable[str]] | None = None
    # A one-line description of a row for a reviewer (no more personal data than needed).
    describe: Callable[[models.Model], str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def export_row(self, row: models.Model) -> dict[str, Any]:
        if self.export is not None:
            return self.export(row)
        return {name: getattr(row, name) for name in self.fields}

    def erase_row(self, row: models.Model) -> None:
        if self.erase is not None:
            self.erase(row)
        else:
            row.delete()

    def move_row(self, row: models.Model, office: Any) -> None:
        if self.move is not None:
            self.move(row, office)
        else:
            type(row)._base_manager.filter(pk=row.pk).update(office=office)

    def describe_row(self, row: models.Model) -> str:
        return self.describe(row) if self.describe is not None else str(row)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def file_fields(self) -> list[str]:
        """The registered fields that hold a stored file: erasure deletes the file too."""
        return [name for name in self.fields if isinstance(self.model._meta.get_field(name), models.FileField)]


@dataclass(frozen=True)
class Subject:
    """The kind of person subject access and erasure are about (the constituent), registered by
    the app that owns it so ``security`` never imports it."""

    model: type[models.Model]
    # (office, text) -> matching people, for the data-protection pages' search.
    search: Callable[[Any, str], models.QuerySet[Any]]
    # row -> how staff recognise the person in a list (name and postcode).
    label: Callable[[models.Model], str]


@dataclass(frozen=True)
class CaseSelector:
    """How a handover chooses cases (registered by casework): by ward, for a boundary change, or
    by reference; and the closure that makes a handover whole (every case of every person)."""

    # office -> [(ward code, ward name)] the office's cases are in.
    wards: Callable[[Any], list[tuple[str, str]]]
    # (office, ward codes, references) -> (case ids, references not found).
    select: Callable[[Any, list[str], list[str]], tuple[list[int], list[str]]]
    # (office, case ids) -> (case ids closed over their people, the people's ids).
    close_over: Callable[[Any, list[int]], tuple[list[int], list[int]]]
    # (office, case ids) -> one line per case for the manager, e.g. "2026/0142 (open)".
    describe: Callable[[Any, list[int]], list[str]]


@dataclass(frozen=True)
class ErasurePrecondition:
    """Something to settle before a person is erased (an open case): listed for the manager to
    confirm, then resolved inside the erasure's transaction."""

    key: str
    # (office, subject) -> one line per thing to settle; empty when there is none.
    find: Callable[[Any, models.Model], list[str]]
    # (office, subject, actor) -> None.
    resolve: Callable[[Any, models.Model, Any], None]


@dataclass(frozen=True)
class RetentionRule:
    """Rows an office's retention policy removes once their category's period has passed.

    ``due(office, cutoff, overrides)`` returns the queryset of rows past ``cutoff`` (overrides:
    per-key cutoffs of the rule's override source, e.g. a tag category kept longer, where the
    latest cutoff applies); ``apply(office, rows)`` anonymises or deletes them and returns how
    many; ``total(office)`` counts every row the rule could ever touch, so a policy that would
    remove them all is noticed. Applying twice changes nothing the second time.
    """

    key: str
    category: str
    label: str
    action: str  # "anonymise" or "delete"
    due: Callable[[Any, Any, dict[str, Any]], models.QuerySet[Any]]
    apply: Callable[[Any, models.QuerySet[Any]], int]
    total: Callable[[Any], int]
    describe: Callable[[models.Model], str] = str
    # An override source's key (see ``RetentionOverrideSource``), or "".
    overrides: str = ""


@dataclass(frozen=True)
class RetentionOverrideSource:
    """Finer periods a manager may set within a category, e.g. per tag category (casework)."""

    key: str
    category: str
    label: str
    # office -> [(key, label)], the things a period may be set for.
    choices: Callable[[Any], list[tuple[str, str]]]


_registry: dict[type[models.Model], PersonalData] = {}
_declared_none: dict[type[models.Model], str] = {}
_subject: list[Subject] = []
_case_selector: list[CaseSelector] = []
_preconditions: dict[str, ErasurePrecondition] = {}
_erasure_hooks: dict[str, Callable[[Any, int], None]] = {}
_retention_rules: dict[str, RetentionRule] = {}
_override_sources: dict[str, RetentionOverrideSource] = {}


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


def register_subject(subject: Subject) -> None:
    _subject[:] = [subject]


def subject() -> Subject:
    if not _subject:
        raise LookupError("No app registered the data subject (constituents does, from its AppConfig.ready()).")
    return _subject[0]


def register_erasure_precondition(precondition: ErasurePrecondition) -> None:
    _preconditions[precondition.key] = precondition


def erasure_preconditions() -> list[ErasurePrecondition]:
    return list(_preconditions.values())


def register_erasure_hook(key: str, hook: Callable[[Any, int], None]) -> None:
    """Anything else to clean when a person is erased: ``hook(office, subject_id)``, called inside
    the erasure's transaction after the registered rows (e.g. cached reports)."""
    _erasure_hooks[key] = hook


def erasure_hooks() -> list[Callable[[Any, int], None]]:
    return list(_erasure_hooks.values())


def register_retention_rule(rule: RetentionRule) -> None:
    if rule.category not in Retention.values:
        raise ValueError(f"Unknown retention category {rule.category!r}.")
    _retention_rules[rule.key] = rule


def retention_rules() -> list[RetentionRule]:
    return list(_retention_rules.values())


def register_retention_override_source(source: RetentionOverrideSource) -> None:
    _override_sources[source.key] = source


def retention_override_sources() -> list[RetentionOverrideSource]:
    return list(_override_sources.values())


def register_case_selector(selector: CaseSelector) -> None:
    _case_selector[:] = [selector]


def case_selector() -> CaseSelector:
    if not _case_selector:
        raise LookupError("No app registered a case selector (casework does, from its AppConfig.ready()).")
    return _case_selector[0]
