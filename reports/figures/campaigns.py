"""Campaign mail: how many messages each campaign brought in the period, and from whom."""

from __future__ import annotations

from django.db.models import Count, Q

from campaigns.models import CampaignMember
from reports.charts import Chart, Series
from reports.figures.base import Figure, Scope, Stat

TOP = 12


def campaign_volumes(scope: Scope) -> Figure:
    """Messages received in the period per campaign, constituents and others."""
    start, end = scope.bounds
    grouped = (
        CampaignMember.objects.for_office(scope.office)
        .filter(received_at__gte=start, received_at__lt=end)
        .values("campaign__name")
        .annotate(total=Count("id"), constituents=Count("id", filter=Q(in_constituency="yes")))
        .order_by("-total", "campaign__name")
    )
    rows = [(r["campaign__name"], r["total"], r["constituents"], r["total"] - r["constituents"]) for r in grouped]
    top = rows[:TOP]
    return Figure(
        key="campaigns",
        title="Campaign mail",
        description="Campaign messages received in the period, by campaign: from constituents and from others.",
        columns=("Campaign", "Messages", "From constituents", "Others or unknown"),
        rows=rows,
        chart=Chart(
            kind="hbar",
            labels=tuple(r[0] for r in top),
            series=(Series("From constituents", tuple(r[2] for r in top)), Series("Others", tuple(r[3] for r in top))),
            unit="messages",
        ),
        stats=[Stat("Campaign messages", str(sum(r[1] for r in rows)))],
        empty=not rows,
        empty_text="No campaign mail arrived in this period.",
    )
