"""Managing an office's IMAP mailboxes: create, change, deactivate, test and poll — audited.

Audit events carry field names only; the secret's value goes nowhere but its encrypted column.
"""

from __future__ import annotations

from typing import Any

from correspondence import imap
from correspondence.models import Mailbox
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
)


def mailbox_create(*, office: Office, actor: User, secret: str, **values: Any) -> Mailbox:
    mailbox = Mailbox(office=office, **{k: v for k, v in values.items() if k in FIELDS})
    mailbox.secret_set(secret)
    mailbox.save()
    audit_record(
        verb="correspondence.mailbox.created",
        office=office,
        actor=actor,
        obj=mailbox,
        fields=[*[k for k in values if k in FIELDS], *(["secret"] if secret else [])],
    )
    return mailbox


def mailbox_update(*, mailbox: Mailbox, actor: User, secret: str = "", **values: Any) -> Mailbox:
    """Blank ``secret`` keeps the stored one."""
    changed = [k for k, v in values.items() if k in FIELDS and getattr(mailbox, k) != v]
    for name in changed:
        setattr(mailbox, name, values[name])
    if secret:
        mailbox.secret_set(secret)
        changed.append("secret")
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
