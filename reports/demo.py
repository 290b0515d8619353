"""Demo data for the dashboard (``manage.py seed_demo``): a ward map, a surge for "emerging
issues", and last week's report, produced as the Monday sweep would have produced it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from casework import services as casework_services
from casework.models import Case, Tag
from constituents.models import Constituent
from reports import figures, services
from reports.models import Report, ReportKind, WardBoundary
from reports.periods import last_weekly_due
from security.roles import Role

# Fictional outlines for the demo's fictional wards (constituents/demo.py), in longitude and
# latitude, sharing their edges as real wards do.
WARD_OUTLINES = {
    ("E05999001", "Northtown Central"): [
        (-1.60, 53.80),
        (-1.55, 53.80),
        (-1.55, 53.83),
        (-1.58, 53.845),
        (-1.605, 53.83),
    ],
    ("E05999002", "Northtown Riverside"): [
        (-1.55, 53.80),
        (-1.50, 53.80),
        (-1.49, 53.82),
        (-1.52, 53.84),
        (-1.55, 53.83),
    ],
    ("E05999003", "Eastley Park"): [(-1.60, 53.80), (-1.61, 53.78), (-1.59, 53.765), (-1.55, 53.76), (-1.55, 53.80)],
    ("E05999004", "Eastley Green"): [(-1.55, 53.76), (-1.51, 53.765), (-1.495, 53.785), (-1.50, 53.80), (-1.55, 53.80)],
}
# A burst of one issue in the last few days, so the emerging-issues panel has something to say.
SURGE_TAG = "Flooding"
SURGE = [
    "Sewage in the garden after the storm",
    "Road flooded outside the school again",
    "Home flooded, insurer not responding",
    "Flood defences not finished as promised",
    "Drains blocked, water into the kitchen",
    "Flooded cellar, council will not clear the gully",
]


def ward_geojson() -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {"WD24CD": code, "WD24NM": name},
            "geometry": {"type": "Polygon", "coordinates": [[*map(list, ring), list(ring[0])]]},
        }
        for (code, name), ring in WARD_OUTLINES.items()
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def seed(office: Any, people: dict[str, Any]) -> None:
    """Idempotent: each part is skipped when the office already has it."""
    if not WardBoundary.objects.for_office(office).exists():
        services.ward_boundaries_import(office=office, raw=ward_geojson())
    _surge(office, people)
    _last_weekly_report(office)


def _surge(office: Any, people: dict[str, Any]) -> None:
    tag = Tag.objects.for_office(office).filter(name=SURGE_TAG).first()
    constituents = list(Constituent.objects.for_office(office).order_by("pk")[: len(SURGE)])
    if tag is None or not constituents or Case.objects.for_office(office).filter(summary__in=SURGE).exists():
        return
    now = timezone.now()
    for n, (summary, person) in enumerate(zip(SURGE, constituents, strict=False)):
        case = casework_services.case_open(
            office=office,
            constituent=person,
            opened_by=people[Role.CASEWORKER],
            summary=summary,
            assignee=people[Role.CASEWORKER] if n % 2 else None,
            tags=[tag],
        )
        opened_at = now - dt.timedelta(days=n % 5, hours=n)
        Case.objects.for_office(office).filter(pk=case.pk).update(
            opened_at=opened_at, response_due_on=casework_services.response_due(office, opened_at.date())
        )
        case.events.update(created_at=opened_at)


def _last_weekly_report(office: Any) -> None:
    """Last week's report, produced now (as Monday's sweep would have) so the list is not empty."""
    tz = ZoneInfo(figures.report_settings(office).time_zone)
    period = last_weekly_due(timezone.localtime(timezone.now(), tz))
    report, created = Report.unscoped.get_or_create(
        office=office, kind=ReportKind.WEEKLY, period_start=period.start, period_end=period.end
    )
    if created:
        services.report_produce(report_id=report.pk)
