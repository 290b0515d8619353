import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from correspondence.models import (
    Attachment,
    ContactTopic,
    DigestOptOut,
    DigestSent,
    Enquiry,
    EnquirySettings,
    EnquiryStep,
    Mailbox,
    MailboxFolderState,
    Message,
    OutboxBatch,
    OutgoingEmail,
    PublishedPosition,
    RawEmail,
    SendingIdentity,
)

PARAMS = {
    "message_id": "message",
    "attachment_id": "attachment",
    "raw_email_id": "rawemail",
    "mailbox_id": "mailbox",
    "reply_id": "reply",
    "outgoing_id": "outgoingemail",
    "batch_id": "outboxbatch",
    "topic_id": "contacttopic",
    "position_id": "publishedposition",
    "enquiry_id": "enquiry",
    "step_id": "enquirystep",
}


def build(office, prefix, rows):
    raw = f"From: {prefix} <a@example.org>\r\nSubject: {prefix}\r\n\r\n{prefix}\r\n".encode()
    rows["rawemail"] = RawEmail.objects.create(office=office, source="upload", raw=raw, size=len(raw), sha256="1" * 64)
    message = Message.objects.create(
        office=office,
        direction="in",
        channel="email",
        raw_email=rows["rawemail"],
        sender_name=f"{prefix} Sender",
        sender_email=f"{prefix.lower()}@mail.example",
        subject=f"{prefix} subject",
        text=f"{prefix} text\n\nOn Mon, 1 Jan 2026, Someone wrote:\n> {prefix}",
        html=f"<p>{prefix} html</p>",
        constituent=rows["constituent"],
    )
    rows["message"] = message
    rows["attachment"] = Attachment.objects.create(
        office=office,
        message=message,
        file=ContentFile(prefix.encode(), name="a.txt"),
        name=f"{prefix} attachment.txt",
        content_type="text/plain",
        size=len(prefix),
        sha256="2" * 64,
    )
    rows["mailbox"] = mailbox = Mailbox(
        office=office,
        name=f"{prefix} mailbox",
        host="127.0.0.1",
        port=9,
        use_tls=False,
        username=f"{prefix}@example.org",
    )
    mailbox.secret_set(f"{prefix}-secret")
    mailbox.save()
    rows["mailboxfolderstate"] = MailboxFolderState.objects.create(office=office, mailbox=mailbox, folder="INBOX")
    rows["sendingidentity"] = SendingIdentity.objects.create(
        office=office, from_email=f"{prefix.lower()}@office.example", from_name=f"{prefix} office"
    )
    rows["outboxbatch"] = batch = OutboxBatch.objects.create(office=office, label=f"{prefix} bulk send")
    rows["reply"] = reply = Message.objects.create(
        office=office,
        direction="out",
        channel="email",
        subject=f"{prefix} reply",
        text=f"{prefix} reply text",
        case=rows["case"],
        constituent=rows["constituent"],
    )
    rows["outgoingemail"] = OutgoingEmail.objects.create(
        office=office,
        idempotency_key=f"{prefix}-reply",
        message_id=f"{prefix.lower()}@office.example",
        from_email=f"{prefix.lower()}@office.example",
        to_email=f"{prefix.lower()}@mail.example",
        to_name=f"{prefix} Recipient",
        subject=f"{prefix} reply",
        text=f"{prefix} reply text",
        status="failed",
        last_error=f"{prefix} refused",
        timeline_message=reply,
        constituent=rows["constituent"],
        batch=batch,
    )
    rows["contacttopic"] = ContactTopic.objects.create(office=office, title=f"{prefix} topic")
    rows["publishedposition"] = PublishedPosition.objects.create(
        office=office, title=f"{prefix} position", body=f"{prefix} view", is_published=True
    )
    organisation = rows["organisation"]
    rows["enquiry"] = enquiry = Enquiry.objects.create(
        office=office,
        case=rows["case"],
        organisation=organisation,
        question=f"{prefix} question",
        sent_via="email",
        sent_on=dt.date(2026, 11, 2),
        target_on=dt.date(2026, 11, 30),
        due_on=dt.date(2026, 11, 30),
        next_action="remind",
        next_action_on=dt.date(2026, 11, 26),
    )
    rows["enquirystep"] = EnquiryStep.objects.create(
        office=office,
        enquiry=enquiry,
        kind="chaser_drafted",
        for_due_on=enquiry.due_on,
        draft_channel="email",
        draft_subject=f"{prefix} chaser",
        draft_text=f"{prefix} chaser text",
    )
    rows["enquirysettings"] = EnquirySettings.objects.create(office=office, ladder=[f"{prefix} rung"])
    user = rows["membership"].user
    rows["digestoptout"] = DigestOptOut.objects.create(office=office, user=user)
    rows["digestsent"] = DigestSent.objects.create(
        office=office, user=user, day=dt.date(2026, 11, 27), claimed_at=timezone.now()
    )
