"""What the registry finds for one person: each registered table's rows, and the audit entries
about them. Used by the subject access export, its review step and erasure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q

from security import personal_data
from security.models import AuditEvent, Office
from security.personal_data import PersonalData


@dataclass(frozen=True)
class Found:
    """One registered table's rows for the person, as ids fixed when they were found (an
    erasure changes rows as it goes, so it must not ask again half way)."""

    entry: PersonalData
    pks: tuple[Any, ...]

    @property
    def label(self) -> str:
        return self.entry.label

    @property
    def title(self) -> str:
        return str(self.entry.model._meta.verbose_name_plural).capitalize()

    def rows(self) -> models.QuerySet[Any]:
        return self.entry.model._base_manager.filter(pk__in=self.pks).order_by("pk")


def item_key(row: models.Model) -> str:
    """How a row is named in the reviewer's decisions: ``app.model:pk``."""
    return f"{row._meta.label_lower}:{row.pk}"


def subject_get(office: Office, subject_id: int) -> models.Model | None:
    model = personal_data.subject().model
    return model._base_manager.filter(office=office, pk=subject_id).first()


def subject_names(subject: models.Model) -> set[str]:
    """The person's own names, which are never offered for redaction from their own export."""
    names = {personal_data.subject().label(subject).split(",")[0]}
    for attr in ("full_name", "first_name", "last_name"):
        value = getattr(subject, attr, "")
        if isinstance(value, str) and value.strip():
            names.add(value.strip())
    return {name.casefold() for name in names if name}


def rows_for_subject(office: Office, subject: models.Model) -> list[Found]:
    """Every registered table's rows for ``subject`` in ``office``, in registration order."""
    found = []
    for entry in personal_data.entries():
        if entry.rows_for_constituent is None:
            continue
        pks = tuple(entry.rows_for_constituent(office, subject).order_by("pk").values_list("pk", flat=True))
        if pks:
            found.append(Found(entry=entry, pks=pks))
    return found


def rows_for_cases(office: Office, case_ids: list[int]) -> list[Found]:
    found = []
    for entry in personal_data.entries():
        if entry.rows_for_cases is None or not case_ids:
            continue
        pks = tuple(entry.rows_for_cases(office, case_ids).order_by("pk").values_list("pk", flat=True))
        if pks:
            found.append(Found(entry=entry, pks=pks))
    return found


def audit_about(office: Office, found: list[Found]) -> models.QuerySet[AuditEvent]:
    """The office's audit entries about any of these rows (ids and field names only)."""
    about = Q()
    for item in found:
        about |= Q(object_type=item.label, object_id__in=[str(pk) for pk in item.pks])
    if not found:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(about, office=office).select_related("actor").order_by("created_at", "id")
