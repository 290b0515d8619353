"""Template helpers for figures: a table cell as text, and a figure's chart as SVG."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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
def figure_table(figure: Figure) -> SafeString:
    """The figure's table: built here rather than by template loops, which cost ten times as much
    for the few thousand cells of a year's dashboard."""
    numeric_columns = [
        index > 0 and bool(figure.rows) and all(numeric(row[index]) or row[index] is None for row in figure.rows)
        for index in range(len(figure.columns))
    ]
    num = ' class="num"'
    head = "".join(
        f'<th scope="col"{num if numeric_columns[i] else ""}>{escape(column)}</th>'
        for i, column in enumerate(figure.columns)
    )
    rows = []
    for row in figure.rows:
        cells = [f'<th scope="row">{escape(cell(row[0]))}</th>'] if row else []
        for value in row[1:]:
            css = ' class="num"' if numeric(value) else ""
            cells.append(f"<td{css}>{escape(cell(value))}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe(  # noqa: S308 - every value above went through escape()
        f'<table class="figure-table"><caption class="visually-hidden">{escape(figure.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


@register.simple_tag
def chart(figure: Figure) -> SafeString | str:
    if figure.chart is None:
        return ""
    return charts.render(figure.chart, title=figure.title)
