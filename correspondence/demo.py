"""Demo sending settings, public contact page and enquiries for ``manage.py seed_demo``. Idempotent."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from casework.models import Case, CaseStatus
from constituents.models import Organisation
from correspondence import enquiries, outbox
from correspondence.models import ContactTopic, Enquiry, EnquiryStatus, NextAction, PublishedPosition, TopicKind
from mpoffice.lib.workingdays import working_days_between
from security.models import Office
from security.roles import Role

SIGNPOSTS = [
    (
        "Bins, potholes or street lights",
        "Northtown Borough Council",
        "Report it to the council online first; they fix most problems within a few days.",
    ),
    (
        "Repairs to an Eastley Homes property",
        "Eastley Homes",
        "Report the repair to Eastley Homes and keep the job number they give you.",
    ),
]
POSITIONS = [
    (
        "The Northtown bypass",
        "Alex supports the bypass and has asked the Department for Transport to publish its decision "
        "before the summer recess.",
    ),
    (
        "Bathing water at Eastley Lido",
        "Alex has written to the water company and the Environment Agency about sewage discharges "
        "and will publish their answers here.",
    ),
]


# Which body a demo case's tag is raised with.
BODY_FOR_TAG = {
    "Universal Credit": "Department for Work and Pensions",
    "PIP and disability benefits": "Department for Work and Pensions",
    "Carer's Allowance": "Department for Work and Pensions",
    "Child maintenance": "Child Maintenance Service",
    "HMRC": "HM Revenue & Customs",
    "Visa applications": "Home Office — UK Visas and Immigration",
    "Passports": "HM Passport Office",
    "Disrepair": "Eastley Homes",
    "Homelessness": "Northtown Borough Council",
    "Roads and potholes": "Northtown Borough Council",
    "Flooding": "Environment Agency",
    "NHS waiting times": "NHS England",
    "SEND and EHCPs": "Northtown Borough Council",
    "Antisocial behaviour": "Northshire Police",
}


def seed_demo(office: Office, people: dict[str, Any]) -> None:
    _seed_contact_page(office)
    _seed_enquiries(office, people)


def _seed_enquiries(office: Office, people: dict[str, Any]) -> None:
    """Cases waiting on a third party have an open enquiry (some overdue); closed ones an answered
    one, so the chases and responsiveness pages show true figures for the demo."""
    if Enquiry.objects.for_office(office).exists():
        return
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    bodies = {o.name: o for o in Organisation.objects.for_office(office)}
    cases = Case.objects.for_office(office).prefetch_related("tags").order_by("opened_at")
    for case in cases:
        tag = next(iter(case.tags.all()), None)
        organisation = bodies.get(BODY_FOR_TAG.get(tag.name if tag else "", ""))
        if organisation is None:
            continue
        sent_on = timezone.localdate(case.opened_at) + dt.timedelta(days=rng.randint(1, 4))
        if case.status == CaseStatus.AWAITING_THIRD_PARTY:
            _open_enquiry(case, organisation, sent_on, people[Role.CASEWORKER])
        elif case.status == CaseStatus.CLOSED:
            _answered_enquiry(case, organisation, sent_on, rng)


def _open_enquiry(case: Case, organisation: Organisation, sent_on: dt.date, actor: Any) -> None:
    new = enquiries.NewEnquiry(
        organisation=organisation, question=f"Please look into: {case.summary}.", sent_via="email", sent_on=sent_on
    )
    enquiries.enquiry_create(case=case, actor=actor, new=new)


def _answered_enquiry(case: Case, organisation: Organisation, sent_on: dt.date, rng: random.Random) -> None:
    target = enquiries.target_date(office=case.office, organisation=organisation, sent_on=sent_on)
    answered_on = sent_on + dt.timedelta(days=rng.randint(3, 45))
    Enquiry.objects.create(
        office=case.office,
        case=case,
        organisation=organisation,
        question=f"Please look into: {case.summary}.",
        sent_via="email",
        sent_on=sent_on,
        target_on=target,
        due_on=target,
        status=EnquiryStatus.ANSWERED,
        next_action=NextAction.NONE,
        answered_on=answered_on,
        reply_working_days=working_days_between(sent_on, answered_on, case.office.nation),
        answered_within_target=answered_on <= target,
    )


def _seed_contact_page(office: Office) -> None:
    identity = outbox.identity_for(office)
    if identity.from_email != "casework@alex-example-mp.example":
        identity.from_email = "casework@alex-example-mp.example"
        identity.from_name = f"Office of {office.mp_name} MP"
        identity.save()
    if ContactTopic.objects.for_office(office).exists():
        return
    organisations = {o.name: o for o in Organisation.objects.for_office(office)}
    for position, (title, organisation, guidance) in enumerate(SIGNPOSTS):
        if organisation in organisations:
            ContactTopic.objects.create(
                office=office,
                title=title,
                kind=TopicKind.SIGNPOST,
                organisation=organisations[organisation],
                guidance=guidance,
                position=position,
            )
    ContactTopic.objects.create(office=office, title="A problem with a government department", position=10)
    ContactTopic.objects.create(office=office, title="Alex's view on an issue", kind=TopicKind.POSITION, position=20)
    for title, body in POSITIONS:
        PublishedPosition.objects.create(office=office, title=title, body=body, is_published=True)
