"""Erasure reaches the office's mailbox: the copies the poller left are deleted, on a real Dovecot."""

from __future__ import annotations

import pytest
from imap_tools import A

from constituents import services as constituent_services
from correspondence import imap
from correspondence.models import RawEmail
from security import tasks
from security.dataprotection import erasure
from security.dataprotection.models import PendingCleanup
from tests.correspondence.conftest import email
from tests.correspondence.dovecot import deliver, imap_login, uids_in
from tests.correspondence.test_imap import _messages, make_mailbox

HERS = "persephone.quibble@example.net"


@pytest.fixture(autouse=True)
def cleanups_at_once(monkeypatch):
    monkeypatch.setattr(tasks.cleanups_run, "delay", tasks.cleanups_run)


def _subjects(port: int, user: str, folder: str) -> list[str]:
    with imap_login(port, user) as box:
        box.folder.set(folder)
        return sorted(message.subject for message in box.fetch(A(all=True), mark_seen=False))


def test_erasure_deletes_her_mail_from_the_processed_and_sent_folders(
    office, manager, dovecot, account, django_capture_on_commit_callbacks
):
    person = constituent_services.constituent_create(office=office, actor=manager, last_name="Quibbleworth", email=HERS)
    deliver(dovecot, account, email(sender=HERS, subject="Hers", message_id="<h1@example.net>"))
    deliver(dovecot, account, email(sender="someone@example.org", subject="Not hers", message_id="<n1@example.org>"))
    reply = email(sender="mp@office.example", subject="Our reply", message_id="<r1@office.example>")
    deliver(dovecot, account, reply.replace(b"To: mp@office.example", f"To: {HERS}".encode()), "Sent")
    mailbox = make_mailbox(office, dovecot, account)
    assert imap.mailbox_poll(mailbox=mailbox).ok
    assert _messages(office).filter(constituent=person).count() == 2
    assert _subjects(dovecot, account, "Processed") == ["Hers", "Not hers"]

    with django_capture_on_commit_callbacks(execute=True):
        erasure.subject_erase(office=office, subject_id=person.pk, actor=manager)

    assert _subjects(dovecot, account, "Processed") == ["Not hers"]
    assert _subjects(dovecot, account, "Sent") == []
    assert not PendingCleanup.objects.for_office(office).exists()
    assert list(RawEmail.objects.for_office(office).values_list("message_id", flat=True)) == ["n1@example.org"]


def test_a_renumbered_folder_is_searched_by_message_id_and_a_missing_copy_is_no_error(office, dovecot, account):
    mailbox = make_mailbox(office, dovecot, account)
    deliver(dovecot, account, email(message_id="<m1@example.org>", subject="One"), "Processed")
    deliver(dovecot, account, email(message_id="<m2@example.org>", subject="Two"), "Processed")
    (first, _) = uids_in(dovecot, account, "Processed")
    # A stale UIDVALIDITY: the UID may name another message now, so the Message-ID decides.
    deleted = imap.message_delete(
        mailbox=mailbox, folder="Processed", uidvalidity=1, uid=int(first), message_id="m2@example.org"
    )
    assert deleted == 1
    assert _subjects(dovecot, account, "Processed") == ["One"]
    assert (
        imap.message_delete(mailbox=mailbox, folder="Processed", uidvalidity=1, uid=1, message_id="m2@example.org") == 0
    )
    assert imap.message_delete(mailbox=mailbox, folder="Gone", uidvalidity=None, uid=None, message_id="x@y") == 0


def test_an_unreachable_server_keeps_the_cleanup_for_a_retry(office, manager, django_capture_on_commit_callbacks):
    from correspondence.models import Mailbox

    mailbox = Mailbox(office=office, name="Down", host="127.0.0.1", port=9, use_tls=False, username="u")
    mailbox.secret_set("pw")
    mailbox.save()
    person = constituent_services.constituent_create(office=office, actor=manager, last_name="Quibbleworth", email=HERS)
    from correspondence import ingest

    raw, _ = ingest.store_raw(
        office=office,
        raw=email(sender=HERS, message_id="<d1@example.net>"),
        source="imap",
        mailbox_key=mailbox.key,
        uidvalidity=7,
        uid=3,
        folder="INBOX",
        enqueue=False,
    )
    ingest.process_raw(raw.pk)
    RawEmail.objects.for_office(office).filter(pk=raw.pk).update(folder="Processed", moved_uidvalidity=8, moved_uid=4)
    with django_capture_on_commit_callbacks(execute=True):
        erasure.subject_erase(office=office, subject_id=person.pk, actor=manager)
    row = PendingCleanup.objects.for_office(office).get()
    assert row.payload == {
        "mailbox_id": mailbox.pk,
        "folder": "Processed",
        "message_id": "d1@example.net",
        "uidvalidity": 8,
        "uid": 4,
    }
    assert row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
