"""Replying to a constituent by email from their case, through the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from casework import services as casework_services
from casework.models import Case
from correspondence import outbox, search_index
from correspondence.models import Channel, Direction, Message, OutgoingEmail, TriageState
from correspondence.threading import reference_in_subject
from security.audit import audit_record
from security.errors import DomainError
from security.models import User

MAX_REFERENCES = 20


@dataclass(frozen=True)
class ReplyDefaults:
    to_email: str
    to_name: str
    subject: str
    in_reply_to: Message | None


def latest_inbound_email(case: Case) -> Message | None:
    return (
        Message.objects.for_office(case.office)
        .filter(case=case, direction=Direction.INBOUND, channel=Channel.EMAIL, is_automatic=False)
        .order_by("-received_at", "-id")
        .first()
    )


def subject_with_reference(subject: str, case: Case) -> str:
    """The case's ``[Ref …]`` token on the subject, so the answer threads back even without headers."""
    subject = " ".join(subject.split()) or case.summary
    if reference_in_subject(subject) != case.reference:
        subject = f"{subject} [Ref {case.reference}]"
    return subject


def reply_defaults(case: Case) -> ReplyDefaults:
    """Answer the constituent's latest email, else write to their preferred address."""
    latest = latest_inbound_email(case)
    constituent = case.constituent
    to_email = latest.sender_email if latest else _preferred_email(case)
    to_name = (latest.sender_name if latest else "") or (constituent.full_name if constituent else "")
    subject = latest.subject if latest else case.summary
    if latest and not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    return ReplyDefaults(
        to_email=to_email, to_name=to_name, subject=subject_with_reference(subject, case), in_reply_to=latest
    )


def _preferred_email(case: Case) -> str:
    if case.constituent is None:
        return ""
    first = case.constituent.emails.order_by("-is_preferred", "id").first()
    return first.email if first else ""


def _threading_headers(parent: Message | None) -> dict[str, str]:
    if parent is None or not parent.message_id:
        return {}
    chain = [*parent.references.split(), f"<{parent.message_id}>"][-MAX_REFERENCES:]
    return {"In-Reply-To": f"<{parent.message_id}>", "References": " ".join(chain)}


@transaction.atomic
def reply_send(
    *,
    case: Case,
    actor: User,
    to_email: str,
    to_name: str,
    subject: str,
    text: str,
    in_reply_to: Message | None,
    idempotency_key: str,
) -> Message:
    """Put the reply on the case's timeline and in the outbox. The same key sends once."""
    text = text.strip()
    if not text:
        raise DomainError("Write the reply first.")
    existing = OutgoingEmail.objects.for_office(case.office).filter(idempotency_key=f"reply:{idempotency_key}").first()
    if existing is not None and existing.timeline_message is not None:
        return existing.timeline_message
    if in_reply_to is not None and in_reply_to.case_id != case.pk:
        raise DomainError("That message belongs to another case.")
    identity = outbox.identity_for(case.office)
    subject = subject_with_reference(subject, case)
    headers = _threading_headers(in_reply_to)
    message = Message.objects.create(
        office=case.office,
        direction=Direction.OUTBOUND,
        channel=Channel.EMAIL,
        message_id=outbox.new_message_id(identity.from_email),
        in_reply_to=headers.get("In-Reply-To", "").strip("<>"),
        references=headers.get("References", ""),
        sender_name=identity.from_name,
        sender_email=identity.from_email,
        recipients=[{"name": to_name, "email": to_email, "kind": "to"}],
        subject=subject,
        text=text,
        received_at=timezone.now(),
        case=case,
        constituent=case.constituent,
        triage_state=TriageState.FILED,
        logged_by=actor,
    )
    outbox.outbox_enqueue(
        office=case.office,
        draft=outbox.Draft(
            idempotency_key=f"reply:{idempotency_key}",
            to_email=to_email,
            to_name=to_name,
            subject=subject,
            text=text,
            headers=headers,
            constituent=case.constituent,
            message=message,
        ),
        actor=actor,
        message_id=message.message_id,
    )
    search_index.refresh_message(message.pk)
    casework_services.case_record_response(case=case)
    audit_record(
        verb="correspondence.reply.queued", office=case.office, actor=actor, obj=message, fields=["subject", "text"]
    )
    return message
