"""manage.py rotate_mailbox_keys: every stored secret re-encrypted with the first key, so the
old key can be dropped; a second run changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from correspondence.models import AuthMethod, Mailbox
from mpoffice.lib import encryption
from security.models import AuditEvent

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()
ELSEWHERE = Fernet.generate_key().decode()

PLAIN = {
    "secret_encrypted": "imap-password",
    "oauth_refresh_token_encrypted": "0.AXoA-refresh",
    "oauth_client_secret_encrypted": "client-secret",
}


def _mailbox(office, name: str, **plain: str) -> Mailbox:
    mailbox = Mailbox(office=office, name=name, host="imap.example.org", username=f"{name}@example.org")
    mailbox.auth_method = AuthMethod.XOAUTH2 if len(plain) > 1 else AuthMethod.PASSWORD
    for column, value in plain.items():
        setattr(mailbox, column, encryption.encrypt(value))
    mailbox.save()
    return mailbox


def _rotate() -> str:
    out = StringIO()
    call_command("rotate_mailbox_keys", stdout=out)
    return out.getvalue().strip()


def _columns(mailbox: Mailbox) -> dict[str, str]:
    mailbox.refresh_from_db()
    return {column: getattr(mailbox, column) for column in Mailbox.ENCRYPTED_FIELDS}


def test_it_reencrypts_every_secret_with_the_first_key_once(office, other_office, settings):
    settings.MAILBOX_ENCRYPTION_KEYS = [OLD]
    oauth = _mailbox(office, "oauth", **PLAIN)
    password = _mailbox(other_office, "password", secret_encrypted="other-office-password")
    before = {oauth.pk: _columns(oauth), password.pk: _columns(password)}

    settings.MAILBOX_ENCRYPTION_KEYS = [NEW, OLD]
    assert _rotate() == "Re-encrypted 4 secrets in 2 rows; 0 already under the first key."

    after = {oauth.pk: _columns(oauth), password.pk: _columns(password)}
    for pk in after:
        for column, token in after[pk].items():
            assert (token == "") == (before[pk][column] == "")
            if token:
                assert token != before[pk][column]
    # Idempotent: nothing left to do, nothing rewritten.
    assert _rotate() == "Re-encrypted 0 secrets in 0 rows; 4 already under the first key."
    assert {oauth.pk: _columns(oauth), password.pk: _columns(password)} == after

    # The new key alone opens every secret; the old key alone opens none of them.
    settings.MAILBOX_ENCRYPTION_KEYS = [NEW]
    assert {column: encryption.decrypt(token) for column, token in after[oauth.pk].items()} == PLAIN
    assert encryption.decrypt(after[password.pk]["secret_encrypted"]) == "other-office-password"
    settings.MAILBOX_ENCRYPTION_KEYS = [OLD]
    for token in [*after[oauth.pk].values(), after[password.pk]["secret_encrypted"]]:
        if token:
            with pytest.raises(encryption.DecryptError):
                encryption.decrypt(token)

    events = AuditEvent.objects.filter(verb="correspondence.mailbox.secrets_rotated")
    assert {(e.office_id, e.object_id) for e in events} == {
        (office.pk, str(oauth.pk)),
        (other_office.pk, str(password.pk)),
    }
    assert sorted(events.get(object_id=str(oauth.pk)).fields) == sorted(PLAIN)
    for event in events:
        assert not any(value in repr(event.__dict__) for value in PLAIN.values())


def test_a_secret_no_key_opens_is_reported_and_the_rest_rotated(office, settings):
    settings.MAILBOX_ENCRYPTION_KEYS = [ELSEWHERE]
    lost = _mailbox(office, "lost", secret_encrypted="unrecoverable")
    settings.MAILBOX_ENCRYPTION_KEYS = [OLD]
    kept = _mailbox(office, "kept", secret_encrypted="recoverable")
    lost_token = _columns(lost)["secret_encrypted"]

    settings.MAILBOX_ENCRYPTION_KEYS = [NEW, OLD]
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 secret"):
        call_command("rotate_mailbox_keys", stdout=out, stderr=err)

    assert "Re-encrypted 1 secret in 1 row; 0 already under the first key." in out.getvalue()
    assert f"correspondence.mailbox {lost.pk} secret_encrypted" in err.getvalue()
    assert _columns(lost)["secret_encrypted"] == lost_token
    settings.MAILBOX_ENCRYPTION_KEYS = [NEW]
    kept.refresh_from_db()
    assert kept.secret_get() == "recoverable"
