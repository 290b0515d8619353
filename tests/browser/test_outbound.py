"""Outbound mail in a real browser: a caseworker replies from a case and sees it delivered; a
constituent uses the public contact page on a phone. axe-core clean on every page."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from casework import services as casework_services
from constituents.models import ConstituentEmail, PostcodeWard, Ward
from correspondence import outbox, services
from correspondence.models import Channel, ContactTopic, Message, OutgoingEmail, TopicKind, Transport
from security.roles import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.correspondence.conftest import email, ingest_bytes
from tests.factories import (
    ConstituentFactory,
    MembershipFactory,
    OfficeFactory,
    OrganisationFactory,
    TOTPDeviceFactory,
    UserFactory,
)
from tests.smtpsink import Sink, SinkServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "3132333435363738393031323334353637383930"


def test_a_caseworker_replies_from_the_case_and_sees_it_delivered(
    live_server, page: Page, axe: Axe, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path)
    office = OfficeFactory(name="Office of Jo Bloggs MP")
    casework_services.office_initialise(office)
    worker = UserFactory(full_name="Casey Worker", email="casey@example.org")
    MembershipFactory(user=worker, office=office, role=Role.CASEWORKER)
    TOTPDeviceFactory(user=worker, key=KEY, confirmed=True)
    jane = ConstituentFactory(office=office, first_name="Jane", last_name="Smith")
    ConstituentEmail.objects.create(office=office, constituent=jane, email="jane@example.org", is_preferred=True)
    case = casework_services.case_open(office=office, constituent=jane, opened_by=worker, summary="Blue badge")
    _, first = ingest_bytes(office, email(subject="My blue badge", message_id="<first@example.org>"))
    services.message_file(message=first, case=case, actor=worker)

    with SinkServer(Sink()) as server:
        identity = outbox.identity_for(office)
        identity.from_email, identity.transport = "office@jo-bloggs.example", Transport.SMTP
        identity.smtp_host, identity.smtp_port, identity.smtp_security = "127.0.0.1", server.port, "none"
        identity.save()

        sign_in(page, live_server.url, "casey@example.org", bytes.fromhex(KEY))
        page.goto(f"{live_server.url}/cases/{case.pk}")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press("r")
        expect(page.get_by_role("heading", level=1)).to_have_text("Reply by email")
        expect(page.get_by_label("Subject")).to_have_value(f"Re: My blue badge [Ref {case.reference}]")
        assert_accessible(page, axe)
        page.get_by_label("Message").fill("Dear Jane, we have written to the council for you.")
        screenshot(page, "reply-form")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text("Reply queued")).to_be_visible()
        expect(page.get_by_text("Waiting to send")).to_be_visible()

        assert outbox.outbox_send_due() == 1  # what the worker does next
        page.reload()
        expect(page.get_by_text("Delivered to the mail server")).to_be_visible()
        assert_accessible(page, axe)
        screenshot(page, "case-after-reply")
        (sent,) = server.sink.messages()
        assert str(sent["In-Reply-To"]) == "<first@example.org>"
        assert "we have written to the council" in sent.get_body(("plain",)).get_content()


def test_a_constituent_uses_the_contact_page_on_a_phone(live_server, browser, axe: Axe):
    office = OfficeFactory(name="Office of Jo Bloggs MP", mp_name="Jo Bloggs", constituency="Northtown")
    council = OrganisationFactory(office=office, name="Northtown Council", website="https://northtown.example/bins")
    ContactTopic.objects.create(
        office=office, title="Bins and potholes", kind=TopicKind.SIGNPOST, organisation=council, position=1
    )
    ward = Ward.objects.create(office=office, name="Central", code="E05999001")
    PostcodeWard.objects.create(office=office, postcode="NT1 1AB", ward=ward)

    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    context.set_default_timeout(5_000)
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/contact/{office.slug}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Contact Jo Bloggs MP")
        assert_accessible(page, axe)
        page.get_by_role("link", name="Bins and potholes").click()
        expect(page.get_by_role("link", name="Contact Northtown Council")).to_have_attribute(
            "href", "https://northtown.example/bins"
        )
        assert_accessible(page, axe)
        page.get_by_role("link", name="Write to the office").click()
        assert_accessible(page, axe)
        page.get_by_label("Your name").fill("Jane Smith")
        page.get_by_label("Your email address").fill("jane@example.org")
        page.get_by_label("Your postcode").fill("75001")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text("is not a UK postcode")).to_be_visible()
        assert not Message.objects.for_office(office).exists()
        assert_accessible(page, axe)
        page.get_by_label("Your postcode").fill("NT1 1AB")
        page.get_by_label("Your message").fill("The bins on my street have not been collected for six weeks.")
        page.get_by_label(re.compile("may share what I have written")).check()
        screenshot(page, "contact-form-phone")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
        assert_accessible(page, axe)
        screenshot(page, "contact-thanks-phone")
        message = Message.objects.for_office(office).get()
        assert message.channel == Channel.WEB_FORM
        assert message.form_data["topic"] == "Bins and potholes"
        assert OutgoingEmail.objects.for_office(office).get().headers["Auto-Submitted"] == "auto-replied"
        # No sideways scrolling on a phone.
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
