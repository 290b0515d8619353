"""How a person's correspondence is found and erased (registered in the personal-data registry).

Their messages are those linked to them, those filed to their cases (a council's reply about
them), and unlinked ones sent from one of their addresses. A message is anonymised — its
channel, direction, dates and case stay for the office's figures — while the raw email and the
attachments are deleted, and the copy the poller left in the office's IMAP folder is deleted
after the commit (``security.dataprotection.cleanup`` runs ``imap_copy_delete``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from constituents.models import Constituent, ConstituentEmail, Organisation
from correspondence.models import (
    Attachment,
    Enquiry,
    EnquiryStep,
    Mailbox,
    Message,
    OutboxStatus,
    OutgoingEmail,
    RawEmail,
    RawSource,
)
from security.dataprotection.cleanup import cleanup_schedule
from security.models import Office

IMAP_DELETE = "correspondence.imap_delete"
ERASED_SUBJECT = "(erased)"


def messages_of(office: Office, constituent: Constituent) -> QuerySet[Message]:
    emails = ConstituentEmail.unscoped.filter(constituent=constituent).values("email")
    return Message.objects.for_office(office).filter(
        Q(constituent=constituent)
        | Q(case__constituent=constituent)
        | Q(constituent__isnull=True, sender_email__in=emails)
    )


def raw_emails_of(office: Office, constituent: Constituent) -> QuerySet[RawEmail]:
    return RawEmail.objects.for_office(office).filter(message__in=messages_of(office, constituent))


def attachments_of(office: Office, constituent: Constituent) -> QuerySet[Attachment]:
    return Attachment.objects.for_office(office).filter(message__in=messages_of(office, constituent))


def message_anonymise(message: Message) -> None:
    Message.unscoped.filter(pk=message.pk).update(
        sender_name="",
        sender_email="",
        recipients=[],
        subject=ERASED_SUBJECT,
        text="",
        html="",
        form_data={},
        message_id="",
        in_reply_to="",
        references="",
    )


def outgoing_of(office: Office, constituent: Constituent) -> QuerySet[OutgoingEmail]:
    """Email to them, or delivering one of their messages, sent or waiting in the outbox."""
    emails = ConstituentEmail.unscoped.filter(constituent=constituent).values("email")
    return OutgoingEmail.objects.for_office(office).filter(
        Q(constituent=constituent) | Q(timeline_message__in=messages_of(office, constituent)) | Q(to_email__in=emails)
    )


def outgoing_anonymise(row: OutgoingEmail) -> None:
    """Sent rows stay (the office's sending limits count them) without their content; one still
    waiting is cancelled, so nothing about them is sent after their erasure."""
    cancel = {"status": OutboxStatus.CANCELLED} if row.status == OutboxStatus.QUEUED else {}
    OutgoingEmail.unscoped.filter(pk=row.pk).update(
        # A key may be made from their address (the contact form's hashes it): it goes too.
        idempotency_key=f"erased:{row.pk}",
        to_email="erased@erased.invalid",
        to_name="",
        subject=ERASED_SUBJECT,
        text="",
        html="",
        headers={},
        **cancel,
    )


def enquiry_anonymise(row: Enquiry) -> None:
    """The enquiry's dates, organisation and outcome stay: agency responsiveness is made of them."""
    Enquiry.unscoped.filter(pk=row.pk).update(question="", identifiers={}, due_override_reason="")


def enquiry_step_erase(row: EnquiryStep) -> None:
    EnquiryStep.unscoped.filter(pk=row.pk).update(note="", draft_subject="", draft_text="")


def _mailbox_copy_delete_later(raw: RawEmail) -> None:
    """Schedule deleting the copy the poller left in the office's mailbox, if it left one."""
    if not (raw.mailbox_key.startswith("mailbox:") and raw.folder):
        return
    if raw.moved_uid is not None:
        where = {"uidvalidity": raw.moved_uidvalidity, "uid": raw.moved_uid}
    elif raw.source == RawSource.SENT_FOLDER:
        where = {"uidvalidity": raw.uidvalidity, "uid": raw.uid}
    else:  # moved without COPYUID, or not moved yet: found by its Message-ID
        where = {"uidvalidity": None, "uid": None}
    cleanup_schedule(
        office=raw.office,
        kind=IMAP_DELETE,
        payload={
            "mailbox_id": int(raw.mailbox_key.removeprefix("mailbox:")),
            "folder": raw.folder,
            "message_id": raw.message_id,
            **where,
        },
    )


def raw_email_erase(raw: RawEmail) -> None:
    """Delete the stored bytes, and (after the commit) the mailbox's copy."""
    _mailbox_copy_delete_later(raw)
    raw.delete()


def raw_email_move(raw: RawEmail, office: Office) -> None:
    """Hand the stored email to ``office``. The copy in the old office's mailbox is deleted (that
    office no longer holds the mail); if the new office already holds the same email, its copy
    stands for both."""
    _mailbox_copy_delete_later(raw)
    if RawEmail.objects.for_office(office).filter(message_id=raw.message_id, sha256=raw.sha256).exists():
        Message.unscoped.filter(raw_email=raw).update(raw_email=None)
        raw.delete()
        return
    RawEmail.unscoped.filter(pk=raw.pk).update(
        office=office, mailbox_key="", uidvalidity=None, uid=None, folder="", moved_uidvalidity=None, moved_uid=None
    )


def imap_copy_delete(office: Office, payload: dict[str, Any]) -> None:
    """The clean-up handler: delete the copy from the office's mailbox (gone already is fine)."""
    from correspondence import imap

    mailbox = Mailbox.objects.for_office(office).filter(pk=payload["mailbox_id"]).first()
    if mailbox is None:
        return  # the mailbox was removed from the office: there is no account to reach
    imap.message_delete(
        mailbox=mailbox,
        folder=payload["folder"],
        uidvalidity=payload.get("uidvalidity"),
        uid=payload.get("uid"),
        message_id=payload.get("message_id", ""),
    )


def enquiry_move(row: Enquiry, office: Office) -> None:
    """Into ``office`` with the same-named organisation of its directory, copied there if it has
    none (a public body's published contact details, nobody's personal data)."""
    source = row.organisation
    target = Organisation.objects.for_office(office).filter(name=source.name).first()
    if target is None:
        target = Organisation.objects.create(
            office=office,
            **{
                f.attname: getattr(source, f.attname)
                for f in Organisation._meta.concrete_fields
                if f.name not in ("id", "office", "created_at", "updated_at")
            },
        )
    Enquiry.unscoped.filter(pk=row.pk).update(office=office, organisation=target)
