"""The office's IMAP mailboxes and where polling of each folder got to."""

from __future__ import annotations

from django.db import models

from security.models import TimeStamped
from security.scoping import OfficeOwned


class AuthMethod(models.TextChoices):
    PASSWORD = "password", "Password"
    XOAUTH2 = "xoauth2", "OAuth2 (XOAUTH2, as Microsoft 365 requires)"


# What Microsoft 365 needs for IMAP, and a refresh token back (offline_access).
DEFAULT_OAUTH_SCOPE = "https://outlook.office365.com/IMAP.AccessToken offline_access"


class Mailbox(OfficeOwned, TimeStamped):
    """An IMAP mailbox the office's mail arrives in, polled by Celery beat.

    The secret (password or OAuth2 access token) is kept encrypted with ``MAILBOX_ENCRYPTION_KEYS``;
    read and write it through ``secret_get`` / ``secret_set`` only. With OAuth2, a refresh token
    and the app's client secret (encrypted the same way) renew the access token before a login
    (``correspondence.oauth``).
    """

    # Every column holding a Fernet token: what ``rotate_mailbox_keys`` re-encrypts.
    ENCRYPTED_FIELDS = ("secret_encrypted", "oauth_refresh_token_encrypted", "oauth_client_secret_encrypted")

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
    # OAuth2 renewal of the access token (Microsoft 365): the refresh_token grant at the token
    # endpoint, which is Microsoft's for the tenant unless oauth_token_url says otherwise.
    oauth_tenant = models.CharField(max_length=100, blank=True, help_text="Directory (tenant) ID or domain")
    oauth_client_id = models.CharField(max_length=200, blank=True, help_text="Application (client) ID")
    oauth_client_secret_encrypted = models.TextField(blank=True, help_text="Fernet token; never the plain secret")
    oauth_refresh_token_encrypted = models.TextField(blank=True, help_text="Fernet token; never the plain token")
    oauth_token_url = models.URLField(max_length=500, blank=True, help_text="Blank: Microsoft's, for the tenant")
    oauth_scope = models.CharField(max_length=500, default=DEFAULT_OAUTH_SCOPE, blank=True)
    # When the access token in secret_encrypted expires; null when unknown (typed in by hand).
    oauth_access_token_expires_at = models.DateTimeField(null=True, blank=True)
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

    def oauth_refresh_token_get(self) -> str:
        from mpoffice.lib.encryption import decrypt

        return decrypt(self.oauth_refresh_token_encrypted)

    def oauth_refresh_token_set(self, plain: str) -> None:
        from mpoffice.lib.encryption import encrypt

        self.oauth_refresh_token_encrypted = encrypt(plain)

    def oauth_client_secret_get(self) -> str:
        from mpoffice.lib.encryption import decrypt

        return decrypt(self.oauth_client_secret_encrypted)

    def oauth_client_secret_set(self, plain: str) -> None:
        from mpoffice.lib.encryption import encrypt

        self.oauth_client_secret_encrypted = encrypt(plain)

    @property
    def oauth_renews(self) -> bool:
        """True when the access token is renewed from a stored refresh token."""
        return self.auth_method == AuthMethod.XOAUTH2 and bool(self.oauth_refresh_token_encrypted)


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
