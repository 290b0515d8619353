"""Writes on messages by people: filing, opening a case, triage states, and contacts logged by hand.

Ingestion (``correspondence.ingest*``) writes the messages it receives; these services are what a
caseworker or volunteer does with them afterwards. Each one runs in a transaction and records one
audit event naming the fields it changed, never their values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from casework import services as case_services
from casework.models import Case, CaseStatus
from casework.uploads import sniff_content_type
from constituents.models import Constituent
from correspondence import search_index
from correspondence.models import (
    Attachment,
    Channel,
    ContactTopic,
    Direction,
    Message,
    PublishedPosition,
    TriageState,
)
from security.audit import audit_record
from security.errors import DomainError
from security.models import Office, User
from security.scoping import ensure_same_office

MAX_SCAN_BYTES = 20 * 1024 * 1024
# A scanned letter is a PDF or a picture; anything else is refused rather than stored.
SCAN_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif"})
# The states a person may set by hand; "filed" comes from filing, "campaign" from campaign detection.
HAND_STATES = frozenset({TriageState.NEW, TriageState.NO_ACTION, TriageState.SPAM})
# Channels logged by hand: email and web-form messages arrive by themselves.
LOGGED_CHANNELS = (Channel.LETTER, Channel.PHONE, Channel.SOCIAL, Channel.IN_PERSON)
MAX_SUBJECT = 1000


def _changed(message: Message, **values: Any) -> list[str]:
    """Set the values that differ and return their field names."""
    changed = []
    for name, value in values.items():
        if getattr(message, name) != value:
            setattr(message, name, value)
            changed.append(name)
    return changed


def _save(message: Message, fields: list[str]) -> None:
    if fields:
        message.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def message_file(*, message: Message, case: Case, actor: User) -> Message:
    """File a message to a case: it leaves triage and joins the case's timeline.

    The message takes the case's constituent if it had none. A message from the constituent
    restarts the office's response clock.
    """
    ensure_same_office(message.office, case)
    if case.status == CaseStatus.CLOSED:
        raise DomainError(f"Case {case.reference} is closed: reopen it first, or open a new case.")
    # A message from someone else (a representative, a neighbour) keeps the person who sent it.
    fields = _changed(
        message,
        case=case,
        triage_state=TriageState.FILED,
        constituent=message.constituent if message.constituent_id else case.constituent,
    )
    _save(message, fields)
    if message.direction == Direction.INBOUND:
        case_services.case_constituent_wrote(case=case)
    audit_record(verb="correspondence.message.filed", office=message.office, actor=actor, obj=message, fields=fields)
    return message


@transaction.atomic
def message_open_case(
    *,
    message: Message,
    actor: User,
    summary: str,
    constituent: Constituent | None = None,
    **case_fields: Any,
) -> Case:
    """Open a new case from a message, for its constituent (or ``constituent``), and file it there."""
    constituent = constituent or message.constituent
    if constituent is None:
        raise DomainError("Choose the constituent the case is for, or add them.")
    ensure_same_office(message.office, constituent)
    case = case_services.case_open(
        office=message.office, constituent=constituent, opened_by=actor, summary=summary, **case_fields
    )
    # Filing gives a message without a constituent the case's, which is ``constituent``.
    message_file(message=message, case=case, actor=actor)
    return case


@transaction.atomic
def message_set_triage(*, message: Message, actor: User, state: str) -> Message:
    """Mark a message as needing no action or as spam, or put it back as new.

    A filed message stays filed: take it out of its case before changing its state.
    """
    if state not in HAND_STATES:
        raise DomainError("Choose new, no action needed or spam.")
    if message.triage_state == TriageState.FILED and message.case_id:
        raise DomainError("This message is filed to a case; it stays there.")
    fields = _changed(message, triage_state=state)
    _save(message, fields)
    audit_record(
        verb=f"correspondence.message.triage_{state}", office=message.office, actor=actor, obj=message, fields=fields
    )
    return message


@transaction.atomic
def message_link_constituent(*, message: Message, constituent: Constituent, actor: User) -> Message:
    """Say who sent a message (the suggestion from their email address, or a record chosen by hand)."""
    ensure_same_office(message.office, constituent)
    fields = _changed(message, constituent=constituent)
    _save(message, fields)
    audit_record(
        verb="correspondence.message.constituent_linked",
        office=message.office,
        actor=actor,
        obj=message,
        fields=fields,
    )
    return message


@transaction.atomic
def message_log(
    *,
    office: Office,
    actor: User,
    channel: str,
    direction: str,
    subject: str,
    text: str,
    occurred_at: dt.datetime,
    case: Case | None = None,
    constituent: Constituent | None = None,
    scan: UploadedFile | None = None,
) -> Message:
    """Record a letter, phone call, social-media message or visit that did not arrive by email.

    With a case the message is filed there straight away; a scanned letter is stored as the
    message's attachment (PDF or image, at most 20 MB, under the office's path).
    """
    if channel not in LOGGED_CHANNELS:
        raise DomainError("Choose a letter, phone call, social media message or in person.")
    if direction not in Direction.values:
        raise DomainError("Say whether it was received or sent.")
    subject, text = subject.strip(), text.strip()
    if not subject:
        raise DomainError("Give it a subject or a one-line summary.")
    if len(subject) > MAX_SUBJECT:
        raise DomainError(f"Keep the subject under {MAX_SUBJECT} characters.")
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError("That date is in the future.")
    if scan is not None and channel != Channel.LETTER:
        raise DomainError("Only a letter has a scan.")
    ensure_same_office(office, case, constituent)
    if case is not None and case.status == CaseStatus.CLOSED:
        raise DomainError(f"Case {case.reference} is closed: reopen it first.")
    constituent = constituent or (case.constituent if case is not None else None)
    message = Message.objects.create(
        office=office,
        direction=direction,
        channel=channel,
        subject=subject,
        text=text,
        received_at=occurred_at,
        sent_at=occurred_at if direction == Direction.OUTBOUND else None,
        constituent=constituent,
        case=case,
        triage_state=TriageState.FILED if case is not None else TriageState.NEW,
        logged_by=actor,
    )
    if scan is not None:
        _store_scan(message, scan)
    search_index.refresh_message(message.pk)
    if case is not None:
        if direction == Direction.INBOUND:
            case_services.case_constituent_wrote(case=case)
        else:
            case_services.case_record_response(case=case, at=occurred_at)
    audit_record(
        verb="correspondence.message.logged",
        office=office,
        actor=actor,
        obj=message,
        fields=["channel", "direction", "subject", "text", "received_at"]
        + (["case"] if case else [])
        + (["constituent"] if constituent else [])
        + (["attachments"] if scan else []),
    )
    return message


def _store_scan(message: Message, scan: UploadedFile) -> Attachment:
    if scan.size is None or scan.size > MAX_SCAN_BYTES:
        raise DomainError(f"The scan is too large; the limit is {MAX_SCAN_BYTES // (1024 * 1024)} MB.")
    if not scan.size:
        raise DomainError("The scan is empty.")
    content_type = sniff_content_type(scan)
    if content_type not in SCAN_TYPES:
        raise DomainError("A scan must be a PDF or a picture (PNG, JPEG or GIF).")
    digest = hashlib.sha256()
    for chunk in scan.chunks():
        digest.update(chunk)
    scan.seek(0)
    attachment = Attachment(
        office=message.office,
        message=message,
        name=(scan.name or "scan")[:255],
        content_type=content_type,
        declared_type=(getattr(scan, "content_type", "") or "")[:100],
        size=scan.size,
        sha256=digest.hexdigest(),
    )
    # The stored name is the hash (see attachment_path); the sender's name is only displayed.
    attachment.file.save(attachment.sha256, scan, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def contact_page_save(*, office: Office, actor: User, row: ContactTopic | PublishedPosition) -> None:
    """Save a topic or a published position of the public contact page."""
    ensure_same_office(office, row, getattr(row, "organisation", None))
    created = row.pk is None
    row.save()
    kind = type(row).__name__.lower()
    audit_record(
        verb=f"correspondence.{kind}.{'created' if created else 'changed'}", office=office, actor=actor, obj=row
    )
