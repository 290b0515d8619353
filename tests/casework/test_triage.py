import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.models import Case, CaseStatus
from constituents import services as constituent_services
from constituents.models import Ward
from tests.factories import ConstituentFactory


def _open(office, actor, n, **kwargs):
    person = ConstituentFactory(office=office)
    return services.case_open(office=office, constituent=person, opened_by=actor, summary=f"Case {n}", **kwargs)


def test_a_caseworker_lands_on_triage(caseworker_client):
    assert caseworker_client.get("/")["Location"] == "/triage"


def test_a_manager_keeps_the_overview_home(manager_client):
    assert manager_client.get("/").status_code == 200


def test_the_queues_show_new_mine_and_overdue(caseworker_client, office, caseworker, vocabulary):
    with time_machine.travel(dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        late = _open(office, caseworker, 1, assignee=caseworker)
    fresh = _open(office, caseworker, 2)
    mine = _open(office, caseworker, 3, assignee=caseworker)

    def queue(name):
        response = caseworker_client.get("/triage", {"queue": name})
        return {case.pk for case in response.context["page"]}, response.context["counts"]

    new, counts = queue("new")
    assert new == {fresh.pk}
    assert counts == {"new": 1, "mine": 2, "overdue": 1, "open": 3}
    assert queue("mine")[0] == {late.pk, mine.pk}
    assert queue("overdue")[0] == {late.pk}


def test_filters_narrow_the_queue_and_bad_values_are_explained(caseworker_client, office, caseworker, vocabulary):
    ward = Ward.objects.create(office=office, code="E05000001", name="Riverside")
    person = ConstituentFactory(office=office, ward=ward)
    in_ward = services.case_open(office=office, constituent=person, opened_by=caseworker, summary="ward case")
    _open(office, caseworker, 2, tags=[vocabulary["Homelessness"]])
    response = caseworker_client.get("/triage", {"queue": "new", "ward": ward.pk})
    assert [case.pk for case in response.context["page"]] == [in_ward.pk]
    response = caseworker_client.get("/triage", {"queue": "new", "tag": vocabulary["Homelessness"].pk})
    assert [case.summary for case in response.context["page"]] == ["Case 2"]
    response = caseworker_client.get("/triage", {"queue": "bogus", "priority": "extreme"})
    assert response.status_code == 200
    assert "Select a valid choice. extreme is not one of the available choices." in response.content.decode()


def test_htmx_gets_only_the_queue(caseworker_client, office, caseworker):
    _open(office, caseworker, 1)
    response = caseworker_client.get("/triage", {"queue": "new"}, headers={"HX-Request": "true", "HX-Target": "queue"})
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="bulk"' in body


@pytest.fixture
def three(office, caseworker):
    return [_open(office, caseworker, n) for n in range(3)]


def test_bulk_assign_tag_and_close_go_through_the_services(caseworker_client, three, caseworker, vocabulary):
    ids = [case.pk for case in three]
    hx = {"HX-Request": "true", "HX-Target": "queue"}
    response = caseworker_client.post(
        "/triage/bulk",
        {"bulk-action": "assign", "bulk-cases": ids[:2], "bulk-assignee": caseworker.pk, "queue": "new"},
        headers=hx,
    )
    assert "Assigned 2 cases." in response.content.decode()
    caseworker_client.post(
        "/triage/bulk", {"bulk-action": "tag", "bulk-cases": ids, "bulk-tag": vocabulary["Passports"].pk}, headers=hx
    )
    response = caseworker_client.post(
        "/triage/bulk", {"bulk-action": "close", "bulk-cases": ids[1:], "bulk-close_reason": "resolved"}, headers=hx
    )
    assert "Closed 2 cases." in response.content.decode()
    cases = {case.pk: case for case in Case.objects.for_office(three[0].office)}
    assert cases[ids[0]].assignee == caseworker
    assert all(vocabulary["Passports"] in case.tags.all() for case in cases.values())
    assert [cases[pk].status for pk in ids] == [CaseStatus.OPEN, CaseStatus.CLOSED, CaseStatus.CLOSED]
    assert cases[ids[1]].events.filter(kind="status").exists()


def test_bulk_without_a_selection_says_so(caseworker_client, three):
    response = caseworker_client.post(
        "/triage/bulk", {"bulk-action": "close", "bulk-close_reason": "resolved"}, follow=True
    )
    assert "Tick at least one case first" in response.content.decode()


def test_bulk_close_without_a_reason_says_so(caseworker_client, three):
    response = caseworker_client.post(
        "/triage/bulk", {"bulk-action": "close", "bulk-cases": [three[0].pk]}, follow=True
    )
    assert "Choose why the cases are being closed." in response.content.decode()


def test_bulk_cannot_touch_another_offices_cases(caseworker_client, other_office, bob):
    theirs = _open(other_office, bob, 1)
    response = caseworker_client.post(
        "/triage/bulk",
        {"bulk-action": "close", "bulk-cases": [theirs.pk], "bulk-close_reason": "resolved"},
        follow=True,
    )
    assert "is not one of the available choices" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.status != CaseStatus.CLOSED


def test_a_volunteer_cannot_bulk_close(volunteer_client, three):
    response = volunteer_client.post(
        "/triage/bulk", {"bulk-action": "close", "bulk-cases": [three[0].pk], "bulk-close_reason": "resolved"}
    )
    assert response.status_code == 403


def _populated_case(office, actor, vocabulary, n):
    person = constituent_services.constituent_create(
        office=office, actor=actor, last_name=f"Person{n}", email=f"p{n}@example.com", phone="0113 496 0000"
    )
    constituent_services.constituent_email_add(constituent=person, actor=actor, email=f"second{n}@example.com")
    constituent_services.representative_create(
        constituent=person, actor=actor, name=f"Rep {n}", relationship="relative"
    )
    return services.case_open(
        office=office,
        constituent=person,
        opened_by=actor,
        summary=f"c{n}",
        assignee=actor,
        tags=[vocabulary["Homelessness"], vocabulary["Universal Credit"]],
    )


def _count_queries(client, path, params):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("path", "params"), [("/triage", {"queue": "mine"}), ("/cases", {}), ("/search", {"q": "person"})]
)
def test_lists_make_as_many_queries_for_fifty_rows_as_for_one(
    caseworker_client, office, caseworker, vocabulary, path, params
):
    _populated_case(office, caseworker, vocabulary, 0)
    one = _count_queries(caseworker_client, path, params)
    for n in range(1, 50):
        _populated_case(office, caseworker, vocabulary, n)
    fifty = _count_queries(caseworker_client, path, params)
    assert one == fifty


def test_a_bulk_action_keeps_the_queue_filters(caseworker_client, three, caseworker, vocabulary):
    hx = {"HX-Request": "true", "HX-Target": "queue"}
    response = caseworker_client.post(
        "/triage/bulk",
        {"bulk-action": "assign", "bulk-cases": [three[0].pk], "bulk-assignee": caseworker.pk, "queue": "open"},
        headers=hx,
    )
    form = response.context["form"]
    assert form["assignee"].value() in (None, "")
    assert {case.pk for case in response.context["page"]} == {case.pk for case in three}


def test_a_bulk_action_without_javascript_returns_to_the_queue(caseworker_client, three):
    response = caseworker_client.post(
        "/triage/bulk",
        {"bulk-action": "close", "bulk-cases": [three[0].pk], "bulk-close_reason": "resolved", "queue": "open"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/triage?queue=open"
