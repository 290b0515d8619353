"""The page shell as a browser sees it: language, skip link, labelled fields, CSP, axe-core."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import verified_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_FOCUSABLE = """() => {
  const focusable = 'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])';
  return document.querySelector(focusable).textContent.trim();
}"""


def test_it_serves_an_accessible_sign_in_page(live_server, page: Page, axe: Axe, console_errors: list[str]) -> None:
    response = page.goto(f"{live_server.url}/login")

    assert response is not None
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_label("Email address")).to_have_attribute("type", "email")
    expect(page.get_by_label("Password")).to_have_attribute("type", "password")
    screenshot(page, "login")
    assert_accessible(page, axe)

    # The skip link comes first in tab order (the email field's autofocus starts past it here),
    # is off screen until focused, then shows, and moves focus to main.
    first_focusable = page.evaluate(FIRST_FOCUSABLE)
    assert first_focusable == "Skip to main content"
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_have_attribute("href", "#main")
    expect(skip_link).not_to_be_in_viewport()
    skip_link.focus()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert console_errors == []


def test_it_runs_htmx_under_a_strict_csp(live_server, page: Page, console_errors: list[str]) -> None:
    response = page.goto(f"{live_server.url}/login")

    assert response is not None
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "unsafe-inline" not in policy
    page.wait_for_function("() => window.htmx !== undefined")
    # The <meta name="htmx-config"> was read: htmx will never evaluate strings as code.
    assert page.evaluate("() => htmx.config.allowEval") is False
    assert page.evaluate("() => htmx.config.selfRequestsOnly") is True
    assert not [e for e in console_errors if "Content Security Policy" in e or "unsafe-eval" in e]
    assert console_errors == []


def test_it_polls_the_notification_badge_with_htmx(live_server, page: Page, manager, console_errors: list[str]) -> None:
    session_id = verified_client(manager).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": live_server.url}])
    # The badge asks every 60 s; a fake clock gets there without waiting.
    page.clock.install()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Office A")

    with page.expect_response("**/notifications/badge") as poll:
        page.clock.run_for(61_000)

    request = poll.value.request
    assert poll.value.status == 200
    assert request.headers["hx-request"] == "true"
    assert request.headers["x-background-poll"] == "1"
    assert request.headers["x-csrftoken"]  # from <body hx-headers>, parsed as JSON, not eval
    expect(page.locator("#notification-badge")).to_have_text("Notifications")
    assert console_errors == []
