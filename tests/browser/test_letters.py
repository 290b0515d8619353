"""A caseworker writes a letter from a case in a real browser: template, a standard paragraph,
preview, save; the letter and its PDF are on the case. The manager's letter pages too. axe-core
clean throughout."""

from __future__ import annotations

import re
import subprocess

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from casework import services as casework_services
from correspondence import letters
from correspondence.demo_letters import demo_logo, demo_signature
from correspondence.models import Message
from security.roles import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.browser.test_casework_flow import KNOWN_HEX_KEY, press_on_page
from tests.conftest import verified_client
from tests.factories import ConstituentFactory, MembershipFactory, OfficeFactory, TOTPDeviceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _office_with_letters():
    office = OfficeFactory(name="Office of Alex Example MP", mp_name="Alex Example MP", constituency="Northtown")
    casework_services.office_initialise(office)
    manager = UserFactory(full_name="Morgan Manager", email="morgan@example.org")
    MembershipFactory(user=manager, office=office, role=Role.MANAGER)
    letters.letterhead_save(
        office=office,
        actor=manager,
        values={
            "mp_name": "Alex Example MP",
            "mp_title": "Member of Parliament for Northtown",
            "address": "House of Commons\nLondon\nSW1A 0AA",
            "contact": "020 7946 0000",
            "footer": "Please quote our reference in any reply.",
        },
        logo=demo_logo(),
        signature=demo_signature(),
    )
    letters.template_save(
        office=office,
        actor=manager,
        name="Acknowledgement",
        addressee="constituent",
        body="Dear {{ constituent.salutation }},\n\nThank you for contacting me about {{ case.summary }}.\n\n"
        "Yours sincerely,",
    )
    letters.paragraph_save(
        office=office,
        actor=manager,
        title="Keep in touch",
        category="Closing",
        shortcut="in-touch",
        body="If anything changes, please contact my office quoting {{ case.reference }}.",
    )
    letters.paragraph_save(
        office=office, actor=manager, title="Consent form enclosed", category="Consent", body="I enclose the form."
    )
    return office, manager


def test_a_caseworker_writes_a_letter_from_a_case(
    live_server, page: Page, axe: Axe, media, console_errors: list[str]
) -> None:
    office, _ = _office_with_letters()
    worker = UserFactory(full_name="Casey Worker", email="casey@example.org")
    MembershipFactory(user=worker, office=office, role=Role.CASEWORKER)
    TOTPDeviceFactory(user=worker, key=KNOWN_HEX_KEY, confirmed=True)
    person = ConstituentFactory(
        office=office, title="Ms", first_name="Priya", last_name="Sharma", address_line1="12 Mill Lane"
    )
    case = casework_services.case_open(office=office, constituent=person, opened_by=worker, summary="PIP reduced")

    sign_in(page, live_server.url, "casey@example.org", bytes.fromhex(KNOWN_HEX_KEY))
    page.goto(f"{live_server.url}/cases/{case.pk}")
    letters_panel = page.get_by_role("region", name="Letters", exact=True)
    expect(letters_panel).to_contain_text("No letters on this case yet.")

    # "w" on the case page starts a letter.
    press_on_page(page, "w")
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/letter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a letter")
    assert_accessible(page, axe)

    page.get_by_label("Template").select_option(label="Acknowledgement")
    page.get_by_role("button", name="Use these").click()
    body = page.get_by_label("Letter", exact=True)
    expect(body).to_have_value(re.compile(r"^Dear Ms Sharma,\n\nThank you for contacting me about PIP reduced\."))
    expect(page.get_by_label("Address")).to_have_value("Ms Priya Sharma\n12 Mill Lane\nNorthtown\nNT1 1AA")

    # Put the cursor after the first paragraph and insert a standard paragraph there.
    body.click()
    page.evaluate(
        """() => { const t = document.getElementById('id_body');
                   const at = t.value.indexOf('Yours sincerely');
                   t.setSelectionRange(at, at); }"""
    )
    page.get_by_role("searchbox", name="Find a paragraph").fill("touch")
    expect(page.locator("#paragraph-list li")).to_have_count(1)
    page.get_by_role("button", name="Insert “Keep in touch”").click()
    expected = (
        "Dear Ms Sharma,\n\nThank you for contacting me about PIP reduced.\n\n"
        f"If anything changes, please contact my office quoting {case.reference}.\n\nYours sincerely,"
    )
    expect(body).to_have_value(expected)
    expect(page).to_have_url(re.compile(r"/letter\?template="))  # inserted in place, nothing posted

    page.get_by_label("Their reference").fill("DWP-2026-77")
    page.get_by_role("button", name="Preview", exact=True).click()
    sheet = page.locator("#letter-preview article.letter")
    expect(sheet).to_contain_text("Ms Priya Sharma")
    expect(sheet).to_contain_text(f"Our ref: {case.reference}")
    expect(sheet).to_contain_text("Your ref: DWP-2026-77")
    expect(sheet).to_contain_text(f"quoting {case.reference}")
    expect(sheet.locator("img.letter__logo")).to_be_visible()
    assert page.evaluate("() => document.querySelector('img.letter__logo').naturalWidth") > 0
    assert_accessible(page, axe)
    screenshot(page, "letter_editor_preview")
    assert not Message.objects.for_office(office).exists(), "a preview stores nothing"

    page.get_by_role("button", name="Save letter").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}")
    expect(page.get_by_role("status")).to_contain_text("Letter saved")
    letters_panel = page.get_by_role("region", name="Letters", exact=True)
    subject = "Letter to Ms Priya Sharma: Acknowledgement"
    expect(letters_panel.get_by_role("link", name=subject, exact=True)).to_be_visible()
    expect(letters_panel.get_by_role("link", name=f"PDF of “{subject}”")).to_be_visible()
    messages_panel = page.get_by_role("region", name="Messages", exact=True)
    expect(messages_panel).to_contain_text("Letter, sent")
    assert_accessible(page, axe)
    screenshot(page, "letter_on_case")

    message = Message.objects.for_office(office).get()
    assert (message.channel, message.direction, message.case_id) == ("letter", "out", case.pk)
    with message.attachments.get().file.open("rb") as handle:
        text = subprocess.run(["pdftotext", "-", "-"], input=handle.read(), capture_output=True, check=True).stdout
    assert f"quoting {case.reference}".encode() in text
    assert b"DWP-2026-77" in text
    assert console_errors == [], "no script error and no CSP refusal on the way"


def test_the_managers_letter_pages(live_server, page: Page, axe: Axe, media) -> None:
    _, manager = _office_with_letters()
    session_id = verified_client(manager).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": live_server.url}])

    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Running the office").click()
    page.get_by_role("main").get_by_role("link", name="Letters").click()
    expect(page).to_have_url(f"{live_server.url}/letters/templates")
    assert_accessible(page, axe)

    page.get_by_role("link", name="Acknowledgement").click()
    body = page.get_by_label("Letter", exact=True)
    body.fill("Dear {{ constituent.fullname }},")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field__error")).to_contain_text("did you mean {{ constituent.full_name }}?")
    assert_accessible(page, axe)
    screenshot(page, "letter_template_error")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Running the office").click()
    page.get_by_role("main").get_by_role("link", name="Letters").click()
    page.get_by_role("navigation", name="Letters").get_by_role("link", name="Standard paragraphs").click()
    expect(page.get_by_role("cell", name="Keep in touch")).to_be_visible()
    assert_accessible(page, axe)

    page.get_by_role("navigation", name="Letters").get_by_role("link", name="Letterhead").click()
    expect(page.get_by_label("MP's name as signed")).to_have_value("Alex Example MP")
    expect(page.get_by_role("img", name="The current logo")).to_be_visible()
    assert_accessible(page, axe)
    screenshot(page, "letterhead")
