"""Sending the approved response through the outbox: once per message, to the right people, with
pause, resume, cancel, failures and outages. The SMTP server is a real one on loopback."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine

from campaigns import detection, responses, sending, services
from campaigns.models import CampaignMember, CampaignReply, CampaignSend, NonConstituentReply, ResponseMode
from constituents.models import ConstituentEmail
from correspondence import outbox
from correspondence.models import BatchState, OutboxStatus, OutgoingEmail, Priority
from security.decorators import SESSION_OTP_AT
from security.errors import DomainError
from security.models import Membership
from tests.campaigns.conftest import BUSES, detected_campaign, inbound
from tests.factories import ConstituentFactory
from tests.smtpsink import Sink, SinkServer

pytestmark = pytest.mark.django_db
BODY = "Dear {{ first_name }},\n\nThank you for writing to {{ mp_name }} about {{ campaign }}."


@pytest.fixture
def campaign(office):
    return detected_campaign(office, size=6)


def _approved(office, campaign, author, mp, *, body=BODY, member=None, short=False):
    where = {} if short else ({"member": member} if member else {"campaign": campaign})
    version = responses.version_save(
        office=office, actor=author, subject="About {{ campaign }}", body=body, submit=True, **where
    )
    return responses.version_approve(version=version, membership=Membership.objects.get(user=mp, office=office))


def _smtp(office, port: int, **limits) -> None:
    identity = outbox.identity_for(office)
    identity.transport, identity.smtp_host, identity.smtp_port, identity.smtp_security = (
        "smtp",
        "127.0.0.1",
        port,
        "none",
    )
    identity.rate_per_minute, identity.daily_cap = limits.get("rate", 0), limits.get("cap", 0)
    identity.save()


def test_one_outbox_row_per_message_with_the_approved_text(office, campaign, caseworker, manager, mp):
    jane = ConstituentFactory(office=office, first_name="Jane", last_name="Smith")
    ConstituentEmail.objects.create(office=office, constituent=jane, email="person0@example.org")
    CampaignMember.objects.for_office(office).filter(reply_email="person0@example.org").update()
    first = CampaignMember.objects.for_office(office).get(reply_email="person0@example.org").message
    first.constituent = jane
    first.save()
    version = _approved(office, campaign, caseworker, mp)

    send = sending.campaign_send(campaign=campaign, actor=manager, version=version)

    rows = OutgoingEmail.objects.for_office(office).filter(batch=send.batch)
    assert send.recipients == rows.count() == 6
    assert CampaignReply.objects.for_office(office).filter(send=send, version=version).count() == 6
    assert set(rows.values_list("priority", flat=True)) == {Priority.BULK}
    jane_row = rows.get(to_email="person0@example.org")
    assert jane_row.text.startswith("Dear Jane,\n\nThank you for writing to ")
    assert jane_row.subject == f"About {campaign.name}"
    assert jane_row.idempotency_key == f"campaign-reply:{first.pk}:v{version.pk}"
    assert jane_row.headers["In-Reply-To"] == f"<{first.message_id}>"
    assert jane_row.constituent == jane
    other = rows.get(to_email="person1@example.org")
    assert other.text.startswith("Dear Person,")  # the name on the email, when nobody is on record


def test_pressing_send_twice_adds_nothing(office, campaign, caseworker, manager, mp):
    version = _approved(office, campaign, caseworker, mp)
    sending.campaign_send(campaign=campaign, actor=manager, version=version)
    with pytest.raises(DomainError, match="answered"):
        sending.campaign_send(campaign=campaign, actor=manager, version=version)
    assert OutgoingEmail.objects.for_office(office).count() == 6
    assert CampaignSend.objects.for_office(office).count() == 1


def test_a_newer_approved_version_goes_only_to_those_not_yet_answered(office, campaign, caseworker, manager, mp):
    first = _approved(office, campaign, caseworker, mp)
    sending.campaign_send(campaign=campaign, actor=manager, version=first)
    OutgoingEmail.objects.for_office(office).filter(to_email="person0@example.org").update(status=OutboxStatus.SENT)
    OutgoingEmail.objects.for_office(office).filter(to_email="person1@example.org").update(status=OutboxStatus.FAILED)
    detection.detect_messages(office=office, messages=[inbound(office, n) for n in (20, 21)])
    second = _approved(office, campaign, caseworker, mp, body=BODY + "\nAn update.")
    with pytest.raises(DomainError, match="changed"):
        sending.campaign_send(campaign=campaign, actor=manager, version=first)

    send = sending.campaign_send(campaign=campaign, actor=manager, version=second)

    # Five still queued from the first send are being answered; the failed one and the two new ones get it.
    recipients = set(
        OutgoingEmail.objects.for_office(office).filter(batch=send.batch).values_list("to_email", flat=True)
    )
    assert recipients == {"person1@example.org", "person20@example.org", "person21@example.org"}


def test_an_invalid_address_fails_with_its_reason_and_the_send_goes_on(office, campaign, caseworker, manager, mp):
    CampaignMember.objects.for_office(office).filter(reply_email="person2@example.org").update(
        reply_email="not an address"
    )
    version = _approved(office, campaign, caseworker, mp)
    with SinkServer(Sink()) as server:
        _smtp(office, server.port)
        send = sending.campaign_send(campaign=campaign, actor=manager, version=version)
        assert outbox.outbox_send_due() == 5
        received = len(server.sink.received)
    progress = sending.progress(send)
    assert (progress.sent, progress.failed, progress.pending, progress.percent) == (5, 1, 0, 100)
    assert progress.reasons == [("Not a valid email address: 'not an address'", 1)]
    assert received == 5


def test_non_constituents_get_the_offices_choice(office, campaign, caseworker, manager, mp):
    members = CampaignMember.objects.for_office(office)
    members.filter(reply_email__in=["person0@example.org", "person1@example.org"]).update(in_constituency="no")
    members.filter(reply_email="person2@example.org").update(in_constituency="yes")
    version = _approved(office, campaign, caseworker, mp)
    settings = services.settings_update(office=office, actor=manager, non_constituents=NonConstituentReply.NOTHING)
    found = sending.plan(campaign)
    assert (len(found.pairs), found.skipped) == (4, {"non_constituent": 2})

    services.settings_update(office=office, actor=manager, non_constituents=NonConstituentReply.SHORT)
    assert sending.plan(campaign).skipped == {"no_short_reply": 2}, "an unapproved short reply is not sent"
    short = _approved(
        office, campaign, caseworker, mp, body="Thank you. {{ mp_name }} can only act for constituents.", short=True
    )
    found = sending.plan(campaign)
    assert {member.reply_email: v for member, v in found.pairs}["person0@example.org"] == short

    services.settings_update(office=office, actor=manager, unknown_as_constituents=False)
    found = sending.plan(campaign)
    assert [m.reply_email for m, v in found.pairs if v == version] == ["person2@example.org"]
    assert settings.pk


def test_personalised_mode_sends_approved_edits_and_holds_back_unapproved_ones(
    office, campaign, caseworker, manager, mp
):
    services.campaign_set_mode(
        campaign=campaign, actor=caseworker, mode=ResponseMode.PERSONALISED, reply_to_later=False
    )
    campaign.refresh_from_db()
    version = _approved(office, campaign, caseworker, mp)
    edited, waiting = CampaignMember.objects.for_office(office).order_by("id")[:2]
    personal = _approved(
        office, campaign, caseworker, mp, body="Dear {{ first_name }}, sorry about the 34.", member=edited
    )
    responses.version_save(
        office=office, actor=caseworker, member=waiting, subject="x", body="Not yet approved", submit=True
    )

    send = sending.campaign_send(campaign=campaign, actor=manager, version=version)

    rows = OutgoingEmail.objects.for_office(office).filter(batch=send.batch)
    assert (rows.count(), send.skipped) == (5, {"awaiting_approval": 1})
    assert rows.get(to_email=edited.reply_email).text.startswith("Dear Person, sorry about the 34.")
    assert CampaignReply.objects.for_office(office).get(member=edited).version == personal


def test_a_paused_send_waits_and_resumes(office, campaign, caseworker, manager, mp):
    version = _approved(office, campaign, caseworker, mp)
    with SinkServer(Sink()) as server:
        _smtp(office, server.port)
        send = sending.campaign_send(campaign=campaign, actor=manager, version=version)
        sending.send_set_state(send=send, state=BatchState.HELD, actor=manager)
        assert outbox.outbox_send_due() == 0
        assert sending.progress(send).state == BatchState.HELD
        sending.send_set_state(send=send, state=BatchState.ACTIVE, actor=manager)
        assert outbox.outbox_send_due() == 6
    assert sending.progress(send).percent == 100


def test_cancelling_stops_what_was_not_sent(office, campaign, caseworker, manager, mp):
    version = _approved(office, campaign, caseworker, mp)
    send = sending.campaign_send(campaign=campaign, actor=manager, version=version)
    rows = OutgoingEmail.objects.for_office(office).filter(batch=send.batch)
    rows.filter(pk__in=list(rows.order_by("id").values_list("pk", flat=True)[:3])).update(status=OutboxStatus.SENT)

    sending.send_set_state(send=send, state=BatchState.CANCELLED, actor=manager)

    with pytest.raises(DomainError, match="cancelled"):
        sending.send_set_state(send=send, state=BatchState.ACTIVE, actor=manager)
    progress = sending.progress(send)
    assert (progress.sent, progress.cancelled, progress.finished, progress.percent) == (3, 3, True, 100)
    found = sending.plan(campaign)
    assert (found.pairs, found.skipped) == ([], {"tried": 3}), "a cancelled version is not offered again"


def test_an_smtp_outage_pauses_progress_and_nothing_is_lost(office, campaign, caseworker, manager, mp):
    version = _approved(office, campaign, caseworker, mp)
    start = dt.datetime.now(tz=dt.UTC)
    with SinkServer(Sink(fail_first=6)) as server:
        _smtp(office, server.port)
        with time_machine.travel(start, tick=False):
            send = sending.campaign_send(campaign=campaign, actor=manager, version=version)
            assert outbox.outbox_send_due() == 0
            progress = sending.progress(send)
            assert (progress.sent, progress.pending) == (0, 6)
            assert progress.retrying == [("Mail server answered 451: 4.3.0 Try again later", 6)]
        with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
            assert outbox.outbox_send_due() == 6
        assert len(server.sink.received) == 6
    assert sending.progress(send).sent == 6


def test_the_rate_limit_holds_a_campaign_back(office, campaign, caseworker, manager, mp):
    version = _approved(office, campaign, caseworker, mp)
    with SinkServer(Sink()) as server:
        _smtp(office, server.port, rate=4)
        sending.campaign_send(campaign=campaign, actor=manager, version=version)
        assert outbox.outbox_send_due() == 4
        assert len(server.sink.received) == 4


def test_later_arrivals_are_acknowledged_automatically_once_switched_on(office, campaign, caseworker, manager, mp):
    _approved(office, campaign, caseworker, mp)
    detection.detect_messages(office=office, messages=[inbound(office, 30)])
    assert not OutgoingEmail.objects.for_office(office).exists(), "a form response waits for a person to send it"

    services.campaign_set_mode(
        campaign=campaign, actor=caseworker, mode=ResponseMode.ACKNOWLEDGEMENT, reply_to_later=False
    )
    detection.detect_messages(office=office, messages=[inbound(office, 31), inbound(office, 32)])

    row = OutgoingEmail.objects.for_office(office).get(to_email="person31@example.org")
    assert row.priority == Priority.AUTOMATIC
    assert row.headers["Auto-Submitted"] == "auto-replied"
    send = CampaignSend.objects.for_office(office).get()
    assert (send.kind, send.recipients) == ("arrivals", 2)
    assert OutgoingEmail.objects.for_office(office).count() == 2


# --- The pages --------------------------------------------------------------------------------
def _fresh_otp(client) -> None:
    session = client.session
    session[SESSION_OTP_AT] = time.time()
    session.save()


def test_sending_needs_the_send_permission_and_a_fresh_code(
    office, campaign, caseworker, mp, manager_client, caseworker_client, mp_client
):
    version = _approved(office, campaign, caseworker, mp)
    url = f"/campaigns/{campaign.pk}/send"
    assert caseworker_client.post(url, {"version": version.pk}).status_code == 403
    assert mp_client.post(url, {"version": version.pk}).status_code == 403
    response = manager_client.post(url, {"version": version.pk}, HTTP_REFERER=url)
    assert response.status_code == 302
    assert response["Location"].startswith("/2fa/confirm")
    assert not OutgoingEmail.objects.for_office(office).exists()

    _fresh_otp(manager_client)
    page = manager_client.get(url).content.decode()
    assert "Send version 1 to 6 people" in page
    assert manager_client.post(url, {"version": version.pk}).status_code == 302
    assert OutgoingEmail.objects.for_office(office).count() == 6
    again = manager_client.post(url, {"version": version.pk})
    assert "answered" in again.content.decode()
    assert OutgoingEmail.objects.for_office(office).count() == 6


def test_the_progress_bar_polls_in_the_background_until_done(office, campaign, caseworker, manager, mp, manager_client):
    version = _approved(office, campaign, caseworker, mp)
    send = sending.campaign_send(campaign=campaign, actor=manager, version=version)
    url = f"/campaigns/sends/{send.pk}/progress"
    running = manager_client.get(url, HTTP_X_BACKGROUND_POLL="1", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in running
    assert "X-Background-Poll" in running
    assert f'<progress id="progress-{send.pk}" max="6" value="0">' in running
    OutgoingEmail.objects.for_office(office).update(status=OutboxStatus.SENT)
    done = manager_client.get(url, HTTP_X_BACKGROUND_POLL="1").content.decode()
    assert "hx-trigger" not in done
    assert "100%" in done
    assert "Finished" in done
    assert f'<div id="send-{send.pk}-controls" hx-swap-oob="true"></div>' in done  # no more pause or cancel


def test_pause_through_the_page_needs_the_send_permission(
    office, campaign, caseworker, manager, mp, caseworker_client, manager_client
):
    version = _approved(office, campaign, caseworker, mp)
    send = sending.campaign_send(campaign=campaign, actor=manager, version=version)
    url = f"/campaigns/sends/{send.pk}/state"
    assert caseworker_client.post(url, {"state": "held"}).status_code == 403
    assert manager_client.post(url, {"state": "held"}).status_code == 302
    send.batch.refresh_from_db()
    assert send.batch.state == BatchState.HELD
    assert BUSES  # the campaign's text, shared by every member


def test_someone_who_sent_the_campaign_twice_gets_one_reply(office, campaign, caseworker, manager, mp):
    twice = inbound(office, 0, body=BUSES)  # person0 again, a day later in the same words
    detection.detect_messages(office=office, messages=[twice])
    assert CampaignMember.objects.for_office(office).filter(reply_email="person0@example.org").count() == 2
    version = _approved(office, campaign, caseworker, mp)

    send = sending.campaign_send(campaign=campaign, actor=manager, version=version)

    assert OutgoingEmail.objects.for_office(office).filter(to_email="person0@example.org").count() == 1
    assert (send.recipients, send.skipped) == (6, {"same_address": 1})


def test_cancelling_automatic_replies_stops_them_for_that_version(office, campaign, caseworker, manager, mp):
    _approved(office, campaign, caseworker, mp)
    services.campaign_set_mode(
        campaign=campaign, actor=caseworker, mode=ResponseMode.ACKNOWLEDGEMENT, reply_to_later=False
    )
    detection.detect_messages(office=office, messages=[inbound(office, 40)])
    send = CampaignSend.objects.for_office(office).get()
    sending.send_set_state(send=send, state=BatchState.CANCELLED, actor=manager)

    detection.detect_messages(office=office, messages=[inbound(office, 41)])

    assert not OutgoingEmail.objects.for_office(office).filter(to_email="person41@example.org").exists()
