"""The quarantine page: managers see unparsed and oversize email, parse it again, download it raw."""

from __future__ import annotations

import pytest

from correspondence import ingest
from correspondence.models import ParseState, RawEmail
from security.models import AuditEvent
from tests.correspondence.conftest import email, ingest_bytes


@pytest.fixture
def quarantined(office):
    row, _ = ingest_bytes(office, b"\x00\x01<script>window.__xss=1</script> not an email")
    assert row.parse_state == ParseState.QUARANTINED
    return row


@pytest.fixture
def oversize(office, settings):
    settings.INBOUND_MAX_BYTES = 1024
    row, _ = ingest_bytes(office, email(body="x" * 3000, subject="Big one"))
    assert row.parse_state == ParseState.OVERSIZE
    return row


def test_a_manager_sees_quarantined_and_oversize_email(manager_client, quarantined, oversize, office):
    parsed, _ = ingest_bytes(office, email(message_id="<fine@example.org>"))
    response = manager_client.get("/messages/quarantine")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"/messages/quarantine/{quarantined.pk}/reparse" in page
    assert f"/messages/quarantine/{quarantined.pk}/raw" in page
    assert f"/messages/quarantine/{oversize.pk}/raw" in page
    # Only a quarantined email is offered a re-parse; parsed mail is not listed at all.
    assert f"/messages/quarantine/{oversize.pk}/reparse" not in page
    assert f"/messages/quarantine/{parsed.pk}/" not in page
    assert "Kept raw: over the size limit" in page
    assert "<script>window.__xss" not in page
    assert 'href="/messages/quarantine"' in manager_client.get("/office/manage").content.decode()


def test_only_managers_may_use_it(caseworker_client, mp_client, volunteer_client, quarantined):
    for client in (caseworker_client, mp_client, volunteer_client):
        assert client.get("/messages/quarantine").status_code == 403
        assert client.post(f"/messages/quarantine/{quarantined.pk}/reparse").status_code == 403
        assert client.get(f"/messages/quarantine/{quarantined.pk}/raw").status_code == 403
    assert 'href="/messages/quarantine"' not in caseworker_client.get("/office/manage").content.decode()
    quarantined.refresh_from_db()
    assert quarantined.parse_state == ParseState.QUARANTINED


def test_another_offices_raw_email_is_404(manager_client, other_office):
    row, _ = ingest_bytes(other_office, b"\x00 garbage")
    assert manager_client.post(f"/messages/quarantine/{row.pk}/reparse").status_code == 404
    assert manager_client.get(f"/messages/quarantine/{row.pk}/raw").status_code == 404
    row.refresh_from_db()
    assert row.parse_state == ParseState.QUARANTINED


def test_re_parse_puts_it_back_in_the_queue(manager_client, manager, quarantined, monkeypatch):
    monkeypatch.setattr(ingest.mime, "parse_email", lambda raw, headers_only=False: ingest.mime.ParsedEmail())
    response = manager_client.post(f"/messages/quarantine/{quarantined.pk}/reparse")
    assert response.status_code == 302
    assert response["Location"] == "/messages/quarantine"
    quarantined.refresh_from_db()
    assert quarantined.parse_state in (ParseState.PENDING, ParseState.PARSED)
    assert AuditEvent.objects.filter(verb="correspondence.raw_email.reparse_requested").count() == 1
    ingest.process_raw(quarantined.pk)
    quarantined.refresh_from_db()
    assert quarantined.parse_state == ParseState.PARSED


def test_re_parse_of_mail_that_is_not_quarantined_says_why(manager_client, oversize):
    response = manager_client.post(f"/messages/quarantine/{oversize.pk}/reparse", follow=True)
    assert "Only a quarantined email can be parsed again." in response.content.decode()
    oversize.refresh_from_db()
    assert oversize.parse_state == ParseState.OVERSIZE


def test_the_raw_download_is_an_audited_attachment(manager_client, quarantined):
    response = manager_client.get(f"/messages/quarantine/{quarantined.pk}/raw")
    assert response.status_code == 200
    assert response.content == bytes(RawEmail.unscoped.get(pk=quarantined.pk).raw)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="raw-email-{quarantined.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(verb="correspondence.raw_email.downloaded", object_id=str(quarantined.pk)).exists()
