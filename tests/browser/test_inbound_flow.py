"""Issue 6's "done when", end to end: mail delivered to a real IMAP mailbox (Dovecot on loopback)
is polled by the real Celery tasks, appears once in the triage page, and a caseworker in
Chromium files it to the constituent's case; then the constituent's reply (delivered to the
inbox) and a reply a member of staff sent from Outlook (appended to the Sent folder) thread onto
that case by themselves and show on the case page, received and sent. axe-core is clean on every
page visited.

Celery runs eagerly here, so ``poll_mailboxes`` and the ``process_raw`` tasks it enqueues on
commit run in this process, through Celery's own ``delay``, and nothing is left in the broker.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from casework import services as casework_services
from constituents.models import ConstituentEmail
from correspondence import tasks
from correspondence.models import Direction, Mailbox, Message, RawEmail, TriageState
from mpoffice.celery import app as celery_app
from security.roles import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.correspondence.dovecot import PASSWORD, account_fixture, deliver, dovecot_server, uids_in  # noqa: F401
from tests.factories import ConstituentFactory, MembershipFactory, OfficeFactory, TOTPDeviceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KNOWN_HEX_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret

FIRST_ID = "CAFx9k2+Zr4=first.message@mail.example.com"
FIRST = f"""\
From: Priya Sharma <priya.sharma@example.com>
To: Office of Jo Bloggs MP <office@example.org>
Subject: Mould in my son's bedroom again
Date: Mon, 2 Mar 2026 08:12:00 +0000
Message-ID: <{FIRST_ID}>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Dear Jo Bloggs,

The mould in my son's bedroom is back and the housing association has not replied.

Priya
""".encode()

REPLY_ID = "CAFx9k2+second.message@mail.example.com"
REPLY = f"""\
From: Priya Sharma <priya.sharma@example.com>
To: Office of Jo Bloggs MP <office@example.org>
Subject: Re: Mould in my son's bedroom again
Date: Wed, 4 Mar 2026 19:40:00 +0000
Message-ID: <{REPLY_ID}>
In-Reply-To: <{FIRST_ID}>
References: <{FIRST_ID}>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Thank you. Photos of the wall are below; the surveyor came today.

> Dear Jo Bloggs,
> The mould in my son's bedroom is back
""".encode()

OUTLOOK_ID = "DB9PR01MB7353A1B2C3D4E5F6A7B8C9D0E1F2A@DB9PR01MB7353.eurprd01.prod.exchangelabs.com"
OUTLOOK = f"""\
From: Casey Worker <office@example.org>
To: Priya Sharma <priya.sharma@example.com>
Subject: RE: Mould in my son's bedroom again
Thread-Topic: Mould in my son's bedroom again
Thread-Index: AQHaBcDeFgHiJkLmNoPqRsTuVwXyZ==
Date: Thu, 5 Mar 2026 09:03:00 +0000
Message-ID: <{OUTLOOK_ID}>
In-Reply-To: <{REPLY_ID}>
References: <{FIRST_ID}> <{REPLY_ID}>
Content-Language: en-GB
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"
X-MS-Has-Attach:

Dear Ms Sharma, I have written to the housing association's chief executive today.
""".encode()


@pytest.fixture
def eager_celery():
    keys = ("task_always_eager", "task_eager_propagates")
    before = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(dict.fromkeys(keys, True))
    yield
    celery_app.conf.update(before)


def poll() -> int:
    """The beat task, as beat would enqueue it; its on-commit parse tasks run eagerly too."""
    return tasks.poll_mailboxes.delay().get(timeout=60)


def test_mail_from_imap_is_triaged_filed_and_its_replies_thread_back(
    live_server, page: Page, axe: Axe, settings, tmp_path, dovecot, account, eager_celery
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    office = OfficeFactory(name="Office of Jo Bloggs MP")
    casework_services.office_initialise(office)
    worker = UserFactory(full_name="Casey Worker", email="casey@example.org")
    MembershipFactory(user=worker, office=office, role=Role.CASEWORKER)
    TOTPDeviceFactory(user=worker, key=KNOWN_HEX_KEY, confirmed=True)
    priya = ConstituentFactory(office=office, first_name="Priya", last_name="Sharma")
    ConstituentEmail.objects.create(office=office, constituent=priya, email="priya.sharma@example.com")
    case = casework_services.case_open(
        office=office, constituent=priya, opened_by=worker, summary="Damp and mould in housing association flat"
    )
    mailbox = Mailbox(
        office=office, name="Office inbox", host="127.0.0.1", port=dovecot, use_tls=False, username=account
    )
    mailbox.secret_set(PASSWORD)
    mailbox.save()

    # Delivered, polled, polled again: stored once, moved out of the inbox, parsed.
    deliver(dovecot, account, FIRST)
    assert poll() == 1
    assert poll() == 0
    assert uids_in(dovecot, account, "INBOX") == []
    assert len(uids_in(dovecot, account, "Processed")) == 1
    assert RawEmail.objects.for_office(office).count() == 1
    first = Message.objects.for_office(office).get()
    assert (first.message_id, first.constituent, first.triage_state) == (FIRST_ID, priya, TriageState.NEW)

    # The caseworker's home is the triage page: the message is there, once.
    sign_in(page, live_server.url, "casey@example.org", bytes.fromhex(KNOWN_HEX_KEY))
    expect(page).to_have_url(f"{live_server.url}/triage")
    section = page.get_by_role("region", name=re.compile(r"^New messages"))
    expect(section.locator(".count")).to_have_text("1")
    links = section.get_by_role("link", name="Mould in my son's bedroom again")
    expect(links).to_have_count(1)
    expect(section.get_by_text("Priya Sharma")).to_be_visible()
    assert_accessible(page, axe)
    screenshot(page, "inbound-triage")

    # Opened from the triage page and filed to Priya's open case, offered first.
    links.click()
    expect(page).to_have_url(f"{live_server.url}/messages/{first.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mould in my son's bedroom again")
    assert_accessible(page, axe)
    filing = page.get_by_role("region", name="File to a case")
    filing.get_by_label(f"{case.reference} {case.summary}").check()
    filing.get_by_role("button", name="File").click()
    expect(page.locator("#messages")).to_contain_text(f"Filed to {case.reference}.")
    expect(page.get_by_role("region", name="File to a case")).to_contain_text(f"Filed to {case.reference}")
    assert_accessible(page, axe)
    screenshot(page, "inbound-filed")
    first.refresh_from_db()
    assert (first.case, first.triage_state) == (case, TriageState.FILED)

    page.goto(f"{live_server.url}/triage")
    section = page.get_by_role("region", name=re.compile(r"^New messages"))
    expect(section.get_by_text("No new messages.")).to_be_visible()

    # Priya answers (In-Reply-To her first message); a colleague answers her from Outlook.
    deliver(dovecot, account, REPLY)
    deliver(dovecot, account, OUTLOOK, "Sent")
    assert poll() == 2
    assert poll() == 0
    reply = Message.objects.for_office(office).get(message_id=REPLY_ID)
    outlook = Message.objects.for_office(office).get(message_id=OUTLOOK_ID)
    assert (reply.case, reply.direction, reply.triage_state) == (case, Direction.INBOUND, TriageState.FILED)
    assert (outlook.case, outlook.direction) == (case, Direction.OUTBOUND)
    assert len(uids_in(dovecot, account, "Sent")) == 1  # the Sent folder is read, never moved

    # Neither waits in triage: both are on the case page, one received and one sent.
    page.goto(f"{live_server.url}/triage")
    section = page.get_by_role("region", name=re.compile(r"^New messages"))
    expect(section.get_by_text("No new messages.")).to_be_visible()
    page.goto(f"{live_server.url}/cases/{case.pk}")
    messages = page.get_by_role("region", name="Messages")
    items = messages.locator("li.timeline__item--message")
    expect(items).to_have_count(3)
    # Newest first: the Outlook reply, Priya's reply, her first message.
    expect(items.nth(0)).to_contain_text("Email, sent")
    expect(items.nth(0).get_by_role("link")).to_have_text("RE: Mould in my son's bedroom again")
    expect(items.nth(0)).to_contain_text("I have written to the housing association's chief executive")
    expect(items.nth(1)).to_contain_text("Email, received")
    expect(items.nth(1)).to_contain_text("Priya Sharma")
    expect(items.nth(1).get_by_role("link")).to_have_text("Re: Mould in my son's bedroom again")
    expect(items.nth(2).get_by_role("link")).to_have_text("Mould in my son's bedroom again")
    assert_accessible(page, axe)
    screenshot(page, "inbound-case")

    items.nth(0).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("RE: Mould in my son's bedroom again")
    expect(page.get_by_text("Email · Sent")).to_be_visible()
    assert_accessible(page, axe)
