import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction

from casework import services
from casework.models import Case, CaseEvent, CaseStatus
from security.errors import DomainError
from security.models import AuditEvent
from security.scoping import CrossOfficeError
from tests.factories import ConstituentFactory

# Friday 20 November 2026, London; the following Monday is a working day.
FRIDAY = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def test_it_numbers_cases_per_office_and_year(office, constituent, caseworker):
    first = services.case_open(office=office, constituent=constituent, opened_by=caseworker, summary="a")
    second = services.case_open(office=office, constituent=constituent, opened_by=caseworker, summary="b")
    assert (first.reference, second.reference) == ("2026/0001", "2026/0002")


def test_a_duplicate_reference_is_impossible(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(office=case.office, reference=case.reference, constituent=case.constituent, summary="x")


def test_opening_starts_the_response_clock_in_working_days(office, constituent, caseworker):
    with time_machine.travel(FRIDAY, tick=False):
        case = services.case_open(office=office, constituent=constituent, opened_by=caseworker, summary="x")
    # Ten working days after Friday 20 November: Friday 4 December.
    assert case.response_due_on == dt.date(2026, 12, 4)


def test_scotland_skips_st_andrews_day(office, constituent, caseworker):
    office.nation = "scotland"
    office.save()
    with time_machine.travel(FRIDAY, tick=False):
        case = services.case_open(office=office, constituent=constituent, opened_by=caseworker, summary="x")
    assert case.response_due_on == dt.date(2026, 12, 7)  # Monday 30 November is a Scottish bank holiday


def test_awaiting_a_third_party_pauses_the_office_clock(case, caseworker):
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # Monday
    due_before = case.response_due_on
    with time_machine.travel(start, tick=False):
        services.case_set_status(case=case, actor=caseworker, status=CaseStatus.AWAITING_THIRD_PARTY)
    assert case.response_paused_at is not None
    with time_machine.travel(start + dt.timedelta(days=7), tick=False):
        services.case_set_status(case=case, actor=caseworker, status=CaseStatus.OPEN)
    # Paused for five working days: the target moves by five working days.
    assert case.response_paused_at is None
    assert case.response_due_on > due_before


def test_closing_needs_a_reason(case, caseworker):
    with pytest.raises(DomainError, match="why the case is being closed"):
        services.case_set_status(case=case, actor=caseworker, status=CaseStatus.CLOSED)
    services.case_close(case=case, actor=caseworker, reason="resolved")
    case.refresh_from_db()
    assert (case.status, case.close_reason) == (CaseStatus.CLOSED, "resolved")
    assert case.closed_at is not None


def test_every_change_lands_on_the_timeline_and_in_the_audit_log(case, caseworker, manager):
    services.case_assign(case=case, actor=manager, assignee=caseworker)
    services.case_add_note(case=case, actor=caseworker, text="Rang the constituent.")
    services.case_close(case=case, actor=caseworker, reason="resolved")
    kinds = list(CaseEvent.objects.for_office(case.office).filter(case=case).values_list("kind", flat=True))
    assert sorted(kinds) == ["assigned", "note", "opened", "status"]
    verbs = set(AuditEvent.objects.filter(object_id=str(case.pk)).values_list("verb", flat=True))
    assert {"casework.case.opened", "casework.case.assigned", "casework.case.note_added"} <= verbs
    note_event = AuditEvent.objects.get(verb="casework.case.note_added")
    assert note_event.fields == ["note"]
    assert "Rang" not in str(note_event.__dict__)


def test_a_stale_edit_is_refused_not_applied(case, caseworker, manager):
    seen_version = case.version
    services.case_update(case=case, actor=manager, version=seen_version, summary="Manager's wording")
    stale = Case.objects.for_office(case.office).get(pk=case.pk)
    with pytest.raises(services.ConflictError, match="Someone else changed this case"):
        services.case_update(case=stale, actor=caseworker, version=seen_version, summary="Caseworker's wording")
    case.refresh_from_db()
    assert case.summary == "Manager's wording"


def test_a_case_cannot_use_another_offices_constituent(office, other_office, caseworker):
    theirs = ConstituentFactory(office=other_office)
    with pytest.raises(CrossOfficeError):
        services.case_open(office=office, constituent=theirs, opened_by=caseworker, summary="x")


def test_the_assignee_must_be_a_member(case, caseworker, bob):
    with pytest.raises(DomainError, match="active member"):
        services.case_assign(case=case, actor=caseworker, assignee=bob)


def test_the_ward_at_opening_stays_on_the_case(office, caseworker):
    from constituents.models import Ward

    ward = Ward.objects.create(office=office, code="E05000001", name="Riverside")
    person = ConstituentFactory(office=office, ward=ward)
    case = services.case_open(office=office, constituent=person, opened_by=caseworker, summary="x")
    person.ward = None
    person.save()
    case.refresh_from_db()
    assert (case.ward_code, case.ward_name) == ("E05000001", "Riverside")


def test_a_new_message_restarts_the_clock(case):
    later = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(later, tick=False):
        services.case_constituent_wrote(case=case)
    assert case.response_due_on == dt.date(2027, 1, 18)


def test_the_first_response_is_kept(case):
    first = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    services.case_record_response(case=case, at=first)
    services.case_record_response(case=case, at=first + dt.timedelta(days=3))
    assert case.first_response_at == first
