"""Every data-protection page a manager uses, in a real browser: axe-core clean, and screenshotted
(erasure, retention with its preview, the health check, handover, the office export, import)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from casework import services as case_services
from security.dataprotection import retention
from security.roles import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import MembershipFactory, OfficeFactory, TOTPDeviceFactory, UserFactory
from tests.security import dataprotection_seed as seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KNOWN_HEX_KEY = "3132333435363738393031323334353637383930"
CSV = "Surname,Forename,Email,Subject,Status,Tags\nNg,Li,li@example.org,Visa delay,Open,Moon landings\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_the_data_protection_pages(live_server, page: Page, axe: Axe, tmp_path) -> None:
    office = OfficeFactory(name="Office of Jo Bloggs MP", slug="jo-bloggs")
    manager = UserFactory(full_name="Morgan Manager", email="morgan@example.org")
    MembershipFactory(user=manager, office=office, role=Role.MANAGER)
    TOTPDeviceFactory(user=manager, key=KNOWN_HEX_KEY, confirmed=True)
    seeded = seed.seed_person(office, manager)
    case_services.case_close(case=seeded.other_case, actor=manager, reason="resolved")
    retention.policy_draft(office=office, actor=manager, periods={"casework": 72, "campaign": 6}, overrides={})
    retention.policy_confirm(office=office, actor=manager)
    sign_in(page, live_server.url, "morgan@example.org", bytes.fromhex(KNOWN_HEX_KEY))

    def visit(path: str, heading: str, name: str) -> None:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page, axe)
        screenshot(page, name)

    visit("/data-protection", "Data protection", "dp-overview")
    page.get_by_label("Find the person").fill(seed.LAST)
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name=re.compile(r"^Erase their data")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Erase {seed.NAME}, {seed.POSTCODE}")
    assert_accessible(page, axe)
    screenshot(page, "dp-erase")
    page.get_by_role("button", name="Erase their data").click()
    expect(page.locator(".error-summary, .field__error").first).to_be_visible()  # nothing ticked
    page.get_by_label("Close their open cases first (as withdrawn)").check()
    page.get_by_label(re.compile(r"^I understand that this erases")).check()
    page.get_by_role("button", name="Erase their data").click()
    expect(page.locator(".messages")).to_contain_text("Erased:")
    assert_accessible(page, axe)

    visit("/data-protection/retention", "Retention", "dp-retention")
    page.get_by_label("Casework records (kept for the office's casework period)").fill("1")
    page.get_by_role("button", name="Save as a draft and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review the retention policy")
    assert_accessible(page, axe)
    screenshot(page, "dp-retention-preview")
    page.get_by_role("button", name="Discard the draft").click()
    expect(page.locator(".messages")).to_contain_text("The draft is discarded")

    visit("/data-protection/health", "Security health", "dp-health")
    visit("/data-protection/handover", "Handover", "dp-handover")
    page.get_by_role("link", name="Hand cases over").click()
    page.get_by_label("Export them for a successor outside this service, then purge them here").check()
    page.get_by_label("And these cases").fill(seeded.other_case.reference)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name=re.compile(r"^1 case of 1 person"))).to_be_visible()
    assert_accessible(page, axe)
    screenshot(page, "dp-handover-form")
    page.get_by_role("button", name="Confirm the handover").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Handover \d+$"))
    assert_accessible(page, axe)
    screenshot(page, "dp-handover-detail")

    visit("/data-protection/office-export", "Office export", "dp-office-export")

    visit("/cases/import", "Import from another system", "import-start")
    path = tmp_path / "old-system.csv"
    path.write_text(CSV)
    page.get_by_label("CSV or Excel file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and choose the columns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import old-system.csv")
    page.get_by_role("button", name="Check every row").click()
    expect(page.get_by_role("heading", name="1 row with problems")).to_be_visible()
    assert_accessible(page, axe)
    screenshot(page, "import-checked")
