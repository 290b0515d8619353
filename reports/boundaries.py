"""Ward boundaries from GeoJSON, checked and projected for the dashboard's SVG map.

Accepts a FeatureCollection of Polygon or MultiPolygon features, as the ONS Open Geography
Portal publishes ward boundaries: longitude/latitude (WGS 84, RFC 7946) or British National
Grid metres (EPSG:27700), which the portal also offers. Every problem is found before anything
is written, and named with the feature it is in, so a bad file changes nothing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from security.errors import DomainError

MAX_BYTES = 50 * 1024 * 1024
MAX_FEATURES = 2_000
MAX_POSITIONS = 2_000_000
# The map frame: the whole area is this many units wide; one decimal place is kept.
FRAME_WIDTH = 1000.0
CODE_KEYS = re.compile(r"^(wd\d{2}cd|ward_?code|code)$", re.IGNORECASE)
NAME_KEYS = re.compile(r"^(wd\d{2}nm|ward_?name|name)$", re.IGNORECASE)


class BoundaryError(DomainError):
    """The GeoJSON cannot be used; the message says why and where."""


@dataclass(frozen=True)
class Outline:
    code: str
    name: str
    polygons: tuple[tuple[tuple[tuple[float, float], ...], ...], ...]  # polygons > rings > points


@dataclass(frozen=True)
class ProjectedOutline:
    code: str
    name: str
    path: str
    box: tuple[float, float, float, float]


def parse(raw: bytes, *, code_property: str | None = None, name_property: str | None = None) -> list[Outline]:
    """Every feature's code, name and rings, or ``BoundaryError`` naming the first problem."""
    if len(raw) > MAX_BYTES:
        raise BoundaryError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; simplify the boundaries first.")
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise BoundaryError("The file is not UTF-8 text; GeoJSON must be.") from None
    except json.JSONDecodeError as error:
        raise BoundaryError(
            f"The file is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise BoundaryError(f"Expected a GeoJSON FeatureCollection, but the file holds {found!r}.")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryError("The FeatureCollection has no features.")
    if len(features) > MAX_FEATURES:
        raise BoundaryError(f"The file has {len(features)} features; a constituency has far fewer than {MAX_FEATURES}.")
    code_key = code_property or _find_key(features, CODE_KEYS, "ward code", "--code-property")
    name_key = name_property or _find_key(features, NAME_KEYS, "ward name", "--name-property")
    outlines, seen, positions = [], set(), 0
    for number, feature in enumerate(features, start=1):
        outline = _outline(feature, number, code_key, name_key)
        if outline.code in seen:
            raise BoundaryError(f"Feature {number}: the ward code {outline.code} appears twice.")
        seen.add(outline.code)
        positions += sum(len(ring) for polygon in outline.polygons for ring in polygon)
        if positions > MAX_POSITIONS:
            raise BoundaryError(f"The boundaries have more than {MAX_POSITIONS:,} points; simplify them first.")
        outlines.append(outline)
    _coordinate_system(outlines)  # refuses a mixture
    return outlines


def _find_key(features: list[Any], pattern: re.Pattern[str], what: str, option: str) -> str:
    properties = features[0].get("properties") if isinstance(features[0], dict) else None
    for key in properties or {}:
        if pattern.match(key):
            return key
    raise BoundaryError(
        f"Feature 1 has no {what} property (looked for WDxxCD/WDxxNM, ward_code/ward_name, code/name); "
        f"name it with {option}."
    )


def _text(properties: dict[str, Any], key: str, number: int, what: str, limit: int) -> str:
    value = properties.get(key)
    if not isinstance(value, str | int) or not str(value).strip():
        raise BoundaryError(f"Feature {number} has no {what} in its property {key!r}.")
    value = " ".join(str(value).split())
    if len(value) > limit:
        raise BoundaryError(f"Feature {number}: the {what} {value[:40]!r}… is longer than {limit} characters.")
    return value


def _outline(feature: Any, number: int, code_key: str, name_key: str) -> Outline:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise BoundaryError(f"Feature {number} is not a GeoJSON Feature.")
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        raise BoundaryError(f"Feature {number} has no properties.")
    code = _text(properties, code_key, number, "ward code", 12)
    name = _text(properties, name_key, number, "ward name", 120)
    where = f"Feature {number} ({code})"
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        raise BoundaryError(f"{where} has no geometry.")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise BoundaryError(f"{where}: a MultiPolygon needs a list of polygons.")
        polygons = coordinates
    else:
        raise BoundaryError(f"{where}: the geometry is {kind!r}; ward boundaries must be Polygon or MultiPolygon.")
    return Outline(code, name, tuple(_polygon(p, where) for p in polygons))


def _polygon(rings: Any, where: str) -> tuple[tuple[tuple[float, float], ...], ...]:
    if not isinstance(rings, list) or not rings:
        raise BoundaryError(f"{where}: a polygon needs at least one ring of positions.")
    return tuple(_ring(ring, where) for ring in rings)


def _ring(ring: Any, where: str) -> tuple[tuple[float, float], ...]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise BoundaryError(f"{where}: a ring needs at least four positions (the first repeated last).")
    points = []
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
            or not all(math.isfinite(v) for v in position[:2])
        ):
            raise BoundaryError(f"{where}: {str(position)[:40]} is not a position [x, y].")
        points.append((float(position[0]), float(position[1])))
    if points[0] != points[-1]:
        raise BoundaryError(f"{where}: a ring is not closed (its last position must repeat its first).")
    return tuple(points)


def _positions(outlines: Iterable[Outline]) -> Iterable[tuple[float, float]]:
    for outline in outlines:
        for polygon in outline.polygons:
            for ring in polygon:
                yield from ring


def _coordinate_system(outlines: Sequence[Outline]) -> str:
    """ "lonlat" or "grid" (British National Grid metres); anything else is refused."""
    xs, ys = zip(*_positions(outlines), strict=True)
    if all(-180 <= x <= 180 for x in xs) and all(-90 <= y <= 90 for y in ys):
        return "lonlat"
    if all(0 <= x <= 700_000 for x in xs) and all(0 <= y <= 1_300_000 for y in ys):
        return "grid"
    raise BoundaryError(
        "The coordinates are neither longitude/latitude (WGS 84) nor British National Grid metres "
        "(EPSG:27700), or the file mixes the two."
    )


def project(outlines: Sequence[Outline]) -> list[ProjectedOutline]:
    """Into the map frame: north up, ``FRAME_WIDTH`` units wide. Longitude is narrowed by the
    cosine of the middle latitude, which is true enough at a constituency's size."""
    system = _coordinate_system(outlines)
    xs, ys = zip(*_positions(outlines), strict=True)
    squeeze = math.cos(math.radians((min(ys) + max(ys)) / 2)) if system == "lonlat" else 1.0
    min_x, max_y = min(xs) * squeeze, max(ys)
    width = max(max(xs) * squeeze - min_x, 1e-9)
    scale = FRAME_WIDTH / width

    def to_frame(point: tuple[float, float]) -> tuple[float, float]:
        return round((point[0] * squeeze - min_x) * scale, 1), round((max_y - point[1]) * scale, 1)

    projected = []
    for outline in outlines:
        commands, frame_points = [], []
        for polygon in outline.polygons:
            for ring in polygon:
                points = _dedupe(to_frame(p) for p in ring)
                frame_points += points
                commands.append("M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in points) + "Z")
        fxs, fys = zip(*frame_points, strict=True)
        projected.append(
            ProjectedOutline(outline.code, outline.name, "".join(commands), (min(fxs), min(fys), max(fxs), max(fys)))
        )
    return projected


def _dedupe(points: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Consecutive points that round to the same place add nothing to the picture."""
    kept: list[tuple[float, float]] = []
    for point in points:
        if not kept or kept[-1] != point:
            kept.append(point)
    return kept


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
