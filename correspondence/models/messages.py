"""Every message in and out, on every channel, with the raw email it came from."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone

from casework.models import Case
from constituents.models import Constituent
from security.models import TimeStamped
from security.scoping import OfficeOwned


class RawSource(models.TextChoices):
    IMAP = "imap", "IMAP inbox"
    SENT_FOLDER = "sent", "IMAP Sent folder"
    UPLOAD = "upload", "File or command"
    WEBHOOK = "webhook", "Inbound webhook"


class ParseState(models.TextChoices):
    PENDING = "pending", "Waiting to be parsed"
    PARSED = "parsed", "Parsed"
    QUARANTINED = "quarantined", "Quarantined: could not be parsed"
    OVERSIZE = "oversize", "Kept raw: over the size limit"


class RawEmail(OfficeOwned):
    """The bytes exactly as received, stored before anything is parsed, so nothing is lost.

    Ingestion never deletes one; only erasure and retention do.
    """

    source = models.CharField(max_length=10, choices=RawSource.choices)
    raw = models.BinaryField(help_text="The full RFC 5322 message, as received")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)
    # Where it came from in an IMAP mailbox (a later part of this issue adds the Mailbox model).
    mailbox_key = models.CharField(max_length=200, blank=True, help_text="mailbox id, or empty")
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    folder = models.CharField(max_length=200, blank=True)
    # Where the poller moved it after the commit (its UID there, when the server said: COPYUID).
    moved_uidvalidity = models.BigIntegerField(null=True, blank=True)
    moved_uid = models.BigIntegerField(null=True, blank=True)
    # The normalised Message-ID header, for deduplication and threading.
    message_id = models.CharField(max_length=500, blank=True)
    parse_state = models.CharField(max_length=12, choices=ParseState.choices, default=ParseState.PENDING)
    parse_error = models.CharField(max_length=500, blank=True)
    parse_attempts = models.PositiveSmallIntegerField(default=0)
    # Set when a worker claims the row; a claim older than INBOUND_PARSE_LEASE_SECONDS belongs
    # to a worker that died, and the sweep parses the row again.
    parse_claimed_at = models.DateTimeField(null=True, blank=True)
    parsed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # The same IMAP message is stored once, however often the poller sees it.
            models.UniqueConstraint(
                fields=["office", "mailbox_key", "uidvalidity", "uid"],
                condition=models.Q(uid__isnull=False),
                name="correspondence_raw_unique_imap_uid",
            ),
            # The same message delivered twice (webhook retry, the same file imported again) is
            # stored once; its index also answers the dedupe lookup
            # WHERE office_id = %s AND message_id = %s AND sha256 = %s.
            models.UniqueConstraint(
                fields=["office", "message_id", "sha256"], name="correspondence_raw_unique_content"
            ),
        ]
        indexes = [
            # The parse sweep: WHERE parse_state = 'pending' ORDER BY id.
            models.Index(fields=["parse_state", "id"], name="correspondence_raw_state"),
        ]

    def __str__(self) -> str:
        return f"raw email {self.pk} ({self.get_parse_state_display()})"


class Direction(models.TextChoices):
    INBOUND = "in", "Received"
    OUTBOUND = "out", "Sent"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    WEB_FORM = "web_form", "Web form"
    PHONE = "phone", "Phone call"
    SOCIAL = "social", "Social media message"
    IN_PERSON = "in_person", "In person"


class TriageState(models.TextChoices):
    NEW = "new", "New"
    FILED = "filed", "Filed to a case"
    CAMPAIGN = "campaign", "Campaign"
    NO_ACTION = "no_action", "No action needed"
    SPAM = "spam", "Spam"


class Message(OfficeOwned, TimeStamped):
    direction = models.CharField(max_length=3, choices=Direction.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    raw_email = models.OneToOneField(RawEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="message")
    message_id = models.CharField(max_length=500, blank=True)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.TextField(blank=True)
    sender_name = models.CharField(max_length=300, blank=True)
    sender_email = models.EmailField(max_length=254, blank=True)
    # [{"name": ..., "email": ..., "kind": "to" | "cc"}]
    recipients = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=1000, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True, help_text="Sanitised with nh3; shown only in a sandboxed frame")
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    constituent = models.ForeignKey(
        Constituent, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    triage_state = models.CharField(max_length=10, choices=TriageState.choices, default=TriageState.NEW)
    # Auto-replies and bounces: kept, never in triage, never answered.
    is_automatic = models.BooleanField(default=False)
    # What the public contact form asked besides the message: postcode, the constituency
    # check, consent to share with third parties, the topic chosen.
    form_data = models.JSONField(default=dict, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            # Message triage: WHERE office_id = %s AND triage_state = 'new' AND NOT is_automatic.
            models.Index(fields=["office", "triage_state", "-received_at"], name="correspondence_msg_triage"),
            # Threading: WHERE office_id = %s AND message_id = %s.
            models.Index(fields=["office", "message_id"], name="correspondence_msg_msgid"),
            # A case's timeline: WHERE case_id = %s ORDER BY received_at.
            models.Index(fields=["case", "received_at"], name="correspondence_msg_case"),
            # Matching a sender: WHERE office_id = %s AND sender_email = %s.
            models.Index(fields=["office", "sender_email"], name="correspondence_msg_sender"),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.get_channel_display()} {self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The office is in the path; the stored name is the hash, never the sender's file name.
    return f"offices/{instance.office_id}/attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(OfficeOwned):
    """A file that came with a message, stored under the office's path and served only as a download.

    One over ``INBOUND_ATTACHMENT_MAX_BYTES`` is recorded (name, types, size, hash) and flagged
    ``too_large`` with no file: its bytes stay in the raw email it came in.
    """

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300, blank=True, help_text="Empty when too large")
    name = models.CharField(max_length=255, help_text="As the sender named it (shown, never used as a path)")
    content_type = models.CharField(max_length=100, help_text="Sniffed from the bytes")
    declared_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    is_inline = models.BooleanField(default=False)
    # Executables and scripts are kept (the sender's evidence) but flagged and never previewed.
    is_executable = models.BooleanField(default=False)
    too_large = models.BooleanField(
        default=False, help_text="Over the size limit: not extracted, kept in the raw email"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
