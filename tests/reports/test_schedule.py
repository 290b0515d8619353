"""The weekly and monthly schedule under controlled time, and that a report is produced once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from reports import services
from reports.models import Report, ReportKind, ReportStatus
from reports.services import reports_due_for_production, reports_schedule_due, reports_sweep
from security.models import Notification
from tests.factories import MembershipFactory, OfficeFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def _office_created(when):
    with time_machine.travel(when, tick=False):
        office = OfficeFactory()
    MembershipFactory(office=office, role="manager")
    MembershipFactory(office=office, role="mp")
    return office


def _due(when):
    with time_machine.travel(when, tick=False):
        return sorted((r.kind, r.period_start, r.period_end) for r in reports_schedule_due())


def test_the_weekly_report_falls_due_on_monday_at_seven_london_time_in_summer():
    _office_created(dt.datetime(2026, 6, 10, 12, 0, tzinfo=UTC))  # a Wednesday
    # Monday 15 June, 06:59 BST (05:59 UTC): not yet; and the week before the office existed never.
    assert _due(dt.datetime(2026, 6, 15, 5, 59, tzinfo=UTC)) == []
    # 07:00 BST is 06:00 UTC.
    assert _due(dt.datetime(2026, 6, 15, 6, 0, tzinfo=UTC)) == [
        (ReportKind.WEEKLY, dt.date(2026, 6, 8), dt.date(2026, 6, 14))
    ]


def test_the_weekly_report_falls_due_on_monday_at_seven_london_time_in_winter():
    _office_created(dt.datetime(2026, 1, 7, 12, 0, tzinfo=UTC))
    assert _due(dt.datetime(2026, 1, 12, 6, 59, tzinfo=UTC)) == []
    # In GMT, 07:00 London is 07:00 UTC.
    assert _due(dt.datetime(2026, 1, 12, 7, 0, tzinfo=UTC)) == [
        (ReportKind.WEEKLY, dt.date(2026, 1, 5), dt.date(2026, 1, 11))
    ]


def test_a_missed_monday_is_caught_up_later_in_the_week():
    _office_created(dt.datetime(2026, 1, 7, 12, 0, tzinfo=UTC))
    assert _due(dt.datetime(2026, 1, 14, 15, 0, tzinfo=UTC)) == [
        (ReportKind.WEEKLY, dt.date(2026, 1, 5), dt.date(2026, 1, 11))
    ]


def test_the_monthly_report_falls_due_on_the_first():
    _office_created(dt.datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    before = _due(dt.datetime(2026, 3, 1, 6, 59, tzinfo=UTC))  # the 1st, 06:59 GMT: January is due (was due)
    assert (ReportKind.MONTHLY, dt.date(2026, 1, 1), dt.date(2026, 1, 31)) in before
    after = _due(dt.datetime(2026, 3, 1, 7, 0, tzinfo=UTC))
    assert after == [(ReportKind.MONTHLY, dt.date(2026, 2, 1), dt.date(2026, 2, 28))]


def test_an_office_that_switched_the_reports_off_gets_none():
    office = _office_created(dt.datetime(2026, 1, 7, 12, 0, tzinfo=UTC))
    services.report_settings_update(office=office, actor=None, weekly=False, monthly=False)
    assert _due(dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) == []


def test_the_schedule_follows_the_offices_own_time_zone():
    office = _office_created(dt.datetime(2026, 1, 7, 12, 0, tzinfo=UTC))
    services.report_settings_update(office=office, actor=None, time_zone="America/New_York", monthly=False)
    # 07:00 UTC on Monday is 02:00 in New York: not yet; 12:00 UTC is 07:00 there.
    assert _due(dt.datetime(2026, 1, 12, 7, 0, tzinfo=UTC)) == []
    assert _due(dt.datetime(2026, 1, 12, 12, 0, tzinfo=UTC)) == [
        (ReportKind.WEEKLY, dt.date(2026, 1, 5), dt.date(2026, 1, 11))
    ]


def test_two_sweeps_make_one_report():
    office = _office_created(dt.datetime(2026, 1, 7, 12, 0, tzinfo=UTC))
    monday = dt.datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
    assert len(_due(monday)) == 1
    assert _due(monday) == []
    with time_machine.travel(monday, tick=False):
        # Even a sweep that missed the first one's row cannot make a second: the constraint decides.
        Report.unscoped.get_or_create(
            office=office, kind=ReportKind.WEEKLY, period_start=dt.date(2026, 1, 5), period_end=dt.date(2026, 1, 11)
        )
    assert Report.objects.for_office(office).count() == 1


@pytest.fixture
def scheduled():
    _office_created(dt.datetime(2026, 1, 7, 12, 0, tzinfo=UTC))
    with time_machine.travel(dt.datetime(2026, 1, 12, 8, 0, tzinfo=UTC), tick=False):
        (report,) = reports_schedule_due()
    return report


def test_the_sweep_hands_a_new_report_to_a_worker_which_produces_it_once(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    office = _office_created(dt.datetime(2026, 1, 7, 12, 0, tzinfo=UTC))
    with time_machine.travel(dt.datetime(2026, 1, 12, 8, 0, tzinfo=UTC), tick=False):
        (report_id,) = reports_sweep()
        done = services.report_produce(report_id=report_id)
        assert done.status == ReportStatus.DONE
        assert done.progress == 100
        # A second task for the same report (a duplicate delivery by the broker) does nothing.
        assert services.report_produce(report_id=report_id) is None
        assert reports_sweep() == []
    assert Notification.objects.for_office(office).count() == 2  # the manager and the MP


def test_a_report_whose_task_was_lost_is_handed_out_again_after_the_lease(scheduled, settings):
    settings.REPORTS_PRODUCE_LEASE_SECONDS = 900
    created = dt.datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
    with time_machine.travel(created + dt.timedelta(minutes=5), tick=False):
        assert reports_sweep() == []  # its task is presumably still queued
    with time_machine.travel(created + dt.timedelta(minutes=16), tick=False):
        assert reports_sweep() == [scheduled.pk]


def test_a_worker_that_dies_mid_production_is_replaced_after_the_lease(scheduled, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.REPORTS_PRODUCE_LEASE_SECONDS = 900
    from reports import pdf

    real_render = pdf.render_pdf

    def die(html):
        raise SystemExit("the worker was killed")  # not an Exception: nothing catches it

    monkeypatch.setattr(pdf, "render_pdf", die)
    start = dt.datetime(2026, 1, 12, 8, 5, tzinfo=UTC)
    with time_machine.travel(start, tick=False), pytest.raises(SystemExit):
        services.report_produce(report_id=scheduled.pk)
    scheduled.refresh_from_db()
    assert scheduled.status == ReportStatus.RUNNING
    assert 0 < scheduled.progress < 100
    monkeypatch.setattr(pdf, "render_pdf", real_render)
    with time_machine.travel(start + dt.timedelta(seconds=899), tick=False):
        assert reports_due_for_production() == []  # the claim is still live
        assert services.report_produce(report_id=scheduled.pk) is None
    with time_machine.travel(start + dt.timedelta(seconds=901), tick=False):
        assert reports_sweep() == [scheduled.pk]
        assert services.report_produce(report_id=scheduled.pk).status == ReportStatus.DONE
    assert Report.objects.for_office(scheduled.office).count() == 1
    assert Notification.objects.for_office(scheduled.office).count() == 2
    scheduled.refresh_from_db()
    assert scheduled.attempts == 2


def test_a_report_that_keeps_failing_is_marked_failed(scheduled, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    from reports import pdf

    def broken(html):
        raise ValueError("no fonts")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        report = services.report_produce(report_id=scheduled.pk)
        expected = ReportStatus.FAILED if attempt == services.MAX_ATTEMPTS else ReportStatus.QUEUED
        assert (report.status, report.attempts) == (expected, attempt)
    assert report.error == "ValueError: no fonts"
    assert services.report_produce(report_id=scheduled.pk) is None
    assert reports_due_for_production() == []
    assert not Notification.objects.for_office(scheduled.office).exists()
