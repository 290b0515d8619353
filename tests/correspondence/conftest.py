"""Ingestion fixtures: the corpus, a store-and-parse helper, attachments under a temporary root, and
a real Dovecot (``dovecot``, ``account``; see tests/correspondence/dovecot.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from correspondence import ingest
from correspondence.models import Message, RawEmail, RawSource
from tests.correspondence.dovecot import account_fixture, dovecot_server  # noqa: F401 - fixtures: a real IMAP server

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def corpus_bytes(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def ingest_bytes(office, raw: bytes, source: str = RawSource.UPLOAD, **where) -> tuple[RawEmail, Message | None]:
    """Store and parse at once (as a worker would after the commit)."""
    row, _ = ingest.store_raw(office=office, raw=raw, source=source, **where)
    ingest.process_raw(row.pk)
    row.refresh_from_db()
    return row, Message.objects.for_office(office).filter(raw_email=row).first()


def email(
    *,
    sender: str = "jane@example.org",
    subject: str = "Hello",
    body: str = "Body text.",
    message_id: str = "<m1@example.org>",
    extra: str = "",
) -> bytes:
    headers = f"From: Jane <{sender}>\r\nTo: mp@office.example\r\nSubject: {subject}\r\n"
    headers += "Date: Tue, 3 Mar 2026 10:15:00 +0000\r\n"
    if message_id:
        headers += f"Message-ID: {message_id}\r\n"
    return (headers + extra + "\r\n" + body + "\r\n").encode()
