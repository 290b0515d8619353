"""Figures of where people live: cases by ward, as a table and a map, with small counts suppressed."""

from __future__ import annotations

from django.db.models import Count, Max

from constituents.models import Ward
from reports.charts import Chart, MapArea, MapChart, Series, map_bands
from reports.figures.base import Figure, Scope, Suppressed
from reports.models import WardBoundary

NO_WARD = "No ward recorded"


# --- Wards -----------------------------------------------------------------------------------------
def _ward_counts(scope: Scope) -> list[tuple[str, str, int | Suppressed]]:
    """(code, name, count) for every ward of the office and "no ward", with small counts
    suppressed. If only one count were hidden, the period's total would give it away, so the
    next smallest is hidden too."""
    grouped = {
        row["ward_code"]: (row["name"], row["n"])
        for row in scope.cases()
        .filter(scope.opened_in())
        .values("ward_code")
        .annotate(name=Max("ward_name"), n=Count("pk"))
        .order_by()
    }
    known = dict(Ward.objects.for_office(scope.office).values_list("code", "name"))
    cells: list[tuple[str, str, int]] = []
    for code, name in sorted(known.items(), key=lambda item: item[1]):
        cells.append((code, name, grouped.pop(code, (name, 0))[1]))
    no_ward = grouped.pop("", (NO_WARD, 0))[1]
    cells += sorted(((code, name, n) for code, (name, n) in grouped.items()), key=lambda c: c[1])
    if no_ward:
        cells.append(("", NO_WARD, no_ward))
    hidden = {i for i, (_, _, n) in enumerate(cells) if 0 < n < scope.suppress_below}
    if len(hidden) == 1:
        visible = [(n, i) for i, (_, _, n) in enumerate(cells) if n > 0 and i not in hidden]
        if visible:
            hidden.add(min(visible)[1])
    return [
        (code, name, Suppressed(scope.suppress_below) if i in hidden else n) for i, (code, name, n) in enumerate(cells)
    ]


def _suppression_note(scope: Scope) -> str:
    return (
        f"Counts from 1 to {scope.suppress_below - 1} are shown as <{scope.suppress_below}, so that nobody can be "
        "identified; where one hidden count could be worked out from the total, another is hidden too."
    )


def by_ward(scope: Scope) -> Figure:
    cells = scope.shared("wards", lambda: _ward_counts(scope))
    return Figure(
        key="wards",
        title="Cases by ward",
        description="Cases opened in the period, by the ward recorded when each was opened.",
        columns=("Ward", "Ward code", "Cases"),
        rows=[(name, code, n) for code, name, n in cells],
        chart=Chart(
            kind="hbar",
            labels=tuple(name for _, name, _ in cells),
            series=(Series("Cases", tuple(None if isinstance(n, Suppressed) else n for _, _, n in cells)),),
            notes=tuple(str(n) if isinstance(n, Suppressed) else "" for _, _, n in cells),
        ),
        notes=[_suppression_note(scope)],
        empty=not any(n for _, _, n in cells),
        empty_text="No case was opened in this period.",
    )


def ward_map(scope: Scope) -> Figure:
    cells = scope.shared("wards", lambda: _ward_counts(scope))
    boundaries = list(WardBoundary.objects.for_office(scope.office).order_by("name"))
    by_code = {code: (name, n) for code, name, n in cells if code}
    areas, rows = [], []
    for b in boundaries:
        _, n = by_code.get(b.code, (b.name, 0))
        value = None if isinstance(n, Suppressed) else n
        areas.append(MapArea(b.code, b.name, b.path, value, (b.min_x, b.min_y, b.max_x, b.max_y)))
        rows.append((b.name, b.code, n))
    chart = None
    if boundaries:
        x0, y0 = min(b.min_x for b in boundaries), min(b.min_y for b in boundaries)
        x1, y1 = max(b.max_x for b in boundaries), max(b.max_y for b in boundaries)
        shown = [a.value for a in areas if a.value]
        chart = MapChart(
            areas=tuple(areas),
            view_box=(x0, y0, x1 - x0, y1 - y0),
            suppressed_label=f"<{scope.suppress_below}",
            bands=map_bands(shown, scope.suppress_below),
        )
    return Figure(
        key="map",
        title="Ward map",
        description="Cases opened in the period in each ward with an imported boundary.",
        columns=("Ward", "Ward code", "Cases"),
        rows=rows,
        chart=chart,
        notes=[_suppression_note(scope)],
        empty=not boundaries,
        empty_text=(
            "No ward boundaries have been imported for this office. An administrator can load them with "
            "manage.py import_ward_boundaries."
        ),
    )
