"""A manager in Chromium adds a Microsoft 365 mailbox with OAuth2 renewal (the secrets typed in
once, never shown again), tests it — the access token is fetched from a real token endpoint on
loopback and used to log in to a real Dovecot by XOAUTH2 — and sees a refused renewal as the
mailbox's error. axe-core clean on every page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from correspondence.models import Mailbox
from security.roles import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.correspondence.dovecot import OAUTH_ACCESS_TOKEN, dovecot_server, fresh_oauth_account  # noqa: F401
from tests.correspondence.token_endpoint import granted, token_endpoint_fixture  # noqa: F401
from tests.factories import MembershipFactory, OfficeFactory, TOTPDeviceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KNOWN_HEX_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret
REFRESH_TOKEN = "0.AXoA-refresh-token-typed-in-once"
CLIENT_SECRET = "Zq~8Q~client-secret-typed-in-once"
CLIENT_ID = "8c4f0a3e-5b1d-4c7e-9f2a-1d3b5e7f9a0c"


def test_a_manager_sets_up_a_microsoft_365_mailbox_with_token_renewal(
    live_server, page: Page, axe: Axe, dovecot, token_endpoint
) -> None:
    office = OfficeFactory(name="Office of Jo Bloggs MP")
    manager = UserFactory(full_name="Morgan Manager", email="morgan@example.org")
    MembershipFactory(user=manager, office=office, role=Role.MANAGER)
    TOTPDeviceFactory(user=manager, key=KNOWN_HEX_KEY, confirmed=True)
    account = fresh_oauth_account()

    sign_in(page, live_server.url, "morgan@example.org", bytes.fromhex(KNOWN_HEX_KEY))
    page.goto(f"{live_server.url}/mailboxes")
    page.get_by_role("link", name="Add a mailbox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a mailbox")
    page.get_by_label("Name", exact=True).fill("Casework inbox")
    page.get_by_label("Host", exact=True).fill("127.0.0.1")
    page.get_by_label("Port", exact=True).fill(str(dovecot))
    page.get_by_label("Use tls").uncheck()
    page.get_by_label("Username").fill(account)
    page.get_by_label("Auth method").select_option(label="OAuth2 (XOAUTH2, as Microsoft 365 requires)")
    renewal = page.get_by_role("group", name="OAuth2 token renewal (Microsoft 365)")
    renewal.get_by_label("Directory (tenant) ID").fill("contoso.onmicrosoft.com")
    renewal.get_by_label("Application (client) ID").fill(CLIENT_ID)
    renewal.get_by_label("Client secret").fill(CLIENT_SECRET)
    renewal.get_by_label("Refresh token").fill(REFRESH_TOKEN)
    renewal.get_by_label("Token endpoint").fill(token_endpoint.url)
    assert_accessible(page, axe)
    screenshot(page, "mailbox-oauth-form")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{live_server.url}/mailboxes")
    expect(page.locator("#messages")).to_contain_text("Added mailbox “Casework inbox”")
    mailbox = Mailbox.objects.for_office(office).get()
    assert (mailbox.oauth_refresh_token_get(), mailbox.oauth_client_secret_get()) == (REFRESH_TOKEN, CLIENT_SECRET)

    # The edit page never shows a secret back.
    page.get_by_role("link", name="Edit Casework inbox").click()
    for field in ("Password or OAuth2 access token", "Client secret", "Refresh token"):
        expect(page.get_by_label(field)).to_have_value("")
    html = page.content()
    assert REFRESH_TOKEN not in html
    assert CLIENT_SECRET not in html
    page.get_by_role("link", name="Cancel").click()

    # Testing the connection renews the access token and logs in with it.
    token_endpoint.answers.append(granted())
    page.get_by_role("button", name="Test connection of Casework inbox").click()
    expect(page.locator("#messages")).to_contain_text("“Casework inbox”: connected and logged in.")
    assert token_endpoint.requests[0]["form"]["refresh_token"] == REFRESH_TOKEN
    row = page.get_by_role("row", name=re.compile("Casework inbox"))
    expect(row).to_contain_text("OAuth2, renewed automatically")
    expect(row).to_contain_text("Access token valid until")
    assert_accessible(page, axe)
    screenshot(page, "mailbox-oauth-list")

    # An hour on, Microsoft refuses the refresh token: the manager sees why.
    Mailbox.objects.for_office(office).filter(pk=mailbox.pk).update(
        oauth_access_token_expires_at=timezone.now() + dt.timedelta(minutes=2)
    )
    token_endpoint.answers.append(
        (400, {"error": "invalid_grant", "error_description": "AADSTS700082: The refresh token has expired."})
    )
    page.get_by_role("button", name="Poll now Casework inbox").click()
    expect(page.locator("#messages")).to_contain_text("polling failed")
    row = page.get_by_role("row", name=re.compile("Casework inbox"))
    expect(row).to_contain_text("Failing")
    expect(row).to_contain_text("invalid_grant — AADSTS700082: The refresh token has expired.")
    assert OAUTH_ACCESS_TOKEN not in page.content()
    assert_accessible(page, axe)
    screenshot(page, "mailbox-oauth-failing")
