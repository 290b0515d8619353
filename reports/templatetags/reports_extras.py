"""Template helpers for figures: a table cell as text, and a figure's chart as SVG."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from reports import charts
from reports.figures import Figure, Signed, Suppressed

register = template.Library()


@register.filter
def cell(value: Any) -> str:
    """How a table shows a value: thousands separators, one decimal, a dash for nothing."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}" if not value.is_integer() else f"{value:,.0f}"
    return str(value)


@register.filter
def numeric(value: Any) -> bool:
    """Right-aligned in tables: numbers, changes and suppressed counts."""
    return isinstance(value, int | float | Signed | Suppressed) and not isinstance(value, bool)


@register.simple_tag
def chart(figure: Figure) -> SafeString | str:
    if figure.chart is None:
        return ""
    return charts.render(figure.chart, title=figure.title)
