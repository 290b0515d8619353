import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework import services
from casework.models import Case, CaseStatus
from security.models import AuditEvent
from tests.factories import ConstituentFactory


def test_a_caseworker_opens_a_case_from_the_form(caseworker_client, constituent, vocabulary, caseworker):
    response = caseworker_client.post(
        "/cases/new",
        {
            "constituent": constituent.pk,
            "summary": "Damp in the bedroom",
            "priority": "high",
            "assignee": caseworker.pk,
            "tags": [vocabulary["Disrepair"].pk],
            "lawful_basis": "elected_representative",
            "may_contact_third_parties": "on",
        },
    )
    case = Case.objects.for_office(constituent.office).get()
    assert response["Location"] == f"/cases/{case.pk}"
    assert (case.summary, case.priority, case.assignee, case.status) == (
        "Damp in the bedroom",
        "high",
        caseworker,
        CaseStatus.OPEN,
    )
    assert list(case.tags.all()) == [vocabulary["Disrepair"]]


def test_the_open_form_explains_what_is_missing(caseworker_client, vocabulary):
    response = caseworker_client.post("/cases/new", {"summary": "", "lawful_basis": "explicit_consent"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose the constituent, or add a new one." in body
    assert "With explicit consent, record how and when it was given." in body


def test_the_constituent_picker_finds_by_name_and_postcode(caseworker_client, constituent):
    assert "Jane Smith" in caseworker_client.get("/cases/constituent-picker", {"q": "smi"}).content.decode()
    assert "Jane Smith" in caseworker_client.get("/cases/constituent-picker", {"q": "nt1 1aa"}).content.decode()


def test_the_case_page_shows_the_timeline_and_records_the_view(caseworker_client, case, caseworker):
    services.case_add_note(case=case, actor=caseworker, text="Spoke to DWP.")
    body = caseworker_client.get(f"/cases/{case.pk}").content.decode()
    assert "Spoke to DWP." in body
    assert "Universal Credit" in body
    assert AuditEvent.objects.filter(verb="casework.case.viewed", object_id=str(case.pk)).count() == 1


def test_assign_close_and_reopen_from_the_page(caseworker_client, case, caseworker):
    caseworker_client.post(f"/cases/{case.pk}/assign", {"version": case.version, "assignee": caseworker.pk})
    case.refresh_from_db()
    assert case.assignee == caseworker
    caseworker_client.post(f"/cases/{case.pk}/close", {"version": case.version, "close_reason": "resolved"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    caseworker_client.post(f"/cases/{case.pk}/status", {"version": case.version, "status": "open"})
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_two_editors_get_a_clear_conflict_message(caseworker_client, manager_client, case):
    form = {"summary": "Manager's", "priority": "normal", "lawful_basis": "elected_representative"}
    manager_client.post(f"/cases/{case.pk}/edit", {**form, "version": case.version})
    response = caseworker_client.post(f"/cases/{case.pk}/edit", {**form, "summary": "Mine", "version": case.version})
    assert response.status_code == 200
    assert "Someone else changed this case" in response.content.decode()
    case.refresh_from_db()
    assert case.summary == "Manager's"


def test_a_stale_assignment_is_refused_with_the_reason(caseworker_client, case, caseworker, manager):
    services.case_assign(case=case, actor=manager, assignee=manager)
    response = caseworker_client.post(f"/cases/{case.pk}/assign", {"version": 1, "assignee": caseworker.pk})
    assert "Someone else changed this case" in response.content.decode()


def test_documents_are_stored_under_the_office_and_served_as_downloads(caseworker_client, case):
    upload = SimpleUploadedFile("letter.html", b"<script>alert(1)</script>", content_type="text/html")
    caseworker_client.post(f"/cases/{case.pk}/documents", {"file": upload})
    document = case.documents.get()
    assert document.file.name.startswith(f"offices/{case.office_id}/cases/{case.pk}/")
    assert document.content_type == "text/plain"  # sniffed, not trusted
    response = caseworker_client.get(f"/cases/{case.pk}/documents/{document.pk}")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/plain"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"


def test_the_list_filters_and_stays_within_a_query_budget(
    caseworker_client, office, caseworker, vocabulary, django_assert_max_num_queries
):
    for n in range(30):
        person = ConstituentFactory(office=office)
        services.case_open(
            office=office,
            constituent=person,
            opened_by=caseworker,
            summary=f"Case {n}",
            assignee=caseworker if n % 2 else None,
            tags=[vocabulary["Homelessness"], vocabulary["Universal Credit"]],
        )
    with django_assert_max_num_queries(17):
        response = caseworker_client.get("/cases", {"assignee": "me"})
    assert response.context["page"].paginator.count == 15
    with django_assert_max_num_queries(17):
        response = caseworker_client.get("/cases", {"tag": vocabulary["Homelessness"].pk, "status": "active"})
    assert response.context["page"].paginator.count == 30


def test_a_malformed_filter_never_crashes(caseworker_client, vocabulary):
    response = caseworker_client.get("/cases", {"tag": "abc", "status": "zzz", "page": "-1", "assignee": "x"})
    assert response.status_code == 200


@pytest.fixture
def restricted_case(office, constituent, manager, caseworker):
    return services.case_open(
        office=office, constituent=constituent, opened_by=manager, summary="Sensitive", restricted=True
    )


def test_restricted_cases_are_hidden_from_volunteers_and_other_caseworkers(
    restricted_case, volunteer_client, caseworker_client, mp_client, manager_client
):
    for client in (volunteer_client, caseworker_client):
        assert client.get(f"/cases/{restricted_case.pk}").status_code == 404
        assert "Sensitive" not in client.get("/cases").content.decode()
    for client in (mp_client, manager_client):
        assert client.get(f"/cases/{restricted_case.pk}").status_code == 200


def test_the_assignee_sees_a_restricted_case(restricted_case, caseworker, caseworker_client, manager):
    services.case_assign(case=restricted_case, actor=manager, assignee=caseworker)
    assert caseworker_client.get(f"/cases/{restricted_case.pk}").status_code == 200


def test_a_volunteer_can_note_but_not_change_a_case(volunteer_client, case):
    assert volunteer_client.post(f"/cases/{case.pk}/notes", {"text": "Phoned, left message"}).status_code == 302
    assert (
        volunteer_client.post(f"/cases/{case.pk}/close", {"version": 1, "close_reason": "resolved"}).status_code == 403
    )
    assert volunteer_client.get("/cases/new").status_code == 403


def test_a_case_opens_for_a_new_constituent_entered_inline(caseworker_client, office, vocabulary):
    response = caseworker_client.post(
        "/cases/new",
        {
            "constituent_mode": "new",
            "new-first_name": "Amir",
            "new-last_name": "Khan",
            "new-postcode": "ls1 4ap",
            "new-email": "amir@example.com",
            "new-in_constituency": "unknown",
            "new-preferred_contact": "email",
            "summary": "Passport delay",
            "priority": "normal",
            "lawful_basis": "elected_representative",
        },
    )
    assert response.status_code == 302, response.context and response.context["person_form"].errors
    case = Case.objects.for_office(office).get()
    assert case.constituent.last_name == "Khan"
    assert case.constituent.postcode == "LS1 4AP"


def test_an_inline_constituent_with_a_bad_postcode_gets_a_field_error(caseworker_client, vocabulary):
    response = caseworker_client.post(
        "/cases/new",
        {
            "constituent_mode": "new",
            "new-last_name": "Khan",
            "new-postcode": "not a postcode",
            "summary": "x",
            "priority": "normal",
            "lawful_basis": "elected_representative",
        },
    )
    assert response.status_code == 200
    assert "is not a UK postcode" in response.content.decode()
    assert not Case.unscoped.exists()


def test_the_constituent_page_lists_their_cases(caseworker_client, case):
    body = caseworker_client.get(f"/constituents/{case.constituent_id}").content.decode()
    assert case.reference in body
    assert f"/cases/new?constituent={case.constituent_id}" in body


def test_people_involved_are_added_and_removed(caseworker_client, case, caseworker, office):
    from constituents import services as constituent_services

    rep = constituent_services.representative_create(
        constituent=case.constituent, actor=caseworker, name="Sam Advocate", relationship="advocate"
    )
    partner = ConstituentFactory(office=office, first_name="Lee", last_name="Partner")
    caseworker_client.post(f"/cases/{case.pk}/people", {"representative": rep.pk, "role": "representative"})
    caseworker_client.post(f"/cases/{case.pk}/people", {"constituent": partner.pk, "role": "joint"})
    body = caseworker_client.get(f"/cases/{case.pk}").content.decode()
    assert "Sam Advocate" in body
    assert "Lee Partner" in body
    response = caseworker_client.post(f"/cases/{case.pk}/people", {"role": "joint"})
    assert "Choose one person" in response.content.decode()
    participant = case.participants.get(constituent=partner)
    caseworker_client.post(f"/cases/{case.pk}/people/{participant.pk}/remove")
    assert not case.participants.filter(constituent=partner).exists()


def test_another_offices_constituent_cannot_be_added(caseworker_client, case, other_office):
    theirs = ConstituentFactory(office=other_office)
    response = caseworker_client.post(f"/cases/{case.pk}/people", {"constituent": theirs.pk, "role": "joint"})
    assert "Select a valid choice" in response.content.decode()
    assert not case.participants.exists()


def test_status_changes_read_as_words_on_the_timeline(caseworker_client, case, caseworker):
    from casework import services

    services.case_set_status(case=case, actor=caseworker, status="awaiting_third_party")
    page = caseworker_client.get(f"/cases/{case.pk}").content.decode()
    assert "New → Awaiting third party" in page
