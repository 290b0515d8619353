"""Enquiries in the browser's pages: recording, the lifecycle forms, chases, responsiveness."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from casework import services as casework_services
from correspondence import enquiries
from correspondence.enquiries import NewEnquiry
from correspondence.models import DigestOptOut, Enquiry, EnquiryStatus, EnquiryStep, Message, StepKind
from tests.factories import ConstituentFactory, OrganisationFactory

TODAY = dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False) as clock:
        yield clock


@pytest.fixture
def organisation(office):
    return OrganisationFactory(
        office=office, name="Home Office", reply_target=20, required_identifiers=["Home Office reference"]
    )


@pytest.fixture
def case(office, caseworker):
    casework_services.office_initialise(office)
    constituent = ConstituentFactory(office=office, first_name="Amir", last_name="Khan")
    return casework_services.case_open(
        office=office, constituent=constituent, opened_by=caseworker, summary="Visa delay", assignee=caseworker
    )


def make(case, actor, organisation, sent_on=dt.date(2026, 11, 2)) -> Enquiry:
    new = NewEnquiry(
        organisation=organisation, question="When will the visa be decided?", sent_via="email", sent_on=sent_on
    )
    return enquiries.enquiry_create(case=case, actor=actor, new=new)


def test_a_caseworker_records_an_enquiry_and_is_warned_of_what_is_missing(caseworker_client, case, organisation):
    response = caseworker_client.post(
        reverse("correspondence:enquiry_add", kwargs={"case_id": case.pk}),
        {"organisation": organisation.pk, "question": "When?", "sent_via": "email", "sent_on": "2026-11-27"},
        follow=True,
    )
    page = response.content.decode()
    assert "Enquiry to Home Office recorded: due 29 Dec 2026." in page
    assert "Home Office usually needs: Home Office reference." in page
    assert "Enquiries to organisations" in page
    assert "Paused while a third party is awaited" in page


def test_a_due_date_in_the_past_is_refused_with_a_clear_message(caseworker_client, case, organisation):
    response = caseworker_client.post(
        reverse("correspondence:enquiry_add", kwargs={"case_id": case.pk}),
        {
            "organisation": organisation.pk,
            "question": "When?",
            "sent_via": "email",
            "sent_on": "2026-11-27",
            "due_override": "2026-11-01",
            "override_reason": "They said so",
        },
    )
    assert "A due date in the past cannot be set" in response.content.decode()
    assert not Enquiry.objects.for_office(case.office).exists()


def test_badges_show_overdue_and_a_reply_that_may_be_the_answer(
    caseworker_client, case, caseworker, organisation, office
):
    make(case, caseworker, organisation, sent_on=dt.date(2026, 10, 1))
    Message.objects.create(office=office, direction="in", channel="email", subject="Re: visa", case=case)
    page = caseworker_client.get(reverse("casework:case_detail", kwargs={"case_id": case.pk})).content.decode()
    assert "Overdue since 29 Oct" in page
    assert "A reply has arrived on this case: is it their answer?" in page


def test_marking_it_answered_with_the_reply(caseworker_client, case, caseworker, organisation, office):
    enquiry = make(case, caseworker, organisation)
    reply = Message.objects.create(office=office, direction="in", channel="email", subject="Re: visa", case=case)
    url = reverse("correspondence:enquiry_answer", kwargs={"case_id": case.pk, "enquiry_id": enquiry.pk})
    response = caseworker_client.post(url, {"message": reply.pk}, follow=True)
    assert "Marked answered" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.ANSWERED
    assert enquiry.answer_message == reply


def test_another_cases_message_cannot_be_the_answer(caseworker_client, case, caseworker, organisation, office):
    enquiry = make(case, caseworker, organisation)
    elsewhere = Message.objects.create(office=office, direction="in", channel="email", subject="other")
    url = reverse("correspondence:enquiry_answer", kwargs={"case_id": case.pk, "enquiry_id": enquiry.pk})
    response = caseworker_client.post(url, {"message": elsewhere.pk})
    assert "Select a valid choice" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.AWAITING


def test_a_holding_reply_and_a_withdrawal_from_the_page(caseworker_client, case, caseworker, organisation):
    enquiry = make(case, caseworker, organisation)
    base = {"case_id": case.pk, "enquiry_id": enquiry.pk}
    caseworker_client.post(
        reverse("correspondence:enquiry_holding", kwargs=base), {"extra_days": "10", "working_days": "1"}
    )
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.HOLDING
    response = caseworker_client.post(reverse("correspondence:enquiry_withdraw", kwargs=base), {"reason": ""})
    assert "This field is required." in response.content.decode()
    caseworker_client.post(reverse("correspondence:enquiry_withdraw", kwargs=base), {"reason": "Wrong department"})
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.WITHDRAWN


def test_checking_and_sending_the_drafted_chaser(caseworker_client, case, caseworker, organisation, office):
    enquiry = make(case, caseworker, organisation, sent_on=dt.date(2026, 10, 1))
    enquiries.enquiries_sweep()
    enquiries.enquiries_sweep()
    step = EnquiryStep.objects.for_office(office).get(kind=StepKind.CHASER_DRAFTED)
    url = reverse(
        "correspondence:chaser_send", kwargs={"case_id": case.pk, "enquiry_id": enquiry.pk, "step_id": step.pk}
    )
    page = caseworker_client.get(url).content.decode()
    assert "When will the visa be decided?" in page
    response = caseworker_client.post(url, {"subject": "Chasing", "text": "Please reply."}, follow=True)
    assert "The chaser is in the outbox. New due date set." in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.CHASED


def test_a_volunteer_may_look_but_not_act(volunteer_client, case, caseworker, organisation):
    enquiry = make(case, caseworker, organisation)
    base = {"case_id": case.pk, "enquiry_id": enquiry.pk}
    assert volunteer_client.get(reverse("correspondence:enquiry_detail", kwargs=base)).status_code == 200
    assert (
        volunteer_client.post(reverse("correspondence:enquiry_withdraw", kwargs=base), {"reason": "x"}).status_code
        == 403
    )
    assert volunteer_client.get(reverse("correspondence:enquiry_add", kwargs={"case_id": case.pk})).status_code == 403


def test_the_chases_page_in_few_queries(caseworker_client, case, caseworker, office, django_assert_max_num_queries):
    for n in range(12):
        make(
            case,
            caseworker,
            OrganisationFactory(office=office, name=f"Agency {n}", reply_target=5),
            sent_on=dt.date(2026, 11, 2 + n),
        )
    with django_assert_max_num_queries(14):
        response = caseworker_client.get(reverse("correspondence:chases"))
    page = response.content.decode()
    assert "Overdue (" in page
    assert "Agency 0" in page


def test_overdue_enquiries_show_on_the_triage_page(caseworker_client, case, caseworker, organisation):
    make(case, caseworker, organisation, sent_on=dt.date(2026, 10, 1))
    page = caseworker_client.get(reverse("casework:triage")).content.decode()
    assert "Overdue enquiries" in page


def test_turning_the_daily_email_off_and_on(caseworker_client, caseworker, office):
    caseworker_client.post(reverse("correspondence:digest_preference"), {"digest": "off"})
    assert DigestOptOut.objects.for_office(office).filter(user=caseworker).exists()
    caseworker_client.post(reverse("correspondence:digest_preference"), {"digest": "on"})
    assert not DigestOptOut.objects.for_office(office).exists()


def test_responsiveness_shows_true_medians_and_shares(mp_client, case, caseworker, office):
    fast = OrganisationFactory(office=office, name="Fast Council", reply_target=10)
    slow = OrganisationFactory(office=office, name="Slow Agency", reply_target=5)
    for sent, answered, organisation in [
        (dt.date(2026, 9, 1), dt.date(2026, 9, 3), fast),  # 2 working days
        (dt.date(2026, 9, 1), dt.date(2026, 9, 7), fast),  # 4
        (dt.date(2026, 9, 1), dt.date(2026, 9, 29), slow),  # 20, late
    ]:
        enquiry = make(case, caseworker, organisation, sent_on=sent)
        enquiries.enquiry_answer(enquiry=enquiry, actor=caseworker, answered_on=answered)
    page = mp_client.get(reverse("correspondence:responsiveness") + "?start=2026-09-01&end=2026-09-30").content.decode()
    assert "<td>Fast Council</td><td>2</td><td>3</td><td>100%</td>" in page.replace("\n", "")
    assert "<td>Slow Agency</td><td>1</td><td>20</td><td>0%</td>" in page.replace("\n", "")


def test_responsiveness_refuses_an_end_before_the_start(mp_client):
    page = mp_client.get(reverse("correspondence:responsiveness") + "?start=2026-09-30&end=2026-09-01").content.decode()
    assert "The end of the period is before its start" in page


def test_the_manager_sets_the_ladder_and_a_caseworker_may_not(manager_client, caseworker_client, office):
    url = reverse("correspondence:enquiry_settings")
    assert caseworker_client.get(url).status_code == 403
    manager_client.post(
        url,
        {
            "remind_days_before": "3",
            "escalate_days_after": "4",
            "ladder_interval_days": "7",
            "ladder_text": "Call them\nOmbudsman",
        },
    )
    rules = enquiries.settings_for(office)
    assert (rules.remind_days_before, rules.ladder) == (3, ["Call them", "Ombudsman"])
