"""First sign-in in a real browser: password, authenticator enrolment, backup codes, home."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from security.roles import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in_with_password, totp_code
from tests.factories import MembershipFactory, OfficeFactory, TOTPDeviceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KNOWN_HEX_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret


def test_it_enrols_a_new_manager_and_signs_them_out(live_server, page: Page, axe: Axe) -> None:
    office = OfficeFactory(name="Office of Jo Bloggs MP")
    manager = UserFactory(full_name="Sam Manager", email="sam@example.org")
    MembershipFactory(user=manager, office=office, role=Role.MANAGER)

    sign_in_with_password(page, live_server.url, "sam@example.org")

    expect(page).to_have_url(re.compile(r"/2fa/setup(\?|$)"))
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.get_by_test_id("otp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7=]{1,4})*", secret), secret
    screenshot(page, "otp_setup")
    assert_accessible(page, axe)

    key = base64.b32decode(secret.replace(" ", ""))
    page.get_by_role("textbox", name="Code").fill(totp_code(key))
    page.get_by_role("button", name="Confirm and continue").click()

    codes = page.get_by_test_id("backup-codes").get_by_role("listitem")
    expect(codes.first).to_have_text(re.compile(r"^\d{8}$"))
    assert codes.count() >= 5
    screenshot(page, "backup_codes")
    assert_accessible(page, axe)

    page.get_by_role("link", name="Continue").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Office of Jo Bloggs MP")
    staff = page.get_by_role("region", name="Staff")
    manager_row = staff.get_by_role("row").filter(has_text="sam@example.org")
    expect(manager_row.get_by_role("cell")).to_have_text(
        ["Sam Manager", "sam@example.org", "Office manager", "Set up", "Active"]
    )
    screenshot(page, "home_manager")
    assert_accessible(page, axe)

    menu = page.locator("details.menu")
    menu.locator("summary").filter(has_text="Sam Manager").click()
    menu.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))


def test_it_rejects_a_wrong_code_then_accepts_the_right_one(live_server, page: Page, axe: Axe) -> None:
    office = OfficeFactory(name="Office of Jo Bloggs MP")
    member = UserFactory(full_name="Casey Worker", email="casey@example.org")
    MembershipFactory(user=member, office=office, role=Role.CASEWORKER)
    device = TOTPDeviceFactory(user=member, key=KNOWN_HEX_KEY, confirmed=True)
    key = bytes.fromhex(KNOWN_HEX_KEY)
    # Any code the device would accept now (it allows one step of clock drift either way) is
    # "right"; the wrong one must be none of them.
    accepted = {totp_code(key, drift) for drift in (-1, 0, 1)}
    wrong = next(code for code in ("123456", "654321", "111111") if code not in accepted)

    sign_in_with_password(page, live_server.url, "casey@example.org")

    expect(page).to_have_url(re.compile(r"/2fa/verify(\?|$)"))
    page.get_by_role("textbox", name="Code").fill(wrong)
    page.get_by_role("button", name="Verify").click()

    expect(page).to_have_url(re.compile(r"/2fa/verify(\?|$)"))
    expect(page.locator(".field__error")).to_have_text(
        "That code is not valid, or has already been used. Try the newest code."
    )
    expect(page.get_by_role("textbox", name="Code")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, axe)

    # django-otp refuses every code, right or not, for a second after a failure (doubling with
    # each one); a person takes longer than that to read the error and look at their phone.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))
    page.get_by_role("textbox", name="Code").fill(totp_code(key))
    page.get_by_role("button", name="Verify").click()

    # A caseworker lands on their triage queues.
    expect(page).to_have_url(f"{live_server.url}/triage")
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage")
    expect(page.locator(".topbar__brand")).to_have_text("Office of Jo Bloggs MP")
    expect(page.locator("details.menu summary")).to_contain_text("Casey Worker")
