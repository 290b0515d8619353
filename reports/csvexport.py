"""A figure as CSV, safe to open in a spreadsheet.

Text a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
gets a leading apostrophe, so a tag or ward name like ``=HYPERLINK(…)`` stays text. Numbers
are written as numbers: a negative change is data, not a formula.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from reports.figures import Figure, Signed

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Signed):
        return value.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def figure_csv(figure: Figure) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(column) for column in figure.columns])
    for row in figure.rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()
