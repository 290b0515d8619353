"""The enquiry sweep at scale: 100,000 open enquiries, the due ones reminded, chased or escalated.

The enquiries go into an office of their own (``bench-enquiries``), spread over 1,000 assigned
cases and 20 organisations, with their next step due on a day spread over the next 90 days
(about one in ninety is due today, the rest later) and each kind of step represented. The
figure is the wall-clock time of one ``enquiries_sweep`` that takes every due step, committed.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.utils import timezone

OFFICE_SLUG = "bench-enquiries"
TARGET_SECONDS = 2.0


@dataclass
class SweepReport:
    enquiries: int
    due: int = 0
    moved: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.moved >= self.due and self.seconds <= TARGET_SECONDS

    def summary(self) -> str:
        return (
            f"Swept {self.enquiries} open enquiries: {self.due} due, {self.moved} steps taken "
            f"in {self.seconds:.2f} s (target ≤ {TARGET_SECONDS:.0f} s)."
        )


def _world(count: int, seed: int):
    from bench.generate import _create_office, _create_staff
    from constituents.models import Constituent, Organisation
    from correspondence.models import Enquiry, EnquiryStep
    from security.models import Notification, Office

    office = Office.objects.filter(slug=OFFICE_SLUG).first()
    if office is not None:  # start from nothing each run
        for model in (Notification, EnquiryStep, Enquiry):
            model.unscoped.filter(office=office).delete()
    else:
        office = _create_office(OFFICE_SLUG, "Bench office (enquiries)", "Chaseshire")
        _create_staff(office, [(f"cw{n}@enquiries.bench", f"Caseworker {n}", "caseworker") for n in range(8)])
        _create_staff(office, [("manager@enquiries.bench", "Manager", "manager")])
        people = Constituent.unscoped.bulk_create(
            Constituent(office=office, first_name="Person", last_name=str(n)) for n in range(1000)
        )
        Organisation.unscoped.bulk_create(
            Organisation(office=office, name=f"Agency {n}", kind="government", email=f"a{n}@bench.example")
            for n in range(20)
        )
        _cases(office, people)
    return office, _enquiries(office, count, seed)


def _cases(office, people) -> None:
    from casework.models import Case
    from security.models import Membership

    staff = [m.user for m in Membership.objects.filter(office=office, role="caseworker")]
    Case.unscoped.bulk_create(
        Case(
            office=office,
            reference=f"2026/{n + 1:04d}",
            constituent=person,
            summary=f"Case {n}",
            assignee=staff[n % len(staff)],
            status="awaiting_third_party",
        )
        for n, person in enumerate(people)
    )


def _enquiries(office, count: int, seed: int) -> int:
    from casework.models import Case
    from constituents.models import Organisation
    from correspondence.models import Enquiry

    rng = random.Random(seed)
    today = timezone.localdate()
    cases = list(Case.unscoped.filter(office=office).values_list("id", flat=True))
    organisations = list(Organisation.unscoped.filter(office=office).values_list("id", flat=True))
    actions = ["remind", "remind", "chase", "escalate"]
    rows = []
    for n in range(count):
        next_on = today + dt.timedelta(days=rng.randint(0, 89))
        rows.append(
            Enquiry(
                office=office,
                case_id=cases[n % len(cases)],
                organisation_id=organisations[n % len(organisations)],
                question="What is happening with this claim?",
                sent_via="email",
                sent_on=next_on - dt.timedelta(days=30),
                target_on=next_on,
                due_on=next_on,
                next_action=actions[n % len(actions)],
                next_action_on=next_on,
            )
        )
    Enquiry.unscoped.bulk_create(rows, batch_size=5000)
    return Enquiry.unscoped.filter(office=office, next_action_on__lte=today).count()


def run_sweep(count: int, *, seed: int = 2026) -> SweepReport:
    from django.urls import reverse

    from correspondence import enquiries

    office, due = _world(count, seed)
    report = SweepReport(enquiries=count, due=due)
    reverse("casework:case_detail", kwargs={"case_id": 1})  # load the URLconf, as a warm worker has
    started = time.monotonic()
    report.moved = enquiries.enquiries_sweep()
    report.seconds = time.monotonic() - started
    del office
    return report
