"""Casework's part in a handover: choosing cases (by ward or reference), and moving a case into
another office's numbering, vocabulary and staff. Registered from ``CaseworkConfig.ready()``."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from casework.models import Case, Tag, TaggedCase
from casework.services import _next_reference
from security.models import Membership, Office
from security.personal_data import CaseSelector, register_case_selector


def wards(office: Office) -> list[tuple[str, str]]:
    rows = (
        Case.objects.for_office(office)
        .exclude(ward_code="")
        .values_list("ward_code", "ward_name")
        .distinct()
        .order_by("ward_name", "ward_code")
    )
    return [(code, name or code) for code, name in rows]


def select(office: Office, ward_codes: list[str], references: list[str]) -> tuple[list[int], list[str]]:
    cases = Case.objects.for_office(office)
    chosen = set(cases.filter(ward_code__in=ward_codes).values_list("pk", flat=True)) if ward_codes else set()
    found = dict(cases.filter(reference__in=references).values_list("reference", "pk")) if references else {}
    chosen |= set(found.values())
    return sorted(chosen), [ref for ref in references if ref not in found]


def close_over(office: Office, case_ids: list[int]) -> tuple[list[int], list[int]]:
    """A person moves with every one of their cases, so the set is closed over people."""
    cases = Case.objects.for_office(office)
    people = sorted(set(cases.filter(pk__in=case_ids).values_list("constituent_id", flat=True)))
    return sorted(cases.filter(constituent_id__in=people).values_list("pk", flat=True)), people


def describe(office: Office, case_ids: list[int]) -> list[str]:
    rows = Case.objects.for_office(office).filter(pk__in=case_ids).order_by("reference")
    return [f"{case.reference} ({case.get_status_display().lower()})" for case in rows]


def case_move(case: Case, office: Office) -> None:
    """Into ``office``: its reference if free there, else the next one; its tags to the same-named
    tags of that office's vocabulary (others are dropped); the assignee only if a member there."""
    names = list(Tag.unscoped.filter(tagged_cases__content_object=case).values_list("name", flat=True))
    reference = case.reference
    # Imported cases can hold numbers the counter never gave out: take the next free one.
    while Case.objects.for_office(office).filter(reference=reference).exists():
        reference = _next_reference(office, timezone.localdate(case.opened_at).year)
    assignee_id = case.assignee_id
    if assignee_id and not Membership.objects.filter(office=office, user_id=assignee_id, is_active=True).exists():
        assignee_id = None
    Case.unscoped.filter(pk=case.pk).update(
        office=office, reference=reference, assignee_id=assignee_id, version=F("version") + 1
    )
    TaggedCase.objects.filter(content_object=case).delete()
    TaggedCase.objects.bulk_create(
        TaggedCase(content_object_id=case.pk, tag=tag) for tag in Tag.objects.for_office(office).filter(name__in=names)
    )


def register() -> None:
    register_case_selector(CaseSelector(wards=wards, select=select, close_over=close_over, describe=describe))
