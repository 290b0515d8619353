"""Campaign mail in a real browser: the MP approves the response, the office manager starts the send,
and the progress bar (htmx polling) reaches 100% — axe-core clean on every page on the way."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from campaigns import responses
from campaigns.models import CampaignSend, VersionState
from constituents.models import PostcodeWard, Ward
from correspondence import outbox
from correspondence.models import Transport
from security.roles import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.campaigns.conftest import BUSES, detected_campaign, inbound
from tests.factories import MembershipFactory, OfficeFactory, TOTPDeviceFactory, UserFactory
from tests.smtpsink import Sink, SinkServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "3132333435363738393031323334353637383930"
STORY = (
    "I am seventy eight and I gave up driving two years ago. The number 34 was my only way to get to the "
    "hospital for my eye appointments, and since it was cut I have had to rely on my neighbours, who work "
    "long hours themselves."
)


def _person(office, role: str, email: str, name: str):
    user = UserFactory(full_name=name, email=email)
    MembershipFactory(user=user, office=office, role=role)
    TOTPDeviceFactory(user=user, key=KEY, confirmed=True)
    return user


def _new_page(browser: Browser, errors: list[str]) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(5_000)
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return page


def test_the_mp_approves_and_the_manager_sends_to_every_sender(
    live_server, page: Page, browser: Browser, axe: Axe, console_errors: list[str]
):
    office = OfficeFactory(name="Office of Jo Bloggs MP", mp_name="Jo Bloggs MP")
    writer = _person(office, Role.CASEWORKER, "casey@example.org", "Casey Worker")
    _person(office, Role.MP, "jo@example.org", "Jo Bloggs")
    _person(office, Role.MANAGER, "morgan@example.org", "Morgan Manager")
    ward = Ward.objects.create(office=office, code="E05000001", name="Riverside")
    PostcodeWard.objects.create(office=office, postcode="NT1 1AA", ward=ward)
    campaign = detected_campaign(office, size=11)
    from campaigns import detection

    detection.detect_messages(
        office=office,
        messages=[
            inbound(office, 50, body=f"{STORY}\n\n{BUSES}\n\nNT1 1AA"),
            inbound(office, 51, body=f"{BUSES}\n\nNT1 1AA"),
        ],
    )
    version = responses.version_save(
        office=office,
        actor=writer,
        campaign=campaign,
        subject="Your email about local buses",
        body="Dear {{ first_name }},\n\nThank you for writing to me about bus services. I have raised this with the "
        "minister.\n\nYours sincerely,\n{{ mp_name }}",
        submit=True,
    )

    with SinkServer(Sink()) as server:
        identity = outbox.identity_for(office)
        identity.from_email, identity.transport = "office@jo-bloggs.example", Transport.SMTP
        identity.smtp_host, identity.smtp_port, identity.smtp_security = "127.0.0.1", server.port, "none"
        identity.save()

        # The MP: from the triage page's campaigns panel to the response, and approves it.
        sign_in(page, live_server.url, "jo@example.org", bytes.fromhex(KEY))
        page.goto(f"{live_server.url}/triage")
        panel = page.get_by_role("region", name=re.compile("Campaigns"))
        expect(panel.get_by_role("link", name="Save our buses")).to_be_visible()
        assert_accessible(page, axe)
        panel.get_by_role("link", name="Save our buses").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Save our buses")
        expect(page.get_by_role("cell", name="Riverside")).to_be_visible()
        assert_accessible(page, axe)
        screenshot(page, "campaign-detected")
        page.get_by_role("link", name="Review and approve").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Version 1")
        expect(page.get_by_text("Dear Jane,")).to_be_visible()
        assert_accessible(page, axe)
        screenshot(page, "campaign-approve")
        page.get_by_role("button", name="Approve version 1").click()
        expect(page.get_by_text("exactly this text may now be sent")).to_be_visible()
        version.refresh_from_db()
        assert version.state == VersionState.APPROVED

        # The manager: reads the messages, then sends (the sign-in's code is fresh enough).
        manager_page = _new_page(browser, console_errors)
        try:
            sign_in(manager_page, live_server.url, "morgan@example.org", bytes.fromhex(KEY))
            manager_page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
            assert_accessible(manager_page, axe)
            manager_page.get_by_role("link", name="Save our buses").click()
            manager_page.get_by_role("link", name="Only the 1 personalised").click()
            expect(manager_page.get_by_text("What they added")).to_be_visible()
            manager_page.get_by_text("What they added").click()
            expect(manager_page.get_by_text("I gave up driving two years ago.")).to_be_visible()
            assert_accessible(manager_page, axe)
            screenshot(manager_page, "campaign-messages")
            manager_page.get_by_role("link", name="Save our buses").click()
            manager_page.get_by_role("link", name="Send the approved response…").click()
            expect(manager_page.get_by_role("heading", level=1)).to_have_text("Send the approved response")
            assert_accessible(manager_page, axe)
            screenshot(manager_page, "campaign-send-confirm")
            manager_page.get_by_role("button", name="Send version 1 to 13 people").click()
            expect(manager_page.get_by_text("Sending version 1 to 13 people.")).to_be_visible()
            expect(manager_page.get_by_text("0 sent, 0 failed, 13 waiting")).to_be_visible()

            assert outbox.outbox_send_due() == 13  # what the worker does next; the page polls for it
            done = manager_page.get_by_text(re.compile(r"^100% — 13 sent, 0 failed, 0 waiting"))
            expect(done).to_be_visible(timeout=10_000)
            expect(manager_page.locator("progress")).to_have_attribute("value", "13")
            expect(manager_page.get_by_role("button", name=re.compile("^Pause"))).to_have_count(0)
            assert_accessible(manager_page, axe)
            screenshot(manager_page, "campaign-sent")
        finally:
            manager_page.context.close()
        assert len(server.sink.received) == 13
        (send,) = CampaignSend.objects.for_office(office)
        assert send.started_by.email == "morgan@example.org"
        greetings = {message.get_body(("plain",)).get_content().splitlines()[0] for message in server.sink.messages()}
        assert "Dear Person," in greetings
    assert console_errors == [], "a CSP refusal or a script error on the way"
