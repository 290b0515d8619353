"""Offices, people, memberships, and the security records every other app relies on."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone

from security.roles import Role, role_allows
from security.scoping import OfficeOwned


class TimeStamped(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Nation(models.TextChoices):
    """Which bank holidays count when deadlines are measured in working days."""

    ENGLAND_AND_WALES = "england-and-wales", "England and Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"


class Office(TimeStamped):
    """One MP's office: a separate data controller."""

    name = models.CharField(max_length=200)
    constituency = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    mp_name = models.CharField("MP's name", max_length=200)
    letterhead_address = models.TextField(blank=True)
    nation = models.CharField(max_length=20, choices=Nation.choices, default=Nation.ENGLAND_AND_WALES)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser):
    """A person who signs in with an email address. Access to data comes from memberships."""

    # Stored lower-cased (the manager and services normalise), so unique means case-insensitive.
    email = models.EmailField(max_length=254, unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    # Platform admins run the deployment and create offices; they have no membership and so
    # see no casework.
    is_platform_admin = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def active_memberships(self) -> models.QuerySet[Membership]:
        return self.memberships.filter(is_active=True, office__is_active=True).select_related("office")


class Membership(TimeStamped):
    """A person's access to one office, with one role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    # Named by the MP: may approve campaign responses and sensitive letters on their behalf.
    approves_for_mp = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "office"], name="security_membership_user_office_unique"),
            models.CheckConstraint(
                condition=~models.Q(role=Role.VOLUNTEER, approves_for_mp=True),
                name="security_membership_volunteer_never_approves",
            ),
        ]
        # Index leads with office: "staff of this office" is the common read.
        indexes = [models.Index(fields=["office", "role"], name="security_member_office_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.office}"

    def allows(self, perm: str) -> bool:
        return self.is_active and role_allows(self.role, perm)

    @property
    def may_approve(self) -> bool:
        return self.is_active and (self.role == Role.MP or self.approves_for_mp)


class Invitation(OfficeOwned, TimeStamped):
    """A one-time link that lets a new member set a password and enrol 2FA."""

    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=20, choices=Role.choices)
    # Only the SHA-256 of the token is stored; the token itself lives in the emailed link.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["office", "-created_at"], name="security_invitation_office")]

    def __str__(self) -> str:
        return f"Invitation to {self.office} ({self.get_role_display()})"


class ActorKind(models.TextChoices):
    USER = "user", "User"
    API_TOKEN = "api_token", "API token"
    SYSTEM = "system", "System"
    PUBLIC = "public", "Public"


class AuditEvent(models.Model):
    """An append-only record of who did what to which row.

    Holds ids and field names, never the values of personal fields and no free text. On
    PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE unless the transaction has set
    ``mpoffice.audit_purge`` (see ``security.audit.purge_allowed``).
    """

    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # No database constraint: an event must outlive the account it names.
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices)
    verb = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    fields = models.JSONField(default=list, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    # Which integration acted, when actor_kind is "api_token". Like actor: no database constraint.
    api_token = models.ForeignKey(
        "ApiToken", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The manager's audit page: WHERE office_id = %s ORDER BY created_at DESC.
            models.Index(fields=["office", "-created_at"], name="security_audit_office_time"),
            # "What happened to this row": WHERE office_id = %s AND object_type = %s AND object_id = %s.
            models.Index(fields=["office", "object_type", "object_id"], name="security_audit_office_object"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.object_type}:{self.object_id}"


class ApiScope(models.TextChoices):
    READ = "read", "Read: list and fetch records"
    WRITE = "write", "Write: create and change records"
    # Reserved for the inbound email webhook: a mail relay's token needs nothing else.
    INBOUND_EMAIL = "inbound_email", "Inbound email: deliver mail to the office"


class ApiToken(OfficeOwned):
    """A named integration's key to one office's API.

    The token is shown once when created; only its SHA-256 is stored, so a database leak
    gives nobody access. ``prefix`` (the first characters) lets staff recognise a token in
    the list without it being usable.
    """

    name = models.CharField("Integration", max_length=100)
    scopes = models.JSONField(default=list)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Written at most once a minute (see services.api_token_use), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        # The managers' list: WHERE office_id = %s ORDER BY created_at DESC. Authentication
        # uses the unique index on token_hash.
        indexes = [models.Index(fields=["office", "-created_at"], name="security_apitoken_office")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return self.is_active and scope in self.scopes

    def get_scopes_display(self) -> str:
        labels = dict(ApiScope.choices)
        return ", ".join(labels[scope].split(":")[0] for scope in self.scopes if scope in labels)


class UserSession(models.Model):
    """A signed-in session, listed to its owner so they can see and end it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"session of user {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"


class Notification(OfficeOwned):
    """An in-app message to one member of staff; its email copy is sent by a sweep."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=80)
    title = models.CharField(max_length=200)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The header badge: WHERE office_id = %s AND recipient_id = %s AND read_at IS NULL.
            models.Index(
                fields=["office", "recipient"],
                condition=models.Q(read_at__isnull=True),
                name="security_notification_unread",
            ),
            # The email sweep: WHERE emailed_at IS NULL ORDER BY id.
            models.Index(fields=["id"], condition=models.Q(emailed_at__isnull=True), name="security_notif_unemailed"),
        ]

    def __str__(self) -> str:
        return self.title


class Heartbeat(models.Model):
    """One row the heartbeat task touches, so /healthz can tell that worker and beat live."""

    SINGLETON_ID = 1

    beat_at = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"heartbeat at {self.beat_at:%Y-%m-%d %H:%M:%S}"


# The data-protection records live in their own module; importing them here registers them.
from security.dataprotection.models import (  # noqa: E402
    Erasure,
    Handover,
    OfficeExport,
    PendingCleanup,
    RetentionPolicy,
    RetentionRun,
    SubjectAccessRequest,
)

__all__ = [
    "ActorKind",
    "ApiScope",
    "ApiToken",
    "AuditEvent",
    "Erasure",
    "Handover",
    "Heartbeat",
    "Invitation",
    "Membership",
    "Nation",
    "Notification",
    "Office",
    "OfficeExport",
    "PendingCleanup",
    "RetentionPolicy",
    "RetentionRun",
    "SubjectAccessRequest",
    "TimeStamped",
    "User",
    "UserSession",
]
