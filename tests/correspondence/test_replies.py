"""Replying by email from a case, the sending settings and the outbox page."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from casework import services as casework_services
from constituents.models import ConstituentEmail
from correspondence import outbox, services
from correspondence.models import (
    Direction,
    Message,
    OutboxStatus,
    OutgoingEmail,
    RawSource,
    SendingIdentity,
    Transport,
)
from tests.correspondence.conftest import email, ingest_bytes
from tests.factories import ConstituentFactory
from tests.smtpsink import Sink, SinkServer


@pytest.fixture
def case(office, caseworker):
    constituent = ConstituentFactory(office=office, first_name="Jane", last_name="Smith")
    ConstituentEmail.objects.create(office=office, constituent=constituent, email="jane@example.org", is_preferred=True)
    casework_services.office_initialise(office)
    return casework_services.case_open(
        office=office, constituent=constituent, opened_by=caseworker, summary="Blue badge renewal"
    )


@pytest.fixture
def filed(office, case, caseworker):
    _, message = ingest_bytes(office, email(subject="My blue badge", message_id="<first@example.org>"))
    return services.message_file(message=message, case=case, actor=caseworker)


@pytest.fixture
def sink(office):
    with SinkServer(Sink()) as server:
        identity = outbox.identity_for(office)
        identity.from_email, identity.from_name = "office@mp.example", "Office of the MP"
        identity.transport, identity.smtp_host, identity.smtp_port = Transport.SMTP, "127.0.0.1", server.port
        identity.smtp_security = "none"
        identity.save()
        yield server


def reply_url(case) -> str:
    return reverse("correspondence:reply", kwargs={"case_id": case.pk})


def post_reply(client, case, token: str | None = None, **fields):
    data = {
        "to_email": "jane@example.org",
        "to_name": "Jane Smith",
        "subject": "Re: My blue badge",
        "text": "Dear Jane, we have written to the council.",
        "token": token or str(uuid.uuid4()),
        **fields,
    }
    return client.post(reply_url(case), data)


def test_the_form_answers_the_latest_email_with_the_reference(caseworker_client, case, filed):
    response = caseworker_client.get(reply_url(case))
    form = response.context["form"]
    assert form.initial["to_email"] == "jane@example.org"
    assert form.initial["subject"] == f"Re: My blue badge [Ref {case.reference}]"
    assert form.initial["in_reply_to"] == filed.pk


def test_a_reply_joins_the_timeline_and_threads(caseworker_client, office, case, filed, sink):
    response = post_reply(caseworker_client, case, in_reply_to=filed.pk)
    assert response.status_code == 302
    reply = Message.objects.for_office(office).get(direction=Direction.OUTBOUND)
    assert reply.case == case
    assert reply.subject == f"Re: My blue badge [Ref {case.reference}]"
    assert outbox.outbox_send_due() == 1
    (sent,) = sink.sink.messages()
    assert str(sent["In-Reply-To"]) == "<first@example.org>"
    assert str(sent["Message-ID"]) == f"<{reply.message_id}>"
    assert str(sent["From"]) == "Office of the MP <office@mp.example>"
    reply.refresh_from_db()
    assert reply.sent_at is not None
    case.refresh_from_db()
    assert case.first_response_at is not None
    page = caseworker_client.get(reverse("casework:case_detail", kwargs={"case_id": case.pk})).content.decode()
    assert "Delivered to the mail server" in page


def test_the_constituents_answer_threads_back_and_the_sent_copy_is_not_stored_twice(
    caseworker_client, office, case, filed, sink
):
    post_reply(caseworker_client, case, in_reply_to=filed.pk)
    outbox.outbox_send_due()
    reply = Message.objects.for_office(office).get(direction=Direction.OUTBOUND)
    # Outlook's Sent folder holds the same message: recognised by its Message-ID.
    ingest_bytes(office, sink.sink.received[0], source=RawSource.SENT_FOLDER)
    assert Message.objects.for_office(office).filter(direction=Direction.OUTBOUND).count() == 1
    _, answer = ingest_bytes(
        office,
        email(
            subject="Re: My blue badge",
            message_id="<answer@example.org>",
            extra=f"In-Reply-To: <{reply.message_id}>\r\n",
        ),
    )
    assert answer.case == case


def test_pressing_send_twice_sends_once(caseworker_client, office, case, filed):
    token = str(uuid.uuid4())
    post_reply(caseworker_client, case, token=token)
    post_reply(caseworker_client, case, token=token)
    assert OutgoingEmail.objects.for_office(office).count() == 1
    assert Message.objects.for_office(office).filter(direction=Direction.OUTBOUND).count() == 1


def test_a_bad_address_or_an_empty_message_is_refused(caseworker_client, office, case):
    response = post_reply(caseworker_client, case, to_email="not-an-address", text="  ")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not OutgoingEmail.objects.for_office(office).exists()


def test_a_failure_shows_on_the_case_with_the_reason_and_can_be_retried(caseworker_client, office, case, filed):
    with SinkServer(Sink()) as server:
        identity = outbox.identity_for(office)
        identity.transport, identity.smtp_host, identity.smtp_port = Transport.SMTP, "127.0.0.1", server.port
        identity.smtp_security = "none"
        identity.save()
        post_reply(caseworker_client, case, to_email="refused@example.org")
        outbox.outbox_send_due()
        page = caseworker_client.get(reverse("casework:case_detail", kwargs={"case_id": case.pk})).content.decode()
        assert "Not sent: Recipient refused: 550" in page
        reply = Message.objects.for_office(office).get(direction=Direction.OUTBOUND)
        OutgoingEmail.objects.for_office(office).update(to_email="jane@example.org")
        retry = reverse("correspondence:reply_retry", kwargs={"case_id": case.pk, "reply_id": reply.pk})
        assert caseworker_client.post(retry).status_code == 302
        assert outbox.outbox_send_due() == 1


def test_a_volunteer_cannot_reply(volunteer_client, case):
    assert volunteer_client.get(reply_url(case)).status_code == 403
    assert post_reply(volunteer_client, case).status_code == 403


def test_a_restricted_case_is_hidden_from_a_caseworker_who_is_not_assigned(caseworker_client, office, case, manager):
    casework_services.case_update(case=case, actor=manager, version=case.version, restricted=True)
    assert caseworker_client.get(reply_url(case)).status_code == 404
    assert post_reply(caseworker_client, case).status_code == 404


def test_the_manager_sets_the_sending_identity_and_the_password_is_never_shown(manager_client, office):
    url = reverse("correspondence:identity_edit")
    data = {
        "from_name": "Office of Alex Example MP",
        "from_email": "alex.example.mp@parliament.uk",
        "reply_to": "",
        "transport": Transport.SMTP,
        "smtp_host": "smtp.office365.com",
        "smtp_port": "587",
        "smtp_security": "starttls",
        "smtp_username": "alex.example.mp@parliament.uk",
        "password": "s3cret-pass",
        "rate_per_minute": "30",
        "daily_cap": "10000",
    }
    assert manager_client.post(url, data).status_code == 302
    identity = SendingIdentity.objects.for_office(office).get()
    assert identity.password_get() == "s3cret-pass"
    assert "s3cret-pass" not in identity.smtp_password_encrypted
    page = manager_client.get(url).content.decode()
    assert "s3cret-pass" not in page
    assert "A password is stored" in page
    manager_client.post(url, {**data, "password": ""})
    identity.refresh_from_db()
    assert identity.password_get() == "s3cret-pass", "blank keeps the stored password"


def test_smtp_without_a_host_is_refused(manager_client):
    response = manager_client.post(
        reverse("correspondence:identity_edit"),
        {
            "from_name": "X",
            "from_email": "x@example.org",
            "transport": "smtp",
            "smtp_port": "587",
            "smtp_security": "starttls",
            "rate_per_minute": "0",
            "daily_cap": "0",
        },
    )
    assert "Give the mail server&#x27;s host name." in response.content.decode()


def test_caseworkers_cannot_change_sending_settings_or_see_the_outbox(caseworker_client):
    assert caseworker_client.get(reverse("correspondence:identity_edit")).status_code == 403
    assert caseworker_client.get(reverse("correspondence:outbox")).status_code == 403


def test_a_test_email_goes_through_the_outbox(manager_client, manager, office, sink):
    manager_client.post(reverse("correspondence:identity_test"))
    assert outbox.outbox_send_due() == 1
    assert sink.sink.messages()[0]["To"].addresses[0].addr_spec == manager.email


def test_the_outbox_page_lists_failures_with_reasons_in_few_queries(
    manager_client, office, django_assert_max_num_queries
):
    batch = outbox.batch_create(office=office, label="Campaign reply", actor=None)
    drafts = [
        outbox.Draft(
            idempotency_key=f"k{n}", to_email="bad address" if n % 2 else f"p{n}@example.org", subject="s", text="t"
        )
        for n in range(30)
    ]
    outbox.outbox_enqueue_many(office=office, drafts=drafts, batch=batch)
    with django_assert_max_num_queries(12):
        response = manager_client.get(reverse("correspondence:outbox") + "?status=failed")
    page = response.content.decode()
    assert page.count("Not a valid email address") == 15
    assert "Campaign reply" in page


def test_the_manager_pauses_and_cancels_a_bulk_send(manager_client, office):
    batch = outbox.batch_create(office=office, label="Bulk", actor=None)
    outbox.outbox_enqueue_many(
        office=office,
        batch=batch,
        drafts=[outbox.Draft(idempotency_key="a", to_email="a@example.org", subject="s", text="t")],
    )
    url = reverse("correspondence:batch_state", kwargs={"batch_id": batch.pk})
    manager_client.post(url, {"state": "held"})
    batch.refresh_from_db()
    assert batch.state == "held"
    manager_client.post(url, {"state": "cancelled"})
    assert OutgoingEmail.objects.for_office(office).get().status == OutboxStatus.CANCELLED
    response = manager_client.post(url, {"state": "active"}, follow=True)
    assert "cannot be paused or resumed" in response.content.decode()


def test_a_reply_can_start_from_a_template_with_its_fields_filled(caseworker_client, office, case, filed):
    from correspondence.models import LetterTemplate

    template = LetterTemplate.objects.create(
        office=office, name="Acknowledgement", body="Dear {{ constituent.full_name }}, about case {{ case.reference }}."
    )
    response = caseworker_client.get(reply_url(case) + f"?template={template.pk}")
    assert response.context["form"].initial["text"] == f"Dear Jane Smith, about case {case.reference}."
    assert "Acknowledgement" in response.content.decode()


def test_a_standard_paragraph_is_inserted_without_sending(caseworker_client, office, case, filed):
    from correspondence.models import StandardParagraph

    paragraph = StandardParagraph.objects.create(
        office=office,
        title="Council",
        shortcut="council",
        body="We have written to the council about {{ case.reference }}.",
    )
    response = post_reply(caseworker_client, case, text="Dear Jane,", insert=str(paragraph.pk))
    assert response.status_code == 200
    assert (
        response.context["form"].data["text"] == f"Dear Jane,\n\nWe have written to the council about {case.reference}."
    )
    assert not OutgoingEmail.objects.for_office(office).exists()
