from django.core.files.base import ContentFile

from correspondence.models import (
    Attachment,
    ContactTopic,
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
