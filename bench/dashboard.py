"""The managers' dashboard and the weekly report at scale (``python -m bench dashboard``).

Dashboard: server time of ``GET /dashboard`` by the office manager, in-process as in ``run.py``,
for the default twelve weeks, the last twelve months, and twelve months of one tag. "Cold" clears
the figure cache before every request, which is what the first manager of the day or a new
period costs; "warm" is the same page again within ``REPORTS_CACHE_SECONDS``. The target
(≤ 300 ms p95) is for the cold page.

Weekly report: wall clock of ``reports.services.report_produce`` for last week's report, end to
end as a worker runs it (claim, every figure from the database without the cache, the HTML,
the PDF by WeasyPrint, storing it, the notifications), for ``--report-runs`` different weeks.
Target ≤ 5 s each.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.generate import MANAGER_EMAIL, OFFICE_SLUG
from bench.run import Measurement, _environment, peak_rss_mb, percentile, verified_client
from casework.models import Case, Tag
from reports import figures, services
from reports.models import Report, ReportKind, ReportStatus
from reports.periods import Period, week_start
from security.models import Notification, Office, User

DASHBOARD_TARGET_MS = 300.0
REPORT_TARGET_S = 5.0
TAG_NAME = "Universal Credit"


@dataclass(frozen=True)
class DashboardBenchmark:
    name: str
    path: str
    cold: bool

    @property
    def target_ms(self) -> float | None:
        return DASHBOARD_TARGET_MS if self.cold else None


@dataclass
class ReportRun:
    period: Period
    seconds: float
    queries: int
    pdf_bytes: int
    status: str


@dataclass
class DashboardReport:
    measurements: list[Measurement]
    report_runs: list[ReportRun]
    iterations: int
    warmup: int
    peak_rss_mb: float
    environment: dict[str, str]
    cases: int
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(m.ok for m in self.measurements) and all(r.status == ReportStatus.DONE for r in self.report_runs)


def dashboard_benchmarks(office: Office) -> list[DashboardBenchmark]:
    tag = Tag.objects.for_office(office).filter(name=TAG_NAME).first() or Tag.objects.for_office(office).first()
    paths = [
        ("12 weeks", "/dashboard"),
        ("12 months", "/dashboard?preset=12m"),
        (f"12 months, tag {tag.name}", f"/dashboard?{urlencode({'preset': '12m', 'tag': tag.pk})}"),
    ]
    return [
        DashboardBenchmark(f"dashboard: {name}, {'cold' if cold else 'warm'}", path, cold)
        for name, path in paths
        for cold in (True, False)
    ]


def _get(client: Client, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = client.get(path)
    return response.status_code, (time.perf_counter() - started) * 1000


def _measure_dashboard(
    client: Client, found: list[DashboardBenchmark], *, iterations: int, warmup: int
) -> list[Measurement]:
    measurements = [Measurement(b) for b in found]  # type: ignore[arg-type]
    for benchmark, measurement in zip(found, measurements, strict=True):
        for _ in range(warmup):
            _get(client, benchmark.path)
        if benchmark.cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            status, _ = _get(client, benchmark.path)
        measurement.statuses.append(status)
        measurement.queries = len(captured.captured_queries)
        if captured.captured_queries:
            slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
            measurement.slowest_sql, measurement.slowest_sql_ms = slowest["sql"], float(slowest["time"]) * 1000
    for _ in range(iterations):
        for benchmark, measurement in zip(found, measurements, strict=True):
            if benchmark.cold:
                cache.clear()  # the bench's own Redis database
            else:
                _get(client, benchmark.path)  # make sure it is warm, untimed
            status, elapsed = _get(client, benchmark.path)
            measurement.statuses.append(status)
            measurement.timings_ms.append(elapsed)
    return measurements


def _produce_weekly(office: Office, period: Period) -> ReportRun:
    """Last week's report, made from scratch and timed as a worker makes it, then removed again."""
    Report.objects.for_office(office).filter(kind=ReportKind.WEEKLY, period_start=period.start).delete()
    report = Report.objects.for_office(office).create(
        office=office, kind=ReportKind.WEEKLY, period_start=period.start, period_end=period.end
    )
    since = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        done = services.report_produce(report_id=report.pk)
        seconds = time.perf_counter() - started
    size = done.pdf.size if done and done.pdf else 0
    run = ReportRun(period, seconds, len(captured.captured_queries), size, done.status if done else "not claimed")
    if done and done.pdf:
        default_storage.delete(done.pdf.name)
    Notification.objects.for_office(office).filter(kind="reports.report_ready", created_at__gte=since).delete()
    report.delete()
    return run


def run_dashboard_benchmarks(
    *, iterations: int = 30, warmup: int = 3, report_runs: int = 3, office_slug: str = OFFICE_SLUG
) -> DashboardReport:
    office = Office.objects.get(slug=office_slug)
    client = verified_client(User.objects.get(email=MANAGER_EMAIL, memberships__office=office))
    measurements = _measure_dashboard(client, dashboard_benchmarks(office), iterations=iterations, warmup=warmup)
    options = figures.report_settings(office)
    today = timezone.localdate(timezone.now(), ZoneInfo(options.time_zone))
    monday = week_start(today)
    runs = []
    for n in range(1, report_runs + 1):
        start = monday - dt.timedelta(weeks=n)
        runs.append(_produce_weekly(office, Period(start, start + dt.timedelta(days=6))))
    return DashboardReport(
        measurements,
        runs,
        iterations,
        warmup,
        round(peak_rss_mb(), 1),
        _environment(),
        cases=Case.objects.for_office(office).count(),
    )


# --- Reporting ---------------------------------------------------------------------------------


def table(report: DashboardReport) -> str:
    lines = [
        "| benchmark | status | queries | min ms | median ms | p95 ms | p95 target ms | slowest query ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for m in report.measurements:
        target = m.benchmark.target_ms
        verdict = "—" if target is None else f"{'met' if m.met else 'MISSED'} (≤ {target:.0f})"
        statuses = ",".join(str(s) for s in sorted(set(m.statuses)))
        lines.append(
            f"| {m.benchmark.name} | {statuses} | {m.queries} | {m.min_ms:.1f} | {m.median_ms:.1f} | "
            f"{m.p95_ms:.1f} | {verdict} | {m.slowest_sql_ms:.1f} |"
        )
    lines += [
        "",
        "| weekly report | status | seconds | target | queries | PDF KB |",
        "| --- | --- | ---: | --- | ---: | ---: |",
    ]
    for run in report.report_runs:
        verdict = f"{'met' if run.seconds <= REPORT_TARGET_S else 'MISSED'} (≤ {REPORT_TARGET_S:.0f} s)"
        lines.append(
            f"| {run.period.label()} | {run.status} | {run.seconds:.2f} | {verdict} | {run.queries} | "
            f"{run.pdf_bytes / 1024:.0f} |"
        )
    return "\n".join(lines)


def markdown(report: DashboardReport, scale: float | None) -> str:
    env = report.environment
    seconds = [r.seconds for r in report.report_runs]
    summary = (
        f"Weekly report: median {percentile(seconds, 50):.2f} s, slowest {max(seconds):.2f} s."
        if seconds
        else "No weekly report produced."
    )
    return "\n".join(
        [
            f"# Dashboard and weekly report, office-10y at scale {scale if scale is not None else '?'}",
            "",
            f"{env['date']} · {env['database']} · Python {env['python']} · Django {env['django']} · "
            f"{env['machine']} · {env['load']} at the end of the run",
            "",
            f"The office has {report.cases:,} cases. Dashboard: server time in-process as the office manager, "
            f"{report.warmup} warm-up then {report.iterations} timed requests each; cold = figure cache cleared "
            f"before each request. {summary} Peak RSS: **{report.peak_rss_mb:.0f} MB**.",
            "",
            table(report),
            *(f"\n{note}" for note in report.notes),
            "",
        ]
    )


def as_dict(report: DashboardReport, scale: float | None) -> dict[str, Any]:
    return {
        "scale": scale,
        "cases": report.cases,
        "environment": report.environment,
        "dashboard": [
            {
                "name": m.benchmark.name,
                "path": m.benchmark.path,
                "queries": m.queries,
                "min_ms": round(m.min_ms, 2),
                "median_ms": round(m.median_ms, 2),
                "p95_ms": round(m.p95_ms, 2),
                "target_ms": m.benchmark.target_ms,
                "met": m.met,
            }
            for m in report.measurements
        ],
        "weekly_reports": [
            {"period": r.period.label(), "seconds": round(r.seconds, 3), "queries": r.queries, "status": r.status}
            for r in report.report_runs
        ],
    }
