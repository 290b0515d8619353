"""The one outbox every email to a constituent or a third party leaves through.

A row is the envelope exactly as it will be sent; the database is the queue. Workers claim
rows with ``SELECT … FOR UPDATE SKIP LOCKED``, commit the claim before talking to the mail
server and mark each row sent in its own transaction, so a crashed worker costs at most one
duplicate and never a lost message. The outbox knows nothing of the apps that fill it: they
give an idempotency key, a priority and, for bulk sends, a batch.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from constituents.models import Constituent
from correspondence.models.messages import Message
from security.models import TimeStamped
from security.scoping import OfficeOwned


class Transport(models.TextChoices):
    SMTP = "smtp", "SMTP server"
    DEPLOYMENT = "deployment", "The service's own mail settings (EMAIL_URL)"


class SmtpSecurity(models.TextChoices):
    STARTTLS = "starttls", "STARTTLS (usually port 587)"
    TLS = "tls", "TLS from the start (usually port 465)"
    NONE = "none", "None (only for a relay on a private network)"


class SendingIdentity(OfficeOwned, TimeStamped):
    """How one office sends: its From, its mail server and the provider's limits.

    Mail leaves from the office's own domain so it passes SPF, DKIM and DMARC; the limits stop
    a campaign from exhausting the provider (Microsoft 365: about 30 a minute, 10,000 a day).
    """

    from_email = models.EmailField()
    from_name = models.CharField(max_length=200)
    reply_to = models.EmailField(blank=True)
    transport = models.CharField(max_length=12, choices=Transport.choices, default=Transport.DEPLOYMENT)
    smtp_host = models.CharField(max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(default=587)
    smtp_security = models.CharField(max_length=10, choices=SmtpSecurity.choices, default=SmtpSecurity.STARTTLS)
    smtp_username = models.CharField(max_length=255, blank=True)
    smtp_password_encrypted = models.TextField(blank=True, help_text="Fernet token; never the plain password")
    rate_per_minute = models.PositiveIntegerField(default=30, help_text="0: no limit")
    daily_cap = models.PositiveIntegerField(default=10_000, help_text="0: no limit")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office"], name="correspondence_identity_one_per_office")]

    def __str__(self) -> str:
        return f"{self.from_name} <{self.from_email}>"

    def password_get(self) -> str:
        from mpoffice.lib.encryption import decrypt

        return decrypt(self.smtp_password_encrypted) if self.smtp_password_encrypted else ""

    def password_set(self, plain: str) -> None:
        from mpoffice.lib.encryption import encrypt

        self.smtp_password_encrypted = encrypt(plain) if plain else ""


class BatchState(models.TextChoices):
    ACTIVE = "active", "Sending"
    HELD = "held", "Paused"
    CANCELLED = "cancelled", "Cancelled"


class OutboxBatch(OfficeOwned):
    """A group of rows sent together (a campaign reply): paused, resumed or cancelled as one."""

    label = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=BatchState.choices, default=BatchState.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Priority(models.IntegerChoices):
    """Lower is sooner: a case reply never waits behind a bulk send."""

    REPLY = 0, "Reply from a case"
    AUTOMATIC = 5, "Acknowledgement or chaser"
    BULK = 9, "Bulk send"


class OutgoingEmail(OfficeOwned):
    idempotency_key = models.CharField(max_length=200, help_text="Unique per office: the same send is queued once")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.REPLY)
    batch = models.ForeignKey(OutboxBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="emails")
    # The stable Message-ID (without brackets), kept across retries so a resend is recognisable.
    message_id = models.CharField(max_length=500)
    from_email = models.EmailField()
    from_name = models.CharField(max_length=200, blank=True)
    to_email = models.EmailField(max_length=254)
    to_name = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=1000)
    text = models.TextField()
    html = models.TextField(blank=True)
    # Extra headers: In-Reply-To, References, Auto-Submitted, Reply-To.
    headers = models.JSONField(default=dict, blank=True)
    # The timeline entry this delivers, whose attachments go with it (a reply, a chaser).
    timeline_message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="outgoing_email"
    )
    constituent = models.ForeignKey(
        Constituent, null=True, blank=True, on_delete=models.SET_NULL, related_name="outgoing_emails"
    )
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Set by a claim; a claim older than OUTBOX_LEASE_SECONDS belongs to a dead worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=40, blank=True)
    last_error = models.CharField(max_length=1000, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["office", "idempotency_key"], name="correspondence_outbox_idempotent"),
        ]
        indexes = [
            # The claim: WHERE status = 'queued' AND next_attempt_at <= now
            # ORDER BY priority, next_attempt_at, id … FOR UPDATE SKIP LOCKED.
            models.Index(
                fields=["priority", "next_attempt_at", "id"],
                condition=models.Q(status="queued"),
                name="correspondence_outbox_due",
            ),
            # Lease expiry: WHERE status = 'sending' AND claimed_at < now - lease.
            models.Index(
                fields=["claimed_at"], condition=models.Q(status="sending"), name="correspondence_outbox_claimed"
            ),
            # Rate limit and daily cap: WHERE office_id = %s AND sent_at >= %s.
            models.Index(fields=["office", "sent_at"], name="correspondence_outbox_sent"),
            # A batch's progress: WHERE batch_id = %s GROUP BY status.
            models.Index(fields=["batch", "status"], name="correspondence_outbox_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.get_status_display()}"
