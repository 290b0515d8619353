"""Writes for offices, people, 2FA, sessions and notifications. Views, commands and tasks call these."""

from __future__ import annotations

import hashlib
import secrets
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mpoffice.lib import emails
from security import office_setup
from security.audit import audit_record
from security.errors import DomainError
from security.models import (
    ApiScope,
    ApiToken,
    Heartbeat,
    Invitation,
    Membership,
    Notification,
    Office,
    User,
    UserSession,
)
from security.roles import Role

BACKUP_CODE_COUNT = 10


# --- Offices and people ------------------------------------------------------------------------
@transaction.atomic
def office_create(
    *,
    name: str,
    constituency: str,
    slug: str,
    mp_name: str,
    manager_email: str,
    manager_name: str,
    nation: str = "england-and-wales",
    letterhead_address: str = "",
) -> tuple[Office, Invitation, str]:
    """Create an office and invite its first manager. Returns the invitation's one-time token."""
    if Office.objects.filter(slug=slug).exists():
        raise DomainError(f"An office with the slug {slug!r} already exists.")
    office = Office.objects.create(
        name=name,
        constituency=constituency,
        slug=slug,
        mp_name=mp_name,
        nation=nation,
        letterhead_address=letterhead_address,
    )
    audit_record(verb="security.office.created", office=office, obj=office)
    office_setup.initialise(office)
    invitation, token = _invitation_create(office=office, email=manager_email, role=Role.MANAGER, invited_by=None)
    return office, invitation, token


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invitation_create(*, office: Office, email: str, role: str, invited_by: User | None) -> tuple[Invitation, str]:
    token = secrets.token_urlsafe(32)
    inviter = invited_by or _system_user()
    invitation = Invitation.objects.create(
        office=office,
        email=email.strip().lower(),
        role=role,
        token_hash=_hash_token(token),
        invited_by=inviter,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit_record(verb="security.invitation.created", office=office, actor=invited_by, obj=invitation, fields=["role"])
    transaction.on_commit(lambda: emails.send_invitation(to=invitation.email, office_name=office.name, token=token))
    return invitation, token


def _system_user() -> User:
    """The account recorded as inviter when the platform (a command) invites a first manager."""
    user, _ = User.objects.get_or_create(
        email="system@mpoffice.invalid", defaults={"full_name": "System", "is_active": False}
    )
    return user


@transaction.atomic
def invitation_send(*, office: Office, email: str, role: str, invited_by: User) -> tuple[Invitation, str]:
    """Invite a person by email to join ``office`` with ``role``."""
    if role not in Role.values:
        raise DomainError("Choose a role.")
    if Membership.objects.filter(office=office, user__email__iexact=email.strip(), is_active=True).exists():
        raise DomainError("That person is already a member of this office.")
    return _invitation_create(office=office, email=email, role=role, invited_by=invited_by)


def invitation_for_token(token: str) -> Invitation:
    """The usable invitation for ``token``; a clear error if it is unknown, used, revoked or expired."""
    invitation = Invitation.unscoped.select_related("office").filter(token_hash=_hash_token(token)).first()
    if invitation is None or invitation.revoked_at is not None:
        raise DomainError("This invitation link is not valid. Ask your office manager for a new one.")
    if invitation.accepted_at is not None:
        raise DomainError("This invitation has already been used. Sign in instead, or ask for a new one.")
    if invitation.expires_at <= timezone.now():
        raise DomainError("This invitation has expired. Ask your office manager to send a new one.")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, full_name: str, password: str) -> User:
    """Create (or reuse) the invitee's account and membership; the invitation is spent."""
    invitation = invitation_for_token(token)
    # Claimed atomically: two tabs submitting the same link cannot both succeed.
    claimed = Invitation.unscoped.filter(pk=invitation.pk, accepted_at__isnull=True).update(accepted_at=timezone.now())
    if not claimed:
        raise DomainError("This invitation has already been used. Sign in instead, or ask for a new one.")
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User(email=invitation.email, full_name=full_name.strip())
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.save()
        audit_record(verb="security.user.created", office=invitation.office, actor=user, obj=user)
    elif not user.check_password(password):
        raise DomainError("You already have an account: enter its current password to accept.")
    Membership.objects.update_or_create(
        user=user, office=invitation.office, defaults={"role": invitation.role, "is_active": True}
    )
    audit_record(
        verb="security.membership.created", office=invitation.office, actor=user, obj=invitation, fields=["role"]
    )
    return user


def _membership_for_change(*, office: Office, membership_id: int, actor: User) -> Membership:
    membership = Membership.objects.select_related("user").get(pk=membership_id, office=office)
    if membership.user_id == actor.pk:
        raise DomainError("You cannot change your own role or access; ask another manager.")
    return membership


def _ensure_a_manager_remains(*, office: Office, excluding: Membership) -> None:
    others = Membership.objects.filter(office=office, role=Role.MANAGER, is_active=True).exclude(pk=excluding.pk)
    if excluding.role == Role.MANAGER and not others.exists():
        raise DomainError("An office must keep at least one active office manager.")


@transaction.atomic
def membership_change_role(*, office: Office, membership_id: int, role: str, actor: User) -> Membership:
    if role not in Role.values:
        raise DomainError("Choose a role.")
    membership = _membership_for_change(office=office, membership_id=membership_id, actor=actor)
    if role != Role.MANAGER:
        _ensure_a_manager_remains(office=office, excluding=membership)
    membership.role = role
    if role == Role.VOLUNTEER:
        membership.approves_for_mp = False
    membership.save(update_fields=["role", "approves_for_mp", "updated_at"])
    audit_record(verb="security.membership.role_changed", office=office, actor=actor, obj=membership, fields=["role"])
    return membership


@transaction.atomic
def membership_deactivate(*, office: Office, membership_id: int, actor: User) -> Membership:
    """End a person's access to this office now, including their open sessions."""
    membership = _membership_for_change(office=office, membership_id=membership_id, actor=actor)
    _ensure_a_manager_remains(office=office, excluding=membership)
    membership.is_active = False
    membership.approves_for_mp = False
    membership.save(update_fields=["is_active", "approves_for_mp", "updated_at"])
    audit_record(
        verb="security.membership.deactivated", office=office, actor=actor, obj=membership, fields=["is_active"]
    )
    if not membership.user.active_memberships().exists():
        sessions_end_all(user=membership.user, actor=actor, office=office)
    return membership


@transaction.atomic
def membership_set_mp_approver(*, office: Office, membership_id: int, approves: bool, actor: User) -> Membership:
    """The MP names (or un-names) a member of staff who may approve on their behalf."""
    membership = Membership.objects.get(pk=membership_id, office=office, is_active=True)
    if approves and membership.role == Role.VOLUNTEER:
        raise DomainError("Volunteers cannot approve on the MP's behalf.")
    membership.approves_for_mp = approves
    membership.save(update_fields=["approves_for_mp", "updated_at"])
    audit_record(
        verb="security.membership.approver_named" if approves else "security.membership.approver_removed",
        office=office,
        actor=actor,
        obj=membership,
        fields=["approves_for_mp"],
    )
    return membership


# --- Two-factor authentication -----------------------------------------------------------------
def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (one per user), created on first need."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm enrolment with a first code; returns fresh single-use backup codes to show once."""
    if not device.verify_token(token):
        raise DomainError("That code did not match. Check the time on your phone and try the newest code.")
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(verb="security.otp.enrolled", office=None, actor=user, obj=user)
    return backup_codes_regenerate(user=user)


@transaction.atomic
def backup_codes_regenerate(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(verb="security.otp.backup_codes_created", office=None, actor=user, obj=user)
    return codes


# --- Sessions ----------------------------------------------------------------------------------
def session_register(*, user: User, session_key: str, ip: str | None, user_agent: str) -> None:
    UserSession.objects.update_or_create(
        session_key=session_key, defaults={"user": user, "ip": ip, "user_agent": user_agent[:300]}
    )


@transaction.atomic
def sessions_end_all(*, user: User, actor: User, office: Office | None = None, keep: str | None = None) -> int:
    """Sign ``user`` out everywhere (except the session ``keep``). Returns how many ended."""
    keys = list(
        UserSession.objects.filter(user=user).exclude(session_key=keep or "").values_list("session_key", flat=True)
    )
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    audit_record(verb="security.sessions.ended", office=office, actor=actor, obj=user)
    return len(keys)


# --- Notifications -----------------------------------------------------------------------------
def notification_create(*, office: Office, recipient: User, kind: str, title: str, link: str = "") -> Notification:
    """A row now; its email copy goes out with the next sweep, so none is lost."""
    return Notification.objects.create(office=office, recipient=recipient, kind=kind, title=title[:200], link=link)


def notification_mark_read(*, office: Office, recipient: User, notification_id: int | None = None) -> int:
    unread = Notification.objects.for_office(office).filter(recipient=recipient, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


NOTIFICATION_EMAIL_BATCH = 100
NOTIFICATION_EMAIL_MAX_ATTEMPTS = 5


def _claimable_emails(now: datetime) -> Q:
    lease_expired = now - timedelta(seconds=settings.NOTIFICATION_EMAIL_LEASE_SECONDS)
    return Q(emailed_at__isnull=True, email_attempts__lt=NOTIFICATION_EMAIL_MAX_ATTEMPTS) & (
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=lease_expired)
    )


def notifications_email_due() -> int:
    """Email every notification not yet emailed. Safe to run concurrently and to re-run.

    Each row is claimed by a conditional UPDATE (two sweeps never both send it), sent, then
    marked emailed. A worker that dies between the claim and the mark leaves a claim whose
    lease expires, so the copy is sent again by a later sweep: at most once more per crash,
    never lost.
    """
    now = timezone.now()
    due = list(Notification.unscoped.filter(_claimable_emails(now)).order_by("id").values_list("pk", flat=True))
    sent = 0
    for pk in due[:NOTIFICATION_EMAIL_BATCH]:
        claimed = Notification.unscoped.filter(_claimable_emails(now), pk=pk).update(
            email_claimed_at=now, email_attempts=F("email_attempts") + 1
        )
        if not claimed:
            continue
        notification = Notification.unscoped.select_related("recipient", "office").get(pk=pk)
        if notification.recipient.is_active:
            try:
                emails.send_notification(
                    to=notification.recipient.email,
                    office_name=notification.office.name,
                    title=notification.title,
                    link=notification.link,
                )
            except OSError:  # smtplib's errors included: release the claim for a later sweep.
                Notification.unscoped.filter(pk=pk).update(email_claimed_at=None)
                continue
            sent += 1
        Notification.unscoped.filter(pk=pk).update(emailed_at=timezone.now())
    return sent


# --- API tokens --------------------------------------------------------------------------------
API_TOKEN_PREFIX = "mpo_"  # noqa: S105 - a marker for secret scanners, not a secret
# last_used_at is a hint for managers, not a log: one write a minute per token at most.
API_TOKEN_USE_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def api_token_create(*, office: Office, actor: User, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """Create a token for a named integration. Returns it with the token itself, to show once."""
    name = " ".join(name.split())
    if not name:
        raise DomainError("Name the integration that will use the token.")
    scopes = sorted(set(scopes))
    if not scopes:
        raise DomainError("Choose at least one scope.")
    unknown = set(scopes) - set(ApiScope.values)
    if unknown:
        raise DomainError(f"Unknown scopes: {', '.join(sorted(unknown))}.")
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        office=office,
        name=name[:100],
        scopes=scopes,
        token_hash=_hash_token(token),
        prefix=token[:12],
        created_by=actor,
    )
    audit_record(verb="security.api_token.created", office=office, actor=actor, obj=row, fields=["name", "scopes"])
    return row, token


@transaction.atomic
def api_token_revoke(*, office: Office, actor: User, token_id: int) -> ApiToken:
    """Revoke now: the next request with the token is refused. Revoking twice changes nothing."""
    now = timezone.now()
    revoked = (
        ApiToken.objects.for_office(office)
        .filter(pk=token_id, revoked_at__isnull=True)
        .update(revoked_at=now, revoked_by=actor)
    )
    row = ApiToken.objects.for_office(office).get(pk=token_id)
    if revoked:
        audit_record(verb="security.api_token.revoked", office=office, actor=actor, obj=row, fields=["revoked_at"])
    return row


def api_token_use(*, token: str) -> ApiToken | None:
    """The active token matching ``token`` (with its office), or None. Records the use.

    Lookup is by the SHA-256 (a unique index), so the token itself is never compared or stored.
    """
    if not token.startswith(API_TOKEN_PREFIX) or len(token) > 200:
        return None
    row = (
        ApiToken.unscoped.select_related("office")
        .filter(token_hash=_hash_token(token), revoked_at__isnull=True, office__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    stale = now - API_TOKEN_USE_RESOLUTION
    if row.last_used_at is None or row.last_used_at <= stale:
        # Conditional, so concurrent requests write once between them.
        ApiToken.unscoped.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale), pk=row.pk).update(
            last_used_at=now
        )
        row.last_used_at = now
    return row


# --- Heartbeat ---------------------------------------------------------------------------------
def heartbeat_record() -> Heartbeat:
    heartbeat, _ = Heartbeat.objects.update_or_create(
        pk=Heartbeat.SINGLETON_ID, defaults={"beat_at": timezone.now(), "hostname": socket.gethostname()[:200]}
    )
    return heartbeat


def notifications_create_many(rows: list[Notification]) -> None:
    """Many notifications in one insert (a sweep's reminders); their email copies go out as usual."""
    for row in rows:
        row.title = row.title[:200]
    Notification.unscoped.bulk_create(rows)
