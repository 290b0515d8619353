"""Reporting periods: whole local days in the office's time zone, with the periods they are
compared against, the dashboard's presets, and the weekly and monthly schedule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# A weekly report is due from Monday at this local time, a monthly one from the 1st.
DUE_AT = dt.time(7, 0)
# Longer periods make charts unreadable and queries long; ten years is the office's whole history.
MAX_DAYS = 366 * 10 + 3


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included, in the office's local time."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A period cannot end before it starts.")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """The instants [first local midnight, the local midnight after the last day)."""
        return local_midnight(self.start, tz), local_midnight(self.end + dt.timedelta(days=1), tz)

    def previous(self) -> Period:
        """The period of the same length just before (the previous month, for a calendar month)."""
        if self.is_calendar_months():
            months = _month_index(self.end) - _month_index(self.start) + 1
            start = _month_start(_month_index(self.start) - months)
            return Period(start, self.start - dt.timedelta(days=1))
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def last_year(self) -> Period:
        """The same period a year before: the same dates for calendar months, otherwise 52 weeks
        earlier so that weeks still run Monday to Sunday."""
        if self.is_calendar_months():
            start = _month_start(_month_index(self.start) - 12)
            end = _month_start(_month_index(self.end) - 11) - dt.timedelta(days=1)
            return Period(start, end)
        shift = dt.timedelta(weeks=52)
        return Period(self.start - shift, self.end - shift)

    def is_calendar_months(self) -> bool:
        return self.start.day == 1 and (self.end + dt.timedelta(days=1)).day == 1

    def label(self) -> str:
        """E.g. 1-7 June 2026; 26 May - 1 June 2026; 1 December 2025 - 4 January 2026 (with en dashes)."""
        end = day_label(self.end)
        if self.start == self.end:
            return end
        if self.start.year != self.end.year:
            return f"{day_label(self.start)} – {end}"
        if self.start.month != self.end.month:
            return f"{self.start.day} {self.start:%B} – {end}"
        return f"{self.start.day}–{end}"


def day_label(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return _month_start(_month_index(day) + 1)


# --- Presets of the dashboard --------------------------------------------------------------------
PRESETS = {
    "4w": "Last 4 weeks",
    "12w": "Last 12 weeks",
    "last-month": "Last month",
    "this-month": "This month",
    "12m": "Last 12 months",
    "this-year": "This year",
}
DEFAULT_PRESET = "12w"


def preset(name: str, today: dt.date) -> Period:
    """A named period ending today (or last month). Weeks run whole from Monday."""
    if name in ("4w", "12w"):
        weeks = 4 if name == "4w" else 12
        return Period(week_start(today) - dt.timedelta(weeks=weeks - 1), today)
    if name == "last-month":
        end = month_start(today) - dt.timedelta(days=1)
        return Period(month_start(end), end)
    if name == "this-month":
        return Period(month_start(today), today)
    if name == "12m":
        return Period(_month_start(_month_index(today) - 11), today)
    if name == "this-year":
        return Period(dt.date(today.year, 1, 1), today)
    raise KeyError(name)


# --- The schedule --------------------------------------------------------------------------------
def last_weekly_due(now_local: dt.datetime) -> Period:
    """The most recent week (Monday to Sunday) whose report has fallen due: a week's report is due
    from the next Monday at ``DUE_AT``, local time (so it follows BST and GMT)."""
    monday = week_start(now_local.date())
    if now_local.weekday() == 0 and now_local.time() < DUE_AT:
        monday -= dt.timedelta(weeks=1)
    return Period(monday - dt.timedelta(weeks=1), monday - dt.timedelta(days=1))


def last_monthly_due(now_local: dt.datetime) -> Period:
    """The most recent calendar month whose report has fallen due (from the 1st at ``DUE_AT``)."""
    first = month_start(now_local.date())
    if now_local.day == 1 and now_local.time() < DUE_AT:
        first = _month_start(_month_index(first) - 1)
    end = first - dt.timedelta(days=1)
    return Period(month_start(end), end)
