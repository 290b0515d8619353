"""Cases through the API: list and filters, open, edit with versions, close, timeline, tags."""

from __future__ import annotations

import pytest

from casework import services as casework_services
from casework.models import Case, CaseEvent
from tests.factories import ConstituentFactory


@pytest.fixture
def three_cases(office, caseworker, manager, vocabulary):
    smith = ConstituentFactory(office=office, last_name="Smith")
    jones = ConstituentFactory(office=office, last_name="Jones")
    housing = casework_services.case_open(
        office=office,
        constituent=smith,
        opened_by=manager,
        summary="Damp in council flat",
        priority="high",
        assignee=caseworker,
        tags=[vocabulary["Disrepair"]],
    )
    visa = casework_services.case_open(office=office, constituent=jones, opened_by=manager, summary="Visa delay")
    closed = casework_services.case_open(office=office, constituent=jones, opened_by=manager, summary="Old matter")
    casework_services.case_close(case=closed, actor=manager, reason="resolved")
    return housing, visa, closed


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_list_filters_like_the_case_list_page(caseworker_client, caseworker, three_cases, vocabulary):
    housing, visa, closed = three_cases

    def ids(**params):
        return _ids(caseworker_client.get("/api/v1/cases", params))

    assert ids() == [closed.pk, visa.pk, housing.pk]  # newest first
    assert ids(sort="oldest") == [housing.pk, visa.pk, closed.pk]
    assert ids(status="active") == [visa.pk, housing.pk]
    assert ids(status="closed") == [closed.pk]
    assert ids(assignee="me") == [housing.pk]
    assert ids(assignee=str(caseworker.pk)) == [housing.pk]
    assert ids(assignee="none") == [closed.pk, visa.pk]
    assert ids(tag=vocabulary["Disrepair"].pk) == [housing.pk]
    assert ids(priority="high") == [housing.pk]
    assert ids(q="jones") == [closed.pk, visa.pk]
    assert ids(q=housing.reference) == [housing.pk]
    assert ids(q="damp", status="active", priority="high") == [housing.pk]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"status": "pending"}, "status", "“pending” is not a status. Use one of: active, new, open,"),
        ({"priority": "asap"}, "priority", "“asap” is not a priority."),
        ({"assignee": "someone"}, "assignee", "“someone” is not “me”, “none” or the id of a member"),
        ({"assignee": "999999"}, "assignee", "is not “me”, “none” or the id of a member"),
        ({"tag": "999999"}, "tag", "No tag of this office has the id 999999."),
        ({"tag": "housing"}, "tag", "A valid integer is required."),
        ({"sort": "random"}, "sort", "“random” is not a sort."),
    ],
)
def test_an_unknown_filter_value_is_a_clear_400(write_client, three_cases, params, field, message):
    response = write_client.get("/api/v1/cases", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert message in error["fields"][field][0]


def test_a_token_has_no_cases_of_its_own(write_client):
    response = write_client.get("/api/v1/cases", {"assignee": "me"})
    assert response.status_code == 400
    assert "no cases of its own" in response.json()["error"]["fields"]["assignee"][0]


@pytest.mark.parametrize("query", ['"quoted', "' OR 1=1 --", "a" * 10_000, "🏠 damp", "\x00", "%_\\", "  "])
def test_any_search_text_answers_a_page(write_client, three_cases, query):
    response = write_client.get("/api/v1/cases", {"q": query})
    assert response.status_code == 200
    assert "results" in response.json()


def test_it_opens_a_case(write_client, office, constituent, caseworker, vocabulary):
    tags = [vocabulary["Universal Credit"].pk, vocabulary["Legacy benefits"].pk]
    response = write_client.post(
        "/api/v1/cases",
        {
            "constituent": constituent.pk,
            "summary": "PIP assessment",
            "description": "Awaiting a date",
            "priority": "urgent",
            "assignee": caseworker.pk,
            "tags": tags,
        },
    )
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.for_office(office).get(pk=body["id"])
    assert (case.summary, case.priority, case.assignee, case.status) == ("PIP assessment", "urgent", caseworker, "open")
    assert sorted(t["id"] for t in body["tags"]) == sorted(tags)
    assert body["constituent"] == {"id": constituent.pk, "full_name": "Jane Smith"}
    assert (body["reference"], body["version"]) == (case.reference, 1)
    assert case.opened_by is None  # opened by an integration, not a person


def test_opening_says_what_is_wrong(write_client, constituent, vocabulary):
    retired = vocabulary["Universal Credit"]
    casework_services.tag_set_active(tag=retired, actor=None, active=False)
    response = write_client.post(
        "/api/v1/cases",
        {"constituent": constituent.pk, "summary": "", "lawful_basis": "explicit_consent", "tags": [retired.pk]},
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["summary"] == ["This field may not be blank."]
    assert fields["tags"] == ["These tags are retired: Universal Credit. Choose active ones."]
    response = write_client.post(
        "/api/v1/cases", {"constituent": constituent.pk, "summary": "x", "lawful_basis": "explicit_consent"}
    )
    assert response.json()["error"]["message"] == (
        "With explicit consent, record how (consent_how) and when (consent_at)."
    )


def test_an_edit_with_the_current_version_applies_everything_at_once(write_client, case, caseworker, vocabulary):
    response = write_client.patch(
        f"/api/v1/cases/{case.pk}",
        {
            "version": case.version,
            "summary": "UC sanction appeal",
            "priority": "high",
            "status": "awaiting_third_party",
            "assignee": caseworker.pk,
            "tags": [vocabulary["Legacy benefits"].pk],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["summary"], body["priority"], body["status"]) == ("UC sanction appeal", "high", "awaiting_third_party")
    assert body["assignee"]["id"] == caseworker.pk
    assert [t["name"] for t in body["tags"]] == ["Legacy benefits"]
    assert body["response_paused_at"] is not None
    assert body["version"] > case.version
    kinds = set(CaseEvent.objects.for_office(case.office).filter(case=case).values_list("kind", flat=True))
    assert {"edited", "status", "assigned", "tagged"} <= kinds


def test_a_stale_version_is_a_409_and_changes_nothing(write_client, case, caseworker):
    casework_services.case_update(case=case, actor=caseworker, version=case.version, summary="Changed on a page")
    response = write_client.patch(f"/api/v1/cases/{case.pk}", {"version": 1, "summary": "Mine", "tags": []})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert "Someone else changed this case" in error["message"]
    assert error["fields"] == {}
    case.refresh_from_db()
    assert case.summary == "Changed on a page"
    assert case.tags.count() == 1  # the tags were not replaced either: all or nothing


def test_an_edit_needs_the_version(write_client, case):
    response = write_client.patch(f"/api/v1/cases/{case.pk}", {"summary": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"version": ["This field is required."]}


def test_closing_is_its_own_verb(write_client, case):
    response = write_client.patch(f"/api/v1/cases/{case.pk}", {"version": case.version, "status": "closed"})
    assert response.status_code == 400
    assert "close with POST" in response.json()["error"]["fields"]["status"][0]
    response = write_client.post(f"/api/v1/cases/{case.pk}/close", {"reason": "maybe"})
    assert "“maybe” is not a close reason" in response.json()["error"]["fields"]["reason"][0]
    response = write_client.post(f"/api/v1/cases/{case.pk}/close", {"reason": "withdrawn", "version": 99})
    assert response.status_code == 409
    response = write_client.post(f"/api/v1/cases/{case.pk}/close", {"reason": "withdrawn", "version": case.version})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["close_reason"]) == ("closed", "withdrawn")
    assert response.json()["closed_at"] is not None


def test_the_timeline_is_newest_first(write_client, case, caseworker):
    casework_services.case_add_note(case=case, actor=caseworker, text="Rang DWP")
    response = write_client.get(f"/api/v1/cases/{case.pk}/timeline")
    assert response.status_code == 200
    events = response.json()["results"]
    assert [e["kind"] for e in events] == ["note", "opened"]
    assert events[0]["note"] == "Rang DWP"
    assert events[0]["actor"] == {"id": caseworker.pk, "full_name": caseworker.full_name}


def test_tags_lists_the_active_vocabulary_with_categories_and_synonyms(read_client, vocabulary):
    casework_services.tag_set_active(tag=vocabulary["Legacy benefits"], actor=None, active=False)
    body = read_client.get("/api/v1/tags", {"page_size": 200}).json()
    names = [tag["name"] for tag in body["results"]]
    assert "Universal Credit" in names
    assert "Legacy benefits" not in names
    assert body["count"] == len(vocabulary) - 1
    credit = next(tag for tag in body["results"] if tag["name"] == "Universal Credit")
    assert credit["category"]["name"]
    assert isinstance(credit["synonyms"], list)
    found = read_client.get("/api/v1/tags", {"q": "council house"}).json()["results"]
    assert [tag["name"] for tag in found] == ["Social housing allocation"]
