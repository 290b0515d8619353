"""Charts as server-rendered SVG: bars, lines, horizontal bars and the ward map.

No script and no style attributes (the CSP allows neither inline): shapes carry presentation
attributes, and every piece of text is escaped here. The same markup goes into the dashboard
and, through WeasyPrint, into the PDF. Every chart sits next to a table of the same figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Each at least 3:1 against white (WCAG 2.2 non-text contrast), and told apart by more than hue:
# lines also differ in dash pattern, and every chart has a legend and a table.
PALETTE = ("#1d4f91", "#b35300", "#1e6b34", "#6b2c91")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
INK, MUTED, GRID = "#1b1f24", "#4f5762", "#d0d5dc"
# Light to dark: the map's bands. The darkest is the brand blue.
BANDS = ("#dbe6f3", "#9dbbe0", "#4f7fbf", "#1d4f91")
SUPPRESSED_FILL = "url(#hatch)"
WIDTH = 520
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"'


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """Bars or lines over ``labels`` (one value per label in each series); ``hbar`` lists them."""

    kind: str  # "bar" | "line" | "hbar"
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = "cases"
    # Per-label text shown instead of a bar (the suppressed "<5"), for hbar charts.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    path: str
    value: int | None  # None: suppressed
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class MapChart:
    areas: tuple[MapArea, ...]
    view_box: tuple[float, float, float, float]
    suppressed_label: str
    kind: str = "map"
    bands: tuple[tuple[int, int], ...] = field(default=())


def render(chart: Chart | MapChart, *, title: str) -> SafeString:
    if isinstance(chart, MapChart):
        return _map(chart, title)
    if chart.kind == "hbar":
        return _hbar(chart, title)
    return _columns(chart, title)


# --- Scales -----------------------------------------------------------------------------------
def nice_ceiling(value: float) -> tuple[float, float]:
    """A round top for an axis at or above ``value``, and the tick step (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1.0)
    return step * math.ceil(value / step), step


def _n(value: float) -> str:
    """Coordinates with one decimal at most: smaller SVG, same picture."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _open(title: str, height: float, *, view_width: float = WIDTH) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(view_width)} {_n(height)}" '
        f'role="img" aria-label="{escape(title)}. The figures are in the table." {FONT} font-size="12">'
    )


def _legend(series: Sequence[Series], y: float, kind: str) -> str:
    parts, x = [], 48.0
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        if kind == "line":
            dash = f' stroke-dasharray="{DASHES[i % len(DASHES)]}"' if DASHES[i % len(DASHES)] else ""
            parts.append(
                f'<line x1="{_n(x)}" y1="{_n(y - 4)}" x2="{_n(x + 22)}" y2="{_n(y - 4)}" stroke="{colour}" '
                f'stroke-width="2.5"{dash}/>'
            )
            x += 28
        else:
            parts.append(f'<rect x="{_n(x)}" y="{_n(y - 10)}" width="12" height="12" fill="{colour}"/>')
            x += 17
        parts.append(f'<text x="{_n(x)}" y="{_n(y)}" fill="{INK}">{escape(s.name)}</text>')
        x += 7.5 * len(s.name) + 24
    return "".join(parts)


# --- Bars and lines over time ----------------------------------------------------------------
def _columns(chart: Chart, title: str) -> SafeString:
    left, right, top, bottom, height = 48.0, 12.0, 30.0, 44.0, 260.0
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    values = [v for s in chart.series for v in s.values if v is not None]
    ceiling, step = nice_ceiling(max(values, default=0))
    n = max(len(chart.labels), 1)
    slot = plot_w / n

    def y_of(value: float) -> float:
        return top + plot_h - (value / ceiling) * plot_h

    parts = [_open(title, height), _legend(chart.series, 16, chart.kind)]
    tick = 0.0
    while tick <= ceiling + 1e-9:
        y = y_of(tick)
        parts.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(WIDTH - right)}" y2="{_n(y)}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end" fill="{MUTED}">{_number(tick)}</text>'
        )
        tick += step
    # Label every k-th slot so labels never overlap (about 56 px per label).
    every = max(1, math.ceil(56 / slot))
    for i, label in enumerate(chart.labels):
        if i % every == 0:
            x = left + slot * (i + 0.5)
            parts.append(
                f'<text x="{_n(x)}" y="{_n(height - bottom + 16)}" text-anchor="middle" fill="{MUTED}">'
                f"{escape(label)}</text>"
            )
    if chart.kind == "line":
        parts.extend(_lines(chart, left, slot, y_of, n))
    else:
        parts.extend(_bars(chart, left, slot, y_of, top + plot_h))
    parts.append(
        f'<line x1="{_n(left)}" y1="{_n(top + plot_h)}" x2="{_n(WIDTH - right)}" y2="{_n(top + plot_h)}" '
        f'stroke="{INK}"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


def _bars(chart: Chart, left: float, slot: float, y_of, base: float) -> list[str]:  # type: ignore[no-untyped-def]
    parts = []
    count = max(len(chart.series), 1)
    gap = slot * 0.2 if slot > 6 else 0
    width = (slot - gap) / count
    for s_index, series in enumerate(chart.series):
        colour = PALETTE[s_index % len(PALETTE)]
        for i, value in enumerate(series.values):
            if not value:
                continue
            x = left + slot * i + gap / 2 + width * s_index
            y = y_of(value)
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(width, 0.5))}" height="{_n(base - y)}" '
                f'fill="{colour}"><title>{escape(chart.labels[i])}: {escape(series.name)} '
                f"{_number(value)}</title></rect>"
            )
    return parts


def _lines(chart: Chart, left: float, slot: float, y_of, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    parts = []
    for s_index, series in enumerate(chart.series):
        colour = PALETTE[s_index % len(PALETTE)]
        dash = DASHES[s_index % len(DASHES)]
        points = [(left + slot * (i + 0.5), y_of(v), v) for i, v in enumerate(series.values) if v is not None]
        if not points:
            continue
        coords = " ".join(f"{_n(x)},{_n(y)}" for x, y, _ in points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr} '
            'stroke-linejoin="round"/>'
        )
        if n <= 40:
            for x, y, _ in points:
                parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{colour}"/>')
    return parts


# --- Horizontal bars: categories, tags, wards ---------------------------------------------------
def _hbar(chart: Chart, title: str) -> SafeString:
    count = max(len(chart.series), 1)
    # One bar per series in each row, each tall enough for its value beside it.
    row, top, label_w, right = (22.0 if count == 1 else 14.0 * count + 8), 30.0, 200.0, 56.0
    n = len(chart.labels)
    height = top + row * n + 8
    values = [v for s in chart.series for v in s.values if v is not None]
    ceiling, _ = nice_ceiling(max(values, default=0))
    plot_w = WIDTH - label_w - right
    parts = [_open(title, height), _legend(chart.series, 16, "bar") if count > 1 else ""]
    bar_h = (row - 6) / count
    for i, label in enumerate(chart.labels):
        y0 = top + row * i
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{_n(label_w - 8)}" y="{_n(y0 + row / 2 + 4)}" text-anchor="end" fill="{INK}">'
            f"{escape(short)}</text>"
        )
        note = chart.notes[i] if i < len(chart.notes) else ""
        for s_index, series in enumerate(chart.series):
            value = series.values[i]
            y = y0 + 3 + bar_h * s_index
            width = (value or 0) / ceiling * plot_w
            if value:
                parts.append(
                    f'<rect x="{_n(label_w)}" y="{_n(y)}" width="{_n(width)}" height="{_n(bar_h - 1)}" '
                    f'fill="{PALETTE[s_index % len(PALETTE)]}"/>'
                )
            text = note if (value is None and note) else _number(value)
            parts.append(
                f'<text x="{_n(label_w + width + 4)}" y="{_n(y + bar_h / 2 + 3.5)}" fill="{INK}" font-size="10.5">'
                f"{escape(text)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


# --- The ward map ------------------------------------------------------------------------------
def band_of(value: int, bands: Sequence[tuple[int, int]]) -> int:
    for index, (low, high) in enumerate(bands):
        if low <= value <= high:
            return index
    return len(bands) - 1


def map_bands(values: Sequence[int], lowest: int) -> tuple[tuple[int, int], ...]:
    """Up to four bands of equal width from ``lowest`` (the smallest count shown) to the largest."""
    top = max(values, default=0)
    if top < lowest:
        return ()
    width = max(1, math.ceil((top - lowest + 1) / len(BANDS)))
    bands, low = [], lowest
    while low <= top:
        bands.append((low, low + width - 1))
        low += width
    return tuple(bands)


def _map(chart: MapChart, title: str) -> SafeString:
    x0, y0, w, h = chart.view_box
    legend_h = 26.0
    scale = WIDTH / w if w else 1.0
    height = h * scale + legend_h + 8
    parts = [
        _open(title, height),
        # The hatching of suppressed wards: one pattern for the legend, one drawn in the map's frame
        # (scaled with it), both about 6 px apart on screen.
        f"<defs>{_hatch('hatch', 6.0)}{_hatch('hatch-map', 6.0 / scale)}</defs>",
        f'<g transform="translate(0 {_n(legend_h + 4)}) scale({scale:.5f}) translate({_n(-x0)} {_n(-y0)})">',
    ]
    labels = []
    for area in chart.areas:
        if area.value is None:
            fill, text = "url(#hatch-map)", chart.suppressed_label
        elif area.value == 0:
            fill, text = "#ffffff", "0"
        else:
            fill, text = BANDS[band_of(area.value, chart.bands)], _number(area.value)
        parts.append(
            f'<path d="{escape(area.path)}" fill="{fill}" stroke="{INK}" stroke-width="{_n(1.2 / scale)}" '
            f'fill-rule="evenodd"><title>{escape(area.name)}: {escape(text)}</title></path>'
        )
        labels.append(_map_label(area, text, (x0, y0), scale))
    parts.append("</g>")
    parts.append(f'<g transform="translate(0 {_n(legend_h + 4)})">{"".join(labels)}</g>')
    parts.append(_map_legend(chart))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


def _hatch(name: str, size: float) -> str:
    return (
        f'<pattern id="{name}" width="{_n(size)}" height="{_n(size)}" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="{_n(size)}" height="{_n(size)}" fill="#f4f6f8"/>'
        f'<line x1="0" y1="0" x2="0" y2="{_n(size)}" stroke="{MUTED}" stroke-width="{_n(size / 4)}"/></pattern>'
    )


def _map_label(area: MapArea, text: str, origin: tuple[float, float], scale: float) -> str:
    """The ward's name and count at the middle of its box, on a white halo, when they fit."""
    bx0, by0, bx1, by1 = area.box
    width = (bx1 - bx0) * scale
    if width < 28:
        return ""
    x = ((bx0 + bx1) / 2 - origin[0]) * scale
    y = ((by0 + by1) / 2 - origin[1]) * scale
    halo = 'stroke="#ffffff" stroke-width="3" paint-order="stroke" stroke-linejoin="round"'
    name = ""
    if width > 6.5 * len(area.name) + 8:
        name = (
            f'<text x="{_n(x)}" y="{_n(y - 4)}" text-anchor="middle" fill="{INK}" font-size="11" {halo}>'
            f"{escape(area.name)}</text>"
        )
    return name + (
        f'<text x="{_n(x)}" y="{_n(y + (12 if name else 4))}" text-anchor="middle" font-weight="700" '
        f'fill="{INK}" {halo}>{escape(text)}</text>'
    )


def _map_legend(chart: MapChart) -> str:
    parts, x = [], 4.0
    entries = [("#ffffff", "0")]
    entries += [("url(#hatch)", chart.suppressed_label)]
    entries += [(BANDS[i], f"{low}–{high}" if low != high else f"{low}") for i, (low, high) in enumerate(chart.bands)]
    for fill, text in entries:
        parts.append(f'<rect x="{_n(x)}" y="6" width="14" height="14" fill="{fill}" stroke="{INK}"/>')
        parts.append(f'<text x="{_n(x + 19)}" y="18" fill="{INK}">{escape(text)}</text>')
        x += 19 + 7.5 * len(text) + 16
    return "".join(parts)
