"""A manager answers a subject access request end to end in a real browser: logs it, reviews and
redacts, generates the export, confirms a fresh code and downloads it — axe-core clean throughout."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Page, expect

from security.dataprotection import dates
from security.dataprotection.models import SarStatus, SubjectAccessRequest
from security.decorators import SESSION_OTP_AT
from security.roles import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in, totp_code
from tests.factories import MembershipFactory, OfficeFactory, TOTPDeviceFactory, UserFactory
from tests.security import dataprotection_seed as seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KNOWN_HEX_KEY = "3132333435363738393031323334353637383930"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _make_code_stale(page: Page) -> None:
    """As if the sign-in code was given long ago: the download must ask for a fresh one."""
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    session[SESSION_OTP_AT] = 0
    session.save()


def test_a_manager_answers_a_subject_access_request(live_server, page: Page, axe: Axe) -> None:
    office = OfficeFactory(name="Office of Jo Bloggs MP")
    manager = UserFactory(full_name="Morgan Manager", email="morgan@example.org")
    MembershipFactory(user=manager, office=office, role=Role.MANAGER)
    TOTPDeviceFactory(user=manager, key=KNOWN_HEX_KEY, confirmed=True)
    seeded = seed.seed_person(office, manager)
    # The seeded request arrived three weeks ago: it is on the due-soon list.
    received = dt.date.today() - dt.timedelta(days=21)
    SubjectAccessRequest.objects.for_office(office).filter(pk=seeded.sar.pk).update(
        received_on=received, due_on=dates.sar_due(received)
    )
    key = bytes.fromhex(KNOWN_HEX_KEY)

    sign_in(page, live_server.url, "morgan@example.org", key)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Running the office").click()
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data protection")
    expect(page.get_by_role("table", name="Subject access requests due soon")).to_contain_text(seed.LAST)
    assert_accessible(page, axe)

    page.get_by_label("Find the person").fill(seed.LAST)
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name=f"Log a subject access request for {seed.NAME}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a subject access request")
    assert_accessible(page, axe)
    screenshot(page, "sar-1-log")
    page.get_by_label("How it arrived").select_option(label="Letter")
    page.get_by_label("Notes").fill("Identity checked against a utility bill.")
    page.get_by_role("button", name="Log the request").click()

    expect(page.locator(".messages")).to_contain_text("Request logged")
    request = SubjectAccessRequest.objects.for_office(office).exclude(pk=seeded.sar.pk).get()
    expect(page).to_have_url(f"{live_server.url}/data-protection/requests/{request.pk}")
    assert_accessible(page, axe)
    screenshot(page, "sar-2-detail")

    page.get_by_role("link", name="Review the data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review before the export")
    assert_accessible(page, axe)
    page.get_by_role("checkbox", name="Ophelia Quibbleworth", exact=True).check()
    page.get_by_label("Other names or words to redact").fill(seed.OTHER_NAME)
    page.get_by_role("checkbox", name=re.compile(r"^Withhold: Document “tenancy-")).check()
    screenshot(page, "sar-3-review")
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator(".messages")).to_contain_text("Review saved")

    page.get_by_role("button", name="Generate the export").click()
    expect(page.locator(".messages")).to_contain_text("The export is ready to download")
    assert_accessible(page, axe)
    screenshot(page, "sar-4-ready")

    _make_code_stale(page)
    page.get_by_role("link", name="Download the export").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    assert_accessible(page, axe)
    page.get_by_role("textbox", name="Code").fill(totp_code(key, drift=1))
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Confirm").click()
    download = download_info.value
    assert download.suggested_filename == f"subject-access-request-{request.pk}.zip"
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    data = json.loads(archive.read("data.json"))
    text = archive.read("data.json").decode() + archive.read("index.html").decode()
    assert seed.OTHER_NAME not in text
    assert "Ophelia Quibbleworth" not in text
    assert data["withheld"] == {"casework.casedocument": 1}
    assert data["tables"]["constituents.constituent"][0]["last_name"] == seed.LAST

    # The index a person opens: readable on its own, and itself accessible.
    index = page.context.new_page()
    index.set_content(archive.read("index.html").decode())
    expect(index.get_by_role("heading", level=1)).to_contain_text("Your personal data held by")
    assert_accessible(index, axe)
    screenshot(index, "sar-5-export-index")
    index.close()

    page.goto(f"{live_server.url}/data-protection/requests/{request.pk}")
    page.get_by_role("button", name="Mark as answered").click()
    expect(page.locator(".messages")).to_contain_text("Marked as answered")
    request.refresh_from_db()
    assert request.status == SarStatus.ANSWERED
    screenshot(page, "sar-6-answered")
