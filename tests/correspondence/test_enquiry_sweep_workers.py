"""Each step of the enquiry ladder happens once, with real worker processes sweeping at once.

Two Celery workers (separate processes) run the sweep repeatedly while the test SIGKILLs one
mid-run and starts another, as two beat processes by mistake or a crashed worker would. Every
enquiry is due today, so it is reminded and then has its chaser drafted: each exactly once,
one step row and one notification each.
"""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from casework import services as casework_services
from correspondence import tasks
from correspondence.models import Enquiry, EnquiryStep, NextAction, StepKind
from security.models import Notification
from tests.celeryworkers import CeleryWorkers
from tests.factories import ConstituentFactory, OrganisationFactory

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180), pytest.mark.django_db(transaction=True)]
ENQUIRIES = 400


def _due_enquiries(office, caseworker) -> None:
    casework_services.office_initialise(office)
    organisation = OrganisationFactory(office=office)
    today = timezone.localdate()
    cases = [
        casework_services.case_open(
            office=office,
            constituent=ConstituentFactory(office=office),
            opened_by=caseworker,
            summary=f"Case {n}",
            assignee=caseworker,
        )
        for n in range(20)
    ]
    Enquiry.unscoped.bulk_create(
        Enquiry(
            office=office,
            case=cases[n % len(cases)],
            organisation=organisation,
            question=f"Question {n}",
            sent_via="email",
            sent_on=today,
            target_on=today,
            due_on=today,
            next_action=NextAction.REMIND,
            next_action_on=today,
        )
        for n in range(ENQUIRIES)
    )


def test_sweeps_in_several_processes_with_a_kill_remind_each_enquiry_once(office, caseworker, tmp_path):
    _due_enquiries(office, caseworker)
    workers = CeleryWorkers(tmp_path, 2, ENQUIRY_SWEEP_BATCH="10")
    try:
        for _ in range(4):
            workers.send(tasks.sweep_enquiries)
        deadline = time.monotonic() + 120
        killed = False
        while Enquiry.unscoped.filter(next_action__in=[NextAction.REMIND, NextAction.CHASE]).exists():
            if time.monotonic() > deadline:
                pytest.fail(f"Not every enquiry was reminded.\n{workers.logs()}")
            if not killed and EnquiryStep.unscoped.exists():
                workers.kill_one()  # mid-sweep: some batches committed, one in flight
                killed = True
            workers.replace_dead()
            workers.send(tasks.sweep_enquiries)
            time.sleep(0.2)
    finally:
        workers.stop()
    assert killed
    for kind in (StepKind.REMINDED, StepKind.CHASER_DRAFTED):
        steps = EnquiryStep.unscoped.filter(kind=kind)
        assert steps.count() == ENQUIRIES, kind
        assert steps.values("enquiry").distinct().count() == ENQUIRIES, kind
    assert Notification.unscoped.filter(recipient=caseworker, kind="enquiry").count() == 2 * ENQUIRIES
