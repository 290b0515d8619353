"""Correspondence data, one module per topic; import models from here."""

from correspondence.models.mailboxes import DEFAULT_OAUTH_SCOPE, AuthMethod, Mailbox, MailboxFolderState
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

__all__ = [
    "DEFAULT_OAUTH_SCOPE",
    "Attachment",
    "AuthMethod",
    "Channel",
    "Direction",
    "Mailbox",
    "MailboxFolderState",
    "Message",
    "ParseState",
    "RawEmail",
    "RawSource",
    "TriageState",
    "attachment_path",
]
