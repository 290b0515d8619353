"""The demo office: a dashboard with something to say, and next Monday's report arriving by itself."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from campaigns.demo import seed_demo as campaigns_demo
from casework import demo as casework_demo
from casework.services import office_initialise
from constituents.demo import seed_demo as constituents_demo
from correspondence.demo import seed_demo as correspondence_demo
from reports import demo, figures, services
from reports.models import Report, ReportKind, ReportStatus, WardBoundary
from reports.periods import DEFAULT_PRESET, preset, week_start
from security.roles import Role
from security.services import notifications_email_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_office(office, manager, caseworker, mp, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    office_initialise(office)
    people = {Role.MANAGER: manager, Role.CASEWORKER: caseworker, Role.MP: mp}
    constituents_demo(office, people)
    casework_demo.seed(office, people)
    correspondence_demo(office, people)
    campaigns_demo(office, people)
    demo.seed(office, people)
    return office


def test_the_demo_has_a_map_an_emerging_issue_and_last_weeks_report(demo_office):
    assert WardBoundary.objects.for_office(demo_office).count() == 4
    scope = figures.scope_for(demo_office, preset(DEFAULT_PRESET, timezone.localdate()))
    built = {f.key: f for f in figures.build(scope, use_cache=False)}
    assert not any(f.empty for f in built.values()), [k for k, f in built.items() if f.empty]
    assert ("Flooding", "Yes") in {(row[0], row[-1]) for row in built["emerging"].rows}
    (report,) = Report.objects.for_office(demo_office)
    assert (report.kind, report.status) == (ReportKind.WEEKLY, ReportStatus.DONE)
    # Seeding again adds nothing.
    demo.seed(demo_office, {})
    assert Report.objects.for_office(demo_office).count() == 1


def test_next_mondays_report_appears_by_itself_and_arrives_by_email(demo_office, manager, mp):
    notifications_email_due()
    mail.outbox.clear()
    next_monday = week_start(timezone.localdate()) + dt.timedelta(weeks=1)
    seven_am = dt.datetime.combine(next_monday, dt.time(7, 5), tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(seven_am, tick=False):
        due = services.reports_sweep()  # the monthly report too, when next Monday is the 1st or later in a new month
        for report_id in due:
            services.report_produce(report_id=report_id)
        assert notifications_email_due() == 2 * len(due)
    report = Report.objects.for_office(demo_office).get(
        kind=ReportKind.WEEKLY, period_end=next_monday - dt.timedelta(days=1)
    )
    assert report.status == ReportStatus.DONE
    weekly = [m for m in mail.outbox if f"/reports/{report.pk}" in m.body]
    assert sorted(m.to[0] for m in weekly) == sorted([manager.email, mp.email])
