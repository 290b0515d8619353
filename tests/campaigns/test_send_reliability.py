"""A 2,000-recipient campaign send survives killed workers: real Celery workers on Redis, a real SMTP server.

The approved response is sent to 2,000 campaign messages by two worker processes; the test
SIGKILLs one of them five times, each just after the SMTP server accepted a message, and starts
a new one. Every sender gets the reply; a reply may arrive twice only once per kill.
"""

from __future__ import annotations

import collections
import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from campaigns import responses, sending
from campaigns.models import Campaign, CampaignMember, CampaignReply
from correspondence import outbox, tasks
from correspondence.models import Message, OutboxStatus, OutgoingEmail
from security.models import Membership
from tests.campaigns.conftest import BUSES
from tests.celeryworkers import CeleryWorkers
from tests.correspondence.test_outbox_reliability import _drive
from tests.smtpsink import Sink, SinkServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420), pytest.mark.django_db(transaction=True)]

RECIPIENTS = 2000
KILL_AFTER = (250, 650, 1050, 1450, 1800)


def _campaign_of(office, size: int) -> Campaign:
    """A campaign of ``size`` messages, written directly (detection is tested elsewhere)."""
    now = timezone.now()
    campaign = Campaign.objects.create(office=office, name="Save our buses", state="confirmed")
    messages = Message.objects.for_office(office).bulk_create(
        [
            Message(
                office=office,
                direction="in",
                channel="email",
                sender_name=f"Sender {n}",
                sender_email=f"sender{n}@example.org",
                subject="Save our buses",
                text=BUSES,
                message_id=f"m{n}@example.org",
                received_at=now - dt.timedelta(seconds=n),
                triage_state="campaign",
            )
            for n in range(size)
        ]
    )
    CampaignMember.objects.for_office(office).bulk_create(
        [
            CampaignMember(
                office=office,
                campaign=campaign,
                message=message,
                reply_email=message.sender_email,
                reply_name=message.sender_name,
                received_at=message.received_at,
            )
            for message in messages
        ]
    )
    return campaign


def test_a_2000_recipient_send_loses_nothing_when_workers_are_killed(
    office, caseworker, mp, manager, tmp_path, monkeypatch
):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    campaign = _campaign_of(office, RECIPIENTS)
    version = responses.version_save(
        office=office,
        actor=caseworker,
        campaign=campaign,
        subject="Buses",
        body="Dear {{ first_name }}, thank you.",
        submit=True,
    )
    responses.version_approve(version=version, membership=Membership.objects.get(user=mp, office=office))
    kills_due: collections.deque[int] = collections.deque(KILL_AFTER)
    kills_requested: list[int] = []

    def after_each_message(count: int) -> None:
        if kills_due and count >= kills_due[0]:
            kills_requested.append(kills_due.popleft())

    with SinkServer(Sink(on_message=after_each_message)) as server:
        identity = outbox.identity_for(office)
        identity.transport, identity.smtp_host, identity.smtp_port = "smtp", "127.0.0.1", server.port
        identity.smtp_security, identity.rate_per_minute, identity.daily_cap = "none", 0, 0
        identity.save()
        workers = CeleryWorkers(tmp_path, 2, OUTBOX_LEASE_SECONDS="3", OUTBOX_CLAIM_BATCH="20", OUTBOX_RUN_SECONDS="5")
        monkeypatch.setattr(outbox, "_nudge_sender", lambda: workers.send(tasks.send_outbox))
        try:
            send = sending.campaign_send(campaign=campaign, actor=manager, version=version)
            assert send.recipients == RECIPIENTS
            kills = _drive(workers, kills_requested, timeout=360)
        finally:
            workers.stop()
        received = collections.Counter(server.sink.message_ids())

    expected = set(
        OutgoingEmail.objects.for_office(office).filter(batch=send.batch).values_list("message_id", flat=True)
    )
    assert len(expected) == RECIPIENTS
    assert kills == len(KILL_AFTER), workers.logs()
    assert set(received) == expected, f"lost: {len(expected - set(received))}\n{workers.logs()}"
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates <= kills
    assert sending.progress(send).sent == RECIPIENTS
    replies = CampaignReply.objects.for_office(office).filter(send=send)
    assert replies.filter(outgoing__status=OutboxStatus.SENT).count() == RECIPIENTS
    assert replies.values("member").distinct().count() == RECIPIENTS
    print(f"{RECIPIENTS} recipients, {kills} kills, {duplicates} duplicates")
