"""Managing an office's IMAP mailboxes: create, change, deactivate, test and poll — audited.

Audit events carry field names only; a secret's value (password or access token, OAuth2 refresh
token, client secret) goes nowhere but its encrypted column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from correspondence import imap
from correspondence.models import Mailbox
from mpoffice.lib import encryption
from security.audit import audit_record
from security.models import Office, User

FIELDS = (
    "name",
    "host",
    "port",
    "use_tls",
    "username",
    "auth_method",
    "inbox_folder",
    "sent_folder",
    "processed_folder",
    "is_active",
    "oauth_tenant",
    "oauth_client_id",
    "oauth_token_url",
    "oauth_scope",
)


def _secrets_set(mailbox: Mailbox, *, secret: str, oauth_refresh_token: str, oauth_client_secret: str) -> list[str]:
    """Store the secrets given (blank: keep the stored one); returns the names of those set."""
    changed = []
    if secret:
        mailbox.secret_set(secret)
        # An access token typed in by hand: its expiry is unknown (renewed before use if it can be).
        mailbox.oauth_access_token_expires_at = None
        changed.append("secret")
    if oauth_refresh_token:
        mailbox.oauth_refresh_token_set(oauth_refresh_token)
        changed.append("oauth_refresh_token")
    if oauth_client_secret:
        mailbox.oauth_client_secret_set(oauth_client_secret)
        changed.append("oauth_client_secret")
    return changed


@transaction.atomic
def mailbox_create(
    *,
    office: Office,
    actor: User,
    secret: str,
    oauth_refresh_token: str = "",
    oauth_client_secret: str = "",
    **values: Any,
) -> Mailbox:
    mailbox = Mailbox(office=office, **{k: v for k, v in values.items() if k in FIELDS})
    secrets = _secrets_set(
        mailbox, secret=secret, oauth_refresh_token=oauth_refresh_token, oauth_client_secret=oauth_client_secret
    )
    mailbox.save()
    audit_record(
        verb="correspondence.mailbox.created",
        office=office,
        actor=actor,
        obj=mailbox,
        fields=[*[k for k in values if k in FIELDS], *secrets],
    )
    return mailbox


@transaction.atomic
def mailbox_update(
    *,
    mailbox: Mailbox,
    actor: User,
    secret: str = "",
    oauth_refresh_token: str = "",
    oauth_client_secret: str = "",
    **values: Any,
) -> Mailbox:
    """A blank secret, refresh token or client secret keeps the stored one."""
    changed = [k for k, v in values.items() if k in FIELDS and getattr(mailbox, k) != v]
    for name in changed:
        setattr(mailbox, name, values[name])
    changed += _secrets_set(
        mailbox, secret=secret, oauth_refresh_token=oauth_refresh_token, oauth_client_secret=oauth_client_secret
    )
    if changed:
        mailbox.save()
        audit_record(
            verb="correspondence.mailbox.updated", office=mailbox.office, actor=actor, obj=mailbox, fields=changed
        )
    return mailbox


def mailbox_deactivate(*, mailbox: Mailbox, actor: User) -> Mailbox:
    if mailbox.is_active:
        mailbox.is_active = False
        mailbox.save(update_fields=["is_active", "updated_at"])
        audit_record(
            verb="correspondence.mailbox.deactivated",
            office=mailbox.office,
            actor=actor,
            obj=mailbox,
            fields=["is_active"],
        )
    return mailbox


def mailbox_test(*, mailbox: Mailbox, actor: User) -> str:
    error = imap.mailbox_test(mailbox=mailbox)
    audit_record(verb="correspondence.mailbox.tested", office=mailbox.office, actor=actor, obj=mailbox)
    return error


def mailbox_poll_now(*, mailbox: Mailbox, actor: User) -> imap.PollResult:
    audit_record(verb="correspondence.mailbox.polled", office=mailbox.office, actor=actor, obj=mailbox)
    return imap.mailbox_poll(mailbox=mailbox)


@dataclass
class RotateResult:
    rotated: int = 0  # secrets re-encrypted with the first key
    current: int = 0  # secrets the first key already encrypted
    rows: int = 0  # rows changed
    failed: list[str] = field(default_factory=list)  # "correspondence.mailbox 12 secret_encrypted"


def mailbox_secrets_rotate() -> RotateResult:
    """Re-encrypt every stored secret with the first key of ``MAILBOX_ENCRYPTION_KEYS``.

    Covers every column registered with ``encryption.register_encrypted`` (the mailboxes'
    password or access token, refresh token and client secret). Idempotent: a secret the first
    key already opens is left as it is, so a second run changes nothing. Each row is locked and
    rewritten in its own short transaction, so pollers renewing a token are not lost; a secret no
    configured key opens is reported in ``failed`` and left alone (it was unusable already).
    """
    result = RotateResult()
    for model, fields in encryption.encrypted_columns():
        rows = model._base_manager
        for pk in rows.order_by("pk").values_list("pk", flat=True):
            with transaction.atomic():
                row = rows.select_for_update().filter(pk=pk).first()
                if row is not None:
                    _row_rotate(model, row, fields, result)
    return result


def _row_rotate(model: Any, row: Any, fields: tuple[str, ...], result: RotateResult) -> None:
    changed = {}
    for name in fields:
        token = getattr(row, name)
        if not token:
            continue
        if encryption.is_current(token):
            result.current += 1
            continue
        try:
            changed[name] = encryption.rotate(token)
        except encryption.DecryptError:
            result.failed.append(f"{model._meta.label_lower} {row.pk} {name}")
    if changed:
        model._base_manager.filter(pk=row.pk).update(**changed)
        result.rotated += len(changed)
        result.rows += 1
        audit_record(
            verb=f"{model._meta.label_lower}.secrets_rotated",
            office=getattr(row, "office", None),
            obj=row,
            fields=list(changed),
        )
