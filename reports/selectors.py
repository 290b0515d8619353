"""Reads of the reports app."""

from __future__ import annotations

from django.db.models import QuerySet

from reports.models import Report, ReportStatus
from security.models import Office


def report_list(*, office: Office) -> QuerySet[Report]:
    """Newest period first; the HTML body is left in the database (it can be large)."""
    return Report.objects.for_office(office).defer("html").order_by("-period_end", "-created_at", "-id")


def latest_report(*, office: Office) -> Report | None:
    return (
        Report.objects.for_office(office)
        .filter(status=ReportStatus.DONE)
        .defer("html")
        .order_by("-period_end", "-finished_at")
        .first()
    )
