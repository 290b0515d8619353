"""The office's IMAP mailboxes and where polling of each folder got to."""

from __future__ import annotations

from django.db import models

from security.models import TimeStamped
from security.scoping import OfficeOwned


class AuthMethod(models.TextChoices):
    PASSWORD = "password", "Password"
    XOAUTH2 = "xoauth2", "OAuth2 access token (XOAUTH2, as Microsoft 365 requires)"


class Mailbox(OfficeOwned, TimeStamped):
    """An IMAP mailbox the office's mail arrives in, polled by Celery beat.

    The secret (password or OAuth2 token) is kept encrypted with ``MAILBOX_ENCRYPTION_KEYS``;
    read and write it through ``secret_get`` / ``secret_set`` only.
    """

    name = models.CharField(max_length=100)
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    use_tls = models.BooleanField(default=True, help_text="IMAPS (TLS from the start)")
    username = models.CharField(max_length=255)
    auth_method = models.CharField(max_length=10, choices=AuthMethod.choices, default=AuthMethod.PASSWORD)
    secret_encrypted = models.TextField(blank=True, help_text="Fernet token; never the plain secret")
    inbox_folder = models.CharField(max_length=200, default="INBOX")
    sent_folder = models.CharField(max_length=200, default="Sent", blank=True, help_text="Blank: not polled")
    processed_folder = models.CharField(max_length=200, default="Processed")
    is_active = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # The poll claim: a conditional UPDATE sets it; a claim older than the lease is a dead worker's.
    poll_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        """What ``RawEmail.mailbox_key`` holds for mail from here."""
        return f"mailbox:{self.pk}"

    def secret_get(self) -> str:
        from mpoffice.lib.encryption import decrypt

        return decrypt(self.secret_encrypted)

    def secret_set(self, plain: str) -> None:
        from mpoffice.lib.encryption import encrypt

        self.secret_encrypted = encrypt(plain)


class MailboxFolderState(OfficeOwned):
    """Where polling of one folder got to: its UIDVALIDITY and the highest UID stored."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="folder_states")
    folder = models.CharField(max_length=200)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "folder"], name="correspondence_mailbox_folder_unique"),
        ]
