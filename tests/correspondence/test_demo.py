"""The demo office's correspondence: sending identity, contact page and enquiries with true figures."""

import datetime as dt

from django.urls import reverse

from correspondence import enquiry_selectors
from correspondence.models import ContactTopic, Enquiry, EnquiryStatus, SendingIdentity
from security import demo, office_setup
from security.roles import Role


def test_the_whole_demo_gives_enquiries_the_pages_can_show(office, caseworker, manager, mp, mp_client):
    people = {Role.CASEWORKER: caseworker, Role.MANAGER: manager, Role.MP: mp}
    office_setup.initialise(office)
    demo.seed(office, people)
    enquiries = Enquiry.objects.for_office(office)
    assert enquiries.filter(status=EnquiryStatus.ANSWERED).count() >= 10
    assert enquiries.filter(status=EnquiryStatus.AWAITING).exists()
    assert SendingIdentity.objects.for_office(office).get().from_email == "casework@alex-example-mp.example"
    assert ContactTopic.objects.for_office(office).count() == 4

    rows = enquiry_selectors.responsiveness(office=office, start=dt.date(2000, 1, 1), end=dt.date(2100, 1, 1))
    assert sum(row.answered for row in rows) == enquiries.filter(status=EnquiryStatus.ANSWERED).count()
    page = mp_client.get(reverse("correspondence:responsiveness") + "?start=2000-01-01&end=2100-01-01")
    assert rows[0].organisation in page.content.decode()

    count = enquiries.count()
    demo.seed(office, people)
    assert Enquiry.objects.for_office(office).count() == count, "seeding again adds nothing"
