"""Hostile email never runs in the browser: script in the subject, the sender's name, the HTML
body and attachment names, ingested as any mail is (store_raw, then process_raw), then opened by
a caseworker on the message list, the message page (its sealed frame, with and without remote
images) and the triage page. Every payload would set ``window.__xss`` or open a dialog if it ran.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Dialog, Page, expect

from casework import services as casework_services
from correspondence import ingest
from correspondence.models import Message, ParseState, RawEmail, RawSource
from security.roles import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import MembershipFactory, OfficeFactory, TOTPDeviceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KNOWN_HEX_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret
CORPUS_XSS = Path(__file__).parents[1] / "correspondence" / "corpus" / "xss.eml"

MARKER_EMAIL = b"""\
From: "<img src=x onerror=window.__xss='name'><script>window.__xss='name2'</script>" <marker@example.org>
To: "<svg onload=window.__xss='to'>" <mp@office.example>
Subject: <script>window.__xss='subject'</script><img src=x onerror="window.__xss='subject-img'"> Damp flat
Date: Wed, 4 Mar 2026 09:00:00 +0000
MIME-Version: 1.0
Message-ID: <xss-marker@example.org>
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8

<script>window.__xss='text'</script> Plain <img src=x onerror="window.__xss='text-img'">
--alt
Content-Type: text/html; charset=utf-8

<html><head><script>window.__xss='head'</script>
<meta http-equiv="refresh" content="0;url=javascript:window.__xss='refresh'"></head>
<body onload="window.__xss='onload'"><p onclick="window.__xss='click'">Hello
<img src="x" onerror="window.__xss='img'" alt="broken">
<img src="https://images.invalid/pic.png" onerror="window.__xss='remote'" alt="A remote picture">
<a id="js" href="javascript:window.__xss='link'">click me</a>
<a href="JaVaScRiPt:window.__xss='link2'">click me too</a>
<script>window.__xss='body'</script><svg onload="window.__xss='svg'"></svg>
<iframe srcdoc="<script>parent.__xss='srcdoc'</script>"></iframe>
<object data="javascript:window.__xss='object'"></object>
<form action="javascript:window.__xss='form'"><button>go</button></form>
<style>body{background:url("javascript:window.__xss='css'")}</style>
<a href="https://good.example/">a good link</a></p></body></html>
--alt--
--outer
Content-Type: text/plain
Content-Disposition: attachment; filename="<img src=x onerror=window.__xss='file'>.txt"

payload
--outer
Content-Type: text/html
Content-Disposition: attachment; filename="<script>window.__xss='file2'</script>.html"

<script>window.__xss='attached-html'</script>
--outer--
"""


def _ingest(office, raw: bytes) -> Message:
    row, _ = ingest.store_raw(office=office, raw=raw, source=RawSource.UPLOAD, enqueue=False)
    ingest.process_raw(row.pk)
    row = RawEmail.unscoped.get(pk=row.pk)
    assert row.parse_state == ParseState.PARSED, row.parse_error
    return Message.objects.for_office(office).get(raw_email=row)


def _assert_nothing_ran(page: Page, dialogs: list[str]) -> None:
    page.wait_for_timeout(200)  # an onerror or onload fires after the load event
    assert dialogs == [], dialogs
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_hostile_email_never_runs(live_server, page: Page, axe: Axe, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    office = OfficeFactory(name="Office of Jo Bloggs MP")
    casework_services.office_initialise(office)
    worker = UserFactory(full_name="Casey Worker", email="casey@example.org")
    MembershipFactory(user=worker, office=office, role=Role.CASEWORKER)
    TOTPDeviceFactory(user=worker, key=KNOWN_HEX_KEY, confirmed=True)
    marker = _ingest(office, MARKER_EMAIL)
    corpus = _ingest(office, CORPUS_XSS.read_bytes())
    assert "<script>" in marker.subject  # kept as text, shown escaped
    assert marker.attachments.count() == 2

    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    # Nothing leaves for the internet, remote images included.
    page.context.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort())

    sign_in(page, live_server.url, "casey@example.org", bytes.fromhex(KNOWN_HEX_KEY))
    _assert_nothing_ran(page, dialogs)

    page.goto(f"{live_server.url}/messages")
    expect(page.get_by_text("Damp flat").first).to_be_visible()
    expect(page.get_by_text("<script>window.__xss='subject'</script>", exact=False).first).to_be_visible()
    _assert_nothing_ran(page, dialogs)

    for message in (marker, corpus):
        page.goto(f"{live_server.url}/messages/{message.pk}")
        expect(page.locator("iframe.message-frame")).to_be_visible()
        _assert_nothing_ran(page, dialogs)

    page.goto(f"{live_server.url}/messages/{marker.pk}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("<script>window.__xss='subject'</script>")
    expect(page.get_by_text(".txt", exact=False).first).to_be_visible()
    frame = page.frame_locator("iframe.message-frame")
    frame.get_by_text("click me", exact=True).click()
    frame.get_by_text("Hello").click()
    _assert_nothing_ran(page, dialogs)
    assert_accessible(page, axe)
    screenshot(page, "message-xss")

    page.get_by_role("link", name="Show remote images").click()
    expect(page).to_have_url(re.compile(r"\?images=1"))
    expect(page.locator("iframe.message-frame")).to_have_attribute("src", re.compile(r"images=1"))
    _assert_nothing_ran(page, dialogs)
    page.locator("details summary", has_text="Plain text").click()
    _assert_nothing_ran(page, dialogs)

    page.goto(f"{live_server.url}/triage")
    section = page.get_by_role("region", name=re.compile("New messages"))
    expect(section.get_by_text("Damp flat", exact=False).first).to_be_visible()
    _assert_nothing_ran(page, dialogs)
