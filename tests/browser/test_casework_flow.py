"""A caseworker's main job in a real browser: a new constituent and case, tagged, assigned and
closed from the keyboard, with axe-core clean on every page on the way."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from casework import services as casework_services
from casework.models import Case, CaseStatus, CloseReason, Tag
from constituents import services as constituent_services
from security.roles import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import verified_client
from tests.factories import MembershipFactory, OfficeFactory, TOTPDeviceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KNOWN_HEX_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret


def press_on_page(page: Page, key: str) -> None:
    """A shortcut key pressed with focus on the page itself, not in a field (where it is typed).

    After a form posts and redirects, the new page's deferred shortcuts.js runs just before
    DOMContentLoaded, which can be later than its content is visible.
    """
    page.wait_for_load_state("domcontentloaded")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press(key)


def test_it_opens_tags_assigns_and_closes_a_case_from_the_keyboard(live_server, page: Page, axe: Axe) -> None:
    office = OfficeFactory(name="Office of Jo Bloggs MP")
    casework_services.office_initialise(office)
    worker = UserFactory(full_name="Casey Worker", email="casey@example.org")
    MembershipFactory(user=worker, office=office, role=Role.CASEWORKER)
    TOTPDeviceFactory(user=worker, key=KNOWN_HEX_KEY, confirmed=True)
    send = Tag.objects.for_office(office).get(name="SEND and EHCPs")
    disrepair = Tag.objects.for_office(office).get(name="Disrepair")

    sign_in(page, live_server.url, "casey@example.org", bytes.fromhex(KNOWN_HEX_KEY))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    expect(page).to_have_url(f"{live_server.url}/cases")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    assert_accessible(page, axe)

    page.get_by_role("link", name="Open a case").click()
    expect(page).to_have_url(f"{live_server.url}/cases/new")
    assert_accessible(page, axe)

    # The new-person fields show only once "A new constituent" is chosen (CSS :has()).
    first_name = page.get_by_label("First name")
    expect(first_name).to_be_hidden()
    page.get_by_label("A new constituent").check()
    expect(first_name).to_be_visible()
    expect(page.get_by_label("Find the constituent")).to_be_hidden()
    first_name.fill("Priya")
    page.get_by_label("Last name").fill("Sharma")
    page.get_by_label("Postcode").fill("ls1 4ap")
    page.get_by_label("Email address").fill("priya.sharma@example.com")
    page.get_by_label("Summary").fill("EHCP annual review is six months late")

    # Tags from the keyboard: "t" to the filter, a synonym, Tab to the match, Space to tick it.
    tag_filter = page.get_by_role("searchbox", name="Filter tags")
    press_on_page(page, "t")
    expect(tag_filter).to_be_focused()
    with page.expect_response(re.compile(r"/tags/search\?")):
        page.keyboard.type("ehcp")
    tag_options = page.locator("#tag-options")
    expect(tag_options.get_by_role("checkbox")).to_have_count(1)
    page.keyboard.press("Tab")
    send_box = page.get_by_role("checkbox", name="SEND and EHCPs")
    expect(send_box).to_be_focused()
    page.keyboard.press("Space")
    expect(send_box).to_be_checked()
    assert_accessible(page, axe)
    screenshot(page, "case_open_new_person")

    page.get_by_role("button", name="Open the case").click()

    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case = Case.objects.for_office(office).get()
    assert page.url == f"{live_server.url}/cases/{case.pk}"
    assert re.fullmatch(r"\d{4}/0001", case.reference)
    expect(page.get_by_role("status")).to_contain_text(f"Case {case.reference} opened.")
    expect(page.locator(".page-head")).to_contain_text(f"Case {case.reference}")
    expect(page.get_by_role("heading", level=1)).to_have_text("EHCP annual review is six months late")
    tags_panel = page.get_by_role("region", name="Tags", exact=True)
    expect(tags_panel.locator(".tag")).to_have_text(["SEND and EHCPs"])
    constituent_panel = page.get_by_role("region", name="Constituent", exact=True)
    expect(constituent_panel.get_by_role("link", name="Priya Sharma")).to_be_visible()
    expect(constituent_panel).to_contain_text("LS1 4AP")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Nobody yet")
    assert_accessible(page, axe)

    # "a": the assignee; arrow keys choose, Tab to the button, Enter assigns.
    assignee = page.get_by_label("Assignee")
    press_on_page(page, "a")
    expect(assignee).to_be_focused()
    page.keyboard.press("ArrowDown")  # "Nobody yet" → the only member, Casey Worker
    expect(assignee).to_have_value(str(worker.pk))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Assign")).to_be_focused()
    page.keyboard.press("Enter")
    expect(facts.locator("div").filter(has_text="Assignee")).to_contain_text("Casey Worker")

    # "t": another tag by a synonym; the one already chosen stays chosen while filtered out.
    press_on_page(page, "t")
    expect(tag_filter).to_be_focused()
    with page.expect_response(re.compile(r"/tags/search\?")):
        page.keyboard.type("mould")
    expect(tag_options.get_by_role("checkbox")).to_have_count(1)
    page.keyboard.press("Tab")
    disrepair_box = page.get_by_role("checkbox", name="Disrepair")
    expect(disrepair_box).to_be_focused()
    page.keyboard.press("Space")
    expect(disrepair_box).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save tags")).to_be_focused()
    page.keyboard.press("Enter")
    expect(tags_panel.locator(".tag")).to_have_text(["SEND and EHCPs", "Disrepair"])
    assert set(Case.objects.for_office(office).get(pk=case.pk).tags.all()) == {send, disrepair}

    # "c": why the case closes; "Resolved" is the first reason; Tab to "Close case", Enter.
    close_reason = page.get_by_label("Close the case")
    press_on_page(page, "c")
    expect(close_reason).to_be_focused()
    page.keyboard.press("Home")
    expect(close_reason).to_have_value(CloseReason.RESOLVED)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Close case")).to_be_focused()
    page.keyboard.press("Enter")

    expect(facts.locator("div").filter(has_text="Status")).to_contain_text("Closed (Resolved)")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    timeline = page.get_by_role("region", name="Timeline", exact=True)
    kinds = timeline.locator(".timeline__meta strong")
    for kind in ("Opened", "Assigned", "Tags changed", "Status changed"):
        expect(kinds.filter(has_text=kind).first).to_be_visible()
    expect(timeline).to_contain_text("Added Disrepair.")
    expect(timeline).to_contain_text("To Casey Worker")
    case.refresh_from_db()
    assert (case.status, case.close_reason, case.assignee) == (CaseStatus.CLOSED, CloseReason.RESOLVED, worker)
    screenshot(page, "case_closed")
    assert_accessible(page, axe)

    # "?" lists the shortcuts in a modal dialog; its Close button (or Escape) dismisses it.
    help_dialog = page.locator("dialog#shortcuts-help")
    expect(help_dialog).to_be_hidden()
    press_on_page(page, "?")
    expect(help_dialog).to_be_visible()
    expect(help_dialog.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    assert page.evaluate("() => document.getElementById('shortcuts-help').matches(':modal')")
    assert_accessible(page, axe)
    help_dialog.get_by_role("button", name="Close").click()
    expect(help_dialog).to_be_hidden()


def test_it_lists_the_cases_on_the_constituent_page(live_server, page: Page, axe: Axe) -> None:
    office = OfficeFactory(name="Office of Jo Bloggs MP")
    casework_services.office_initialise(office)
    worker = UserFactory(full_name="Casey Worker")
    MembershipFactory(user=worker, office=office, role=Role.CASEWORKER)
    person = constituent_services.constituent_create(
        office=office, actor=worker, first_name="Tom", last_name="Okafor", postcode="LS1 4AP"
    )
    case = casework_services.case_open(
        office=office, constituent=person, opened_by=worker, summary="Universal Credit sanction"
    )
    session_id = verified_client(worker).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": live_server.url}])

    page.goto(f"{live_server.url}/constituents/{person.pk}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Tom Okafor")
    cases = page.get_by_role("region", name="Cases", exact=True)
    row = cases.get_by_role("row").filter(has_text=case.reference)
    expect(row.get_by_role("cell")).to_have_text(
        [case.reference, "Universal Credit sanction", "New", "—", re.compile(r"\d{1,2} \w{3} \d{4}")]
    )
    assert_accessible(page, axe)

    open_for = cases.get_by_role("link", name="Open a case for Tom Okafor")
    expect(open_for).to_have_attribute("href", f"/cases/new?constituent={person.pk}")
    cases.get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Universal Credit sanction")
