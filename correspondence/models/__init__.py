"""Correspondence data, one module per topic; import models from here."""

from correspondence.models.letters import Addressee, Letterhead, LetterTemplate, StandardParagraph, letterhead_path
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

__all__ = [
    "Addressee",
    "Attachment",
    "AuthMethod",
    "Channel",
    "Direction",
    "LetterTemplate",
    "Letterhead",
    "Mailbox",
    "MailboxFolderState",
    "Message",
    "ParseState",
    "RawEmail",
    "RawSource",
    "StandardParagraph",
    "TriageState",
    "attachment_path",
    "letterhead_path",
]
