"""The dashboard's enquiry panels against a small hand-made office."""

import datetime as dt

import time_machine

from casework import services as casework_services
from correspondence import enquiries
from reports import figures
from reports.periods import Period
from tests.factories import ConstituentFactory, OrganisationFactory


def test_chases_and_agency_responsiveness(office, caseworker):
    casework_services.office_initialise(office)
    case = casework_services.case_open(
        office=office, constituent=ConstituentFactory(office=office), opened_by=caseworker, summary="x"
    )
    slow = OrganisationFactory(office=office, name="Slow Agency", reply_target=5)
    fast = OrganisationFactory(office=office, name="Fast Council", reply_target=10)
    with time_machine.travel(dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC), tick=False):
        for sent in (dt.date(2026, 10, 1), dt.date(2026, 11, 25)):  # one overdue, one due in 5 working days
            new = enquiries.NewEnquiry(organisation=slow, question="Q", sent_via="email", sent_on=sent)
            enquiries.enquiry_create(case=case, actor=caseworker, new=new)
        answered = enquiries.enquiry_create(
            case=case,
            actor=caseworker,
            new=enquiries.NewEnquiry(organisation=fast, question="Q", sent_via="email", sent_on=dt.date(2026, 11, 2)),
        )
        enquiries.enquiry_answer(enquiry=answered, actor=caseworker, answered_on=dt.date(2026, 11, 6))
        scope = figures.scope_for(office, Period(dt.date(2026, 11, 1), dt.date(2026, 11, 27)))
        built = {f.key: f for f in figures.build(scope, keys=("chases", "agencies"), use_cache=False)}
    assert built["chases"].rows == [("Slow Agency", 2, 1, 1)]
    assert built["agencies"].rows == [("Fast Council", 1, 4.0, "100%")]
