"""A caseworker working the triage queue from the keyboard only: j/k to move, x to tick, a/t/c
to bulk assign, tag and close by htmx without a full page load, "?" for the shortcuts and "/" to
search, with axe-core clean on the way."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Frame, Locator, Page, expect

from casework import services as casework_services
from casework.models import Case, CaseStatus, CloseReason, Tag
from security.roles import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import ConstituentFactory, MembershipFactory, OfficeFactory, TOTPDeviceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KNOWN_HEX_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret

# Opened in this order; the queue lists the newest first.
CASES = [
    ("Amara", "Okonkwo", "Universal Credit sanction after a missed appointment"),
    ("Bill", "Hartley", "Passport renewal stuck for twelve weeks"),
    ("Chloe", "Nguyen", "Council tax arrears letter in error"),
    ("Dev", "Patel", "Blue badge application refused"),
    ("Ellen", "Morris", "School transport withdrawn"),
    ("Frank", "Lowe", "Bus route cut leaves village isolated"),
]


def tab_count(page: Page, label: str) -> Locator:
    """The number shown on a queue tab."""
    tabs = page.get_by_role("navigation", name="Queues")
    return tabs.get_by_role("link", name=re.compile(rf"^{re.escape(label)} \d+$")).locator(".count")


def test_a_caseworker_triages_the_queue_from_the_keyboard_only(live_server, page: Page, axe: Axe) -> None:
    office = OfficeFactory(name="Office of Jo Bloggs MP")
    casework_services.office_initialise(office)
    worker = UserFactory(full_name="Casey Worker", email="casey@example.org")
    MembershipFactory(user=worker, office=office, role=Role.CASEWORKER)
    TOTPDeviceFactory(user=worker, key=KNOWN_HEX_KEY, confirmed=True)
    disrepair = Tag.objects.for_office(office).get(name="Disrepair")
    cases = [
        casework_services.case_open(
            office=office,
            constituent=ConstituentFactory(office=office, first_name=first, last_name=last),
            opened_by=worker,
            summary=summary,
        )
        for first, last, summary in CASES
    ]

    def row(case: Case) -> Locator:
        return page.locator("table.queue tbody tr[data-row]").filter(has=page.get_by_role("link", name=case.reference))

    def row_link(case: Case) -> Locator:
        return row(case).get_by_role("link", name=case.reference)

    def row_box(case: Case) -> Locator:
        return row(case).get_by_role("checkbox", name=f"Select {case.reference}")

    sign_in(page, live_server.url, "casey@example.org", bytes.fromhex(KNOWN_HEX_KEY))

    # A caseworker's home is the triage page, on the "new" queue, newest first.
    expect(page).to_have_url(f"{live_server.url}/triage")
    page.wait_for_load_state("domcontentloaded")  # the deferred htmx and shortcuts.js have run
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage")
    rows = page.locator("table.queue tbody tr[data-row]")
    expect(rows).to_have_count(6)
    expect(rows.locator("[data-row-link]")).to_have_text([case.reference for case in reversed(cases)])
    expect(tab_count(page, "New, needing action")).to_have_text("6")
    expect(tab_count(page, "My cases")).to_have_text("0")
    expect(tab_count(page, "All open cases")).to_have_text("6")
    assert_accessible(page, axe)

    # From here on only the keyboard. A marker on the window survives htmx swaps but not a load.
    page.evaluate("() => { window.triageMarker = 'no reload'; }")
    navigations: list[str] = []

    def record(frame: Frame) -> None:
        if frame == page.main_frame:
            navigations.append(frame.url)

    page.on("framenavigated", record)

    def still_the_same_page() -> None:
        assert page.evaluate("() => window.triageMarker") == "no reload"
        assert navigations == []
        expect(page).to_have_url(f"{live_server.url}/triage")

    # j, j, x ticks the second row; k, x ticks the first.
    newest, second = cases[5], cases[4]
    page.keyboard.press("j")
    expect(row_link(newest)).to_be_focused()
    page.keyboard.press("j")
    expect(row_link(second)).to_be_focused()
    page.keyboard.press("x")
    expect(row_box(second)).to_be_checked()
    expect(row_box(newest)).not_to_be_checked()
    page.keyboard.press("k")
    expect(row_link(newest)).to_be_focused()
    page.keyboard.press("x")
    expect(row_box(newest)).to_be_checked()

    # "a": the "Assign to" select; type the name, Tab to Assign, Enter posts by htmx.
    assignee = page.get_by_label("Assign to")
    page.keyboard.press("a")
    expect(assignee).to_be_focused()
    page.keyboard.type("Casey")
    expect(assignee).to_have_value(str(worker.pk))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Assign", exact=True)).to_be_focused()
    with page.expect_response(f"{live_server.url}/triage/bulk") as bulk:
        page.keyboard.press("Enter")
    assert bulk.value.ok
    status = page.locator("#messages")
    expect(status).to_have_text("Assigned 2 cases.")
    still_the_same_page()
    # Assigned cases are open, so they leave the "new" queue and join "My cases".
    expect(tab_count(page, "My cases")).to_have_text("2")
    expect(tab_count(page, "New, needing action")).to_have_text("4")
    expect(tab_count(page, "All open cases")).to_have_text("6")
    # The queue comes back with its own filters, not filtered by the assignee just chosen.
    filters = page.get_by_role("form", name="Filter the queue")
    leaked = "the bulk form's assignee/tag became the queue's filters (triage_bulk reads filters from the POST)"
    expect(filters.get_by_label("Assignee"), leaked).to_have_value("")
    expect(filters.get_by_label("Tag")).to_have_value("")
    expect(rows).to_have_count(4)
    for case in (newest, second):
        case.refresh_from_db()
        assert (case.assignee, case.status) == (worker, CaseStatus.OPEN)
    assert_accessible(page, axe)
    screenshot(page, "triage_after_assign")

    # j after the swap starts again at the top of the new rows; x ticks it; "t" to "Add tag".
    to_tag = cases[3]
    page.keyboard.press("j")
    expect(row_link(to_tag)).to_be_focused()
    page.keyboard.press("x")
    expect(row_box(to_tag)).to_be_checked()
    tag_select = page.get_by_label("Add tag")
    page.keyboard.press("t")
    expect(tag_select).to_be_focused()
    page.keyboard.type("Disrepair")
    expect(tag_select).to_have_value(str(disrepair.pk))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Tag", exact=True)).to_be_focused()
    with page.expect_response(f"{live_server.url}/triage/bulk"):
        page.keyboard.press("Enter")
    expect(status).to_have_text("Tagged 1 case.")
    still_the_same_page()
    expect(row(to_tag).locator(".tag")).to_have_text(["Disrepair"])
    assert list(Case.objects.for_office(office).get(pk=to_tag.pk).tags.all()) == [disrepair]

    # The tag filter is still "Any tag". Then j, Shift+Tab back to the row's checkbox, and j
    # from there to the second row, x ticks it; "c", "Resolved", Tab to Close, Enter closes it.
    expect(filters.get_by_label("Tag"), leaked).to_have_value("")
    expect(rows).to_have_count(4)
    to_close = cases[2]
    page.keyboard.press("j")
    expect(row_link(to_tag)).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(row_box(to_tag)).to_be_focused()
    page.keyboard.press("j")
    expect(row_link(to_close)).to_be_focused()
    page.keyboard.press("x")
    expect(row_box(to_close)).to_be_checked()
    close_reason = page.get_by_label("Close as")
    page.keyboard.press("c")
    expect(close_reason).to_be_focused()
    page.keyboard.type("Resolved")
    expect(close_reason).to_have_value(CloseReason.RESOLVED)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Close", exact=True)).to_be_focused()
    with page.expect_response(f"{live_server.url}/triage/bulk"):
        page.keyboard.press("Enter")
    expect(status).to_have_text("Closed 1 case.")
    still_the_same_page()
    expect(tab_count(page, "All open cases")).to_have_text("5")
    expect(tab_count(page, "New, needing action")).to_have_text("3")
    expect(row(to_close)).to_have_count(0)
    to_close.refresh_from_db()
    assert (to_close.status, to_close.close_reason) == (CaseStatus.CLOSED, CloseReason.RESOLVED)
    assert_accessible(page, axe)

    # "?" from the page itself opens the list of shortcuts as a modal dialog; Escape closes it.
    assert page.evaluate("() => document.activeElement === document.body")
    help_dialog = page.locator("dialog#shortcuts-help")
    expect(help_dialog).to_be_hidden()
    page.keyboard.press("?")
    expect(help_dialog).to_be_visible()
    expect(help_dialog.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    assert page.evaluate("() => document.getElementById('shortcuts-help').matches(':modal')")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    still_the_same_page()

    # "/" to the search box; typing and Enter searches everything (a real navigation, at last).
    search_box = page.get_by_role("searchbox", name="Search", exact=True)
    page.keyboard.press("/")
    expect(search_box).to_be_focused()
    expect(search_box).to_have_value("")  # the "/" itself is not typed
    page.keyboard.type("sanction")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/search?q=sanction")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    found = page.get_by_role("region", name=re.compile(r"^Cases"))
    expect(found.get_by_role("link")).to_have_text([f"{cases[0].reference} {CASES[0][2]}"])
    assert_accessible(page, axe)
    screenshot(page, "triage_search_results")
