"""The security health check: reads for one office over a period. Every query names the office
(or, for django-axes' tables, which know no office, the office's staff by email address)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.dataprotection.models import (
    OPEN_SAR_STATUSES,
    Erasure,
    PendingCleanup,
    RetentionRun,
    SubjectAccessRequest,
)
from security.models import AuditEvent, Membership, Office

EXPORT_VERBS = (
    "security.sar.downloaded",
    "security.office_export.downloaded",
    "security.handover.exported",
    "security.handover.sent",
    "security.handover.received",
)


def _count(queryset: QuerySet[Any], group: str) -> Coalesce:
    return Coalesce(
        Subquery(queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def staff(*, office: Office, stale_before: dt.datetime) -> list[Membership]:
    """Every member, with their authenticator count, backup codes left and whether they are stale."""
    members = (
        Membership.objects.filter(office=office)
        .select_related("user")
        .annotate(
            authenticators=_count(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True), "user"),
            backup_codes=_count(StaticToken.objects.filter(device__user=OuterRef("user")), "device__user"),
        )
        .order_by("-is_active", "user__full_name")
    )
    rows = list(members)
    for member in rows:
        last = member.user.last_login
        member.is_stale = member.is_active and (last is None or last < stale_before)  # type: ignore[attr-defined]
    return rows


def _staff_emails(office: Office) -> QuerySet[Any]:
    return Membership.objects.filter(office=office).values("user__email")


def failed_sign_ins(*, office: Office, since: dt.datetime) -> list[AccessAttempt]:
    """Failed passwords of the office's staff (django-axes), most recent first, with lockouts."""
    attempts = (
        AccessAttempt.objects.annotate(email=Lower("username"))
        .filter(email__in=_staff_emails(office), attempt_time__gte=since)
        .order_by("-attempt_time")[:100]
    )
    rows = list(attempts)
    limit = settings.AXES_FAILURE_LIMIT
    cooloff_from = timezone.now() - settings.AXES_COOLOFF_TIME
    for row in rows:
        row.locked = row.failures_since_start >= limit  # type: ignore[attr-defined]
        row.locked_now = row.locked and row.attempt_time >= cooloff_from  # type: ignore[attr-defined]
    return rows


def failed_codes(*, office: Office, since: dt.datetime) -> QuerySet[Any]:
    """Wrong 2FA codes by the office's staff: per person, how many in the period."""
    members = Membership.objects.filter(office=office).values("user")
    return (
        AuditEvent.objects.filter(verb="security.otp.failed", actor__in=members, created_at__gte=since)
        .values("actor__full_name", "actor__email")
        .annotate(n=Count("pk"))
        .order_by("-n", "actor__full_name")
    )


@dataclass(frozen=True)
class DataProtectionActivity:
    exports: list[AuditEvent]
    erasures: list[Erasure]
    retention_runs: list[RetentionRun]
    retention_removed: int
    cleanups_failing: int
    cleanup_last_error: str
    sars_open: int
    sars_overdue: int


def activity(*, office: Office, since: dt.datetime) -> DataProtectionActivity:
    exports = list(
        AuditEvent.objects.filter(office=office, verb__in=EXPORT_VERBS, created_at__gte=since)
        .select_related("actor")
        .order_by("-created_at")[:100]
    )
    erasures = list(
        Erasure.objects.for_office(office)
        .filter(performed_at__gte=since)
        .select_related("performed_by")
        .order_by("-performed_at")[:100]
    )
    runs = list(RetentionRun.objects.for_office(office).filter(run_on__gte=since.date()).order_by("-run_on")[:100])
    failing = PendingCleanup.objects.for_office(office).exclude(last_error="").order_by("-next_attempt_at")
    sars = SubjectAccessRequest.objects.for_office(office).filter(status__in=OPEN_SAR_STATUSES)
    return DataProtectionActivity(
        exports=exports,
        erasures=erasures,
        retention_runs=runs,
        retention_removed=sum(run.total for run in runs),
        cleanups_failing=failing.count(),
        cleanup_last_error=next(iter(failing.values_list("last_error", flat=True)[:1]), ""),
        sars_open=sars.count(),
        sars_overdue=sars.filter(due_on__lt=timezone.localdate()).count(),
    )
