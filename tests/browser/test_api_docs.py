"""The API docs page (Swagger UI from our own static files) under the strict CSP, and the token pages."""

from __future__ import annotations

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from security.decorators import SESSION_OTP_AT
from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import verified_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_under_the_csp(live_server, page: Page, manager, axe: Axe, console_errors: list[str]):
    session_id = verified_client(manager).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": live_server.url}])
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url))

    response = page.goto(f"{live_server.url}/api/docs/")

    assert response is not None
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    # Swagger UI has loaded the schema and lists the operations.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("MP office casework API")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/cases/{case_id}/close")).to_be_visible()
    # "Try it out" calls the API with the signed-in session.
    # Exactly /api/v1/me: /api/v1/messages starts with the same letters.
    page.get_by_role("button", name="GET /api/v1/me Who is calling").click()
    page.get_by_role("button", name="Try it out").click()
    with page.expect_response("**/api/v1/me") as call:
        page.get_by_role("button", name="Execute").click()
    assert call.value.status == 200
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    screenshot(page, "api-docs")
    assert outside == []  # no CDN, no validator badge
    assert not [e for e in console_errors if "Content Security Policy" in e]
    assert console_errors == []
    expect(page.get_by_role("heading", level=1, name="API documentation")).to_be_visible()
    assert_accessible(page, axe)


def test_a_manager_creates_and_revokes_a_token_accessibly(live_server, page: Page, manager, axe: Axe, console_errors):
    client = verified_client(manager)
    session = client.session
    session[SESSION_OTP_AT] = time.time()  # a code was just confirmed
    session.save()
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": live_server.url}])

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Running the office").click()
    assert_accessible(page, axe)
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    assert_accessible(page, axe)
    page.get_by_role("link", name="Create a token").click()
    page.get_by_label("Integration").fill("Website form")
    page.get_by_label("Write: create and change records").check()
    assert_accessible(page, axe)
    page.get_by_role("button", name="Create token").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Token created for “Website form”")
    secret = page.get_by_label("The token").input_value()
    assert secret.startswith("mpo_")
    assert_accessible(page, axe)
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("cell", name="Read, Write")).to_be_visible()
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke the token for Website form").click()
    expect(page.get_by_text("it no longer works")).to_be_visible()
    assert console_errors == []
