"""The reports list, asking for a report, its progress, its PDF, and the office's report settings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from reports import services, tasks
from reports.models import Report, ReportKind, ReportSettings, ReportStatus
from security.middleware import SESSION_LAST_ACTIVE_AT
from security.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _reports(office, count):
    made = []
    for n in range(count):
        start = dt.date(2025, 1, 6) + dt.timedelta(weeks=n)
        report = Report.objects.create(
            office=office,
            kind=ReportKind.WEEKLY,
            period_start=start,
            period_end=start + dt.timedelta(days=6),
            status=ReportStatus.DONE,
            progress=100,
            html="<p>Figures</p>",
            finished_at=dt.datetime(2025, 1, 13, 7, tzinfo=dt.UTC),
        )
        report.pdf.save("r.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
        made.append(report)
    return made


def test_the_list_shows_reports_newest_first_in_a_fixed_number_of_queries(
    manager_client, office, django_assert_max_num_queries
):
    _reports(office, 30)
    with django_assert_max_num_queries(12):
        page = manager_client.get("/reports").content.decode()
    assert page.index("28 Jul 2025") < page.index("21 Jul 2025")  # the 30th week before the 29th
    assert page.count("/pdf") == 25
    assert "Page 1 of 2" in page


def test_asking_for_a_report_runs_it_as_a_task_and_shows_its_progress(
    manager_client, office, manager, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks.produce, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post("/reports", {"start": "2026-01-05", "end": "2026-01-18"})
    report = Report.objects.for_office(office).get()
    assert response["Location"] == f"/reports/{report.pk}"
    assert queued == [report.pk]
    assert (report.kind, report.requested_by, report.status) == (ReportKind.CUSTOM, manager, ReportStatus.QUEUED)
    assert AuditEvent.objects.filter(office=office, verb="reports.report.requested", object_id=str(report.pk)).exists()

    page = manager_client.get(f"/reports/{report.pk}").content.decode()
    assert f'hx-get="/reports/{report.pk}/progress"' in page
    assert """hx-headers='{"X-Background-Poll": "1"}'""" in page
    assert "Waiting to start" in page

    progress = manager_client.get(f"/reports/{report.pk}/progress", headers={"X-Background-Poll": "1"})
    assert progress.status_code == 200
    assert 'max="100" value="0"' in progress.content.decode()

    services.report_produce(report_id=report.pk)
    done = manager_client.get(f"/reports/{report.pk}/progress", headers={"X-Background-Poll": "1"})
    assert done.status_code == 286  # htmx stops polling
    assert "The report is ready." in done.content.decode()
    page = manager_client.get(f"/reports/{report.pk}").content.decode()
    assert '/progress"' not in page
    assert "Cases opened and closed per week" in page
    pdf = manager_client.get(f"/reports/{report.pk}/pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{report.pdf_filename}"'
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_the_progress_poll_does_not_keep_the_session_alive(manager_client, office):
    (report,) = _reports(office, 1)
    session = manager_client.session
    session[SESSION_LAST_ACTIVE_AT] = session[SESSION_LAST_ACTIVE_AT] - 120
    session.save()
    before = manager_client.session[SESSION_LAST_ACTIVE_AT]
    manager_client.get(f"/reports/{report.pk}/progress", headers={"X-Background-Poll": "1", "HX-Request": "true"})
    assert manager_client.session[SESSION_LAST_ACTIVE_AT] == before
    manager_client.get(f"/reports/{report.pk}")
    assert manager_client.session[SESSION_LAST_ACTIVE_AT] > before


def test_asking_twice_for_the_same_period_gives_the_same_report(manager_client, office, monkeypatch):
    monkeypatch.setattr(tasks.produce, "delay", lambda report_id: None)
    first = manager_client.post("/reports", {"start": "2026-01-05", "end": "2026-01-18"})
    second = manager_client.post("/reports", {"start": "2026-01-05", "end": "2026-01-18"}, follow=True)
    assert Report.objects.for_office(office).count() == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert "A report for this period already exists." in second.content.decode()


def test_a_failed_report_can_be_asked_for_again(
    manager_client, office, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.produce, "delay", queued.append)
    report = Report.objects.create(
        office=office,
        kind=ReportKind.CUSTOM,
        period_start=dt.date(2026, 1, 5),
        period_end=dt.date(2026, 1, 18),
        status=ReportStatus.FAILED,
        attempts=3,
        error="ValueError: no fonts",
    )
    page = manager_client.get(f"/reports/{report.pk}").content.decode()
    assert "The report could not be produced (ValueError: no fonts)." in page
    assert "Try again" in page
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post("/reports", {"start": "2026-01-05", "end": "2026-01-18"})
    report.refresh_from_db()
    assert (report.status, report.attempts, report.error) == (ReportStatus.QUEUED, 0, "")
    assert queued == [report.pk]


def test_bad_periods_are_refused(manager_client, office):
    page = manager_client.post("/reports", {"start": "2026-01-18", "end": "2026-01-05"}).content.decode()
    assert "The end date (5 January 2026) is before the start date (18 January 2026)" in page
    page = manager_client.post("/reports", {"start": "", "end": ""}).content.decode()
    assert page.count("This field is required.") == 2
    page = manager_client.post("/reports", {"start": "2016-01-01", "end": "2026-11-01"}).content.decode()
    assert "Choose a period of ten years or less." in page
    assert not Report.objects.for_office(office).exists()


def test_the_mp_may_ask_for_a_report_but_not_change_the_settings(mp_client, office, monkeypatch):
    monkeypatch.setattr(tasks.produce, "delay", lambda report_id: None)
    assert mp_client.post("/reports", {"start": "2026-01-05", "end": "2026-01-11"}).status_code == 302
    assert mp_client.get("/reports/settings").status_code == 403
    assert mp_client.post("/reports/settings", {"suppress_below": 2}).status_code == 403


@pytest.mark.parametrize("who", ["caseworker_client", "volunteer_client"])
def test_caseworkers_and_volunteers_cannot_see_reports(request, who, office):
    (report,) = _reports(office, 1)
    client = request.getfixturevalue(who)
    for url in (f"/reports/{report.pk}", f"/reports/{report.pk}/progress", f"/reports/{report.pk}/pdf"):
        assert client.get(url).status_code == 403, url
    assert client.post("/reports", {"start": "2026-01-05", "end": "2026-01-11"}).status_code == 403


def test_a_manager_changes_the_report_settings(manager_client, office, manager):
    page = manager_client.get("/reports/settings").content.decode()
    assert 'value="5"' in page
    response = manager_client.post(
        "/reports/settings",
        {"suppress_below": 10, "weekly": "on", "attach_pdf": "on", "time_zone": "Europe/London"},
    )
    assert response.status_code == 302
    options = ReportSettings.objects.for_office(office).get()
    assert (options.suppress_below, options.weekly, options.monthly, options.attach_pdf) == (10, True, False, True)
    event = AuditEvent.objects.get(office=office, verb="reports.settings.changed")
    assert event.fields == ["attach_pdf", "monthly", "suppress_below"]


def test_settings_are_validated(manager_client, office):
    page = manager_client.post(
        "/reports/settings", {"suppress_below": 1, "time_zone": "Mars/Olympus_Mons"}
    ).content.decode()
    assert "Ensure this value is greater than or equal to 2." in page
    assert "Select a valid choice. Mars/Olympus_Mons is not one of the available choices." in page
