"""The dashboard's and the reports' figures: one function per panel, listed once in ``PANELS``.

Each panel takes a ``Scope`` (office, period, optional tag, suppression threshold, today) and
returns a ``Figure``: plain rows for the table and the CSV, a chart spec, headline stats and
notes. Every count is an aggregate query in the database (``values``/``annotate``/``Count``/
``TruncWeek``); Python only walks the handful of buckets, tags or wards that come back, never
the cases. Figures are cached per office, period, tag, threshold and day for a bounded time
(``REPORTS_CACHE_SECONDS``). A later panel (chases, agency responsiveness, campaign volumes)
is one more function and one more line in ``PANELS``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Min, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

from casework.models import Case, CaseStatus, TaggedCase
from constituents.models import Ward
from reports import stats
from reports.charts import Chart, MapArea, MapChart, Series, map_bands
from reports.models import DEFAULT_SUPPRESS_BELOW, ReportSettings, WardBoundary
from reports.periods import Period, month_start, next_month, week_start
from security.models import Office

logger = logging.getLogger(__name__)

CACHE_VERSION = 1
# Emerging issues: a tag's last week against its previous twelve, false-discovery rate 5%.
BASELINE_WEEKS = 12
FDR = 0.05
# Fewer cases than this in a week is never called a trend, however quiet the tag was before.
EMERGING_MIN_COUNT = 3
# A tag with no cases at all in its baseline still gets a small expected rate (half a case over
# the twelve weeks), so a first appearance is tested rather than divided by zero.
BASELINE_PRIOR = 0.5
TOP_MOVERS = 5
NO_WARD = "No ward recorded"


# --- Cells: what a table holds beyond numbers and text -------------------------------------------
@dataclass(frozen=True)
class Suppressed:
    """A small count withheld so that nobody can be identified from it."""

    below: int

    def __str__(self) -> str:
        return f"<{self.below}"


@dataclass(frozen=True)
class Signed:
    """A change shown with its sign (+3, 0, and a true minus sign for a fall); a plain number in CSV."""

    value: int

    def __str__(self) -> str:
        if self.value > 0:
            return f"+{self.value}"
        return f"−{-self.value}" if self.value < 0 else "0"


@dataclass(frozen=True)
class Stat:
    label: str
    value: str
    note: str = ""


@dataclass
class Figure:
    key: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    chart: Chart | MapChart | None = None
    stats: list[Stat] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty: bool = False
    empty_text: str = "No cases in this period."


# --- Scope -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """What a set of figures is about. ``memo`` lets panels share one query within a build."""

    office: Office
    period: Period
    tz: ZoneInfo
    today: dt.date
    suppress_below: int = DEFAULT_SUPPRESS_BELOW
    tag_id: int | None = None
    tag_name: str = ""
    memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return self.period.bounds(self.tz)

    def cases(self) -> QuerySet[Case]:
        cases = Case.objects.for_office(self.office)
        return cases.filter(tags=self.tag_id) if self.tag_id else cases

    def opened_in(self, period: Period | None = None, *, via: str = "") -> Q:
        """Opened in ``period`` (default: the scope's); ``via`` reaches the case from another
        model, e.g. ``content_object__`` from a tag link."""
        start, end = (period or self.period).bounds(self.tz)
        return Q(**{f"{via}opened_at__gte": start, f"{via}opened_at__lt": end})

    def closed_in(self, period: Period | None = None) -> Q:
        start, end = (period or self.period).bounds(self.tz)
        return Q(closed_at__gte=start, closed_at__lt=end)

    def shared(self, name: str, compute: Callable[[], Any]) -> Any:
        if name not in self.memo:
            self.memo[name] = compute()
        return self.memo[name]


def report_settings(office: Office) -> ReportSettings:
    found, _ = ReportSettings.unscoped.get_or_create(office=office)
    return found


def scope_for(
    office: Office,
    period: Period,
    *,
    tag: Any = None,
    today: dt.date | None = None,
    options: ReportSettings | None = None,
) -> Scope:
    options = options or report_settings(office)
    tz = ZoneInfo(options.time_zone)
    return Scope(
        office=office,
        period=period,
        tz=tz,
        today=today or timezone.localdate(timezone.now(), tz),
        suppress_below=options.suppress_below,
        tag_id=tag.pk if tag is not None else None,
        tag_name=tag.name if tag is not None else "",
    )


def _suppress(value: int, scope: Scope) -> int | Suppressed:
    return Suppressed(scope.suppress_below) if 0 < value < scope.suppress_below else value


def _days(delta: dt.timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 86400, 1)


def _days_text(days: float | None) -> str:
    if days is None:
        return "—"
    return f"{days:.1f} day{'s' if days != 1 else ''}"


def _local_day(value: dt.datetime | dt.date, tz: ZoneInfo) -> dt.date:
    return timezone.localtime(value, tz).date() if isinstance(value, dt.datetime) else value


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
        result[name] = {_local_day(row["bucket"], scope.tz): row["n"] for row in grouped}
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


# --- Tags and tag categories, with movers ---------------------------------------------------------
def _compared_links(scope: Scope) -> tuple[QuerySet[TaggedCase], Q, Q, Q]:
    """Tag links of cases opened in this period, the previous one or the same period last year,
    and a condition for each. The span covering all three is given too, as a plain range the
    index on (office, opened_at) can serve; the three conditions then sort the rows out."""
    periods = (scope.period, scope.period.previous(), scope.period.last_year())
    current_q, previous_q, last_year_q = (scope.opened_in(p, via="content_object__") for p in periods)
    span = Period(min(p.start for p in periods), max(p.end for p in periods))
    links = TaggedCase.objects.filter(
        scope.opened_in(span, via="content_object__"), content_object__office=scope.office
    )
    if scope.tag_id:
        links = links.filter(content_object__tags=scope.tag_id)
    return links.filter(current_q | previous_q | last_year_q), current_q, previous_q, last_year_q


def _tag_counts(scope: Scope) -> list[dict[str, Any]]:
    """Cases per tag in this period, the previous one and the same period last year: one query.
    A case carries a tag at most once, so plain counts are counts of cases."""
    links, current_q, previous_q, last_year_q = _compared_links(scope)
    return list(
        links.values("tag_id", "tag__name", "tag__category__name", "tag__category__position")
        .annotate(
            current=Count("content_object", filter=current_q),
            previous=Count("content_object", filter=previous_q),
            last_year=Count("content_object", filter=last_year_q),
        )
        .order_by()
    )


def _category_counts(scope: Scope) -> list[dict[str, Any]]:
    """As ``_tag_counts`` per category: a case with two tags of one category counts once."""
    links, current_q, previous_q, last_year_q = _compared_links(scope)
    return list(
        links.values("tag__category_id", "tag__category__name", "tag__category__position")
        .annotate(
            current=Count("content_object", filter=current_q, distinct=True),
            previous=Count("content_object", filter=previous_q, distinct=True),
            last_year=Count("content_object", filter=last_year_q, distinct=True),
        )
        .order_by()
    )


def _comparison_note(scope: Scope) -> str:
    return (
        f"Previous period: {scope.period.previous().label()}. "
        f"Same period last year: {scope.period.last_year().label()}. Cases are counted by the day they were opened."
    )


def by_category(scope: Scope) -> Figure:
    counts = sorted(
        _category_counts(scope), key=lambda r: (-r["current"], r["tag__category__position"], r["tag__category__name"])
    )
    rows = [
        (
            r["tag__category__name"],
            r["current"],
            r["previous"],
            Signed(r["current"] - r["previous"]),
            r["last_year"],
            Signed(r["current"] - r["last_year"]),
        )
        for r in counts
    ]
    shown = [r for r in counts if r["current"] or r["previous"]][:15]
    return Figure(
        key="categories",
        title="Cases by tag category",
        description="Cases opened in the period, by the category of their tags.",
        columns=(
            "Category",
            "This period",
            "Previous period",
            "Change",
            "Same period last year",
            "Change on last year",
        ),
        rows=rows,
        chart=Chart(
            kind="hbar",
            labels=tuple(r["tag__category__name"] for r in shown),
            series=(
                Series("This period", tuple(r["current"] for r in shown)),
                Series("Previous period", tuple(r["previous"] for r in shown)),
            ),
        ),
        notes=[_comparison_note(scope), "A case with tags in two categories counts in both."],
        empty=not any(r["current"] for r in counts),
        empty_text="No tagged case was opened in this period.",
    )


def by_tag(scope: Scope) -> Figure:
    counts = scope.shared("tags", lambda: _tag_counts(scope))
    ordered = sorted(counts, key=lambda r: (-r["current"], r["tag__name"]))
    rows = [
        (
            r["tag__name"],
            r["tag__category__name"],
            r["current"],
            r["previous"],
            Signed(r["current"] - r["previous"]),
            r["last_year"],
            Signed(r["current"] - r["last_year"]),
        )
        for r in ordered
    ]
    shown = [r for r in ordered if r["current"]][:15]
    return Figure(
        key="tags",
        title="Cases by tag",
        description="Cases opened in the period with each tag; the chart shows the fifteen most used.",
        columns=(
            "Tag",
            "Category",
            "This period",
            "Previous period",
            "Change",
            "Same period last year",
            "Change on last year",
        ),
        rows=rows,
        chart=Chart(
            kind="hbar",
            labels=tuple(r["tag__name"] for r in shown),
            series=(Series("This period", tuple(r["current"] for r in shown)),),
        ),
        notes=[_comparison_note(scope)],
        empty=not shown,
        empty_text="No tagged case was opened in this period.",
    )


def top_movers(scope: Scope) -> Figure:
    """The tags that rose and fell most against the previous period and the same period last year."""
    counts = scope.shared("tags", lambda: _tag_counts(scope))
    rows: list[tuple[Any, ...]] = []
    for label, other in (("previous period", "previous"), ("same period last year", "last_year")):
        changes = [(r["current"] - r[other], r) for r in counts if r["current"] != r[other]]
        rises = sorted((c for c in changes if c[0] > 0), key=lambda c: (-c[0], c[1]["tag__name"]))[:TOP_MOVERS]
        falls = sorted((c for c in changes if c[0] < 0), key=lambda c: (c[0], c[1]["tag__name"]))[:TOP_MOVERS]
        for direction, chosen in (("Rose", rises), ("Fell", falls)):
            for change, r in chosen:
                rows.append((f"{direction} on the {label}", r["tag__name"], r["current"], r[other], Signed(change)))
    return Figure(
        key="movers",
        title="Top movers",
        description=f"The {TOP_MOVERS} tags that rose and fell most, against each comparison.",
        columns=("Movement", "Tag", "This period", "Compared with", "Change"),
        rows=rows,
        notes=[_comparison_note(scope)],
        empty=not rows,
        empty_text="No tag changed against the previous period or last year.",
    )


# --- Wards -----------------------------------------------------------------------------------------
def _ward_counts(scope: Scope) -> list[tuple[str, str, int | Suppressed]]:
    """(code, name, count) for every ward of the office and "no ward", with small counts
    suppressed. If only one count were hidden, the period's total would give it away, so the
    next smallest is hidden too."""
    grouped = {
        row["ward_code"]: (row["name"], row["n"])
        for row in scope.cases()
        .filter(scope.opened_in())
        .values("ward_code")
        .annotate(name=Max("ward_name"), n=Count("pk"))
        .order_by()
    }
    known = dict(Ward.objects.for_office(scope.office).values_list("code", "name"))
    cells: list[tuple[str, str, int]] = []
    for code, name in sorted(known.items(), key=lambda item: item[1]):
        cells.append((code, name, grouped.pop(code, (name, 0))[1]))
    no_ward = grouped.pop("", (NO_WARD, 0))[1]
    cells += sorted(((code, name, n) for code, (name, n) in grouped.items()), key=lambda c: c[1])
    if no_ward:
        cells.append(("", NO_WARD, no_ward))
    hidden = {i for i, (_, _, n) in enumerate(cells) if 0 < n < scope.suppress_below}
    if len(hidden) == 1:
        visible = [(n, i) for i, (_, _, n) in enumerate(cells) if n > 0 and i not in hidden]
        if visible:
            hidden.add(min(visible)[1])
    return [
        (code, name, Suppressed(scope.suppress_below) if i in hidden else n) for i, (code, name, n) in enumerate(cells)
    ]


def _suppression_note(scope: Scope) -> str:
    return (
        f"Counts from 1 to {scope.suppress_below - 1} are shown as <{scope.suppress_below}, so that nobody can be "
        "identified; where one hidden count could be worked out from the total, another is hidden too."
    )


def by_ward(scope: Scope) -> Figure:
    cells = scope.shared("wards", lambda: _ward_counts(scope))
    return Figure(
        key="wards",
        title="Cases by ward",
        description="Cases opened in the period, by the ward recorded when each was opened.",
        columns=("Ward", "Ward code", "Cases"),
        rows=[(name, code, n) for code, name, n in cells],
        chart=Chart(
            kind="hbar",
            labels=tuple(name for _, name, _ in cells),
            series=(Series("Cases", tuple(None if isinstance(n, Suppressed) else n for _, _, n in cells)),),
            notes=tuple(str(n) if isinstance(n, Suppressed) else "" for _, _, n in cells),
        ),
        notes=[_suppression_note(scope)],
        empty=not any(n for _, _, n in cells),
        empty_text="No case was opened in this period.",
    )


def ward_map(scope: Scope) -> Figure:
    cells = scope.shared("wards", lambda: _ward_counts(scope))
    boundaries = list(WardBoundary.objects.for_office(scope.office).order_by("name"))
    by_code = {code: (name, n) for code, name, n in cells if code}
    areas, rows = [], []
    for b in boundaries:
        _, n = by_code.get(b.code, (b.name, 0))
        value = None if isinstance(n, Suppressed) else n
        areas.append(MapArea(b.code, b.name, b.path, value, (b.min_x, b.min_y, b.max_x, b.max_y)))
        rows.append((b.name, b.code, n))
    chart = None
    if boundaries:
        x0, y0 = min(b.min_x for b in boundaries), min(b.min_y for b in boundaries)
        x1, y1 = max(b.max_x for b in boundaries), max(b.max_y for b in boundaries)
        shown = [a.value for a in areas if a.value]
        chart = MapChart(
            areas=tuple(areas),
            view_box=(x0, y0, x1 - x0, y1 - y0),
            suppressed_label=f"<{scope.suppress_below}",
            bands=map_bands(shown, scope.suppress_below),
        )
    return Figure(
        key="map",
        title="Ward map",
        description="Cases opened in the period in each ward with an imported boundary.",
        columns=("Ward", "Ward code", "Cases"),
        rows=rows,
        chart=chart,
        notes=[_suppression_note(scope)],
        empty=not boundaries,
        empty_text=(
            "No ward boundaries have been imported for this office. An administrator can load them with "
            "manage.py import_ward_boundaries."
        ),
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
    return _days(sum(middle, dt.timedelta()) / len(middle))


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
            Stat("Median time to first reply", _days_text(first_reply)),
            Stat("Median time to close", _days_text(to_close)),
            Stat("Reply target met", met_share, f"{counts['met']} of {judged}" if judged else "none due yet"),
        ],
        empty=counts["total"] == 0 and closed_count == 0,
        empty_text="No case was opened or closed in this period.",
    )


# --- Emerging issues -------------------------------------------------------------------------------------
def emerging_issues(scope: Scope) -> Figure:
    """Each tag's count in the last 7 days of the period against the mean of its previous twelve
    weeks: an exact Poisson tail per tag, Benjamini-Hochberg across the tags tested."""
    end = scope.period.end
    windows = [Period(end - dt.timedelta(days=7 * i + 6), end - dt.timedelta(days=7 * i)) for i in range(13)]
    links = TaggedCase.objects.filter(content_object__office=scope.office)
    if scope.tag_id:
        links = links.filter(content_object__tags=scope.tag_id)
    window_counts = {}
    for i, window in enumerate(windows):
        window_counts[f"w{i}"] = Count("content_object", filter=scope.opened_in(window, via="content_object__"))
    grouped = list(
        links.filter(scope.opened_in(Period(windows[-1].start, end), via="content_object__"))
        .values("tag_id", "tag__name", "tag__category__name")
        .annotate(**window_counts)
        .order_by()
    )
    tested = []
    for r in grouped:
        observed = r["w0"]
        baseline = sum(r[f"w{i}"] for i in range(1, 13))
        mean = max(baseline, BASELINE_PRIOR) / BASELINE_WEEKS
        p = stats.poisson_upper_tail(observed, mean) if observed >= EMERGING_MIN_COUNT else 1.0
        tested.append((r, observed, baseline / BASELINE_WEEKS, p))
    flags, adjusted = stats.benjamini_hochberg([t[3] for t in tested], FDR)
    results = sorted(zip(tested, flags, adjusted, strict=True), key=lambda x: (x[2], -x[0][1], x[0][0]["tag__name"]))
    rows = [
        (
            r["tag__name"],
            r["tag__category__name"],
            observed,
            round(mean, 2),
            _p_text(p),
            _p_text(q),
            "Yes" if flag else "No",
        )
        for (r, observed, mean, p), flag, q in results
        if observed
    ]
    flagged = [row for row in rows if row[-1] == "Yes"]
    shown = rows[:10]
    week = windows[0]
    return Figure(
        key="emerging",
        title="Emerging issues",
        description=(
            f"Tags raised more in the week {week.label()} than their average over the previous {BASELINE_WEEKS} weeks "
            f"would explain (Poisson test, false-discovery rate {round(FDR * 100)}% across tags)."
        ),
        columns=(
            "Tag",
            "Category",
            "Cases this week",
            f"Weekly average, previous {BASELINE_WEEKS} weeks",
            "p-value",
            "Adjusted p-value",
            "Emerging",
        ),
        rows=rows,
        chart=Chart(
            kind="hbar",
            labels=tuple(row[0] for row in shown),
            series=(
                Series("This week", tuple(row[2] for row in shown)),
                Series(f"Average of previous {BASELINE_WEEKS} weeks", tuple(row[3] for row in shown)),
            ),
        )
        if shown
        else None,
        stats=[Stat("Emerging issues", str(len(flagged)), ", ".join(row[0] for row in flagged[:3]))],
        notes=[
            f"A tag needs at least {EMERGING_MIN_COUNT} cases in the week to be flagged.",
            "The adjusted p-value is the false-discovery rate at which the tag would just be flagged.",
        ],
        empty=not rows,
        empty_text=f"No tagged case was opened in the week {week.label()}.",
    )


def _p_text(p: float) -> str:
    return "<0.0001" if p < 0.0001 else f"{p:.4f}"


# --- The registry -----------------------------------------------------------------------------------------
def _always(period: Period) -> bool:
    return True


def _several_months(period: Period) -> bool:
    return month_start(period.start) != month_start(period.end)


@dataclass(frozen=True)
class Panel:
    key: str
    build: Callable[[Scope], Figure]
    # Wide panels take the dashboard's full width (long tables, the map).
    wide: bool = False
    # Whether the panel says anything for a period (a month-by-month chart of one month does not).
    applies: Callable[[Period], bool] = _always


PANELS: tuple[Panel, ...] = (
    Panel("weekly", cases_by_week),
    Panel("monthly", cases_by_month, applies=_several_months),
    Panel("caseload", open_caseload),
    Panel("response", response_times),
    Panel("emerging", emerging_issues, wide=True),
    Panel("categories", by_category),
    Panel("movers", top_movers),
    Panel("tags", by_tag, wide=True),
    Panel("wards", by_ward),
    Panel("map", ward_map),
    Panel("workload", workload, wide=True),
)
PANEL_KEYS = tuple(panel.key for panel in PANELS)


def cache_key(scope: Scope, key: str) -> str:
    """Per office, figure, period, tag, threshold and day (the "now" figures change daily)."""
    return (
        f"reports:fig:{CACHE_VERSION}:{scope.office.pk}:{key}:{scope.period.start:%Y%m%d}-{scope.period.end:%Y%m%d}"
        f":{scope.tag_id or 0}:{scope.suppress_below}:{scope.today:%Y%m%d}"
    )


def build(scope: Scope, *, keys: tuple[str, ...] = PANEL_KEYS, use_cache: bool = True) -> list[Figure]:
    """The figures named by ``keys`` (in the registry's order) that apply to the period, from the
    cache where fresh."""
    panels = [panel for panel in PANELS if panel.key in keys and panel.applies(scope.period)]
    names = {panel.key: cache_key(scope, panel.key) for panel in panels}
    cached = _cache_get(list(names.values())) if use_cache else {}
    figures, fresh = [], {}
    for panel in panels:
        figure = cached.get(names[panel.key])
        if figure is None:
            figure = panel.build(scope)
            fresh[names[panel.key]] = figure
        figures.append(figure)
    if fresh and settings.REPORTS_CACHE_SECONDS:
        _cache_set(fresh)
    return figures


def _cache_get(keys: list[str]) -> dict[str, Figure]:
    try:
        return cache.get_many(keys)
    except Exception:  # noqa: BLE001 - a cache outage slows the dashboard down; it must not break it
        logger.warning("The figure cache could not be read; computing the figures.")
        return {}


def _cache_set(values: dict[str, Figure]) -> None:
    try:
        cache.set_many(values, timeout=settings.REPORTS_CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - as above
        logger.warning("The figure cache could not be written.")


def data_span(office: Office) -> tuple[dt.datetime | None, dt.datetime | None]:
    """When the office's first and last cases were opened (for the empty state's hint)."""
    found = Case.objects.for_office(office).aggregate(first=Min("opened_at"), last=Max("opened_at"))
    return found["first"], found["last"]
