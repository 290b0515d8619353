"""Each API list costs the same number of queries for 1 row as for 50 fully populated rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services as casework_services
from casework.models import TagCategory
from constituents.models import ConstituentEmail, ConstituentPhone, Representative, Ward
from tests.factories import ConstituentFactory, OrganisationFactory

BIG = 50


@pytest.fixture
def world(office, caseworker, manager, vocabulary):
    """make(n): n more constituents, each with a ward, three emails, two phones and two people
    acting for them, and a case with an assignee, two tags and a note."""
    ward = Ward.objects.create(office=office, code="E05000001", name="Central")
    tags = [vocabulary["Universal Credit"], vocabulary["Disrepair"]]
    category = TagCategory.objects.for_office(office).first()
    made = {"n": 0}

    def make(n: int) -> None:
        for _ in range(n):
            made["n"] += 1
            i = made["n"]
            person = ConstituentFactory(office=office, ward=ward, last_name=f"Person{i:03d}")
            for k in range(3):
                ConstituentEmail.objects.create(
                    office=office, constituent=person, email=f"p{i}-{k}@example.org", is_preferred=k == 0
                )
            for k in range(2):
                ConstituentPhone.objects.create(
                    office=office, constituent=person, number=f"+4479111{i:03d}{k:02d}", label="mobile"
                )
                Representative.objects.create(
                    office=office, constituent=person, name=f"Rep {i}-{k}", relationship="relative"
                )
            case = casework_services.case_open(
                office=office,
                constituent=person,
                opened_by=manager,
                summary=f"Case {i}",
                assignee=caseworker,
                tags=tags,
            )
            casework_services.case_add_note(case=case, actor=caseworker, text="Called back")
            OrganisationFactory(office=office)
            casework_services.tag_create(office=office, actor=manager, name=f"Extra tag {i}", category=category)

    return make


LISTS = ["/api/v1/cases", "/api/v1/constituents", "/api/v1/organisations", "/api/v1/tags"]


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("caller", ["write_client", "caseworker_client"])
def test_each_list_costs_the_same_for_1_row_as_for_50(request, caller, world, django_assert_num_queries):
    client = request.getfixturevalue(caller)
    world(1)
    client.get("/api/v1/me")  # first use: the token's last_used_at, the session's office
    few = {url: _count(client, url) for url in LISTS}
    world(BIG - 1)
    for url in LISTS:
        with django_assert_num_queries(few[url]):
            response = client.get(url)
        assert len(response.json()["results"]) == BIG or url == "/api/v1/tags", url


def test_the_timeline_costs_the_same_for_1_event_as_for_50(write_client, case, caseworker, django_assert_num_queries):
    url = f"/api/v1/cases/{case.pk}/timeline"
    write_client.get(url)
    few = _count(write_client, url)
    for n in range(BIG - 1):
        casework_services.case_add_note(case=case, actor=caseworker, text=f"Note {n}")
    with django_assert_num_queries(few):
        response = write_client.get(url)
    assert len(response.json()["results"]) == BIG


@pytest.mark.parametrize("caller", ["write_client", "caseworker_client"])
def test_the_message_list_costs_the_same_for_1_message_as_for_50(
    request, caller, office, case, constituent, django_assert_num_queries
):
    client = request.getfixturevalue(caller)
    from correspondence.models import Message

    def make(n: int) -> None:
        for i in range(n):
            Message.objects.create(
                office=office,
                direction="in",
                channel="email",
                subject=f"Message {i}",
                sender_email="jane@example.org",
                recipients=[{"name": "MP", "email": "mp@office.example", "kind": "to"}],
                case=case if i % 2 else None,
                constituent=constituent if i % 3 else None,
            )

    make(1)
    client.get("/api/v1/me")
    few = _count(client, "/api/v1/messages")
    make(BIG - 1)
    with django_assert_num_queries(few):
        response = client.get("/api/v1/messages")
    assert len(response.json()["results"]) == BIG
