"""A sender becomes a known constituent only by an exact, unambiguous email; a message joins a
case by In-Reply-To, References, then a [Ref …] token — never another office's case."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from casework import services as case_services
from constituents import services as constituent_services
from constituents.models import Constituent, ConstituentEmail
from correspondence.models import Message
from tests.correspondence.conftest import email, ingest_bytes
from tests.factories import ConstituentFactory


@pytest.fixture
def jane(office, manager):
    return constituent_services.constituent_create(
        office=office, actor=manager, first_name="Jane", last_name="Smith", email="jane@example.org"
    )


@pytest.fixture
def case(office, jane, manager):
    return case_services.case_open(office=office, constituent=jane, opened_by=manager, summary="Housing")


@pytest.fixture
def our_reply(office, case):
    return Message.objects.create(
        office=office, direction="out", channel="email", message_id="reply-1@office.example", case=case
    )


def test_the_sender_is_matched_by_exact_email(office, jane):
    _, message = ingest_bytes(office, email(sender="JANE@example.org"))
    assert message.constituent == jane


def test_an_address_shared_by_two_constituents_is_left_for_a_person(office, jane):
    other = ConstituentFactory(office=office)
    ConstituentEmail.objects.create(office=office, constituent=other, email="jane@example.org")
    _, message = ingest_bytes(office, email())
    assert message.constituent is None


def test_an_unknown_sender_creates_no_constituent(office):
    _, message = ingest_bytes(office, email(sender="new@example.org"))
    assert message.constituent is None
    assert not Constituent.objects.for_office(office).exists()


def test_another_offices_constituent_is_never_matched(other_office, jane):
    _, message = ingest_bytes(other_office, email())
    assert message.constituent is None


def test_a_reply_joins_the_case_by_in_reply_to_and_restarts_the_clock(office, case, our_reply):
    later = dt.datetime(2030, 6, 3, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(later, tick=False):
        _, message = ingest_bytes(office, email(extra="In-Reply-To: <reply-1@office.example>\r\n"))
    assert (message.case, message.triage_state) == (case, "filed")
    case.refresh_from_db()
    assert case.response_due_on > later.date()


def test_a_reply_joins_the_case_by_references(office, case, our_reply):
    refs = "References: <unknown@example.org>\r\n <reply-1@office.example>\r\n In-Reply-To: <unknown-2@x>\r\n"
    _, message = ingest_bytes(office, email(extra=refs))
    assert message.case == case


def test_a_reference_token_in_the_subject_finds_the_case(office, case):
    _, message = ingest_bytes(office, email(subject=f"Re: your letter [ref {case.reference}]"))
    assert (message.case, message.triage_state) == (case, "filed")


def test_another_offices_case_is_never_matched(office, other_office, case, our_reply):
    threaded = email(subject=f"[Ref {case.reference}]", extra="In-Reply-To: <reply-1@office.example>\r\n")
    _, message = ingest_bytes(other_office, threaded)
    assert (message.case, message.triage_state) == (None, "new")


def test_mail_with_no_thread_is_new(office, case):
    _, message = ingest_bytes(office, email(subject="A new problem"))
    assert (message.case, message.triage_state) == (None, "new")
