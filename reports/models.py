"""Trend reports, their deliveries by email, the office's report settings and its ward map."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from reports.periods import Period
from security.scoping import OfficeOwned

DEFAULT_SUPPRESS_BELOW = 5


class ReportSettings(OfficeOwned):
    """How the office's figures are published: small-count suppression, schedule and email."""

    suppress_below = models.PositiveSmallIntegerField(
        "Hide ward counts below",
        default=DEFAULT_SUPPRESS_BELOW,
        validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text="A ward with fewer cases than this (but some) shows “fewer than N”, so nobody can be picked out.",
    )
    weekly = models.BooleanField("Produce a weekly report every Monday morning", default=True)
    monthly = models.BooleanField("Produce a monthly report on the 1st", default=True)
    attach_pdf = models.BooleanField(
        "Attach the PDF to the email",
        default=False,
        help_text="Otherwise the email carries a link; the report itself stays behind the sign-in.",
    )
    # UK offices all keep London time; the field lets the schedule follow the office, not the server.
    time_zone = models.CharField(max_length=64, default="Europe/London")

    class Meta:
        verbose_name_plural = "report settings"
        constraints = [models.UniqueConstraint(fields=["office"], name="reports_settings_one_per_office")]

    def __str__(self) -> str:
        return f"Report settings of office {self.office_id}"


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    CUSTOM = "custom", "Chosen period"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being produced"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


def report_pdf_path(instance: Report, filename: str) -> str:
    # The office is in the path, so no storage listing or URL mixes offices.
    return f"offices/{instance.office_id}/reports/{filename}"


class Report(OfficeOwned):
    """One report of one office for one period: produced once, however often it is asked for.

    The row is the claim: the sweep (or a person) creates it under the unique constraint, a
    worker claims it with a conditional UPDATE (``status``/``claimed_at``), and a worker that
    dies leaves a claim whose lease expires, so a later sweep produces it again.
    """

    kind = models.CharField(max_length=10, choices=ReportKind.choices)
    period_start = models.DateField()
    period_end = models.DateField(help_text="Inclusive")
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    html = models.TextField(blank=True)
    pdf = models.FileField(upload_to=report_pdf_path, max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-period_end", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "kind", "period_start", "period_end"], name="reports_report_one_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="reports_report_period_order"
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="reports_report_progress_percent"),
        ]
        indexes = [
            # The report list: WHERE office_id = %s ORDER BY period_end DESC, created_at DESC.
            models.Index(fields=["office", "-period_end", "-created_at"], name="reports_report_office_list"),
            # The production sweep: WHERE status IN ('queued', 'running') ORDER BY id.
            models.Index(
                fields=["id"],
                condition=models.Q(status__in=["queued", "running"]),
                name="reports_report_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """E.g. 'Weekly report, 16-22 November 2026' (with an en dash)."""
        period = Period(self.period_start, self.period_end).label()
        if self.kind == ReportKind.CUSTOM:
            return f"Report for {period}"
        return f"{self.get_kind_display()} report, {period}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def pdf_filename(self) -> str:
        return f"{self.kind}-report-{self.period_start:%Y-%m-%d}-to-{self.period_end:%Y-%m-%d}.pdf"


class ReportDelivery(OfficeOwned):
    """A report emailed with its PDF to one member of staff, sent by a sweep (never in the
    producing transaction) and claimed row by row, as staff notifications are."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name_plural = "report deliveries"
        constraints = [
            models.UniqueConstraint(fields=["report", "recipient"], name="reports_delivery_once_per_recipient")
        ]
        indexes = [
            # The email sweep: WHERE emailed_at IS NULL ORDER BY id.
            models.Index(fields=["id"], condition=models.Q(emailed_at__isnull=True), name="reports_delivery_unsent")
        ]

    def __str__(self) -> str:
        return f"Report {self.report_id} to user {self.recipient_id}"


class WardBoundary(OfficeOwned):
    """One ward's outline for the dashboard map, projected once at import into the office's
    map frame (``manage.py import_ward_boundaries``). The bounding box lets the page size the
    map with one aggregate query."""

    code = models.CharField(max_length=12)
    name = models.CharField(max_length=120)
    path = models.TextField(help_text="SVG path data in the office's map frame")
    min_x = models.FloatField()
    min_y = models.FloatField()
    max_x = models.FloatField()
    max_y = models.FloatField()
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "ward boundaries"
        constraints = [models.UniqueConstraint(fields=["office", "code"], name="reports_boundary_unique_code")]

    def __str__(self) -> str:
        return self.name
