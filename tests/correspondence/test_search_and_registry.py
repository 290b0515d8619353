"""Messages in the search box (office-scoped, restricted cases only for those allowed) and in
the personal-data registry."""

from __future__ import annotations

import pytest

from casework import services as case_services
from correspondence.models import Attachment, Message, RawEmail
from security import personal_data
from tests.correspondence.conftest import email, ingest_bytes
from tests.factories import ConstituentFactory


@pytest.fixture
def restricted_message(office, manager):
    person = ConstituentFactory(office=office)
    case = case_services.case_open(
        office=office, constituent=person, opened_by=manager, summary="Sensitive", restricted=True
    )
    _, message = ingest_bytes(office, email(subject=f"Refuge placement [Ref {case.reference}]", message_id="<r@x>"))
    assert message.case == case
    return message


def test_a_message_is_found_by_its_subject_and_sender(office, caseworker_client):
    ingest_bytes(office, email(subject="Flooding on Riverside Walk", sender="okafor@example.org"))
    page = caseworker_client.get("/search", {"q": "flooding riverside"}).content.decode()
    assert "Flooding on Riverside Walk" in page
    page = caseworker_client.get("/search", {"q": "okafor@example.org"}).content.decode()
    assert "Flooding on Riverside Walk" in page


def test_another_offices_messages_are_never_found(other_office, caseworker_client):
    ingest_bytes(other_office, email(subject="Flooding on Riverside Walk"))
    assert "Riverside" not in caseworker_client.get("/search", {"q": "flooding"}).content.decode()


def test_messages_of_restricted_cases_only_for_those_allowed(restricted_message, volunteer_client, manager_client):
    assert "Refuge placement" not in volunteer_client.get("/search", {"q": "refuge"}).content.decode()
    assert "Refuge placement" in manager_client.get("/search", {"q": "refuge"}).content.decode()


def test_the_models_are_in_the_personal_data_registry(office):
    person = ConstituentFactory(office=office)
    _, message = ingest_bytes(
        office,
        (
            b"From: <x@example.org>\r\nSubject: Hi\r\nMessage-ID: <p@x>\r\n"
            b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhi\r\n"
            b"--b\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nA\r\n--b--\r\n"
        ),
    )
    Message.objects.for_office(office).filter(pk=message.pk).update(constituent=person)
    for model in (Message, RawEmail, Attachment):
        entry = personal_data.entry_for(model)
        assert entry is not None
        rows = list(entry.rows_for_constituent(office, person))
        assert len(rows) == 1, model
        assert entry.export_row(rows[0])
    raw_export = personal_data.entry_for(RawEmail).export_row(message.raw_email)
    assert raw_export["raw"].startswith("From: <x@example.org>")
