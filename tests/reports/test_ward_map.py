"""Ward boundaries from GeoJSON (the management command) and the ward map they draw."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from reports import figures
from reports.boundaries import BoundaryError, parse, project
from reports.demo import ward_geojson
from reports.models import WardBoundary
from reports.services import report_settings_update
from security.models import AuditEvent
from tests.reports.conftest import at, open_case

pytestmark = pytest.mark.django_db


def square(x, y, size=0.01):
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def feature(code, name, ring, kind="Polygon"):
    coordinates = [ring] if kind == "Polygon" else [[ring]]
    return {
        "type": "Feature",
        "properties": {"WD24CD": code, "WD24NM": name},
        "geometry": {"type": kind, "coordinates": coordinates},
    }


def three_wards():
    return collection(
        feature("E05000001", "Alpha", square(-1.60, 53.80)),
        feature("E05000002", "Beta", square(-1.59, 53.80), kind="MultiPolygon"),
        feature("E05000003", "Gamma", square(-1.58, 53.80)),
    )


def write(tmp_path, data, name="wards.geojson"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_the_command_imports_the_boundaries(world, tmp_path, capsys):
    call_command("import_ward_boundaries", str(write(tmp_path, three_wards())), office=world.office.slug)
    assert "Imported 3 ward boundaries; 3 match the office's wards." in capsys.readouterr().out
    boundaries = list(WardBoundary.objects.for_office(world.office).order_by("code"))
    assert [b.name for b in boundaries] == ["Alpha", "Beta", "Gamma"]
    # Three squares side by side, 1000 units wide together: each about a third, north up.
    assert boundaries[0].min_x == 0
    assert boundaries[2].max_x == 1000
    assert boundaries[0].path.startswith("M0 ")
    assert AuditEvent.objects.filter(office=world.office, verb="reports.ward_boundaries.imported").exists()


def test_importing_again_replaces_the_map(world, tmp_path):
    call_command("import_ward_boundaries", str(write(tmp_path, three_wards())), office=world.office.slug)
    only_alpha = collection(feature("E05000001", "Alpha", square(-1.60, 53.80)))
    call_command("import_ward_boundaries", str(write(tmp_path, only_alpha)), office=world.office.slug)
    assert list(WardBoundary.objects.for_office(world.office).values_list("code", flat=True)) == ["E05000001"]


def _broken_files():
    good = three_wards()
    open_ring = three_wards()
    open_ring["features"][0]["geometry"]["coordinates"][0][-1] = [0.5, 0.5]
    point = three_wards()
    point["features"][1]["geometry"] = {"type": "Point", "coordinates": [-1.6, 53.8]}
    twice = three_wards()
    twice["features"][2]["properties"]["WD24CD"] = "E05000001"
    nameless = three_wards()
    del nameless["features"][1]["properties"]["WD24NM"]
    text = three_wards()
    text["features"][0]["geometry"]["coordinates"][0][1] = ["a", "b"]
    far = three_wards()
    far["features"][0]["geometry"]["coordinates"][0][2] = [9_000_000, 1]
    return {
        "not json": ("{ nope", "not valid JSON"),
        "not a collection": ({"type": "Feature"}, "Expected a GeoJSON FeatureCollection"),
        "no features": (collection(), "has no features"),
        "open ring": (open_ring, "Feature 1 (E05000001): a ring is not closed"),
        "a point": (point, "Feature 2 (E05000002): the geometry is 'Point'"),
        "a code twice": (twice, "Feature 3: the ward code E05000001 appears twice"),
        "no name": (nameless, "Feature 2 has no ward name"),
        "text coordinates": (text, "Feature 1 (E05000001): ['a', 'b'] is not a position"),
        "mixed coordinates": (far, "neither longitude/latitude"),
        "no code property": (
            {**good, "features": [{**good["features"][0], "properties": {"label": "x"}}]},
            "Feature 1 has no ward code property",
        ),
    }


@pytest.mark.parametrize("case", list(_broken_files()))
def test_a_malformed_file_is_refused_with_the_reason_and_changes_nothing(case, world, tmp_path):
    call_command(
        "import_ward_boundaries", str(write(tmp_path, three_wards(), "good.geojson")), office=world.office.slug
    )
    before = list(WardBoundary.objects.for_office(world.office).values_list("code", "path"))
    data, reason = _broken_files()[case]
    with pytest.raises(CommandError, match="Nothing was imported") as refused:
        call_command("import_ward_boundaries", str(write(tmp_path, data)), office=world.office.slug)
    assert reason in str(refused.value)
    assert list(WardBoundary.objects.for_office(world.office).values_list("code", "path")) == before


def test_the_command_names_a_missing_office_or_file(world, tmp_path):
    with pytest.raises(CommandError, match="No office has the slug 'nowhere'"):
        call_command("import_ward_boundaries", str(write(tmp_path, three_wards())), office="nowhere")
    with pytest.raises(CommandError, match="is not a file"):
        call_command("import_ward_boundaries", str(tmp_path / "missing.geojson"), office=world.office.slug)


def test_british_national_grid_coordinates_are_accepted():
    grid = collection(
        feature("E05000001", "Alpha", [[430000, 433000], [431000, 433000], [431000, 434000], [430000, 433000]]),
        feature("E05000002", "Beta", [[431000, 433000], [433000, 433000], [433000, 434000], [431000, 433000]]),
    )
    projected = project(parse(json.dumps(grid).encode()))
    assert projected[0].box == (0.0, 0.0, 333.3, 333.3)
    assert projected[1].box == (333.3, 0.0, 1000.0, 333.3)


def test_custom_property_names(world):
    data = json.dumps(
        collection(
            {
                "type": "Feature",
                "properties": {"id": "X1", "title": "Ex"},
                "geometry": {"type": "Polygon", "coordinates": [square(0, 0)]},
            }
        )
    ).encode()
    with pytest.raises(BoundaryError, match="no ward code property"):
        parse(data)
    (outline,) = parse(data, code_property="id", name_property="title")
    assert (outline.code, outline.name) == ("X1", "Ex")


def _map(world):
    (found,) = figures.build(world.scope(), keys=("map",), use_cache=False)
    return found


def test_the_map_suppresses_small_counts_like_the_table(world, tmp_path):
    call_command("import_ward_boundaries", str(write(tmp_path, three_wards())), office=world.office.slug)
    for n in range(5):  # Alpha: 3 + 5 = 8, shown; Beta 1 and Gamma 1 stay hidden
        open_case(world.office, world.manager, at(f"2026-03-0{2 + n} 15:00"), ward=world.wards["Alpha"])
    found = _map(world)
    assert [row[2] for row in found.rows] == [8, figures.Suppressed(5), figures.Suppressed(5)]
    assert [area.value for area in found.chart.areas] == [8, None, None]
    from reports.charts import render

    svg = str(render(found.chart, title="Ward map"))
    assert "<title>Alpha: 8</title>" in svg
    assert "<title>Beta: &lt;5</title>" in svg
    assert "<title>Gamma: &lt;5</title>" in svg
    assert ": 1<" not in svg


def test_the_map_on_the_dashboard(manager_client, world, tmp_path):
    call_command("import_ward_boundaries", str(write(tmp_path, three_wards())), office=world.office.slug)
    report_settings_update(office=world.office, actor=world.manager, suppress_below=3)
    page = manager_client.get("/dashboard", {"start": "2026-03-02", "end": "2026-03-15"}).content.decode()
    section = page[page.index('id="figure-map"') :]
    section = section[: section.index("</section>")]
    assert "<path d=" in section
    assert "<title>Alpha: 3</title>" in section
    assert "<title>Beta: &lt;3</title>" in section
    assert '<th scope="row">Beta</th><td>E05000002</td><td class="num">&lt;3</td>' in section


def test_the_demo_outlines_are_valid_geojson():
    assert len(parse(ward_geojson())) == 4
