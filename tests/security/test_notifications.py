import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail

from security import services
from security.models import Notification

START = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def note(office, caseworker):
    return services.notification_create(
        office=office, recipient=caseworker, kind="case.assigned", title="Case 12 is yours", link="/"
    )


def test_the_header_shows_the_unread_count(caseworker_client, note):
    page = caseworker_client.get("/?overview").content.decode()
    assert '<span class="badge">1<span class="visually-hidden"> unread</span>' in page
    caseworker_client.post(f"/notifications/{note.pk}/read")
    assert 'class="badge"' not in caseworker_client.get("/notifications/badge").content.decode()


def test_marking_another_offices_notification_is_a_404(caseworker_client, other_office, bob):
    theirs = services.notification_create(office=other_office, recipient=bob, kind="x", title="theirs")
    assert caseworker_client.post(f"/notifications/{theirs.pk}/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_sweep_emails_each_notification_once(note):
    assert services.notifications_email_due() == 1
    assert services.notifications_email_due() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[Office A] Case 12 is yours"
    assert mail.outbox[0].to == [note.recipient.email]


def test_a_failed_send_is_retried_by_a_later_sweep(note, monkeypatch):
    from mpoffice.lib import emails

    real_send = emails.send_notification

    def flaky(**kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(emails, "send_notification", flaky)
    assert services.notifications_email_due() == 0
    monkeypatch.setattr(emails, "send_notification", real_send)
    assert services.notifications_email_due() == 1
    assert Notification.unscoped.get(pk=note.pk).email_attempts == 2


def test_a_claim_left_by_a_dead_worker_is_sent_after_the_lease(note, settings):
    settings.NOTIFICATION_EMAIL_LEASE_SECONDS = 300
    with time_machine.travel(START, tick=False):
        # A worker claimed the row and died before sending.
        Notification.unscoped.filter(pk=note.pk).update(email_claimed_at=START, email_attempts=1)
        assert services.notifications_email_due() == 0
    with time_machine.travel(START + dt.timedelta(seconds=301), tick=False):
        assert services.notifications_email_due() == 1
    assert len(mail.outbox) == 1


def test_a_deactivated_recipient_gets_no_email(note):
    note.recipient.is_active = False
    note.recipient.save()
    assert services.notifications_email_due() == 0
    assert Notification.unscoped.get(pk=note.pk).emailed_at is not None


def test_a_notification_whose_news_goes_by_another_email_is_not_emailed(office, caseworker):
    services.notification_create(office=office, recipient=caseworker, kind="x", title="in the app only", email=False)
    assert services.notifications_email_due() == 0
    assert mail.outbox == []
