"""The retention rules of security's own records: invitations and closed subject access requests."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from security.dataprotection import cleanup
from security.dataprotection.models import SarStatus, SubjectAccessRequest
from security.models import Invitation, Office
from security.personal_data import Retention, RetentionRule, register_retention_rule

CLOSED = (SarStatus.ANSWERED, SarStatus.WITHDRAWN)


def invitations_due(office: Office, cutoff: dt.datetime, overrides: dict) -> QuerySet[Invitation]:
    return Invitation.objects.for_office(office).filter(created_at__lt=cutoff).order_by("created_at", "pk")


def invitations_delete(office: Office, rows: QuerySet[Invitation]) -> int:
    return rows.delete()[0]


def sars_due(office: Office, cutoff: dt.datetime, overrides: dict) -> QuerySet[SubjectAccessRequest]:
    return (
        SubjectAccessRequest.objects.for_office(office)
        .filter(status__in=CLOSED)
        .annotate(closed=Coalesce("answered_at", "created_at"))
        .filter(closed__lt=cutoff)
        .order_by("closed", "pk")
    )


def sars_delete(office: Office, rows: QuerySet[SubjectAccessRequest]) -> int:
    ids = list(rows.values_list("pk", flat=True))
    files = SubjectAccessRequest.objects.for_office(office).filter(pk__in=ids).exclude(export_file="")
    for name in files.values_list("export_file", flat=True):
        cleanup.cleanup_schedule(office=office, kind=cleanup.STORAGE_DELETE, payload={"name": name})
    SubjectAccessRequest.objects.for_office(office).filter(pk__in=ids).delete()
    return len(ids)


def register() -> None:
    register_retention_rule(
        RetentionRule(
            key="security.invitations",
            category=Retention.STAFF,
            label="Staff invitations, from when they were sent: deleted",
            action="delete",
            due=invitations_due,
            apply=invitations_delete,
            total=lambda office: Invitation.objects.for_office(office).count(),
            describe=lambda row: f"Invitation sent {row.created_at:%-d %b %Y}",
        )
    )
    register_retention_rule(
        RetentionRule(
            key="security.subject_access_requests",
            category=Retention.DATA_PROTECTION,
            label="Answered or withdrawn subject access requests, with their exports: deleted",
            action="delete",
            due=sars_due,
            apply=sars_delete,
            total=lambda office: SubjectAccessRequest.objects.for_office(office).count(),
            describe=lambda row: f"Request {row.pk}, received {row.received_on:%-d %b %Y}",
        )
    )
