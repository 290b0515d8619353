"""Reads for security pages. Each takes the office (or the user) it reads for."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.models import ApiToken, AuditEvent, Membership, Notification, Office, User, UserSession


def staff_with_2fa_status(*, office: Office) -> QuerySet[Membership]:
    confirmed_totp = TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)
    return (
        Membership.objects.filter(office=office)
        .select_related("user")
        .annotate(has_2fa=Exists(confirmed_totp))
        .order_by("-is_active", "user__full_name")
    )


def active_sessions(*, user: User) -> QuerySet[UserSession]:
    live = Session.objects.filter(session_key=OuterRef("session_key"), expire_date__gt=timezone.now())
    return UserSession.objects.filter(user=user).filter(Exists(live))


def recent_sign_ins(*, user: User, limit: int) -> QuerySet[AuditEvent]:
    signed_in = AuditEvent.objects.filter(actor=user, verb__in=("security.otp.verified", "security.otp.enrolled"))
    return signed_in.order_by("-created_at")[:limit]


def notifications_for(*, office: Office, user: User) -> QuerySet[Notification]:
    return Notification.objects.for_office(office).filter(recipient=user)


def audit_events(*, office: Office, filters: dict[str, object]) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(office=office).select_related("actor")
    if filters.get("verb"):
        events = events.filter(verb__startswith=filters["verb"])
    if filters.get("actor_kind"):
        events = events.filter(actor_kind=filters["actor_kind"])
    if filters.get("object_type"):
        events = events.filter(object_type=filters["object_type"])
    if filters.get("object_id"):
        events = events.filter(object_id=filters["object_id"])
    if filters.get("since"):
        events = events.filter(created_at__date__gte=filters["since"])
    if filters.get("until"):
        events = events.filter(created_at__date__lte=filters["until"])
    return events.order_by("-created_at", "-id")


def api_tokens(*, office: Office) -> QuerySet[ApiToken]:
    """The office's tokens, active first, newest first."""
    return (
        ApiToken.objects.for_office(office)
        .select_related("created_by", "revoked_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-id")
    )
