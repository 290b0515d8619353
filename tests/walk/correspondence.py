from django.core.files.base import ContentFile

from correspondence.demo_letters import demo_logo, demo_signature
from correspondence.models import (
    Attachment,
    Letterhead,
    LetterTemplate,
    Mailbox,
    MailboxFolderState,
    Message,
    RawEmail,
    StandardParagraph,
)

PARAMS = {
    "message_id": "message",
    "attachment_id": "attachment",
    "raw_email_id": "rawemail",
    "mailbox_id": "mailbox",
    "template_id": "lettertemplate",
    "paragraph_id": "standardparagraph",
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
    rows["lettertemplate"] = LetterTemplate.objects.create(
        office=office, name=f"{prefix} template", body=f"{prefix} letter to {{{{ constituent.full_name }}}}"
    )
    rows["standardparagraph"] = StandardParagraph.objects.create(
        office=office, title=f"{prefix} paragraph", shortcut=prefix.lower()[:30], body=f"{prefix} paragraph text"
    )
    letterhead = Letterhead(office=office, mp_name=f"{prefix} MP", address=f"{prefix} House", footer=prefix)
    letterhead.logo.save("logo-walk.png", ContentFile(demo_logo().read()), save=False)
    letterhead.signature.save("signature-walk.png", ContentFile(demo_signature().read()), save=False)
    letterhead.save()
    rows["letterhead"] = letterhead
