"""An office manager's dashboard in a real browser: change the period, open a table, download
its CSV, with axe-core clean on the way."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework import services as casework
from constituents.models import Ward
from reports.demo import WARD_OUTLINES, ward_geojson
from reports.services import ward_boundaries_import
from security.roles import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import MembershipFactory, OfficeFactory, TOTPDeviceFactory, UserFactory
from tests.reports.conftest import at, close_case, make_vocabulary, open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KNOWN_HEX_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret


def _office_with_cases():
    office = OfficeFactory(name="Office of Jo Bloggs MP")
    manager = UserFactory(full_name="Morgan Manager", email="morgan@example.org")
    MembershipFactory(user=manager, office=office, role=Role.MANAGER)
    TOTPDeviceFactory(user=manager, key=KNOWN_HEX_KEY, confirmed=True)
    worker = UserFactory(full_name="Casey Worker")
    MembershipFactory(user=worker, office=office, role=Role.CASEWORKER)
    tags = list(make_vocabulary(office, manager).values())
    wards = [Ward.objects.create(office=office, code=code, name=name) for code, name in WARD_OUTLINES]
    ward_boundaries_import(office=office, raw=ward_geojson())
    # The fortnight the test looks at: 2-15 March 2026, six cases, two in Northtown Central.
    for day, ward in ((2, 0), (3, 0), (10, 1), (11, 2), (12, 3), (13, 1)):
        open_case(office, manager, at(f"2026-03-{day:02d} 10:00"), ward=wards[ward], tags=[tags[day % 3]])
    # And the weeks before today, so the default view has something to show.
    rng = random.Random(7)
    now = timezone.now()
    for n in range(40):
        opened = now - dt.timedelta(days=rng.randint(1, 80), hours=rng.randint(0, 8))
        case = open_case(office, manager, opened, ward=rng.choice(wards), tags=[rng.choice(tags)], assignee=worker)
        if n % 3 == 0:
            casework.case_record_response(case=case, at=opened + dt.timedelta(days=rng.randint(1, 6)))
            close_case(case, worker, opened + dt.timedelta(days=rng.randint(7, 20)))
    return office


def test_a_manager_changes_the_period_opens_a_table_and_downloads_its_csv(live_server, page: Page, axe: Axe) -> None:
    _office_with_cases()
    sign_in(page, live_server.url, "morgan@example.org", bytes.fromhex(KNOWN_HEX_KEY))

    expect(page.get_by_role("heading", name="The last 12 weeks")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_role("heading", name="Cases opened and closed per week")).to_be_visible()
    expect(page.locator("#figure-map svg")).to_be_visible()
    assert_accessible(page, axe)
    screenshot(page, "dashboard-default")

    # An end before the start is refused with a clear message.
    page.get_by_label("From", exact=True).fill("2026-03-15")
    page.get_by_label("To", exact=True).fill("2026-03-02")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("The end date (2 March 2026) is before the start date (15 March 2026)")).to_be_visible()
    assert_accessible(page, axe)

    page.get_by_label("From", exact=True).fill("2026-03-02")
    page.get_by_label("To", exact=True).fill("2026-03-15")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"start=2026-03-02&end=2026-03-15"))
    expect(page.get_by_text("Cases from 2–15 March 2026")).to_be_visible()
    weekly = page.locator("#figure-weekly")
    table = weekly.get_by_role("table")
    expect(table).to_be_hidden()
    weekly.get_by_text("Table of the cases opened and closed per week").click()
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_role("row").nth(1)).to_have_text(re.compile(r"2 March 2026\s*2\s*0"))
    expect(table.get_by_role("row").nth(2)).to_have_text(re.compile(r"9 March 2026\s*4\s*0"))
    assert_accessible(page, axe)

    with page.expect_download() as download_info:
        weekly.get_by_role("link", name=re.compile("Download CSV")).click()
    download = download_info.value
    assert download.suggested_filename.endswith("-weekly-20260302-20260315.csv")
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows == [["Week beginning", "Opened", "Closed"], ["2 March 2026", "2", "0"], ["9 March 2026", "4", "0"]]

    # The ward table of the same fortnight hides counts below five.
    wards = page.locator("#figure-wards")
    wards.get_by_text("Table of the cases by ward").click()
    expect(wards.get_by_role("row", name=re.compile("Northtown Central"))).to_contain_text("<5")
    screenshot(page, "dashboard-fortnight")


def test_a_manager_asks_for_a_report_and_watches_it_being_produced(
    live_server, page: Page, axe: Axe, monkeypatch, settings, tmp_path
) -> None:
    from reports import services, tasks
    from reports.models import Report

    settings.MEDIA_ROOT = str(tmp_path / "media")
    queued: list[int] = []
    monkeypatch.setattr(tasks.produce, "delay", queued.append)  # the worker is this test, below
    office = _office_with_cases()
    polls: list[dict[str, str]] = []
    page.on("request", lambda r: polls.append(r.headers) if r.url.endswith("/progress") else None)
    sign_in(page, live_server.url, "morgan@example.org", bytes.fromhex(KNOWN_HEX_KEY))

    page.goto(f"{live_server.url}/dashboard")
    page.get_by_role("link", name="Weekly and monthly reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    assert_accessible(page, axe)
    form = page.get_by_role("region", name="A report for another period")
    form.get_by_label("From", exact=True).fill("2026-03-02")
    form.get_by_label("To", exact=True).fill("2026-03-15")
    page.get_by_role("button", name="Produce the report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Report for 2–15 March 2026")
    expect(page.get_by_text("Waiting to start")).to_be_visible()
    assert_accessible(page, axe)
    (report_id,) = queued
    assert services.report_produce(report_id=report_id).status == "done"
    expect(page.get_by_text("The report is ready.")).to_be_visible(timeout=10_000)
    assert polls, "the page polls for progress"
    assert all(headers.get("x-background-poll") == "1" for headers in polls)
    screenshot(page, "report-ready")

    page.get_by_role("link", name="Show the report").click()
    expect(page.get_by_role("heading", name="At a glance")).to_be_visible()
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
    assert_accessible(page, axe)
    screenshot(page, "report-detail")
    assert Report.objects.for_office(office).count() == 1

    page.goto(f"{live_server.url}/reports/settings")
    expect(page.get_by_label("Hide ward counts below")).to_have_value("5")
    assert_accessible(page, axe)
