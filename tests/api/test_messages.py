"""The messages API: list and filter, read one, file one to a case — by scope, role and office."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from casework import services as casework_services
from correspondence.models import Attachment, Message
from security.models import AuditEvent
from tests.api.conftest import bearer
from tests.factories import ConstituentFactory


def _message(office, **values) -> Message:
    defaults = {
        "direction": "in",
        "channel": "email",
        "sender_name": "Jane Smith",
        "sender_email": "jane@example.org",
        "recipients": [{"name": "MP", "email": "mp@office.example", "kind": "to"}],
        "subject": "Housing repairs",
        "text": "The damp is back.",
        "html": "<p>The damp is back.</p>",
    }
    return Message.objects.create(office=office, **{**defaults, **values})


@pytest.fixture
def inbox(office, case, restricted_case, constituent):
    new = _message(office, subject="Housing repairs")
    filed = _message(
        office, subject="Universal Credit letter", case=case, constituent=constituent, triage_state="filed"
    )
    secret = _message(
        office, subject="Secret referral", case=restricted_case, constituent=constituent, triage_state="filed"
    )
    letter = _message(office, subject="Posted letter", channel="letter", direction="out", triage_state="no_action")
    Attachment.objects.create(
        office=office,
        message=new,
        file=ContentFile(b"%PDF-1.4", name="a.pdf"),
        name="photo of damp.pdf",
        content_type="application/pdf",
        size=8,
        sha256="a" * 64,
    )
    return {"new": new, "filed": filed, "secret": secret, "letter": letter}


def _subjects(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["subject"] for row in response.json()["results"])


def test_a_read_token_lists_messages_but_never_one_filed_to_a_restricted_case(read_client, inbox):
    body = read_client.get("/api/v1/messages").json()
    assert body["count"] == 3
    assert "Secret referral" not in [row["subject"] for row in body["results"]]
    assert read_client.get(f"/api/v1/messages/{inbox['secret'].pk}").status_code == 404


def test_the_filters(read_client, inbox, case, constituent):
    assert _subjects(read_client.get("/api/v1/messages?triage_state=new")) == ["Housing repairs"]
    assert _subjects(read_client.get("/api/v1/messages?channel=letter")) == ["Posted letter"]
    assert _subjects(read_client.get("/api/v1/messages?direction=out")) == ["Posted letter"]
    assert _subjects(read_client.get(f"/api/v1/messages?case={case.pk}")) == ["Universal Credit letter"]
    assert _subjects(read_client.get(f"/api/v1/messages?constituent={constituent.pk}")) == ["Universal Credit letter"]
    assert _subjects(read_client.get("/api/v1/messages?q=REPAIR")) == ["Housing repairs"]
    assert _subjects(read_client.get("/api/v1/messages?sort=oldest&page_size=1")) == ["Housing repairs"]


def test_a_bad_filter_is_an_error_in_the_one_format(read_client, inbox):
    response = read_client.get("/api/v1/messages?triage_state=lost&case=x")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"triage_state", "case"}
    assert "Use one of: new, filed" in error["fields"]["triage_state"][0]


def test_members_see_what_their_role_lets_them(caseworker_client, manager_client, volunteer_client, inbox):
    # A caseworker who is not on the restricted case does not see its messages; a manager does.
    assert "Secret referral" not in _subjects(caseworker_client.get("/api/v1/messages"))
    assert caseworker_client.get(f"/api/v1/messages/{inbox['secret'].pk}").status_code == 404
    assert "Secret referral" in _subjects(manager_client.get("/api/v1/messages"))
    assert len(_subjects(volunteer_client.get("/api/v1/messages"))) >= 3


def test_one_message_with_text_html_and_attachments(read_client, inbox, office):
    response = read_client.get(f"/api/v1/messages/{inbox['new'].pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["text"] == "The damp is back."
    assert body["html"] == "<p>The damp is back.</p>"
    assert body["recipients"] == [{"name": "MP", "email": "mp@office.example", "kind": "to"}]
    assert body["case"] is None
    [attachment] = body["attachments"]
    assert attachment["name"] == "photo of damp.pdf"
    assert attachment["content_type"] == "application/pdf"
    assert "file" not in attachment
    assert "url" not in attachment
    assert AuditEvent.objects.filter(verb="correspondence.message.viewed", object_id=str(inbox["new"].pk)).exists()


def test_another_offices_message_is_404(make_token, inbox, other_office, bob):
    _, secret = make_token("read", "write", office=other_office, actor=bob)
    client = bearer(secret)
    assert client.get("/api/v1/messages").json()["count"] == 0
    response = client.get(f"/api/v1/messages/{inbox['new'].pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    other_case_free = client.post(f"/api/v1/messages/{inbox['new'].pk}/file", {"case": 1}, format="json")
    assert other_case_free.status_code == 404


def test_a_write_token_files_a_message_to_a_case(write_client, inbox, case, constituent):
    response = write_client.post(f"/api/v1/messages/{inbox['new'].pk}/file", {"case": case.pk}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["triage_state"] == "filed"
    assert body["case"] == {"id": case.pk, "reference": case.reference}
    assert body["constituent"]["id"] == constituent.pk
    event = AuditEvent.objects.filter(verb="correspondence.message.filed").get()
    assert event.actor_kind == "api_token"


def test_filing_needs_the_write_scope_or_work_cases(read_client, volunteer_client, inbox, case):
    url = f"/api/v1/messages/{inbox['new'].pk}/file"
    response = read_client.post(url, {"case": case.pk}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "This API token does not have the “write” scope."
    assert volunteer_client.post(url, {"case": case.pk}, content_type="application/json").status_code == 403
    inbox["new"].refresh_from_db()
    assert inbox["new"].triage_state == "new"


def test_a_caseworker_files_a_message(caseworker_client, inbox, case):
    url = f"/api/v1/messages/{inbox['new'].pk}/file"
    response = caseworker_client.post(url, {"case": case.pk}, content_type="application/json")
    assert response.status_code == 200, response.content


def test_filing_to_a_restricted_closed_or_unknown_case_is_refused(
    write_client, inbox, restricted_case, case, manager, office
):
    url = f"/api/v1/messages/{inbox['new'].pk}/file"
    for case_id in (restricted_case.pk, 999_999, "x"):
        response = write_client.post(url, {"case": case_id}, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid"
        assert "case" in response.json()["error"]["fields"]
    closed = casework_services.case_open(
        office=office, constituent=ConstituentFactory(office=office), opened_by=manager, summary="Done"
    )
    casework_services.case_close(case=closed, actor=manager, reason="resolved")
    response = write_client.post(url, {"case": closed.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "refused"
    assert "closed" in response.json()["error"]["message"]
    inbox["new"].refresh_from_db()
    assert inbox["new"].triage_state == "new"
