"""The daily email of enquiries due and overdue on each person's cases: once a day, opt-out."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from casework import services as casework_services
from correspondence import digests, enquiries
from correspondence.models import DigestSent
from tests.factories import ConstituentFactory, OrganisationFactory

MORNING = dt.datetime(2026, 12, 14, 8, 0, tzinfo=dt.UTC)  # a Monday, 8 am in London


@pytest.fixture
def enquiries_of_caseworker(office, caseworker):
    casework_services.office_initialise(office)
    case = casework_services.case_open(
        office=office,
        constituent=ConstituentFactory(office=office),
        opened_by=caseworker,
        summary="Rent",
        assignee=caseworker,
    )
    for name, sent in (("Late Council", dt.date(2026, 11, 2)), ("Soon Agency", dt.date(2026, 11, 17))):
        organisation = OrganisationFactory(office=office, name=name, reply_target=20)
        new = enquiries.NewEnquiry(organisation=organisation, question="Q", sent_via="email", sent_on=sent)
        with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
            enquiries.enquiry_create(case=case, actor=caseworker, new=new)
    return case


def test_each_person_gets_one_digest_a_day_after_the_hour(
    office, caseworker, manager, enquiries_of_caseworker, mailoutbox
):
    with time_machine.travel(MORNING.replace(hour=6), tick=False):
        assert digests.digests_send_due() == 0, "before 7 am"
    with time_machine.travel(MORNING, tick=False):
        assert digests.digests_send_due() == 1
        assert digests.digests_send_due() == 0, "once a day"
    (email,) = mailoutbox
    assert email.to == [caseworker.email]
    assert email.subject.startswith("1 overdue, 1 due soon")
    assert "Late Council" in email.body
    assert "Soon Agency" in email.body
    # The manager has no cases assigned: nothing to send, but the day is recorded as done.
    assert DigestSent.objects.for_office(office).filter(user=manager).exists()
    with time_machine.travel(MORNING + dt.timedelta(days=1), tick=False):
        assert digests.digests_send_due() == 1


def test_a_person_who_opted_out_gets_none(office, caseworker, enquiries_of_caseworker, mailoutbox):
    digests.digest_opt_out(office=office, user=caseworker, opt_out=True)
    with time_machine.travel(MORNING, tick=False):
        assert digests.digests_send_due() == 0
    assert mailoutbox == []


def test_a_claim_left_by_a_dead_worker_is_taken_over_after_the_lease(
    office, caseworker, enquiries_of_caseworker, mailoutbox, settings
):
    DigestSent.objects.create(office=office, user=caseworker, day=MORNING.date(), claimed_at=MORNING)
    with time_machine.travel(MORNING + dt.timedelta(seconds=10), tick=False):
        assert digests.digests_send_due() == 0, "the claim is still fresh"
    later = MORNING + dt.timedelta(seconds=settings.NOTIFICATION_EMAIL_LEASE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert digests.digests_send_due() == 1
    assert len(mailoutbox) == 1
