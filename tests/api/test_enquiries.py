"""Enquiries through API v1: within a case, and the due and overdue lists."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from correspondence import enquiries
from correspondence.models import Enquiry, EnquiryStatus, Message
from tests.factories import OrganisationFactory

NOW = dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def organisation(office):
    return OrganisationFactory(office=office, name="HMRC", reply_target=20, required_identifiers=["UTR"])


def url(case, *rest) -> str:
    return "/".join([f"/api/v1/cases/{case.pk}/enquiries", *map(str, rest)])


def test_a_token_records_an_enquiry_and_is_told_what_is_missing(write_client, case, organisation):
    response = write_client.post(
        url(case),
        {"organisation": organisation.pk, "question": "Tax code?", "sent_via": "email", "sent_on": "2026-11-27"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["due_on"] == "2026-12-29"
    assert body["missing_requirements"] == ["UTR"]
    assert write_client.get(url(case)).json()[0]["id"] == body["id"]


def test_bad_enquiries_get_a_clear_400(write_client, case, organisation, other_office):
    theirs = OrganisationFactory(office=other_office)
    base = {"question": "Q", "sent_via": "email", "sent_on": "2026-11-27"}
    cases = [
        ({**base, "organisation": theirs.pk}, "No organisation of this office"),
        ({**base, "organisation": organisation.pk, "sent_on": "2027-01-01"}, "in the future"),
        (
            {**base, "organisation": organisation.pk, "due_override": "2020-01-01", "override_reason": "x"},
            "in the past",
        ),
        ({**base, "organisation": organisation.pk, "sent_via": "pigeon"}, "pigeon"),
    ]
    for body, message in cases:
        response = write_client.post(url(case), body)
        assert response.status_code == 400, body
        assert message in response.content.decode()
    assert not Enquiry.objects.for_office(case.office).exists()


def test_a_read_token_cannot_record_one(read_client, case, organisation):
    response = read_client.post(
        url(case), {"organisation": organisation.pk, "question": "Q", "sent_via": "email", "sent_on": "2026-11-27"}
    )
    assert response.status_code == 403


def make(case, organisation, sent_on=dt.date(2026, 10, 1)):
    new = enquiries.NewEnquiry(organisation=organisation, question="Q", sent_via="email", sent_on=sent_on)
    return enquiries.enquiry_create(case=case, actor=None, new=new)


def test_changing_the_due_date_and_a_holding_reply(write_client, case, organisation):
    enquiry = make(case, organisation)
    response = write_client.patch(url(case, enquiry.pk), {"due_on": "2026-12-10", "reason": "Agreed by phone"})
    assert response.json()["due_on"] == "2026-12-10"
    response = write_client.patch(url(case, enquiry.pk), {"holding_reply_days": 5})
    assert response.json()["status"] == EnquiryStatus.HOLDING
    assert response.json()["due_on"] == "2026-12-17"
    assert write_client.patch(url(case, enquiry.pk), {"due_on": "2026-12-10"}).status_code == 400


def test_marking_answered_by_a_message_on_the_case(write_client, case, organisation, office):
    enquiry = make(case, organisation)
    reply = Message.objects.create(office=office, direction="in", channel="email", subject="Re", case=case)
    elsewhere = Message.objects.create(office=office, direction="in", channel="email", subject="Other")
    assert write_client.post(url(case, enquiry.pk, "answer"), {"message": elsewhere.pk}).status_code == 400
    response = write_client.post(url(case, enquiry.pk, "answer"), {"message": reply.pk})
    assert response.json()["status"] == EnquiryStatus.ANSWERED
    assert write_client.post(url(case, enquiry.pk, "answer"), {}).status_code == 400, "answered already"


def test_due_and_overdue_lists(read_client, case, organisation, django_assert_max_num_queries):
    overdue = make(case, organisation, sent_on=dt.date(2026, 10, 1))
    due = make(case, OrganisationFactory(office=case.office, reply_target=3), sent_on=dt.date(2026, 11, 26))
    with django_assert_max_num_queries(8):
        body = read_client.get("/api/v1/enquiries?state=overdue").json()
    assert [row["id"] for row in body["results"]] == [overdue.pk]
    assert [row["id"] for row in read_client.get("/api/v1/enquiries?state=due").json()["results"]] == [due.pk]
    assert read_client.get("/api/v1/enquiries?state=soon").status_code == 400


def test_another_offices_enquiry_is_not_found(write_client, office, other_office, organisation, case):
    from casework import services as casework_services
    from tests.factories import ConstituentFactory, MembershipFactory

    their_manager = MembershipFactory(office=other_office, role="manager").user
    casework_services.office_initialise(other_office)
    their_case = casework_services.case_open(
        office=other_office, constituent=ConstituentFactory(office=other_office), opened_by=their_manager, summary="x"
    )
    theirs = make(their_case, OrganisationFactory(office=other_office))
    assert write_client.get(url(their_case, theirs.pk)).status_code == 404
    assert write_client.get(url(case, theirs.pk)).status_code == 404
