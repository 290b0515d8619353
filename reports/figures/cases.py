"""Figures of the caseload: cases opened and closed, open cases, workload, response times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek

from casework.models import Case, CaseStatus
from reports.charts import Chart, Series
from reports.figures.base import Figure, Scope, Stat, days_of, days_text, local_day
from reports.periods import Period, month_start, next_month, week_start


# --- Cases opened and closed ---------------------------------------------------------------------
def _buckets(scope: Scope, trunc: type[TruncWeek] | type[TruncMonth]) -> dict[str, dict[dt.date, int]]:
    """Cases opened and closed in the period per week or month: two grouped counts."""
    result = {}
    for name, where in (("opened", scope.opened_in()), ("closed", scope.closed_in())):
        column = f"{name}_at"
        grouped = (
            scope.cases()
            .filter(where)
            .annotate(bucket=trunc(column, tzinfo=scope.tz))
            .values("bucket")
            .annotate(n=Count("pk"))
            .order_by()
        )
        result[name] = {local_day(row["bucket"], scope.tz): row["n"] for row in grouped}
    return result


def _week_starts(period: Period) -> list[dt.date]:
    weeks, day = [], week_start(period.start)
    while day <= period.end:
        weeks.append(day)
        day += dt.timedelta(weeks=1)
    return weeks


def _month_starts(period: Period) -> list[dt.date]:
    months, day = [], month_start(period.start)
    while day <= period.end:
        months.append(day)
        day = next_month(day)
    return months


def cases_by_week(scope: Scope) -> Figure:
    counts = scope.shared("weeks", lambda: _buckets(scope, TruncWeek))
    weeks = _week_starts(scope.period)
    opened = [counts["opened"].get(w, 0) for w in weeks]
    closed = [counts["closed"].get(w, 0) for w in weeks]
    labels = tuple(f"{w.day} {w:%b}" for w in weeks)
    notes = []
    if weeks and (weeks[0] < scope.period.start or weeks[-1] + dt.timedelta(days=6) > scope.period.end):
        notes.append("The first or last week is only partly inside the period; only its days in the period count.")
    return Figure(
        key="weekly",
        title="Cases opened and closed per week",
        description="Weeks begin on Monday.",
        columns=("Week beginning", "Opened", "Closed"),
        rows=[(f"{w.day} {w:%B %Y}", o, c) for w, o, c in zip(weeks, opened, closed, strict=True)],
        chart=Chart(
            kind="bar" if len(weeks) <= 26 else "line",
            labels=labels,
            series=(Series("Opened", tuple(opened)), Series("Closed", tuple(closed))),
        ),
        stats=[Stat("Cases opened", f"{sum(opened):,}"), Stat("Cases closed", f"{sum(closed):,}")],
        notes=notes,
        empty=not any(opened) and not any(closed),
        empty_text="No case was opened or closed in this period.",
    )


def cases_by_month(scope: Scope) -> Figure:
    counts = scope.shared("months", lambda: _buckets(scope, TruncMonth))
    months = _month_starts(scope.period)
    opened = [counts["opened"].get(m, 0) for m in months]
    closed = [counts["closed"].get(m, 0) for m in months]
    return Figure(
        key="monthly",
        title="Cases opened and closed per month",
        description="Calendar months; a month only partly in the period counts its days in the period.",
        columns=("Month", "Opened", "Closed"),
        rows=[(f"{m:%B %Y}", o, c) for m, o, c in zip(months, opened, closed, strict=True)],
        chart=Chart(
            kind="bar" if len(months) <= 36 else "line",
            labels=tuple(f"{m:%b %y}" for m in months),
            series=(Series("Opened", tuple(opened)), Series("Closed", tuple(closed))),
        ),
        empty=not any(opened) and not any(closed),
        empty_text="No case was opened or closed in this period.",
    )


# --- Open caseload -------------------------------------------------------------------------------
def open_caseload(scope: Scope) -> Figure:
    """Open cases at the end of each week (or month, for long periods): what was open when the
    period began, plus what opened since, less what closed since — one aggregate and two grouped
    counts. A case open when the period began is open now or was closed since, so the aggregate
    reads only those (the partial index of open cases and the index on closed_at), not the office's
    whole history."""
    start, _ = scope.bounds
    open_q = ~Q(status=CaseStatus.CLOSED)
    before = (
        scope.cases()
        .filter(open_q | Q(closed_at__gte=start))
        .aggregate(at_start=Count("pk", filter=Q(opened_at__lt=start)), open_now=Count("pk", filter=open_q))
    )
    weekly = len(_week_starts(scope.period)) <= 53
    if weekly:
        counts = scope.shared("weeks", lambda: _buckets(scope, TruncWeek))
        starts = _week_starts(scope.period)
        ends = [min(s + dt.timedelta(days=6), scope.period.end) for s in starts]
    else:
        counts = scope.shared("months", lambda: _buckets(scope, TruncMonth))
        starts = _month_starts(scope.period)
        ends = [min(next_month(s) - dt.timedelta(days=1), scope.period.end) for s in starts]
    level, levels = before["at_start"], []
    for bucket in starts:
        level += counts["opened"].get(bucket, 0) - counts["closed"].get(bucket, 0)
        levels.append(level)
    at_end = levels[-1] if levels else level
    return Figure(
        key="caseload",
        title="Open caseload",
        description=f"Cases open at the end of each {'week' if weekly else 'month'}.",
        columns=("At the end of", "Open cases"),
        rows=[(f"{e.day} {e:%B %Y}", n) for e, n in zip(ends, levels, strict=True)],
        chart=Chart(
            kind="line", labels=tuple(f"{e.day} {e:%b}" for e in ends), series=(Series("Open", tuple(levels)),)
        ),
        stats=[Stat("Open at the end of the period", f"{at_end:,}"), Stat("Open now", f"{before['open_now']:,}")],
        notes=["A case closed and later reopened counts as open from its opening."],
        empty=at_end == 0 and not any(levels),
        empty_text="No case was open in this period.",
    )


# --- Workload ----------------------------------------------------------------------------------------
def workload(scope: Scope) -> Figure:
    open_q = ~Q(status=CaseStatus.CLOSED)
    overdue_q = open_q & Q(response_due_on__lt=scope.today, response_paused_at__isnull=True)
    grouped = (
        scope.cases()
        .filter(open_q | scope.opened_in() | scope.closed_in())
        .values("assignee_id", "assignee__full_name")
        .annotate(
            open_now=Count("pk", filter=open_q),
            overdue=Count("pk", filter=overdue_q),
            opened=Count("pk", filter=scope.opened_in()),
            closed=Count("pk", filter=scope.closed_in()),
        )
        .order_by()
    )
    ordered = sorted(grouped, key=lambda r: (r["assignee_id"] is None, (r["assignee__full_name"] or "").lower()))
    rows = [
        (r["assignee__full_name"] or "Unassigned", r["open_now"], r["overdue"], r["opened"], r["closed"])
        for r in ordered
    ]
    return Figure(
        key="workload",
        title="Workload per caseworker",
        description="Open and overdue cases now; cases opened and closed in the period, by assignee.",
        columns=("Assignee", "Open now", "Overdue now", "Opened in period", "Closed in period"),
        rows=rows,
        chart=Chart(
            kind="hbar",
            labels=tuple(r[0] for r in rows),
            series=(
                Series("Open now", tuple(r[1] for r in rows)),
                Series("Closed in period", tuple(r[4] for r in rows)),
            ),
        ),
        notes=["Overdue: past the office's own reply target with the clock running."],
        empty=not rows,
        empty_text="No case is open, and none was opened or closed in this period.",
    )


# --- Response times and the office's target -----------------------------------------------------------
def _median_days(cases: QuerySet[Case], later: str, earlier: str, count: int) -> float | None:
    """The median of ``later - earlier`` over ``cases``, by OFFSET into the sorted durations: the
    middle one or two rows come back, on PostgreSQL and SQLite alike."""
    if count == 0:
        return None
    duration = ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())
    middle = list(
        cases.annotate(duration=duration)
        .order_by("duration")
        .values_list("duration", flat=True)[(count - 1) // 2 : count // 2 + 1]
    )
    return days_of(sum(middle, dt.timedelta()) / len(middle))


def response_times(scope: Scope) -> Figure:
    opened = scope.cases().filter(scope.opened_in()).annotate(first_day=TruncDate("first_response_at", tzinfo=scope.tz))
    unreplied = Q(first_response_at__isnull=True)
    counts = opened.aggregate(
        total=Count("pk"),
        replied=Count("pk", filter=~unreplied),
        met=Count("pk", filter=Q(first_day__lte=F("response_due_on"))),
        late=Count("pk", filter=Q(first_day__gt=F("response_due_on"))),
        overdue=Count(
            "pk",
            filter=unreplied
            & ~Q(status=CaseStatus.CLOSED)
            & Q(response_due_on__lt=scope.today, response_paused_at__isnull=True),
        ),
        closed_unreplied=Count("pk", filter=unreplied & Q(status=CaseStatus.CLOSED)),
        no_target=Count("pk", filter=~unreplied & Q(response_due_on__isnull=True)),
    )
    closed = scope.cases().filter(scope.closed_in())
    closed_count = closed.count()
    first_reply = _median_days(opened.filter(~unreplied), "first_response_at", "opened_at", counts["replied"])
    to_close = _median_days(closed, "closed_at", "opened_at", closed_count)
    missed = counts["late"] + counts["overdue"]
    waiting = counts["total"] - counts["replied"] - counts["overdue"] - counts["closed_unreplied"]
    judged = counts["met"] + missed
    met_share = f"{round(100 * counts['met'] / judged)}%" if judged else "—"
    outcomes = (
        ("Replied within our target", counts["met"]),
        ("Target missed", missed),
        ("Not yet due, or paused", waiting),
        ("Closed with no reply recorded", counts["closed_unreplied"]),
    )
    rows: list[tuple[Any, ...]] = [
        ("Cases opened in the period", counts["total"]),
        ("Replied to", counts["replied"]),
        ("Median time to first reply (days)", first_reply),
        *outcomes,
        ("of which replied late", counts["late"]),
        ("of which still unanswered past the target", counts["overdue"]),
        ("Cases closed in the period", closed_count),
        ("Median time to close (days)", to_close),
    ]
    return Figure(
        key="response",
        title="Response times and our reply target",
        description=(
            "For cases opened in the period: time to the first reply and whether it met the office's own target "
            "(in working days, paused while a third party is awaited, so a paused case is not yet due). "
            "For cases closed in the period: time to close."
        ),
        columns=("Measure", "Value"),
        rows=rows,
        chart=Chart(
            kind="hbar",
            labels=tuple(label for label, _ in outcomes),
            series=(Series("Cases", tuple(n for _, n in outcomes)),),
        ),
        stats=[
            Stat("Median time to first reply", days_text(first_reply)),
            Stat("Median time to close", days_text(to_close)),
            Stat("Reply target met", met_share, f"{counts['met']} of {judged}" if judged else "none due yet"),
        ],
        empty=counts["total"] == 0 and closed_count == 0,
        empty_text="No case was opened or closed in this period.",
    )
