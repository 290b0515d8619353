"""Enquiries to organisations: what is being chased now, and how quickly each body answers."""

from __future__ import annotations

from django.db.models import Count, Q

from correspondence.enquiry_selectors import responsiveness
from correspondence.models import OPEN_STATUSES, Enquiry
from mpoffice.lib.workingdays import add_working_days
from reports.charts import Chart, Series
from reports.figures.base import Figure, Scope, Stat

TOP = 12


def chases(scope: Scope) -> Figure:
    """Open enquiries now, by organisation: overdue and due in the next five working days."""
    horizon = add_working_days(scope.today, 5, scope.office.nation)
    overdue_q = Q(due_on__lt=scope.today)
    soon_q = Q(due_on__gte=scope.today, due_on__lte=horizon)
    grouped = (
        Enquiry.objects.for_office(scope.office)
        .filter(status__in=OPEN_STATUSES, case__in=scope.cases())
        .values("organisation__name")
        .annotate(open=Count("id"), overdue=Count("id", filter=overdue_q), soon=Count("id", filter=soon_q))
        .order_by("-overdue", "-open", "organisation__name")
    )
    rows = [(r["organisation__name"], r["open"], r["overdue"], r["soon"]) for r in grouped]
    top = rows[:TOP]
    return Figure(
        key="chases",
        title="Chases now",
        description="Enquiries awaiting an answer, by organisation: overdue, and due in the next five working days.",
        columns=("Organisation", "Open", "Overdue", "Due within 5 working days"),
        rows=rows,
        chart=Chart(
            kind="hbar",
            labels=tuple(r[0] for r in top),
            series=(Series("Overdue", tuple(r[2] for r in top)), Series("Open", tuple(r[1] for r in top))),
            unit="enquiries",
        ),
        stats=[
            Stat("Overdue", str(sum(r[2] for r in rows))),
            Stat("Due within 5 working days", str(sum(r[3] for r in rows))),
        ],
        empty=not rows,
        empty_text="No enquiry is awaiting an answer.",
    )


def agency_responsiveness(scope: Scope) -> Figure:
    """Per organisation, for enquiries answered in the period: median working days, share on time."""
    found = responsiveness(office=scope.office, start=scope.period.start, end=scope.period.end)
    rows = [
        (row.organisation, row.answered, row.median_working_days, f"{round(row.within_target_share * 100)}%")
        for row in found
    ]
    top = rows[:TOP]
    return Figure(
        key="agencies",
        title="Agency responsiveness",
        description=(
            "Enquiries answered in the period: median working days to reply, and the share within each body's "
            "own target."
        ),
        columns=("Organisation", "Answered", "Median working days", "Within target"),
        rows=rows,
        chart=Chart(
            kind="hbar",
            labels=tuple(r[0] for r in top),
            series=(Series("Median working days", tuple(r[2] for r in top)),),
            unit="working days",
        ),
        empty=not rows,
        empty_text="No enquiry was answered in this period.",
    )
