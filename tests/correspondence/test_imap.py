"""The IMAP poller against a real Dovecot on loopback, and the manager's mailbox pages."""

from __future__ import annotations

import logging
import socket

import pytest
from django.db import connection
from django.urls import reverse

from correspondence import imap, ingest
from correspondence.models import Direction, Mailbox, MailboxFolderState, Message, RawEmail
from security.models import AuditEvent
from tests.correspondence.conftest import email
from tests.correspondence.dovecot import PASSWORD, deliver, fresh_account, imap_login, uids_in


def make_mailbox(office, port: int, user: str, *, secret: str = PASSWORD, name: str = "Office inbox") -> Mailbox:
    mailbox = Mailbox(office=office, name=name, host="127.0.0.1", port=port, use_tls=False, username=user)
    mailbox.secret_set(secret)
    mailbox.save()
    return mailbox


def _messages(office):
    for row in RawEmail.objects.for_office(office).order_by("pk"):
        ingest.process_raw(row.pk)
    return Message.objects.for_office(office)


def test_delivered_mail_is_stored_once_and_moved_to_processed(office, dovecot, account):
    deliver(dovecot, account, email(message_id="<a1@example.org>", subject="First"))
    deliver(dovecot, account, email(message_id="<a2@example.org>", subject="Second"))
    mailbox = make_mailbox(office, dovecot, account)

    result = imap.mailbox_poll(mailbox=mailbox)

    assert result.ok, result.error
    assert result.stored == 2
    rows = list(RawEmail.objects.for_office(office).order_by("uid"))
    assert [r.uid for r in rows] == [1, 2]
    assert {r.folder for r in rows} == {"Processed"}
    assert all(r.moved_uid is not None and r.moved_uidvalidity for r in rows)  # Dovecot answers COPYUID
    assert bytes(rows[0].raw) == email(message_id="<a1@example.org>", subject="First")
    assert uids_in(dovecot, account, "INBOX") == []
    assert len(uids_in(dovecot, account, "Processed")) == 2  # moved, never deleted
    state = MailboxFolderState.unscoped.get(mailbox=mailbox, folder="INBOX")
    assert state.last_uid == 2
    assert state.uidvalidity
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""
    assert mailbox.consecutive_failures == 0
    assert mailbox.last_polled_at

    again = imap.mailbox_poll(mailbox=mailbox)
    assert again.ok
    assert again.stored == 0
    assert RawEmail.objects.for_office(office).count() == 2
    assert sorted(_messages(office).values_list("subject", flat=True)) == ["First", "Second"]


def test_the_sent_folder_gives_outgoing_messages_and_no_twin_of_mail_the_product_sent(office, dovecot, account):
    Message.objects.create(
        office=office, direction=Direction.OUTBOUND, channel="email", message_id="product-1@office.example"
    )
    deliver(dovecot, account, email(message_id="<product-1@office.example>", subject="From the product"), "Sent")
    staff = email(message_id="<outlook-1@office.example>", subject="From Outlook", sender="mp@office.example")
    deliver(dovecot, account, staff, "Sent")
    mailbox = make_mailbox(office, dovecot, account)

    assert imap.mailbox_poll(mailbox=mailbox).ok

    messages = _messages(office)
    assert messages.filter(message_id="product-1@office.example").count() == 1
    outlook = messages.get(subject="From Outlook")
    assert outlook.direction == Direction.OUTBOUND
    assert len(uids_in(dovecot, account, "Sent")) == 2  # the Sent folder is read, never moved
    assert imap.mailbox_poll(mailbox=mailbox).stored == 0


def test_a_restart_between_store_and_move_loses_nothing_and_duplicates_nothing(office, dovecot, account, monkeypatch):
    deliver(dovecot, account, email(message_id="<r1@example.org>"))
    deliver(dovecot, account, email(message_id="<r2@example.org>"))
    mailbox = make_mailbox(office, dovecot, account)
    real_move = imap._move
    calls = []

    def crash_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionResetError("worker killed")
        return real_move(*args, **kwargs)

    monkeypatch.setattr(imap, "_move", crash_once)
    first = imap.mailbox_poll(mailbox=mailbox)
    assert not first.ok
    assert RawEmail.objects.for_office(office).count() == 1  # committed before the crash
    assert len(uids_in(dovecot, account, "INBOX")) == 2

    second = imap.mailbox_poll(mailbox=mailbox)
    assert second.ok, second.error
    assert RawEmail.objects.for_office(office).count() == 2
    assert uids_in(dovecot, account, "INBOX") == []
    assert len(uids_in(dovecot, account, "Processed")) == 2
    assert _messages(office).count() == 2


def test_a_changed_uidvalidity_reads_again_without_duplicates(office, dovecot, account):
    mailbox = make_mailbox(office, dovecot, account)
    old = [email(message_id=f"<v{n}@example.org>", subject=f"v{n}") for n in range(3)]
    for raw in old:
        deliver(dovecot, account, raw, "Sent")
    assert imap.mailbox_poll(mailbox=mailbox).stored == 3
    before = MailboxFolderState.unscoped.get(mailbox=mailbox, folder="Sent").uidvalidity

    with imap_login(dovecot, account) as box:  # the server recreates the folder: new UIDVALIDITY
        box.folder.delete("Sent")
        box.folder.create("Sent")
    for raw in [*old, email(message_id="<v-new@example.org>", subject="new")]:
        deliver(dovecot, account, raw, "Sent")

    result = imap.mailbox_poll(mailbox=mailbox)
    assert result.ok, result.error
    sent = next(f for f in result.folders if f.folder == "Sent")
    assert sent.uidvalidity_changed
    assert sent.fetched == 4
    assert sent.stored == 1
    assert MailboxFolderState.unscoped.get(mailbox=mailbox, folder="Sent").uidvalidity != before
    assert RawEmail.objects.for_office(office).count() == 4


def test_a_wrong_password_shows_on_that_mailbox_while_others_are_polled(office, dovecot, account, caplog):
    other_account = fresh_account()
    deliver(dovecot, other_account, email(message_id="<ok@example.org>"))
    wrong = "Wrong-Password-xyz"
    broken = make_mailbox(office, dovecot, account, secret=wrong, name="Broken")
    working = make_mailbox(office, dovecot, other_account, name="Working")

    with caplog.at_level(logging.DEBUG):
        results = imap.mailboxes_poll()

    by_id = {r.mailbox_id: r for r in results}
    assert not by_id[broken.pk].ok
    assert by_id[working.pk].ok
    broken.refresh_from_db()
    working.refresh_from_db()
    assert "auth" in broken.last_error.lower() or "login" in broken.last_error.lower(), broken.last_error
    assert broken.consecutive_failures == 1
    assert wrong not in broken.last_error
    assert wrong not in caplog.text
    assert working.last_error == ""
    assert RawEmail.objects.for_office(office).filter(mailbox_key=working.key).count() == 1
    imap.mailboxes_poll()
    broken.refresh_from_db()
    assert broken.consecutive_failures == 2


def test_an_unreachable_server_is_recorded_not_raised(office):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nothing listens
    mailbox = make_mailbox(office, port, "x@example.org")
    result = imap.mailbox_poll(mailbox=mailbox)
    assert not result.ok
    assert "ConnectionRefused" in result.error


def test_a_claimed_mailbox_is_not_polled_twice(office, dovecot, account):
    mailbox = make_mailbox(office, dovecot, account)
    assert imap._claim(mailbox)
    assert imap.mailbox_poll(mailbox=mailbox).skipped
    Mailbox.unscoped.filter(pk=mailbox.pk).update(poll_claimed_at=None)
    assert not imap.mailbox_poll(mailbox=mailbox).skipped


def test_the_secret_is_encrypted_at_rest_and_kept_out_of_errors_and_audit(office, manager_client, dovecot, account):
    plain = PASSWORD
    response = manager_client.post(
        reverse("correspondence:mailbox_add"),
        {
            "name": "Inbox",
            "host": "127.0.0.1",
            "port": dovecot,
            "username": account,
            "auth_method": "password",
            "secret": plain,
            "inbox_folder": "INBOX",
            "sent_folder": "Sent",
            "processed_folder": "Processed",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mailbox = Mailbox.objects.for_office(office).get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM correspondence_mailbox WHERE id = %s", [mailbox.pk])
        stored = cursor.fetchone()[0]
    assert stored
    assert plain not in stored
    assert mailbox.secret_get() == plain

    # The edit form never shows it; a blank secret keeps it.
    page = manager_client.get(reverse("correspondence:mailbox_edit", args=[mailbox.pk])).content.decode()
    assert plain not in page
    assert stored not in page
    data = {
        "name": "Renamed",
        "host": "127.0.0.1",
        "port": dovecot,
        "username": account,
        "auth_method": "password",
        "secret": "",
        "inbox_folder": "INBOX",
        "sent_folder": "Sent",
        "processed_folder": "Processed",
        "is_active": "on",
    }
    assert manager_client.post(reverse("correspondence:mailbox_edit", args=[mailbox.pk]), data).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.name == "Renamed"
    assert mailbox.secret_get() == plain

    test = manager_client.post(reverse("correspondence:mailbox_test", args=[mailbox.pk]), follow=True)
    notes = [str(m) for m in test.context["messages"]]
    assert any("connected and logged in" in n for n in notes), notes
    deliver(dovecot, account, email(message_id="<ui@example.org>"))
    polled = manager_client.post(reverse("correspondence:mailbox_poll", args=[mailbox.pk]), follow=True)
    assert any("1 new message" in str(m) for m in polled.context["messages"])

    Mailbox.unscoped.filter(pk=mailbox.pk).update(secret_encrypted=imap_secret(plain + "-bad"))
    manager_client.post(reverse("correspondence:mailbox_poll", args=[mailbox.pk]))
    mailbox.refresh_from_db()
    assert mailbox.last_error
    assert plain not in mailbox.last_error
    listing = manager_client.get(reverse("correspondence:mailbox_list")).content.decode()
    assert "Renamed" in listing
    assert "Failing" in listing

    manager_client.post(reverse("correspondence:mailbox_deactivate", args=[mailbox.pk]))
    mailbox.refresh_from_db()
    assert not mailbox.is_active

    events = AuditEvent.objects.filter(object_type="correspondence.mailbox")
    verbs = set(events.values_list("verb", flat=True))
    assert {"correspondence.mailbox.created", "correspondence.mailbox.updated"} <= verbs
    assert "correspondence.mailbox.deactivated" in verbs
    for event in events:
        assert plain not in repr(event.__dict__)
    created = events.get(verb="correspondence.mailbox.created")
    assert "secret" in created.fields
    assert "secret_encrypted" not in created.fields


def imap_secret(plain: str) -> str:
    from mpoffice.lib.encryption import encrypt

    return encrypt(plain)


def test_keys_rotate(settings):
    from cryptography.fernet import Fernet

    from mpoffice.lib import encryption

    old = settings.MAILBOX_ENCRYPTION_KEYS[0]
    token = encryption.encrypt("pw")
    settings.MAILBOX_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    assert encryption.decrypt(token) == "pw"
    rotated = encryption.rotate(token)
    settings.MAILBOX_ENCRYPTION_KEYS = settings.MAILBOX_ENCRYPTION_KEYS[:1]
    assert encryption.decrypt(rotated) == "pw"
    with pytest.raises(encryption.DecryptError):
        encryption.decrypt(token)
    settings.MAILBOX_ENCRYPTION_KEYS = []
    with pytest.raises(encryption.KeyMissing):
        encryption.encrypt("pw")


@pytest.mark.parametrize("name", ["mailbox_list", "mailbox_add"])
def test_caseworkers_may_not_manage_mailboxes(caseworker_client, name):
    assert caseworker_client.get(reverse(f"correspondence:{name}")).status_code == 403


def test_caseworkers_may_not_poll_or_edit(office, caseworker_client):
    mailbox = make_mailbox(office, 9, "x@example.org")
    for name in ("mailbox_test", "mailbox_poll", "mailbox_deactivate", "mailbox_edit"):
        assert caseworker_client.post(reverse(f"correspondence:{name}", args=[mailbox.pk])).status_code == 403
