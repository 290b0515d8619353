"""The dashboard's and the reports' figures: one function per panel, listed once in ``PANELS``.

The panels live by topic: ``cases`` (opened and closed, caseload, workload, response times),
``topics`` (tag categories, tags, movers, emerging issues) and ``wards`` (table and map); what
they are made of is in ``base``.

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
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Min

from casework.models import Case
from reports.figures.base import Figure, Scope, Signed, Stat, Suppressed, report_settings, scope_for
from reports.figures.campaigns import campaign_volumes
from reports.figures.cases import cases_by_month, cases_by_week, open_caseload, response_times, workload
from reports.figures.enquiries import agency_responsiveness, chases
from reports.figures.topics import by_category, by_tag, emerging_issues, top_movers
from reports.figures.wards import by_ward, ward_map
from reports.periods import Period, month_start
from security.dataprotection.cache import office_cache_key
from security.models import Office

__all__ = [
    "PANELS",
    "PANEL_KEYS",
    "Figure",
    "Panel",
    "Scope",
    "Signed",
    "Stat",
    "Suppressed",
    "build",
    "cache_key",
    "data_span",
    "report_settings",
    "scope_for",
]

logger = logging.getLogger(__name__)

CACHE_VERSION = 1


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
    Panel("chases", chases),
    Panel("agencies", agency_responsiveness),
    Panel("campaigns", campaign_volumes),
)
PANEL_KEYS = tuple(panel.key for panel in PANELS)


def cache_key(scope: Scope, key: str) -> str:
    """Per office, figure, period, tag, threshold and day (the "now" figures change daily).

    Under the office's prefix, so an erasure purges them with the rest of the office's cache.
    """
    period = f"{scope.period.start:%Y%m%d}-{scope.period.end:%Y%m%d}"
    return office_cache_key(
        scope.office.pk,
        "reports",
        CACHE_VERSION,
        key,
        period,
        scope.tag_id or 0,
        scope.suppress_below,
        f"{scope.today:%Y%m%d}",
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
