"""Calendar-month deadlines, as UK GDPR counts them for subject access requests."""

from __future__ import annotations

import calendar
import datetime as dt

MAX_EXTENSION_MONTHS = 2


def add_months(day: dt.date, months: int) -> dt.date:
    """The same date ``months`` later, or the last day of that month when the date does not exist.

    The ICO's rule for the one-month limit: a request received on 31 January is due on 28 (or
    29) February; one received on 15 March is due on 15 April. (The ICO lets a deadline falling
    on a weekend or bank holiday move to the next working day; we show the calendar date, which
    is never later.)
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def sar_due(received_on: dt.date, extended_months: int = 0) -> dt.date:
    """One calendar month after receipt, plus up to two more when the request was extended."""
    if not 0 <= extended_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"An extension is at most {MAX_EXTENSION_MONTHS} further months.")
    return add_months(received_on, 1 + extended_months)
