"""Message pages: the sealed frame, downloads, filing and triage by role, the triage section, logging, bulk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework import services as case_services
from constituents.models import ConstituentEmail
from correspondence import services
from correspondence.models import Attachment, Message, TriageState
from security.models import AuditEvent
from tests.conftest import verified_client
from tests.factories import ConstituentFactory


@pytest.fixture
def person(office):
    person = ConstituentFactory(office=office, first_name="Jane", last_name="Smith")
    ConstituentEmail.objects.create(office=office, constituent=person, email="jane@example.org", is_preferred=True)
    return person


@pytest.fixture
def case(office, person, caseworker):
    return case_services.case_open(office=office, constituent=person, opened_by=caseworker, summary="Housing repair")


def inbound(office, **fields):
    values = {
        "direction": "in",
        "channel": "email",
        "subject": "Damp flat",
        "sender_name": "Jane Smith",
        "sender_email": "jane@example.org",
        "text": "Please help.\n\nOn Mon, 2 Mar 2026, MP Office wrote:\n> We replied",
        "html": '<p>Please <b>help</b></p><img alt="x" data-remote-src="https://tracker.example/p.gif">',
    } | fields
    return Message.objects.create(office=office, **values)


def url(name, *args):
    from django.urls import reverse

    return reverse(f"correspondence:{name}", args=args)


# --- The message page and its sealed frame ------------------------------------------------------
def test_it_shows_the_message_with_the_html_only_in_a_sandboxed_frame(caseworker_client, office, person):
    message = inbound(office)
    response = caseworker_client.get(url("message_detail", message.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'sandbox="" title="The message as sent" referrerpolicy="no-referrer"' in body
    assert f'src="/messages/{message.pk}/html"' in body
    assert "<b>help</b>" not in body  # the HTML never enters our origin's page
    assert "<details" in body
    assert "&gt; We replied" in body
    assert "Jane Smith" in body
    assert "Show remote images" in body
    assert AuditEvent.objects.filter(verb="correspondence.message.viewed", object_id=str(message.pk)).exists()


def test_the_frame_has_its_own_strict_headers(caseworker_client, office):
    message = inbound(
        office,
        html='<p onclick="alert(1)">Hi</p><script>alert(1)</script><img data-remote-src="https://t.example/a.gif">',
    )
    response = caseworker_client.get(url("message_html", message.pk))
    csp = response["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data:;")
    assert "https:" not in csp
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode()
    assert "<script" not in body
    assert "onclick" not in body
    assert "<p>Hi</p>" in body
    assert ' src="https://' not in body


def test_remote_images_only_when_asked(caseworker_client, office):
    message = inbound(office)
    response = caseworker_client.get(url("message_html", message.pk) + "?images=1")
    assert "img-src data: https:" in response["Content-Security-Policy"]
    assert 'src="https://tracker.example/p.gif"' in response.content.decode()
    page = caseworker_client.get(url("message_detail", message.pk) + "?images=1").content.decode()
    assert f'src="/messages/{message.pk}/html?images=1"' in page


def test_the_rest_of_the_site_still_refuses_frames(caseworker_client, office):
    message = inbound(office)
    response = caseworker_client.get(url("message_detail", message.pk))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_attachments_are_downloads_with_a_warning_for_programs(caseworker_client, office):
    message = inbound(office)
    attachment = Attachment.objects.create(
        office=office,
        message=message,
        file=ContentFile(b"<script>alert(1)</script>", name="x"),
        name='invoice.html"; evil=.exe',
        content_type="text/html",
        size=25,
        sha256="a" * 64,
        is_executable=True,
    )
    page = caseworker_client.get(url("message_detail", message.pk)).content.decode()
    assert "Warning: a program or script" in page
    assert "25\xa0bytes" in page
    response = caseworker_client.get(url("attachment_download", message.pk, attachment.pk))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    b"".join(response.streaming_content)


def test_another_offices_message_is_404(office, other_office, bob):
    theirs = inbound(other_office)
    client = verified_client(bob)
    mine = inbound(office)
    for name in ("message_detail", "message_html"):
        assert client.get(url(name, mine.pk)).status_code == 404
    assert client.post(url("message_triage", mine.pk), {"state": "spam"}).status_code == 404
    assert client.get(url("message_detail", theirs.pk)).status_code == 200


def test_a_message_in_a_restricted_case_is_hidden_from_a_volunteer(office, case, caseworker, volunteer_client):
    message = inbound(office)
    services.message_file(message=message, case=case, actor=caseworker)
    case.restricted = True
    case.save()
    assert volunteer_client.get(url("message_detail", message.pk)).status_code == 404


# --- Actions by role -----------------------------------------------------------------------------
def test_a_caseworker_files_a_message_to_the_constituents_open_case(caseworker_client, office, person, case):
    message = inbound(office)
    page = caseworker_client.get(url("message_detail", message.pk)).content.decode()
    assert case.reference in page
    assert "Link to Jane Smith" in page
    response = caseworker_client.post(url("message_file", message.pk), {"case": case.pk})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.case == case
    assert message.triage_state == TriageState.FILED
    timeline = caseworker_client.get(f"/cases/{case.pk}").content.decode()
    assert "Damp flat" in timeline
    assert "Email, received" in timeline


def test_filing_by_reference_and_bad_references(caseworker_client, office, case):
    message = inbound(office, sender_email="")
    response = caseworker_client.post(url("message_file", message.pk), {"reference": "1999/9999"})
    assert response.status_code == 200
    assert "No case 1999/9999" in response.content.decode()
    response = caseworker_client.post(url("message_file", message.pk), {"reference": "x" * 500})
    assert response.status_code == 200
    assert "at most 30" in response.content.decode()
    response = caseworker_client.post(url("message_file", message.pk), {})
    assert response.status_code == 200
    assert "Choose a case" in response.content.decode()
    response = caseworker_client.post(url("message_file", message.pk), {"reference": case.reference})
    assert response.status_code == 302


def test_a_volunteer_may_read_and_log_but_not_file_or_triage(volunteer_client, office, case):
    message = inbound(office)
    assert volunteer_client.get(url("message_detail", message.pk)).status_code == 200
    assert volunteer_client.post(url("message_file", message.pk), {"case": case.pk}).status_code == 403
    assert volunteer_client.post(url("message_triage", message.pk), {"state": "spam"}).status_code == 403
    assert volunteer_client.get(url("message_open_case", message.pk)).status_code == 403
    assert volunteer_client.post(url("message_bulk"), {"bulk-action": "spam"}).status_code == 403
    assert volunteer_client.get(url("message_log")).status_code == 200
    message.refresh_from_db()
    assert message.triage_state == TriageState.NEW


@pytest.mark.parametrize("state", ["no_action", "spam"])
def test_no_action_and_spam(caseworker_client, office, state):
    message = inbound(office)
    assert caseworker_client.post(url("message_triage", message.pk), {"state": state}).status_code == 302
    message.refresh_from_db()
    assert message.triage_state == state
    response = caseworker_client.post(url("message_triage", message.pk), {"state": "filed"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_open_a_case_from_a_message_for_a_new_constituent(caseworker_client, office):
    message = inbound(office, sender_name="Ravi Patel", sender_email="ravi@example.org")
    page = caseworker_client.get(url("message_open_case", message.pk)).content.decode()
    assert 'value="Ravi"' in page
    assert 'value="Patel"' in page
    assert 'value="ravi@example.org"' in page
    response = caseworker_client.post(
        url("message_open_case", message.pk),
        {
            "constituent_mode": "new",
            "new-first_name": "Ravi",
            "new-last_name": "Patel",
            "new-email": "ravi@example.org",
            "new-in_constituency": "unknown",
            "new-preferred_contact": "email",
            "summary": "Damp flat",
            "priority": "normal",
            "lawful_basis": "elected_representative",
            "may_contact_third_parties": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    message.refresh_from_db()
    assert message.case.constituent.last_name == "Patel"
    assert message.constituent == message.case.constituent


def test_open_a_case_with_empty_input_shows_errors(caseworker_client, office):
    message = inbound(office)
    response = caseworker_client.post(url("message_open_case", message.pk), {})
    assert response.status_code == 200
    assert "field__error" in response.content.decode()


# --- The triage section and the list --------------------------------------------------------------
def test_the_triage_section_shows_only_new_human_inbound_messages(caseworker_client, office, other_office):
    inbound(office, subject="Needs a look")
    inbound(office, subject="Out of office", is_automatic=True)
    inbound(office, subject="Already spam", triage_state="spam")
    inbound(office, subject="We sent this", direction="out")
    inbound(other_office, subject="Another office's")
    body = caseworker_client.get("/triage").content.decode()
    assert "Needs a look" in body
    for hidden in ("Out of office", "Already spam", "We sent this", "Another office"):
        assert hidden not in body


def test_the_triage_section_suggests_the_sender(caseworker_client, office, person):
    inbound(office, subject="Needs a look")
    body = caseworker_client.get("/triage").content.decode()
    assert "Needs a look" in body
    assert "Probably Jane Smith" in body


def _fully_populated(office, case, n):
    for i in range(n):
        person = ConstituentFactory(office=office)
        ConstituentEmail.objects.create(office=office, constituent=person, email=f"p{i}@example.org")
        inbound(
            office,
            subject=f"Row {i}",
            sender_email=f"p{i}@example.org",
            constituent=person if i % 2 else None,
            case=case if i % 3 == 0 else None,
        )


def test_the_list_costs_the_same_for_1_and_30_rows(caseworker_client, office, case):
    _fully_populated(office, case, 1)
    with CaptureQueriesContext(connection) as one:
        assert caseworker_client.get(url("message_list")).status_code == 200
    _fully_populated(office, case, 29)
    with CaptureQueriesContext(connection) as thirty:
        body = caseworker_client.get(url("message_list")).content.decode()
    assert body.count("data-row>") == 30
    assert len(thirty) == len(one)


def test_the_list_filters_by_state_and_channel(caseworker_client, office):
    inbound(office, subject="An email")
    inbound(office, subject="A call", channel="phone")
    inbound(office, subject="Spammy", triage_state="spam")
    body = caseworker_client.get(url("message_list") + "?channel=phone").content.decode()
    assert "A call" in body
    assert "An email" not in body
    assert "Spammy" not in body
    body = caseworker_client.get(url("message_list") + "?state=spam&channel=nonsense").content.decode()
    assert "Spammy" in body  # a bad filter value is ignored, never a 500


def test_bulk_no_action_spam_and_file(caseworker_client, office, case, other_office):
    first, second, third = inbound(office), inbound(office), inbound(office)
    theirs = inbound(other_office)
    response = caseworker_client.post(
        url("message_bulk"), {"bulk-action": "spam", "bulk-messages": [first.pk, theirs.pk]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Marked 1 message as spam" in response.content.decode()
    response = caseworker_client.post(
        url("message_bulk"), {"bulk-action": "file", "bulk-reference": case.reference, "bulk-messages": [second.pk]}
    )
    assert response.status_code == 302
    response = caseworker_client.post(
        url("message_bulk"), {"bulk-action": "file", "bulk-messages": [third.pk]}, HTTP_HX_REQUEST="true"
    )
    assert "Give the reference" in response.content.decode()
    states = dict(Message.unscoped.values_list("pk", "triage_state"))
    assert states == {first.pk: "spam", second.pk: "filed", third.pk: "new", theirs.pk: "new"}
    response = caseworker_client.post(url("message_bulk"), {"bulk-action": "spam", "bulk-messages": ["x", "1" * 40]})
    assert response.status_code == 302


# --- Logging by hand --------------------------------------------------------------------------------
def test_log_a_letter_with_a_scan_to_a_case(volunteer_client, office, case):
    assert "Log a call or letter" in volunteer_client.get(f"/cases/{case.pk}").content.decode()
    form = volunteer_client.get(url("message_log") + f"?case={case.pk}").content.decode()
    assert f'value="{case.reference}"' in form
    response = volunteer_client.post(
        url("message_log"),
        {
            "channel": "letter",
            "direction": "in",
            "occurred_at": (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "subject": "Letter about the damp",
            "text": "Handwritten",
            "reference": case.reference,
            "scan": SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n"),
        },
    )
    assert response.status_code == 302
    message = Message.objects.for_office(office).get()
    assert message.case == case
    assert message.attachments.get().content_type == "application/pdf"


def test_log_from_the_constituent_page(caseworker_client, office, person):
    page = caseworker_client.get(f"/constituents/{person.pk}").content.decode()
    assert f"/messages/log?constituent={person.pk}" in page
    response = caseworker_client.post(
        url("message_log"),
        {
            "channel": "phone",
            "direction": "in",
            "occurred_at": "2026-01-05T10:00",
            "subject": "Rang",
            "constituent": person.pk,
        },
    )
    assert response.status_code == 302
    assert Message.objects.for_office(office).get().constituent == person
    assert "Rang" in caseworker_client.get(f"/constituents/{person.pk}").content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"occurred_at": "31/02/2026 99:99"}, "Enter a valid date/time"),
        ({"occurred_at": "2999-01-01T10:00"}, "in the future"),
        ({"subject": "x" * 5000}, "at most 1000"),
        ({"subject": ""}, "This field is required"),
        ({"channel": "email"}, "Select a valid choice"),
        ({"channel": "phone", "scan": "FILE"}, "Only a letter has a scan"),
        ({"reference": "1999/1"}, "No case 1999/1"),
        ({"text": "x" * 100_001}, "at most 100000"),
    ],
)
def test_log_bad_input_gives_field_errors(caseworker_client, office, data, error):
    values = {"channel": "letter", "direction": "in", "occurred_at": "2026-01-05T10:00", "subject": "S"} | data
    if values.get("scan") == "FILE":
        values["scan"] = SimpleUploadedFile("s.pdf", b"%PDF-1.4\n")
    response = caseworker_client.post(url("message_log"), values)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Message.objects.for_office(office).exists()


def test_the_case_and_constituent_sections_cost_one_query_each(caseworker_client, office, case, person):
    def count(url_path):
        with CaptureQueriesContext(connection) as queries:
            assert caseworker_client.get(url_path).status_code == 200
        return len(queries)

    inbound(office, case=case, constituent=person, triage_state="filed")
    case_one, person_one = count(f"/cases/{case.pk}"), count(f"/constituents/{person.pk}")
    for i in range(20):
        inbound(office, subject=f"More {i}", case=case, constituent=person, triage_state="filed", direction="out")
    assert count(f"/cases/{case.pk}") == case_one
    assert count(f"/constituents/{person.pk}") == person_one
