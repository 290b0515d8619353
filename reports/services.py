"""Writes of the reports app: settings, ward boundaries, and producing and delivering reports.

Reports are produced the way the rest of the system does background work: the database is the
queue. A sweep (Celery beat) creates the row of each report that has fallen due, under a unique
constraint, so two sweeps create one; a worker claims it with a conditional UPDATE and produces
it outside any transaction, reporting progress as it goes; the finishing UPDATE, the
notifications and the email deliveries commit together, and only if the claim is still the
worker's. A worker that dies leaves a claim whose lease expires; the next sweep hands the
report to another. Emails with the PDF attached leave from their own sweep, never from the
producing transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from constituents.models import Ward
from mpoffice.lib import emails
from reports import boundaries, figures, pdf
from reports.models import Report, ReportDelivery, ReportKind, ReportSettings, ReportStatus, WardBoundary
from reports.periods import MAX_DAYS, Period, last_monthly_due, last_weekly_due
from security.audit import audit_record
from security.errors import DomainError
from security.models import Membership, Office, User
from security.roles import ROLE_PERMISSIONS, Perm
from security.services import notification_create

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
DELIVERY_BATCH = 50
DELIVERY_MAX_ATTEMPTS = 5
READERS = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.VIEW_DASHBOARD in perms]


# --- Settings ----------------------------------------------------------------------------------------
SETTING_FIELDS = ("suppress_below", "weekly", "monthly", "attach_pdf", "time_zone")


@transaction.atomic
def report_settings_update(*, office: Office, actor: User, **values: object) -> ReportSettings:
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise DomainError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    options = figures.report_settings(office)
    changed = [name for name, value in values.items() if getattr(options, name) != value]
    for name in changed:
        setattr(options, name, values[name])
    if changed:
        options.save(update_fields=changed)
        audit_record(verb="reports.settings.changed", office=office, actor=actor, obj=options, fields=changed)
    return options


# --- Ward boundaries -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BoundaryImport:
    imported: int
    matched: int
    unknown_codes: list[str]
    wards_without_boundary: list[str]


@transaction.atomic
def ward_boundaries_import(
    *,
    office: Office,
    raw: bytes,
    code_property: str | None = None,
    name_property: str | None = None,
    actor: User | None = None,
) -> BoundaryImport:
    """Replace the office's ward map with the boundaries in ``raw`` (GeoJSON). The file is
    checked in full first: a malformed one raises ``BoundaryError`` and changes nothing."""
    outlines = boundaries.project(boundaries.parse(raw, code_property=code_property, name_property=name_property))
    known = set(Ward.objects.for_office(office).values_list("code", flat=True))
    WardBoundary.objects.for_office(office).delete()
    now = timezone.now()
    WardBoundary.objects.for_office(office).bulk_create(
        WardBoundary(
            office=office,
            code=o.code,
            name=o.name,
            path=o.path,
            min_x=o.box[0],
            min_y=o.box[1],
            max_x=o.box[2],
            max_y=o.box[3],
            imported_at=now,
        )
        for o in outlines
    )
    codes = {o.code for o in outlines}
    audit_record(
        verb="reports.ward_boundaries.imported", office=office, actor=actor, object_type="reports.wardboundary"
    )
    return BoundaryImport(
        imported=len(outlines),
        matched=len(codes & known),
        unknown_codes=sorted(codes - known),
        wards_without_boundary=sorted(known - codes),
    )


# --- Asking for a report ------------------------------------------------------------------------------------
def check_period(period: Period, *, today: dt.date) -> None:
    if period.start > today:
        raise DomainError("The period starts in the future: choose dates up to today.")
    if period.days > MAX_DAYS:
        raise DomainError("Choose a period of ten years or less.")


@transaction.atomic
def report_request(*, office: Office, actor: User, start: dt.date, end: dt.date) -> tuple[Report, bool]:
    """A report for any period, produced in the background. Asking again for the same period
    gives the same report (a failed one is tried again). Returns the report and whether it is
    new work."""
    if end < start:
        raise DomainError("The end date is before the start date.")
    period = Period(start, end)
    options = figures.report_settings(office)
    check_period(period, today=timezone.localdate(timezone.now(), ZoneInfo(options.time_zone)))
    report, created = Report.unscoped.get_or_create(
        office=office,
        kind=ReportKind.CUSTOM,
        period_start=start,
        period_end=end,
        defaults={"requested_by": actor},
    )
    retried = False
    if not created and report.status == ReportStatus.FAILED:
        retried = bool(
            Report.objects.for_office(office)
            .filter(pk=report.pk, status=ReportStatus.FAILED)
            .update(status=ReportStatus.QUEUED, attempts=0, error="", progress=0, requested_by=actor)
        )
        report.refresh_from_db()
    if created or retried:
        audit_record(verb="reports.report.requested", office=office, actor=actor, obj=report)
        transaction.on_commit(lambda: enqueue(report.pk))
    return report, created or retried


def enqueue(report_id: int) -> None:
    from reports import tasks  # tasks import this module

    try:
        tasks.produce.delay(report_id)
    except Exception:  # noqa: BLE001 - the broker is down: the sweep hands the report to a worker later
        logger.warning("Could not enqueue report %s; the sweep will.", report_id)


# --- The schedule ---------------------------------------------------------------------------------------------
def reports_schedule_due(*, now: dt.datetime | None = None) -> list[Report]:
    """Create the row of every weekly and monthly report that has fallen due and does not exist.

    Due is decided in each office's own time zone (a weekly report from Monday 07:00 local, a
    monthly one from the 1st), for the most recent period only, and never for a period that
    ended before the office existed. The unique constraint makes concurrent sweeps create one row.
    """
    now = now or timezone.now()
    offices = list(Office.objects.filter(is_active=True))
    options = {o.office_id: o for o in ReportSettings.unscoped.filter(office__in=offices)}
    wanted: list[tuple[Office, str, Period]] = []
    for office in offices:
        chosen = options.get(office.pk) or ReportSettings(office=office)
        tz = ZoneInfo(chosen.time_zone)
        local_now, since = timezone.localtime(now, tz), timezone.localtime(office.created_at, tz).date()
        for enabled, kind, due in (
            (chosen.weekly, ReportKind.WEEKLY, last_weekly_due),
            (chosen.monthly, ReportKind.MONTHLY, last_monthly_due),
        ):
            period = due(local_now)
            if enabled and period.end >= since:
                wanted.append((office, kind, period))
    existing = set(
        Report.unscoped.filter(
            kind__in=[ReportKind.WEEKLY, ReportKind.MONTHLY], period_start__in={p.start for _, _, p in wanted}
        ).values_list("office_id", "kind", "period_start", "period_end")
    )
    created = []
    for office, kind, period in wanted:
        if (office.pk, kind, period.start, period.end) in existing:
            continue
        with transaction.atomic():
            report, is_new = Report.unscoped.get_or_create(
                office=office, kind=kind, period_start=period.start, period_end=period.end
            )
            if is_new:
                audit_record(verb="reports.report.scheduled", office=office, obj=report)
                created.append(report)
    return created


def _lease_expired(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.REPORTS_PRODUCE_LEASE_SECONDS)


def _claimable(now: dt.datetime) -> Q:
    return Q(attempts__lt=MAX_ATTEMPTS) & (
        Q(status=ReportStatus.QUEUED) | Q(status=ReportStatus.RUNNING, claimed_at__lt=_lease_expired(now))
    )


def reports_due_for_production(*, now: dt.datetime | None = None) -> list[int]:
    """Reports a worker should take up: waiting longer than the lease (their task was lost, or the
    broker was down when they were asked for), or claimed by a worker that died. A report
    interrupted ``MAX_ATTEMPTS`` times is marked failed rather than tried for ever."""
    now = now or timezone.now()
    expired = _lease_expired(now)
    Report.unscoped.filter(status=ReportStatus.RUNNING, claimed_at__lt=expired, attempts__gte=MAX_ATTEMPTS).update(
        status=ReportStatus.FAILED, error="Production was interrupted too often.", claimed_at=None
    )
    stale = Q(status=ReportStatus.QUEUED, created_at__lt=expired) | Q(
        status=ReportStatus.RUNNING, claimed_at__lt=expired
    )
    return list(
        Report.unscoped.filter(stale, attempts__lt=MAX_ATTEMPTS).order_by("id").values_list("pk", flat=True)[:100]
    )


def reports_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Beat's sweep: create the reports that have fallen due, and list those a worker should
    produce — the new ones, and any whose task or worker was lost."""
    created = [report.pk for report in reports_schedule_due(now=now)]
    return sorted({*created, *reports_due_for_production(now=now)})


# --- Producing a report ----------------------------------------------------------------------------------------
def report_produce(*, report_id: int) -> Report | None:
    """Claim the report and produce it (figures, HTML, PDF). ``None`` if it was not claimable:
    done already, or another worker holds a live claim. Runs outside a transaction: progress
    is visible while it works, and the finish commits in one transaction of its own."""
    claim = timezone.now()
    claimed = Report.unscoped.filter(_claimable(claim), pk=report_id).update(
        status=ReportStatus.RUNNING,
        claimed_at=claim,
        started_at=claim,
        attempts=F("attempts") + 1,
        progress=0,
        error="",
    )
    if not claimed:
        return None
    report = Report.unscoped.select_related("office").get(pk=report_id)
    try:
        body, document = _render(report, claim)
        _progress(report, claim, 90)
        rendered = pdf.render_pdf(document)
        _finish(report, claim, body, rendered)
    except Exception as error:  # any failure is recorded on the report and retried
        logger.exception("Producing report %s failed.", report_id)
        _give_back(report, claim, error)
    report.refresh_from_db()
    return report


def _progress(report: Report, claim: dt.datetime, percent: int) -> None:
    Report.unscoped.filter(pk=report.pk, claimed_at=claim).update(progress=percent)


def _render(report: Report, claim: dt.datetime) -> tuple[str, str]:
    """The report's body (kept as its HTML, shown in the app) and the whole PDF document."""
    office = report.office
    scope = figures.scope_for(office, Period(report.period_start, report.period_end))
    built = []
    for number, key in enumerate(figures.PANEL_KEYS, start=1):
        built += figures.build(scope, keys=(key,), use_cache=False)
        _progress(report, claim, round(80 * number / len(figures.PANEL_KEYS)))
    context = {
        "report": report,
        "office": office,
        "period": scope.period,
        "figures": built,
        "stats": [stat for figure in built for stat in figure.stats],
        "produced_at": timezone.localtime(timezone.now(), scope.tz),
        "title": report_title(report),
        "suppress_below": scope.suppress_below,
    }
    body = render_to_string("reports/_report_body.html", context)
    document = render_to_string(
        "reports/report_document.html", {**context, "body": body, "stylesheet": pdf.static_url("css/report-print.css")}
    )
    return body, document


def report_title(report: Report) -> str:
    return report.title


def _pdf_name(report: Report) -> str:
    return f"offices/{report.office_id}/reports/{report.pk}-{report.pdf_filename}"


def _finish(report: Report, claim: dt.datetime, body: str, rendered: bytes) -> None:
    name = _pdf_name(report)
    if default_storage.exists(name):  # left by an attempt that died after writing it
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(rendered))
    with transaction.atomic():
        finished = Report.unscoped.filter(pk=report.pk, status=ReportStatus.RUNNING, claimed_at=claim).update(
            status=ReportStatus.DONE,
            progress=100,
            html=body,
            pdf=stored,
            finished_at=timezone.now(),
            claimed_at=None,
        )
        if not finished:
            # Our lease ran out and another worker took over: its result stands, not ours.
            transaction.on_commit(lambda: default_storage.delete(stored) if stored != name else None)
            return
        report.refresh_from_db()
        _announce(report)
        audit_record(verb="reports.report.produced", office=report.office, obj=report)


def _give_back(report: Report, claim: dt.datetime, error: Exception) -> None:
    reason = f"{type(error).__name__}: {error}"[:300]
    mine = Report.unscoped.filter(pk=report.pk, status=ReportStatus.RUNNING, claimed_at=claim)
    mine.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=ReportStatus.FAILED, error=reason, claimed_at=None, finished_at=timezone.now()
    )
    mine.update(status=ReportStatus.QUEUED, error=reason, claimed_at=None)


def readers(office: Office) -> list[User]:
    """Active staff whose role reads the dashboard and reports: the managers and the MP."""
    return [
        m.user
        for m in Membership.objects.filter(office=office, is_active=True, role__in=READERS, user__is_active=True)
        .select_related("user")
        .order_by("user__email")
    ]


def _announce(report: Report) -> None:
    """Who hears that the report is ready: whoever asked for it, or else every reader. By
    default a notification whose email carries a link; with "attach PDF", a delivery row the
    delivery sweep emails with the PDF (and an in-app notification without an email)."""
    office = report.office
    everyone = readers(office)
    recipients = [u for u in everyone if u.pk == report.requested_by_id] if report.requested_by_id else everyone
    attach = figures.report_settings(office).attach_pdf
    title = f"{report_title(report)} is ready"
    link = f"/reports/{report.pk}"
    for user in recipients:
        notification_create(
            office=office, recipient=user, kind="reports.report_ready", title=title, link=link, email=not attach
        )
        if attach:
            ReportDelivery.objects.for_office(office).get_or_create(office=office, report=report, recipient=user)


# --- Emails with the PDF attached ------------------------------------------------------------------------------------
def _claimable_deliveries(now: dt.datetime) -> Q:
    lease_expired = now - dt.timedelta(seconds=settings.NOTIFICATION_EMAIL_LEASE_SECONDS)
    return Q(emailed_at__isnull=True, email_attempts__lt=DELIVERY_MAX_ATTEMPTS) & (
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=lease_expired)
    )


def report_deliveries_email_due() -> int:
    """Email every report delivery not yet sent, with the PDF. Safe to run concurrently and again.

    As ``security.services.notifications_email_due``: a conditional UPDATE claims each row, the
    send happens outside any transaction, and a worker that dies between claim and mark leaves a
    lease that expires, so the email goes at most once more per crash and is never lost. A
    recipient who no longer reads reports in the office (left, deactivated, role changed) is
    skipped: the PDF goes only to current readers.
    """
    now = timezone.now()
    due = list(
        ReportDelivery.unscoped.filter(_claimable_deliveries(now))
        .order_by("id")
        .values_list("pk", flat=True)[:DELIVERY_BATCH]
    )
    sent = 0
    for pk in due:
        claimed = ReportDelivery.unscoped.filter(_claimable_deliveries(now), pk=pk).update(
            email_claimed_at=now, email_attempts=F("email_attempts") + 1
        )
        if not claimed:
            continue
        delivery = ReportDelivery.unscoped.select_related("report", "recipient", "office").get(pk=pk)
        if _still_reads(delivery):
            try:
                _send_delivery(delivery)
            except OSError:  # smtplib's errors and a missing file included: a later sweep retries
                ReportDelivery.unscoped.filter(pk=pk).update(email_claimed_at=None)
                continue
            sent += 1
        ReportDelivery.unscoped.filter(pk=pk).update(emailed_at=timezone.now())
    return sent


def _still_reads(delivery: ReportDelivery) -> bool:
    return (
        delivery.recipient.is_active
        and Membership.objects.filter(
            office=delivery.office, user=delivery.recipient, is_active=True, role__in=READERS
        ).exists()
    )


def _send_delivery(delivery: ReportDelivery) -> None:
    report = delivery.report
    with report.pdf.open("rb") as handle:
        content = handle.read()
    emails.send_report(
        to=delivery.recipient.email,
        office_name=delivery.office.name,
        title=report_title(report),
        link=f"/reports/{report.pk}",
        filename=report.pdf_filename,
        pdf=content,
    )
