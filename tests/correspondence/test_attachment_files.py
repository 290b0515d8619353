"""Attachment files on disk: one over the size limit is listed but never extracted (the raw email
keeps it), and files written by a parse whose transaction rolls back do not stay behind."""

from __future__ import annotations

import base64
import email as email_lib
import hashlib
from email import policy

import pytest
from django.urls import reverse

from correspondence import ingest, search_index
from correspondence.models import Attachment, Message, ParseState, RawEmail, RawSource
from tests.correspondence.conftest import email, ingest_bytes

SMALL = b"Small letter scan. " * 10
BIG = bytes(range(256)) * 20  # 5,120 bytes


def _with_attachments(*files: tuple[str, str, bytes], message_id: str = "<att@example.org>") -> bytes:
    parts = "--b\r\nContent-Type: text/plain\r\n\r\nPlease see the attached.\r\n"
    for name, content_type, data in files:
        encoded = base64.encodebytes(data).decode().replace("\n", "\r\n")
        parts += (
            f"--b\r\nContent-Type: {content_type}\r\nContent-Disposition: attachment; filename={name}\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}"
        )
    return email(
        subject="Scans",
        message_id=message_id,
        extra="MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n",
        body=parts + "--b--",
    )


def _read(attachment: Attachment) -> bytes:
    with attachment.file.open("rb") as handle:
        return handle.read()


def _files_on_disk(media_root) -> list:
    return sorted(path for path in media_root.rglob("*") if path.is_file()) if media_root.exists() else []


def test_an_attachment_over_the_limit_is_listed_and_flagged_but_not_extracted(
    office, settings, media_root, caseworker_client, manager_client
):
    settings.INBOUND_ATTACHMENT_MAX_BYTES = 4096
    raw = _with_attachments(("letter.txt", "text/plain", SMALL), ("council-report.pdf", "application/pdf", BIG))

    row, message = ingest_bytes(office, raw)

    assert row.parse_state == ParseState.PARSED
    small, big = message.attachments.order_by("id")
    assert (small.name, small.too_large, small.size) == ("letter.txt", False, len(SMALL))
    assert _read(small) == SMALL
    assert (big.name, big.declared_type, big.size, big.too_large) == (
        "council-report.pdf",
        "application/pdf",
        len(BIG),
        True,
    )
    assert big.sha256 == hashlib.sha256(BIG).hexdigest()
    assert not big.file
    assert _files_on_disk(media_root) == [media_root / small.file.name]
    # The raw email still carries it, byte for byte.
    kept = email_lib.message_from_bytes(bytes(row.raw), policy=policy.default)
    assert [part.get_content() for part in kept.iter_attachments()][1] == BIG

    page = caseworker_client.get(reverse("correspondence:message_detail", args=[message.pk])).content.decode()
    assert "council-report.pdf" in page
    assert "Too large — kept in the raw email." in page
    assert page.count("Too large") == 1
    assert reverse("correspondence:attachment_download", args=[message.pk, small.pk]) in page
    big_url = reverse("correspondence:attachment_download", args=[message.pk, big.pk])
    assert big_url not in page
    assert caseworker_client.get(big_url).status_code == 404
    raw_url = reverse("correspondence:quarantine_raw", args=[row.pk])
    assert raw_url not in page  # only managers download raw email
    manager_page = manager_client.get(reverse("correspondence:message_detail", args=[message.pk])).content.decode()
    assert raw_url in manager_page
    assert bytes(manager_client.get(raw_url).content) == raw
    download = caseworker_client.get(reverse("correspondence:attachment_download", args=[message.pk, small.pk]))
    assert b"".join(download.streaming_content) == SMALL
    download.close()


def test_an_attachment_at_the_limit_is_extracted(office, settings, media_root):
    settings.INBOUND_ATTACHMENT_MAX_BYTES = len(BIG)
    _, message = ingest_bytes(office, _with_attachments(("report.pdf", "application/pdf", BIG)))
    attachment = message.attachments.get()
    assert not attachment.too_large
    assert _read(attachment) == BIG


def test_the_limit_defaults_to_ten_megabytes():
    from django.conf import settings

    assert settings.INBOUND_ATTACHMENT_MAX_BYTES == 10 * 1024 * 1024


@pytest.fixture
def crash_after_the_attachments(monkeypatch, media_root):
    """Parsing fails after every attachment file is written (the search vector is the last step);
    returns the number of files on disk each time it failed, to prove they had been written."""
    on_disk_at_crash: list[int] = []

    def broken(message_id: int) -> None:
        on_disk_at_crash.append(len(_files_on_disk(media_root)))
        raise RuntimeError("database went away")

    monkeypatch.setattr(search_index, "refresh_message", broken)
    return on_disk_at_crash


def test_a_worker_parse_that_rolls_back_leaves_no_attachment_file(
    office, settings, media_root, crash_after_the_attachments, monkeypatch
):
    settings.INBOUND_PARSE_LEASE_SECONDS = 0
    raw = _with_attachments(("a.txt", "text/plain", SMALL), ("b.bin", "application/octet-stream", BIG))
    row, _ = ingest.store_raw(office=office, raw=raw, source=RawSource.UPLOAD, enqueue=False)

    outcome = ingest.process_raw(row.pk)

    assert outcome.state == ParseState.PENDING
    assert crash_after_the_attachments == [2]
    row.refresh_from_db()
    assert "RuntimeError" in row.parse_error
    assert not Message.objects.for_office(office).exists()
    assert not Attachment.objects.for_office(office).exists()
    assert _files_on_disk(media_root) == []

    # Once the fault is gone the sweep parses it, and exactly its two files are there.
    monkeypatch.undo()
    assert ingest.raw_parse_pending() == 1
    attachments = Attachment.objects.for_office(office).order_by("id")
    assert [_read(a) for a in attachments] == [SMALL, BIG]
    assert _files_on_disk(media_root) == sorted(media_root / a.file.name for a in attachments)


def test_an_inline_parse_that_rolls_back_leaves_no_attachment_file(office, media_root, crash_after_the_attachments):
    raw = _with_attachments(("a.txt", "text/plain", SMALL), ("b.bin", "application/octet-stream", BIG))

    result = ingest.ingest_one(office=office, raw=raw, source=RawSource.UPLOAD)

    # The raw row commits (the parse ran in a savepoint); the files of the rolled-back parse are gone.
    assert (result.created, result.state) == (True, ParseState.PENDING)
    assert crash_after_the_attachments == [2]
    assert bytes(RawEmail.objects.for_office(office).get(pk=result.raw_id).raw) == raw
    assert not Attachment.objects.for_office(office).exists()
    assert _files_on_disk(media_root) == []


def test_files_of_a_parse_that_commits_stay(office, media_root):
    raw = _with_attachments(("a.txt", "text/plain", SMALL), ("b.bin", "application/octet-stream", BIG))
    result = ingest.ingest_one(office=office, raw=raw, source=RawSource.UPLOAD)
    assert result.state == ParseState.PARSED
    assert len(_files_on_disk(media_root)) == 2
