"""UK working days: weekends and the bank holidays of the office's nation do not count.

Nations are the three bank-holiday areas: England and Wales, Scotland, Northern Ireland.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

_SUBDIVISION = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}


@lru_cache(maxsize=64)
def _bank_holidays(nation: str, year: int) -> frozenset[dt.date]:
    try:
        subdiv = _SUBDIVISION[nation]
    except KeyError:
        raise ValueError(f"Unknown nation {nation!r}; expected one of {sorted(_SUBDIVISION)}.") from None
    return frozenset(holidays.UnitedKingdom(subdiv=subdiv, years=year).keys())


def is_working_day(day: dt.date, nation: str) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(nation, day.year)


def add_working_days(start: dt.date, days: int, nation: str) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself never counts)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day, nation):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, nation: str) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day, nation)
    return count


def subtract_working_days(end: dt.date, days: int, nation: str) -> dt.date:
    """The date ``days`` working days before ``end`` (``end`` itself never counts)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = end
    remaining = days
    while remaining:
        day -= dt.timedelta(days=1)
        if is_working_day(day, nation):
            remaining -= 1
    return day
