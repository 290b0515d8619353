"""The public contact form: a web-form message in the triage page and one acknowledgement a day."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from constituents.models import InConstituency
from constituents.selectors import ward_for_postcode
from correspondence import outbox, search_index
from correspondence.models import Channel, ContactTopic, Direction, Message, Priority, TriageState
from correspondence.threading import constituent_for_email
from security.audit import audit_record
from security.models import ActorKind, Office


@dataclass(frozen=True)
class Submission:
    name: str
    email: str
    postcode: str  # normalised
    text: str
    consent_to_share: bool
    topic: ContactTopic | None


def constituency_check(*, office: Office, postcode: str) -> str:
    """Yes or no from the office's postcode table; unknown when the postcode is not in it."""
    found = ward_for_postcode(office=office, postcode=postcode)
    if found is None:
        return InConstituency.UNKNOWN
    return InConstituency.YES if found.in_constituency else InConstituency.NO


@transaction.atomic
def contact_submit(*, office: Office, submission: Submission) -> Message:
    """Store the message for triage and queue the acknowledgement (at most one per address a day)."""
    subject = f"Web form: {submission.topic.title}" if submission.topic else "Web form message"
    message = Message.objects.create(
        office=office,
        direction=Direction.INBOUND,
        channel=Channel.WEB_FORM,
        sender_name=submission.name,
        sender_email=submission.email,
        subject=subject,
        text=submission.text,
        received_at=timezone.now(),
        constituent=constituent_for_email(office=office, email=submission.email),
        triage_state=TriageState.NEW,
        form_data={
            "postcode": submission.postcode,
            "in_constituency": constituency_check(office=office, postcode=submission.postcode),
            "consent_to_share": submission.consent_to_share,
            "topic": submission.topic.title if submission.topic else "",
        },
    )
    search_index.refresh_message(message.pk)
    _acknowledge(office, submission.email)
    audit_record(
        verb="correspondence.contact_form.received",
        office=office,
        actor_kind=ActorKind.PUBLIC,
        obj=message,
        fields=["sender_name", "sender_email", "text", "form_data"],
    )
    return message


def _acknowledge(office: Office, address: str) -> None:
    # Nothing the sender typed goes into the acknowledgement (not even their name), so the
    # form cannot be used to send someone else a message of the sender's choosing; the key
    # holds a hash, not the address.
    digest = hashlib.sha256(address.lower().encode()).hexdigest()[:32]
    context = {"office": office}
    outbox.outbox_enqueue(
        office=office,
        draft=outbox.Draft(
            idempotency_key=f"contact-ack:{digest}:{timezone.localdate().isoformat()}",
            to_email=address,
            subject=" ".join(render_to_string("emails/contact_ack_subject.txt", context).split()),
            text=render_to_string("emails/contact_ack.txt", context),
            headers={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"},
        ),
        priority=Priority.AUTOMATIC,
    )
