"""A caseworker records an enquiry in the browser; time moves on; the chaser appears on the case and
is sent. axe-core clean on every page on the way."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from casework import services as casework_services
from correspondence import enquiries
from correspondence.models import Enquiry, EnquiryStatus, OutgoingEmail
from security.roles import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import (
    ConstituentFactory,
    MembershipFactory,
    OfficeFactory,
    OrganisationFactory,
    TOTPDeviceFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "3132333435363738393031323334353637383930"
START = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)  # a Friday


def test_an_enquiry_is_reminded_then_chased_on_its_due_date(live_server, page: Page, axe: Axe):
    with time_machine.travel(START, tick=True) as clock:
        office = OfficeFactory(name="Office of Jo Bloggs MP", mp_name="Jo Bloggs")
        casework_services.office_initialise(office)
        worker = UserFactory(full_name="Casey Worker", email="casey@example.org")
        MembershipFactory(user=worker, office=office, role=Role.CASEWORKER)
        TOTPDeviceFactory(user=worker, key=KEY, confirmed=True)
        OrganisationFactory(
            office=office, name="Northtown Council", email="mp.enquiries@northtown.example", reply_target=10
        )
        jane = ConstituentFactory(office=office, first_name="Jane", last_name="Smith")
        case = casework_services.case_open(
            office=office, constituent=jane, opened_by=worker, summary="Housing repairs", assignee=worker
        )

        sign_in(page, live_server.url, "casey@example.org", bytes.fromhex(KEY))
        page.goto(f"{live_server.url}/cases/{case.pk}")
        page.get_by_role("link", name="Record an enquiry").click()
        assert_accessible(page, axe)
        page.get_by_label("To").select_option(label="Northtown Council")
        page.get_by_label("What was asked").fill("When will the damp in the bedroom be treated?")
        page.get_by_label("Sent by").select_option("email")
        page.get_by_role("button", name="Record").click()
        expect(page.get_by_text("Enquiry to Northtown Council recorded: due 11 Dec 2026.")).to_be_visible()
        expect(page.get_by_text("Paused while a third party is awaited")).to_be_visible()
        assert_accessible(page, axe)

        # Two weeks on: the sweep beat runs has reminded and then drafted the chaser.
        clock.move_to(dt.datetime(2026, 12, 11, 9, 30, tzinfo=dt.UTC))
        assert enquiries.enquiries_sweep() == 2
        page.context.clear_cookies()  # the old session has long expired
        sign_in(page, live_server.url, "casey@example.org", bytes.fromhex(KEY))
        page.goto(f"{live_server.url}/cases/{case.pk}")
        expect(page.get_by_text("Chaser ready to check")).to_be_visible()
        expect(page.get_by_text("Due 11 Dec")).to_be_visible()
        assert_accessible(page, axe)
        screenshot(page, "case-with-chaser")
        page.get_by_role("link", name="Northtown Council").click()
        page.get_by_role("link", name="Check and send the chaser").click()
        expect(page.get_by_label("Text")).to_contain_text("When will the damp in the bedroom be treated?")
        assert_accessible(page, axe)
        page.get_by_role("button", name="Send the chaser").click()
        expect(page.get_by_text("The chaser is in the outbox. New due date set.")).to_be_visible()

        enquiry = Enquiry.objects.for_office(office).get()
        assert enquiry.status == EnquiryStatus.CHASED
        assert enquiry.due_on == dt.date(2026, 12, 29)
        assert OutgoingEmail.objects.for_office(office).get().to_email == "mp.enquiries@northtown.example"
        page.goto(f"{live_server.url}/chases")
        assert_accessible(page, axe)
        screenshot(page, "chases")
