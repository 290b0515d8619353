"""Third-party enquiries: due dates, the lifecycle, and the whole ladder under controlled time."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from casework import services as casework_services
from casework.models import CaseStatus
from constituents.models import TargetUnit
from correspondence import enquiries
from correspondence.enquiries import NewEnquiry
from correspondence.models import (
    Channel,
    Enquiry,
    EnquiryStatus,
    EnquiryStep,
    Message,
    NextAction,
    OutgoingEmail,
    SentVia,
    StepKind,
)
from security.errors import DomainError
from security.models import Notification
from tests.factories import ConstituentFactory, OrganisationFactory

SENT = dt.date(2026, 11, 27)  # a Friday; 20 working days later is 29 December (Christmas between)


def at(day: dt.date, hour: int = 9):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def organisation(office):
    return OrganisationFactory(office=office, name="Department for Work and Pensions", reply_target=20)


@pytest.fixture
def case(office, caseworker):
    casework_services.office_initialise(office)
    constituent = ConstituentFactory(office=office, first_name="Jane", last_name="Smith")
    with at(SENT):
        case = casework_services.case_open(
            office=office, constituent=constituent, opened_by=caseworker, summary="PIP award", assignee=caseworker
        )
    return case


def create(case, actor, organisation, **extra):
    new = NewEnquiry(
        organisation=organisation, question="Why was PIP stopped?", sent_via=SentVia.EMAIL, sent_on=SENT, **extra
    )
    with at(SENT):
        return enquiries.enquiry_create(case=case, actor=actor, new=new)


def notifications_for(user) -> list[str]:
    return list(Notification.unscoped.filter(recipient=user).order_by("id").values_list("title", flat=True))


def test_the_due_date_counts_working_days_of_the_offices_nation(office, organisation):
    assert enquiries.target_date(office=office, organisation=organisation, sent_on=SENT) == dt.date(2026, 12, 29)
    organisation.reply_target_unit = TargetUnit.CALENDAR
    assert enquiries.target_date(office=office, organisation=organisation, sent_on=SENT) == dt.date(2026, 12, 17)
    organisation.reply_target = None
    assert enquiries.target_date(office=office, organisation=organisation, sent_on=SENT) == dt.date(2026, 12, 18)


def test_recording_an_enquiry_pauses_the_offices_clock(case, caseworker, organisation):
    enquiry = create(case, caseworker, organisation)
    assert enquiry.due_on == enquiry.target_on == dt.date(2026, 12, 29)
    assert (enquiry.next_action, enquiry.next_action_on) == (NextAction.REMIND, dt.date(2026, 12, 23))
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_THIRD_PARTY
    assert case.response_paused_at is not None


def test_missing_identifiers_and_consent_are_warnings(case, caseworker, office):
    organisation = OrganisationFactory(
        office=office,
        required_identifiers=["National Insurance number", "Date of birth"],
        requires_written_consent=True,
    )
    enquiry = create(case, caseworker, organisation, identifiers={"National Insurance number": "QQ123456C"})
    assert enquiries.missing_requirements(enquiry) == ["Date of birth", "The constituent's written consent"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"due_override": dt.date(2026, 11, 1), "override_reason": "x"}, "in the past"),
        ({"due_override": dt.date(2026, 12, 1)}, "Give a reason"),
        ({"question": "  "}, "Say what was asked"),
        ({"sent_on": dt.date(2026, 12, 25)}, "in the future"),
    ],
)
def test_bad_enquiries_are_refused_with_a_clear_message(case, caseworker, organisation, change, message):
    fields = {"organisation": organisation, "question": "Why?", "sent_via": SentVia.EMAIL, "sent_on": SENT, **change}
    with at(SENT), pytest.raises(DomainError, match=message):
        enquiries.enquiry_create(case=case, actor=caseworker, new=NewEnquiry(**fields))
    assert not Enquiry.objects.for_office(case.office).exists()


def test_a_retired_organisation_or_a_closed_case_is_refused(case, caseworker, organisation):
    organisation.is_active = False
    organisation.save()
    with pytest.raises(DomainError, match="retired"):
        create(case, caseworker, organisation)
    organisation.is_active = True
    organisation.save()
    casework_services.case_close(case=case, actor=caseworker, reason="resolved")
    with pytest.raises(DomainError, match="reopen it"):
        create(case, caseworker, organisation)


def test_the_whole_ladder_happens_once_each_under_controlled_time(case, caseworker, manager, organisation):
    enquiry = create(case, caseworker, organisation)

    def sweep(day: dt.date) -> int:
        with at(day):
            return enquiries.enquiries_sweep()

    assert sweep(dt.date(2026, 12, 22)) == 0
    assert sweep(dt.date(2026, 12, 23)) == 1  # two working days before 29 December
    assert sweep(dt.date(2026, 12, 23)) == 0, "the same day again does nothing"
    assert notifications_for(caseworker) == [
        "Reply from Department for Work and Pensions due 29 December (case 2026/0001)"
    ]

    assert sweep(dt.date(2026, 12, 29)) == 1
    draft = EnquiryStep.objects.for_office(case.office).get(kind=StepKind.CHASER_DRAFTED)
    assert draft.draft_channel == SentVia.EMAIL
    assert "Why was PIP stopped?" in enquiries.chaser_draft(draft)[1]
    assert "ready to check" in notifications_for(caseworker)[-1]

    assert sweep(dt.date(2027, 1, 5)) == 0
    assert sweep(dt.date(2027, 1, 6)) == 1  # five working days after the due date
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.escalation_level) == (EnquiryStatus.ESCALATED, 1)
    assert notifications_for(manager)[-1].endswith("Next: Send a second chaser")

    assert sweep(dt.date(2027, 1, 20)) == 1
    assert sweep(dt.date(2027, 2, 3)) == 1
    assert sweep(dt.date(2027, 6, 1)) == 0, "the ladder has run out"
    enquiry.refresh_from_db()
    assert enquiry.escalation_level == 3
    assert enquiry.next_action == NextAction.NONE
    kinds = list(EnquiryStep.objects.for_office(case.office).values_list("kind", flat=True))
    assert kinds == ["reminded", "chaser_drafted", "escalated", "escalated", "escalated"]

    with at(dt.date(2027, 2, 10)):
        enquiries.enquiry_answer(enquiry=enquiry, actor=manager)
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.ANSWERED
    assert enquiry.answered_within_target is False
    assert enquiry.reply_working_days == working_days(SENT, dt.date(2027, 2, 10))
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert notifications_for(caseworker)[-1] == "Department for Work and Pensions answered on case 2026/0001"


def working_days(start, end):
    from mpoffice.lib.workingdays import working_days_between

    return working_days_between(start, end, "england-and-wales")


def test_reminders_follow_the_case_to_its_new_assignee(case, caseworker, manager, organisation, office):
    from tests.factories import MembershipFactory

    create(case, caseworker, organisation)
    other = MembershipFactory(office=office, role="caseworker").user
    casework_services.case_assign(case=case, actor=manager, assignee=other)
    with at(dt.date(2026, 12, 23)):
        enquiries.enquiries_sweep()
    assert len(notifications_for(other)) >= 1
    assert not any("due 29 December" in title for title in notifications_for(caseworker))


def test_a_holding_reply_moves_the_due_date_and_the_reminder(case, caseworker, organisation):
    enquiry = create(case, caseworker, organisation)
    with at(dt.date(2026, 12, 10)):
        enquiry = enquiries.enquiry_holding_reply(enquiry=enquiry, actor=caseworker, extra_days=10, working_days=True)
    assert enquiry.status == EnquiryStatus.HOLDING
    assert enquiry.due_on == dt.date(2027, 1, 13)
    assert enquiry.next_action_on == dt.date(2027, 1, 11)
    assert enquiry.target_on == dt.date(2026, 12, 29), "the target it is judged by does not move"


def test_sending_the_chaser_gives_a_new_due_date_and_leaves_through_the_outbox(case, caseworker, organisation):
    create(case, caseworker, organisation)
    with at(dt.date(2026, 12, 29)):
        enquiries.enquiries_sweep()
        enquiries.enquiries_sweep()
        step = EnquiryStep.objects.for_office(case.office).get(kind=StepKind.CHASER_DRAFTED)
        subject, text = enquiries.chaser_draft(step)
        message = enquiries.chaser_send(step=step, actor=caseworker, subject=subject, text=text)
    assert message.channel == Channel.EMAIL
    outgoing = OutgoingEmail.objects.for_office(case.office).get()
    assert outgoing.to_email == organisation.email
    enquiry = Enquiry.objects.for_office(case.office).get()
    assert enquiry.status == EnquiryStatus.CHASED
    assert enquiry.due_on == dt.date(2027, 1, 27)
    assert enquiry.next_action == NextAction.REMIND
    with pytest.raises(DomainError, match="sent already"):
        enquiries.chaser_send(step=step, actor=caseworker, subject="s", text="t")


def test_an_organisation_without_email_is_chased_by_letter(case, caseworker, office):
    organisation = OrganisationFactory(office=office, email="", reply_target=10)
    create(case, caseworker, organisation)
    with at(dt.date(2026, 12, 11)):
        enquiries.enquiries_sweep()
        enquiries.enquiries_sweep()
    step = EnquiryStep.objects.for_office(office).get(kind=StepKind.CHASER_DRAFTED)
    assert step.draft_channel == SentVia.LETTER
    subject, text = enquiries.chaser_draft(step)
    message = enquiries.chaser_send(step=step, actor=caseworker, subject=subject, text=text)
    assert message.channel == Channel.LETTER
    assert not OutgoingEmail.objects.for_office(office).exists()


def test_answering_with_a_reply_filed_on_the_case(case, caseworker, organisation, office):
    enquiry = create(case, caseworker, organisation)
    reply = Message.objects.create(
        office=office,
        direction="in",
        channel="email",
        subject="Re: PIP",
        case=case,
        received_at=dt.datetime(2026, 12, 15, 10, tzinfo=dt.UTC),
    )
    with at(dt.date(2026, 12, 16)):
        enquiry = enquiries.enquiry_answer(enquiry=enquiry, actor=caseworker, message=reply)
    assert enquiry.answered_on == dt.date(2026, 12, 15)
    assert enquiry.answered_within_target is True
    assert enquiry.reply_working_days == 12


def test_the_case_stays_waiting_while_another_enquiry_is_open(case, caseworker, organisation, office):
    first = create(case, caseworker, organisation)
    create(case, caseworker, OrganisationFactory(office=office))
    enquiries.enquiry_withdraw(enquiry=first, actor=caseworker, reason="Sent to the wrong department")
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_THIRD_PARTY


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_take_each_step_once(office, caseworker, organisation, case):
    assert connection.vendor == "postgresql"
    for _ in range(60):
        create(case, caseworker, organisation)
    barrier = threading.Barrier(3)
    results: list[int] = []

    def sweep() -> None:
        barrier.wait()
        results.append(enquiries.enquiries_sweep(today=dt.date(2026, 12, 23)))
        connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 60
    assert EnquiryStep.objects.for_office(office).filter(kind=StepKind.REMINDED).count() == 60


def test_the_chaser_comes_from_the_organisations_template_or_else_the_offices(case, caseworker, organisation, office):
    from correspondence.models import LetterTemplate

    office_default = LetterTemplate.objects.create(
        office=office, name="Office chaser", body="Chasing {{ case.reference }}, sent {{ enquiry.sent_on }}."
    )
    rules = enquiries.settings_for(office)
    enquiries.enquiry_settings_update(rules=rules, actor=caseworker, chaser_template=office_default)
    create(case, caseworker, organisation)
    with at(dt.date(2026, 12, 29)):
        enquiries.enquiries_sweep()
    step = EnquiryStep.objects.for_office(office).get(kind=StepKind.CHASER_DRAFTED)
    assert enquiries.chaser_draft(step)[1] == "Chasing 2026/0001, sent 27 November 2026."
    LetterTemplate.objects.create(
        office=office, name="DWP chaser", chaser_for=organisation, body="Dear DWP, {{ enquiry.question }}"
    )
    assert enquiries.chaser_draft(step)[1] == "Dear DWP, Why was PIP stopped?"
