"""Correspondence data, one module per topic; import models from here."""

from correspondence.models.contact import ContactTopic, PublishedPosition, TopicKind
from correspondence.models.mailboxes import AuthMethod, Mailbox, MailboxFolderState
from correspondence.models.messages import (
    Attachment,
    Channel,
    Direction,
    Message,
    ParseState,
    RawEmail,
    RawSource,
    TriageState,
    attachment_path,
)
from correspondence.models.outbox import (
    BatchState,
    OutboxBatch,
    OutboxStatus,
    OutgoingEmail,
    Priority,
    SendingIdentity,
    SmtpSecurity,
    Transport,
)

__all__ = [
    "Attachment",
    "AuthMethod",
    "BatchState",
    "Channel",
    "ContactTopic",
    "Direction",
    "Mailbox",
    "MailboxFolderState",
    "Message",
    "OutboxBatch",
    "OutboxStatus",
    "OutgoingEmail",
    "ParseState",
    "Priority",
    "PublishedPosition",
    "RawEmail",
    "RawSource",
    "SendingIdentity",
    "SmtpSecurity",
    "TopicKind",
    "Transport",
    "TriageState",
    "attachment_path",
]
