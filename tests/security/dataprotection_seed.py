"""One person seeded in every channel that exists, through the real services, for the subject
access, erasure and handover tests. Their details are rare strings, so a search for them in a
database dump or the file storage finds nothing else."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework import services as case_services
from casework.models import Case
from constituents import services as constituent_services
from constituents.models import Constituent
from correspondence import contact, enquiries, ingest, replies
from correspondence import services as message_services
from correspondence.models import Channel, Direction, Message, RawEmail, RawSource
from security.dataprotection import sar as sar_services
from security.dataprotection.models import SubjectAccessRequest
from tests.factories import OrganisationFactory

FIRST, LAST = "Persephone", "Quibbleworth"
NAME = f"{FIRST} {LAST}"
EMAIL = "persephone.quibble@example.net"
PHONE = "+447400123987"
PHONE_DIGITS = "7400123987"
POSTCODE = "NT9 9ZQ"
OTHER_NAME = "Bartholomew Zanzibar"  # someone else, named in her data: the redaction tests use him
TRACES = (FIRST, LAST, EMAIL, PHONE_DIGITS, POSTCODE, POSTCODE.replace(" ", ""))


@dataclass
class Seeded:
    person: Constituent
    case: Case
    other_case: Case
    email_message: Message
    raw: RawEmail
    sar: SubjectAccessRequest


def email_with_attachment(message_id: str = "<q1@example.net>") -> bytes:
    attachment = base64.encodebytes(f"Evidence for {NAME}, {POSTCODE}, tel 07400 123987.\n".encode()).decode()
    return (
        f"From: {NAME} <{EMAIL}>\r\n"
        "To: mp@office.example\r\n"
        f"Subject: My housing problem ({LAST})\r\n"
        "Date: Tue, 3 Mar 2026 10:15:00 +0000\r\n"
        f"Message-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n'
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        f"Dear MP, I am {NAME} of {POSTCODE}. My landlord {OTHER_NAME} will not fix the damp=\r\n"
        f". Call me on 07400 123987.\r\n"
        "--b1\r\n"
        'Content-Type: text/plain; name="evidence.txt"\r\n'
        'Content-Disposition: attachment; filename="evidence-quibbleworth.txt"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        f"{attachment}"
        "--b1--\r\n"
    ).encode()


def seed_person(office, actor) -> Seeded:  # type: ignore[no-untyped-def]
    """Jane Doe's rarer cousin, everywhere: record, contacts, someone acting for her, a case with
    notes and a document, an emailed message with an attachment, a letter sent with its scan, a
    phone note, the public contact form (and its acknowledgement in the outbox), a reply from
    her case through the outbox, an enquiry to a council about her, her name on someone else's
    case, and a subject access request."""
    case_services.office_initialise(office)
    person = constituent_services.constituent_create(
        office=office,
        actor=actor,
        first_name=FIRST,
        last_name=LAST,
        address_line1="1 Quibble Lane",
        town="Northtown",
        postcode=POSTCODE,
        date_of_birth=dt.date(1970, 5, 4),
        notes=f"{FIRST} prefers mornings.",
        email=EMAIL,
        phone=PHONE,
        phone_label="mobile",
    )
    constituent_services.representative_create(
        constituent=person, actor=actor, name="Ophelia Quibbleworth", relationship="relative", phone="+447400123988"
    )
    case = case_services.case_open(
        office=office,
        constituent=person,
        opened_by=actor,
        summary=f"Damp flat for {LAST}",
        description=f"{NAME} at {POSTCODE} has damp; landlord {OTHER_NAME}.",
    )
    case_services.case_add_note(case=case, actor=actor, text=f"Spoke to {FIRST} on 07400 123987.")
    case_services.case_add_document(
        case=case,
        actor=actor,
        upload=SimpleUploadedFile(f"tenancy-{LAST}.txt", f"Tenancy of {NAME}, {POSTCODE}".encode()),
        content_type="text/plain",
    )
    raw, _ = ingest.store_raw(office=office, raw=email_with_attachment(), source=RawSource.UPLOAD, enqueue=False)
    ingest.process_raw(raw.pk)
    email_message = Message.objects.for_office(office).get(raw_email=raw)
    message_services.message_file(message=email_message, case=case, actor=actor)
    message_services.message_log(
        office=office,
        actor=actor,
        channel=Channel.LETTER,
        direction=Direction.OUTBOUND,
        subject=f"Letter to {NAME}",
        text=f"Dear {FIRST}, we have written to the council about {POSTCODE}.",
        occurred_at=timezone.now(),
        case=case,
        scan=SimpleUploadedFile("scan.pdf", f"%PDF-1.4\n% Letter to {NAME}\n%%EOF\n".encode()),
    )
    message_services.message_log(
        office=office,
        actor=actor,
        channel=Channel.PHONE,
        direction=Direction.INBOUND,
        subject=f"Call from {FIRST}",
        text=f"{NAME} rang from 07400 123987 about the damp.",
        occurred_at=timezone.now(),
        case=case,
    )
    contact.contact_submit(
        office=office,
        submission=contact.Submission(
            name=NAME,
            email=EMAIL,
            postcode=POSTCODE,
            text=f"I am {NAME}, phone 07400 123987, about the damp.",
            consent_to_share=True,
            topic=None,
        ),
    )
    replies.reply_send(
        case=case,
        actor=actor,
        to_email=EMAIL,
        to_name=NAME,
        subject="Your damp flat",
        text=f"Dear {FIRST}, we have written to your landlord.",
        in_reply_to=email_message,
        idempotency_key="seed-reply",
    )
    enquiries.enquiry_create(
        case=case,
        actor=actor,
        new=enquiries.NewEnquiry(
            organisation=OrganisationFactory(office=office),
            question=f"Please inspect the damp at {NAME}'s flat, {POSTCODE}.",
            sent_via="email",
            sent_on=timezone.localdate(),
            identifiers={"Tenant": NAME},
        ),
    )
    neighbour = constituent_services.constituent_create(
        office=office, actor=actor, first_name="Ned", last_name="Bystander"
    )
    other_case = case_services.case_open(office=office, constituent=neighbour, opened_by=actor, summary="Noise")
    case_services.case_add_participant(case=other_case, actor=actor, role="other", constituent=person)
    sar = sar_services.sar_log(
        office=office,
        actor=actor,
        subject_id=person.pk,
        received_on=timezone.localdate(),
        received_by="email",
        notes=f"Identity checked: {NAME}'s passport.",
    )
    raw.refresh_from_db()
    return Seeded(person=person, case=case, other_case=other_case, email_message=email_message, raw=raw, sar=sar)
