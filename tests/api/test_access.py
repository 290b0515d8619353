"""Who may do what through the API: token scopes, the role table, offices and restricted cases."""

from __future__ import annotations

import pytest
from django.test import Client

from casework import services as casework_services
from casework.models import Tag
from tests.api.conftest import bearer
from tests.factories import ConstituentFactory, OrganisationFactory, TOTPDeviceFactory
from tests.security.helpers import password_step

CLOSE = {"reason": "resolved"}


def test_a_read_only_token_reads_but_cannot_write(read_client, case, constituent):
    assert read_client.get("/api/v1/cases").status_code == 200
    assert read_client.get(f"/api/v1/cases/{case.pk}").status_code == 200
    refusals = [
        read_client.post("/api/v1/cases", {"constituent": constituent.pk, "summary": "x"}),
        read_client.patch(f"/api/v1/cases/{case.pk}", {"version": case.version, "summary": "x"}),
        read_client.post(f"/api/v1/cases/{case.pk}/close", CLOSE),
        read_client.post("/api/v1/constituents", {"last_name": "Jones"}),
        read_client.patch(f"/api/v1/constituents/{constituent.pk}", {"town": "Southtown"}),
    ]
    for response in refusals:
        assert response.status_code == 403
        assert response.json()["error"] == {
            "code": "permission_denied",
            "message": "This API token does not have the “write” scope.",
            "fields": {},
        }
    case.refresh_from_db()
    assert (case.summary, case.status) == ("Universal Credit sanction", "new")


def test_a_write_only_token_cannot_read(make_token, case):
    client = bearer(make_token("write")[1])
    assert client.get("/api/v1/cases").status_code == 403
    assert client.post(f"/api/v1/cases/{case.pk}/close", CLOSE).status_code == 200


def test_an_inbound_email_token_can_do_nothing_else_yet(make_token, case):
    client = bearer(make_token("inbound_email")[1])
    assert client.get("/api/v1/cases").status_code == 403
    assert client.post(f"/api/v1/cases/{case.pk}/close", CLOSE).status_code == 403


def test_a_token_of_office_a_gets_404_for_office_b(write_client, other_office, bob):
    constituent_b = ConstituentFactory(office=other_office)
    case_b = casework_services.case_open(office=other_office, constituent=constituent_b, opened_by=bob, summary="B")
    organisation_b = OrganisationFactory(office=other_office)
    for response in (
        write_client.get(f"/api/v1/cases/{case_b.pk}"),
        write_client.patch(f"/api/v1/cases/{case_b.pk}", {"version": case_b.version, "summary": "Mine now"}),
        write_client.post(f"/api/v1/cases/{case_b.pk}/close", CLOSE),
        write_client.get(f"/api/v1/cases/{case_b.pk}/timeline"),
        write_client.get(f"/api/v1/constituents/{constituent_b.pk}"),
        write_client.patch(f"/api/v1/constituents/{constituent_b.pk}", {"town": "Elsewhere"}),
        write_client.get(f"/api/v1/organisations/{organisation_b.pk}"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    case_b.refresh_from_db()
    assert (case_b.summary, case_b.status) == ("B", "new")
    assert write_client.get("/api/v1/cases").json()["count"] == 0
    assert write_client.get("/api/v1/constituents").json()["count"] == 0


def test_office_b_ids_in_a_body_are_refused_as_unknown(write_client, other_office, bob, vocabulary):
    constituent_b = ConstituentFactory(office=other_office)
    casework_services.office_initialise(other_office)
    tag_b = Tag.objects.for_office(other_office).first()
    response = write_client.post(
        "/api/v1/cases", {"constituent": constituent_b.pk, "summary": "x", "assignee": bob.pk, "tags": [tag_b.pk]}
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["constituent"] == [f"No constituent of this office has the id {constituent_b.pk}."]
    assert fields["assignee"] == [f"No member of this office has the id {bob.pk}."]
    assert fields["tags"] == [f"No tag of this office has the id {tag_b.pk}."]


def test_a_token_never_sees_a_restricted_case(write_client, case, restricted_case):
    listed = write_client.get("/api/v1/cases").json()
    assert [row["id"] for row in listed["results"]] == [case.pk]
    assert write_client.get("/api/v1/cases", {"q": "abuse"}).json()["count"] == 0
    for response in (
        write_client.get(f"/api/v1/cases/{restricted_case.pk}"),
        write_client.get(f"/api/v1/cases/{restricted_case.pk}/timeline"),
        write_client.patch(f"/api/v1/cases/{restricted_case.pk}", {"version": 1, "summary": "x"}),
        write_client.post(f"/api/v1/cases/{restricted_case.pk}/close", CLOSE),
    ):
        assert response.status_code == 404
    restricted_case.refresh_from_db()
    assert restricted_case.status == "new"


def test_a_token_cannot_make_a_case_restricted(write_client, case, constituent):
    created = write_client.post("/api/v1/cases", {"constituent": constituent.pk, "summary": "x", "restricted": True})
    edited = write_client.patch(f"/api/v1/cases/{case.pk}", {"version": case.version, "restricted": True})
    for response in (created, edited):
        assert response.status_code == 400
        assert "restricted" in response.json()["error"]["fields"]
    case.refresh_from_db()
    assert case.restricted is False


def test_sessions_see_restricted_cases_as_on_the_pages(
    manager_client, caseworker_client, volunteer_client, caseworker, case, restricted_case
):
    def ids(client):
        return {row["id"] for row in client.get("/api/v1/cases").json()["results"]}

    assert ids(manager_client) == {case.pk, restricted_case.pk}
    assert ids(caseworker_client) == {case.pk}
    assert ids(volunteer_client) == {case.pk}
    assert caseworker_client.get(f"/api/v1/cases/{restricted_case.pk}").status_code == 404
    casework_services.case_assign(case=restricted_case, actor=caseworker, assignee=caseworker)
    assert ids(caseworker_client) == {case.pk, restricted_case.pk}
    assert ids(volunteer_client) == {case.pk}


def test_a_session_without_2fa_is_refused(caseworker, case):
    TOTPDeviceFactory(user=caseworker)
    client = Client()
    password_step(client, caseworker.email)
    for response in (client.get("/api/v1/cases"), client.get(f"/api/v1/cases/{case.pk}"), client.get("/api/schema/")):
        assert response.status_code == 403
        assert "two-factor" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("volunteer", 403), ("caseworker", 200), ("mp", 200), ("manager", 200)],
)
def test_closing_follows_the_role_table(request, role, expected, case):
    client = request.getfixturevalue(f"{role}_client")
    response = client.post(f"/api/v1/cases/{case.pk}/close", CLOSE, content_type="application/json")
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["error"]["message"] == "Your role does not allow this."


def test_a_volunteer_reads_and_logs_contacts_but_does_not_work_cases(volunteer_client, case, constituent):
    assert volunteer_client.get(f"/api/v1/cases/{case.pk}").status_code == 200
    response = volunteer_client.patch(
        f"/api/v1/constituents/{constituent.pk}", {"town": "Southtown"}, content_type="application/json"
    )
    assert response.status_code == 200
    response = volunteer_client.post(
        "/api/v1/cases", {"constituent": constituent.pk, "summary": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_assigning_needs_the_assign_permission(mp_client, caseworker_client, caseworker, case):
    body = {"version": case.version, "assignee": caseworker.pk}
    assert mp_client.patch(f"/api/v1/cases/{case.pk}", body, content_type="application/json").status_code == 403
    response = caseworker_client.patch(f"/api/v1/cases/{case.pk}", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["assignee"]["id"] == caseworker.pk
    assert response.json()["status"] == "open"


def test_a_session_acts_in_its_chosen_office_only(caseworker_client, other_office, bob):
    constituent_b = ConstituentFactory(office=other_office)
    assert caseworker_client.get(f"/api/v1/constituents/{constituent_b.pk}").status_code == 404


def test_a_caseworker_who_restricts_a_case_sees_the_result_once(caseworker_client, case):
    response = caseworker_client.patch(
        f"/api/v1/cases/{case.pk}", {"version": case.version, "restricted": True}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["restricted"] is True
    assert caseworker_client.get(f"/api/v1/cases/{case.pk}").status_code == 404
