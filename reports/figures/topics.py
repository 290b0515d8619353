"""Figures of what people raise: tag categories, tags and their movers, emerging issues."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from casework.models import TaggedCase
from reports import stats
from reports.charts import Chart, Series
from reports.figures.base import Figure, Scope, Signed, Stat
from reports.periods import Period

# Emerging issues: a tag's last week against its previous twelve, false-discovery rate 5%.
BASELINE_WEEKS = 12
FDR = 0.05
# Fewer cases than this in a week is never called a trend, however quiet the tag was before.
EMERGING_MIN_COUNT = 3
# A tag with no cases at all in its baseline still gets a small expected rate (half a case over
# the twelve weeks), so a first appearance is tested rather than divided by zero.
BASELINE_PRIOR = 0.5
TOP_MOVERS = 5


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
