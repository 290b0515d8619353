"""Headless Chromium for the browser tests: one browser per run, a fresh context per test.

Pages are served by pytest-django's ``live_server`` (a real HTTP server in a thread, with
static files from the finders), so htmx, the CSS and the CSP headers are the real ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect, sync_playwright

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
SERIOUS = frozenset({"serious", "critical"})


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the run: every browser test lives in this package, which runs as a block.

    Playwright's sync API keeps its asyncio event loop *running* on the main thread from start
    to stop, so for that whole time Django refuses ORM calls from the test body and from the
    transactional flush at teardown (SynchronousOnlyOperation), hence DJANGO_ALLOW_ASYNC_UNSAFE.
    Nothing here is really concurrent: the live server answers from its own threads and the
    test body only blocks. Package scope rather than session scope stops Playwright once the
    browser tests are done, so the rest of the suite runs with Django's guard back on and with
    no event loop left running (which would break async_to_sync and asyncio.run).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            yield browser
            browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context (no cookies), closed only once the server has answered it.

    The transactional teardown TRUNCATEs every table; a request the live server is still
    handling then (Chromium fetches /favicon.ico after each load) holds row locks and the two
    deadlock. So the favicon is answered in the browser, and teardown waits for requests in
    flight before closing the context.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.set_default_timeout(5_000)
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    in_flight: set[Request] = set()
    context.on("request", lambda request: in_flight.add(request))
    context.on("requestfinished", lambda request: in_flight.discard(request))
    context.on("requestfailed", lambda request: in_flight.discard(request))
    page = context.new_page()
    yield page
    for _ in range(100):
        if not in_flight:
            break
        page.wait_for_timeout(50)
    context.close()


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Console errors from now on (Chromium reports a CSP refusal as one), with their source."""
    errors: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", keep)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return errors


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def axe_violations(page: Page, axe: Axe | None = None) -> list[dict[str, Any]]:
    """The axe-core violations on the page as it is now, serious and critical only."""
    result = (axe or Axe()).run(page)
    return [v for v in result.response["violations"] if v.get("impact") in SERIOUS]


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def assert_accessible(page: Page, axe: Axe | None = None) -> None:
    """Fail with a readable list if axe-core finds any serious or critical violation."""
    violations = axe_violations(page, axe)
    assert not violations, f"axe-core on {page.url}:\n{format_violations(violations)}"


def totp_code(key: bytes, drift: int = 0) -> str:
    """The code an authenticator app holding ``key`` shows now (``drift`` steps of 30 s away)."""
    totp = TOTP(key)
    totp.drift = drift
    return f"{totp.token():06d}"


def sign_in_with_password(page: Page, base_url: str, email: str) -> None:
    """The first step of signing in: the password form, reached from the home page."""
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


def sign_in(page: Page, base_url: str, email: str, key: bytes) -> None:
    """Password, then the code from a confirmed authenticator holding ``key``; ends past sign-in,
    on whichever page the member's role lands on."""
    sign_in_with_password(page, base_url, email)
    expect(page).to_have_url(re.compile(r"/2fa/verify(\?|$)"))
    page.get_by_role("textbox", name="Code").fill(totp_code(key))
    page.get_by_role("button", name="Verify").click()
    expect(page).not_to_have_url(re.compile(r"/(login|2fa/)"))


SCREENS = Path("/tmp/screens")


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG in /tmp/screens, for a person to look at after a run."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
