"""Casework's retention rules (registered from ``CaseworkConfig.ready()``).

Closed cases are anonymised once the office's casework period has passed since they closed; a
manager may set a different period per tag category (a case takes the longest period among
its tags' categories that have one, else the office's). People with nothing left to keep —
no case that is not anonymised, and nothing recorded about them within the period — are erased.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet

from casework.models import Case, CaseStatus, TagCategory, TaggedCase
from constituents.models import Constituent
from security.dataprotection import collect, erasure
from security.dataprotection.models import ErasureReason
from security.models import Office
from security.personal_data import (
    Retention,
    RetentionOverrideSource,
    RetentionRule,
    register_retention_override_source,
    register_retention_rule,
)

TAG_CATEGORY = "casework.tag_category"
# The date that says when a row about a person was last written, in the order tried.
ACTIVITY_DATES = ("received_at", "updated_at", "opened_at", "created_at")


def _tagged_with(category_ids: list[int]) -> Exists:
    return Exists(TaggedCase.objects.filter(content_object=OuterRef("pk"), tag__category_id__in=category_ids))


def closed_cases_due(office: Office, cutoff: dt.datetime, overrides: dict[str, dt.datetime]) -> QuerySet[Case]:
    closed = Case.objects.for_office(office).filter(
        status=CaseStatus.CLOSED, anonymised_at=None, closed_at__isnull=False
    )
    if not overrides:
        return closed.filter(closed_at__lt=cutoff).order_by("closed_at", "pk")
    overridden = _tagged_with([int(key) for key in overrides])
    still_kept = Q()
    for key, category_cutoff in overrides.items():
        still_kept |= Q(_tagged_with([int(key)])) & Q(closed_at__gte=category_cutoff)
    due = (~Q(overridden) & Q(closed_at__lt=cutoff)) | (Q(overridden) & ~still_kept)
    return closed.filter(due).order_by("closed_at", "pk")


def cases_anonymise(office: Office, rows: QuerySet[Case]) -> int:
    ids = list(rows.values_list("pk", flat=True))
    erasure.erase_found(office, collect.rows_for_cases(office, ids))
    return len(ids)


def _recent_activity(cutoff: dt.datetime) -> Q:
    """Anything recorded about the person since ``cutoff``, in any app (relation metadata)."""
    recent = Q()
    for relation in Constituent._meta.related_objects:
        if not relation.one_to_many or not isinstance(relation.field, models.ForeignKey):
            continue
        names = {f.name for f in relation.related_model._meta.concrete_fields}
        date = next((name for name in ACTIVITY_DATES if name in names), None)
        if date is not None:
            rows = relation.related_model._base_manager.filter(
                **{relation.field.name: OuterRef("pk"), f"{date}__gte": cutoff}
            )
            recent |= Q(Exists(rows))
    return recent


def inactive_people_due(office: Office, cutoff: dt.datetime, overrides: dict[str, dt.datetime]) -> QuerySet:
    kept_case = Case.objects.for_office(office).filter(constituent=OuterRef("pk"), anonymised_at=None)
    return (
        Constituent.objects.for_office(office)
        .filter(erased_at=None, updated_at__lt=cutoff)
        .exclude(Exists(kept_case))
        .exclude(_recent_activity(cutoff))
        .order_by("updated_at", "pk")
    )


def people_erase(office: Office, rows: QuerySet[Constituent]) -> int:
    ids = list(rows.values_list("pk", flat=True))
    for subject_id in ids:
        erasure.subject_erase(office=office, subject_id=subject_id, actor=None, reason=ErasureReason.RETENTION)
    return len(ids)


def register() -> None:
    register_retention_override_source(
        RetentionOverrideSource(
            key=TAG_CATEGORY,
            category=Retention.CASEWORK,
            label="Tag category",
            choices=lambda office: [(str(c.pk), c.name) for c in TagCategory.objects.for_office(office)],
        )
    )
    register_retention_rule(
        RetentionRule(
            key="casework.closed_cases",
            category=Retention.CASEWORK,
            label="Closed cases, from the day they closed: anonymised with their notes, documents and mail",
            action="anonymise",
            due=closed_cases_due,
            apply=cases_anonymise,
            total=lambda office: Case.objects.for_office(office).filter(anonymised_at=None).count(),
            describe=lambda case: f"Case {case.reference}, closed {case.closed_at:%-d %b %Y}",
            overrides=TAG_CATEGORY,
        )
    )
    register_retention_rule(
        RetentionRule(
            key="casework.inactive_people",
            category=Retention.CASEWORK,
            label="People with no case left and nothing recorded in the period: erased",
            action="erase",
            due=inactive_people_due,
            apply=people_erase,
            total=lambda office: Constituent.objects.for_office(office).filter(erased_at=None).count(),
            describe=lambda person: f"Record {person.pk}, last changed {person.updated_at:%-d %b %Y}",
        )
    )
