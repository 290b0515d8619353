"""Message services: filing, opening a case, triage states, contacts logged by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework import services as case_services
from correspondence import services
from correspondence.models import Message, TriageState
from correspondence.quoting import split_quoted
from security.errors import DomainError
from security.models import AuditEvent
from security.scoping import CrossOfficeError
from tests.factories import ConstituentFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def person(office):
    return ConstituentFactory(office=office, first_name="Jane", last_name="Smith")


@pytest.fixture
def case(office, person, caseworker):
    return case_services.case_open(office=office, constituent=person, opened_by=caseworker, summary="Housing repair")


def inbound(office, **fields):
    values = {"direction": "in", "channel": "email", "subject": "Damp flat", "text": "Please help."} | fields
    return Message.objects.create(office=office, **values)


def test_it_files_a_message_and_takes_the_case_constituent(office, case, caseworker):
    message = inbound(office)
    services.message_file(message=message, case=case, actor=caseworker)
    message.refresh_from_db()
    assert message.case == case
    assert message.constituent == case.constituent
    assert message.triage_state == TriageState.FILED
    event = AuditEvent.objects.filter(verb="correspondence.message.filed").get()
    assert set(event.fields) == {"case", "constituent", "triage_state"}


def test_it_keeps_the_sender_when_filing_someone_elses_message(office, case, caseworker):
    neighbour = ConstituentFactory(office=office)
    message = inbound(office, constituent=neighbour)
    services.message_file(message=message, case=case, actor=caseworker)
    message.refresh_from_db()
    assert message.constituent == neighbour


def test_it_refuses_a_closed_case_and_another_offices_case(office, other_office, case, caseworker, bob):
    message = inbound(office)
    case_services.case_close(case=case, actor=caseworker, reason="resolved")
    with pytest.raises(DomainError, match="closed"):
        services.message_file(message=message, case=case, actor=caseworker)
    theirs = case_services.case_open(
        office=other_office, constituent=ConstituentFactory(office=other_office), opened_by=bob, summary="B"
    )
    with pytest.raises(CrossOfficeError):
        services.message_file(message=message, case=theirs, actor=caseworker)


def test_it_restarts_the_response_clock_when_the_constituent_writes(office, case, caseworker, time_machine):
    time_machine.move_to(timezone.now() + dt.timedelta(days=30))
    before = case.response_due_on
    services.message_file(message=inbound(office), case=case, actor=caseworker)
    case.refresh_from_db()
    assert case.response_due_on > before


def test_it_opens_a_case_from_a_message(office, person, caseworker):
    message = inbound(office, constituent=person)
    case = services.message_open_case(message=message, actor=caseworker, summary="Damp flat", priority="high")
    message.refresh_from_db()
    assert case.constituent == person
    assert case.priority == "high"
    assert message.case == case
    assert message.triage_state == TriageState.FILED


def test_it_needs_a_constituent_to_open_a_case(office, caseworker, person):
    message = inbound(office)
    with pytest.raises(DomainError, match="constituent"):
        services.message_open_case(message=message, actor=caseworker, summary="x")
    case = services.message_open_case(message=message, actor=caseworker, summary="x", constituent=person)
    message.refresh_from_db()
    assert message.constituent == person
    assert message.case == case


@pytest.mark.parametrize("state", [TriageState.NO_ACTION, TriageState.SPAM])
def test_it_sets_triage_states_and_back(office, caseworker, state):
    message = inbound(office)
    services.message_set_triage(message=message, actor=caseworker, state=state)
    assert Message.objects.for_office(office).get().triage_state == state
    services.message_set_triage(message=message, actor=caseworker, state=TriageState.NEW)
    assert Message.objects.for_office(office).get().triage_state == TriageState.NEW
    assert AuditEvent.objects.filter(verb__startswith="correspondence.message.triage_").count() == 2


def test_it_refuses_other_states_and_filed_messages(office, case, caseworker):
    message = inbound(office)
    with pytest.raises(DomainError):
        services.message_set_triage(message=message, actor=caseworker, state=TriageState.FILED)
    services.message_file(message=message, case=case, actor=caseworker)
    with pytest.raises(DomainError, match="filed"):
        services.message_set_triage(message=message, actor=caseworker, state=TriageState.SPAM)


def test_it_logs_a_letter_with_a_scan(office, case, volunteer):
    scan = SimpleUploadedFile("../../evil name.pdf", PDF, content_type="text/html")
    message = services.message_log(
        office=office,
        actor=volunteer,
        channel="letter",
        direction="in",
        subject="Letter about the damp",
        text="Handwritten.",
        occurred_at=timezone.now() - dt.timedelta(days=1),
        case=case,
        scan=scan,
    )
    assert message.triage_state == TriageState.FILED
    assert message.constituent == case.constituent
    assert message.logged_by == volunteer
    attachment = message.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.declared_type == "text/html"
    assert len(attachment.sha256) == 64
    assert attachment.size == len(PDF)
    assert attachment.file.name.startswith(f"offices/{office.pk}/attachments/")
    assert "evil" not in attachment.file.name
    event = AuditEvent.objects.get(verb="correspondence.message.logged")
    assert "attachments" in event.fields
    assert "Handwritten." not in str(event.fields)


def test_it_logs_a_phone_call_for_triage_later(office, caseworker):
    message = services.message_log(
        office=office,
        actor=caseworker,
        channel="phone",
        direction="in",
        subject="Called about parking",
        text="",
        occurred_at=timezone.now(),
    )
    assert message.triage_state == TriageState.NEW
    assert message.case is None


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"channel": "email"}, "letter"),
        ({"subject": "  "}, "subject"),
        ({"subject": "x" * 1001}, "1000"),
        ({"occurred_at": timezone.now() + dt.timedelta(days=2)}, "future"),
        ({"channel": "phone", "scan": SimpleUploadedFile("a.pdf", PDF)}, "Only a letter"),
        ({"scan": SimpleUploadedFile("a.exe", b"MZ\x90\x00" + b"\x00" * 60)}, "PDF or a picture"),
        ({"scan": SimpleUploadedFile("a.pdf", b"")}, "empty"),
    ],
)
def test_it_refuses_bad_logs(office, caseworker, changes, error):
    values = {
        "office": office,
        "actor": caseworker,
        "channel": "letter",
        "direction": "in",
        "subject": "S",
        "text": "",
        "occurred_at": timezone.now(),
    } | changes
    with pytest.raises(DomainError, match=error):
        services.message_log(**values)
    assert not Message.objects.for_office(office).exists()


def test_it_splits_quoted_history():
    new, quoted = split_quoted("Thanks.\n\nOn Tue, 3 Mar 2026 at 10:02, Jo <jo@example.org> wrote:\n> earlier\n")
    assert new == "Thanks."
    assert quoted.startswith("On Tue")
    assert "> earlier" in quoted
    new, quoted = split_quoted("Yes please.\n> Would you like\n> a call?\n")
    assert new == "Yes please."
    assert quoted == "> Would you like\n> a call?"
    assert split_quoted("No quotes here.") == ("No quotes here.", "")
