"""What every figure is made of: table cells, the figure itself, and the scope it is about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from casework.models import Case
from reports.charts import Chart, MapChart
from reports.models import DEFAULT_SUPPRESS_BELOW, ReportSettings
from reports.periods import Period
from security.models import Office


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


def days_of(delta: dt.timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 86400, 1)


def days_text(days: float | None) -> str:
    if days is None:
        return "—"
    return f"{days:.1f} day{'s' if days != 1 else ''}"


def local_day(value: dt.datetime | dt.date, tz: ZoneInfo) -> dt.date:
    return timezone.localtime(value, tz).date() if isinstance(value, dt.datetime) else value
