"""A report's HTML and PDF, the PDF's fetcher, and how the report reaches the managers and the MP."""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import subprocess
import threading

import pytest
from django.core import mail

from reports import pdf, services
from reports.models import Report, ReportDelivery, ReportKind, ReportStatus
from security.models import Membership, Notification
from security.services import notifications_email_due
from tests.reports.conftest import PERIOD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _produce(world, **kwargs):
    report = Report.objects.for_office(world.office).create(
        office=world.office, kind=ReportKind.WEEKLY, period_start=PERIOD.start, period_end=PERIOD.end, **kwargs
    )
    return services.report_produce(report_id=report.pk)


def _pdf_text(report) -> str:
    with report.pdf.open("rb") as handle:
        result = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=handle.read(), capture_output=True, check=True
        )
    return result.stdout.decode()


def test_the_pdf_renders_and_holds_the_headline_figures(world, mp):
    report = _produce(world)
    assert report.status == ReportStatus.DONE
    assert report.pdf.name == f"offices/{world.office.pk}/reports/{report.pk}-{report.pdf_filename}"
    text = _pdf_text(report)
    assert "Weekly report, 2–15 March 2026" in text
    assert re.search(r"Cases opened\s+6\b", text)
    assert re.search(r"Cases closed\s+4\b", text)
    assert re.search(r"Open at the end of the period\s+4\b", text)
    assert re.search(r"Median time to first reply\s+1\.5 days", text)
    assert re.search(r"Reply target met\s+60%", text)
    assert "Universal Credit" in text
    # Small ward counts are suppressed in the PDF as everywhere else.
    assert re.search(r"Alpha\s+E05000001\s+<5", text)
    assert "Emerging issues" in text


def test_the_html_is_kept_for_the_app(world):
    report = _produce(world)
    assert "Cases by ward" in report.html
    assert "<svg" in report.html
    assert "&lt;5" in report.html


def test_the_fetcher_serves_static_files_and_refuses_everything_else():
    css = pdf.static_file_for(pdf.static_url("css/report-print.css"))
    assert css.name == "report-print.css"
    for url in (
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://report.invalid/media/offices/1/cases/x.pdf",
        "https://report.invalid/static/../../etc/passwd",
        "https://report.invalid/static/%2e%2e/%2e%2e/etc/passwd",
        "https://evil.example/static/css/report-print.css",
        "data:text/css,body{}",
    ):
        with pytest.raises(ValueError, match=r"Refused|No static file"):
            pdf.static_file_for(url)


def test_rendering_never_contacts_another_host():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    contacted = []

    def accept():
        with contextlib.suppress(OSError):  # nobody came before the timeout
            contacted.append(listener.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    document = (
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
        f'<p>Figures</p><img src="http://127.0.0.1:{port}/x.png"><img src="file:///etc/hostname">'
    )
    assert pdf.render_pdf(document).startswith(b"%PDF")
    thread.join()
    listener.close()
    assert contacted == []


def test_by_default_the_managers_and_the_mp_get_a_notification_whose_email_links_to_it(world, mp):
    report = _produce(world)
    notes = Notification.objects.for_office(world.office).order_by("recipient__email")
    assert sorted(n.recipient_id for n in notes) == sorted([world.manager.pk, mp.pk])
    assert {n.link for n in notes} == {f"/reports/{report.pk}"}
    assert not ReportDelivery.objects.for_office(world.office).exists()
    assert notifications_email_due() == 2
    assert {m.to[0] for m in mail.outbox} == {world.manager.email, mp.email}
    assert all(f"/reports/{report.pk}" in m.body and not m.attachments for m in mail.outbox)
    assert world.caseworker.email not in {m.to[0] for m in mail.outbox}


def test_an_office_can_have_the_pdf_attached_instead(world, mp):
    services.report_settings_update(office=world.office, actor=world.manager, attach_pdf=True)
    report = _produce(world)
    # In-app notifications still appear, but their email copies are not sent: the report's own email is.
    assert Notification.objects.for_office(world.office).count() == 2
    assert notifications_email_due() == 0
    assert services.report_deliveries_email_due() == 2
    assert services.report_deliveries_email_due() == 0
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.subject == "[Office A] Weekly report, 2–15 March 2026"
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == (report.pdf_filename, "application/pdf")
    assert content.startswith(b"%PDF")


def test_a_failed_send_with_the_pdf_is_retried(world, monkeypatch):
    from mpoffice.lib import emails

    services.report_settings_update(office=world.office, actor=world.manager, attach_pdf=True)
    _produce(world)
    real = emails.send_report

    def down(**kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(emails, "send_report", down)
    assert services.report_deliveries_email_due() == 0
    monkeypatch.setattr(emails, "send_report", real)
    assert services.report_deliveries_email_due() == 1
    assert ReportDelivery.objects.for_office(world.office).get().email_attempts == 2


def test_someone_who_no_longer_reads_reports_is_not_sent_the_pdf(world, mp):
    services.report_settings_update(office=world.office, actor=world.manager, attach_pdf=True)
    _produce(world)
    Membership.objects.filter(user=mp, office=world.office).update(role="caseworker")
    assert services.report_deliveries_email_due() == 1
    assert [m.to[0] for m in mail.outbox] == [world.manager.email]
    assert not ReportDelivery.objects.for_office(world.office).filter(emailed_at__isnull=True).exists()


def test_a_report_someone_asked_for_is_announced_to_them_alone(world, mp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        report, fresh = services.report_request(office=world.office, actor=mp, start=PERIOD.start, end=PERIOD.end)
    assert fresh
    services.report_produce(report_id=report.pk)
    assert list(Notification.objects.for_office(world.office).values_list("recipient_id", flat=True)) == [mp.pk]
