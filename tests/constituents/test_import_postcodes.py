"""manage.py import_postcodes: the ONS Postcode Directory layout, streamed, idempotent."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from constituents.models import InConstituency, PostcodeWard, Ward
from security.models import AuditEvent
from tests.factories import ConstituentFactory

HOME = "E14000001"
ONSPD_COLUMNS = ["pcd", "pcd2", "pcds", "dointr", "doterm", "oscty", "oslaua", "osward", "pcon", "lat", "long"]


def _onspd(tmp_path, rows, name="ONSPD_NT.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ONSPD_COLUMNS)
        for pcds, ward, pcon, doterm in rows:
            writer.writerow([pcds.replace(" ", ""), pcds, pcds, "198001", doterm, "E10", "E07", ward, pcon, "51", "-1"])
    return path


def _ward_names(tmp_path):
    path = tmp_path / "wards.csv"
    path.write_text(
        "\ufeffWD24CD,WD24NM,WD24NMW,LAD24CD,LAD24NM\n"
        "E05000001,Northtown Central,,E07000001,Northtown\n"
        "E05000002,Eastley Park,,E07000001,Northtown\n",
        encoding="utf-8",
    )
    return path


def _run(office, path, *extra):
    out = io.StringIO()
    call_command("import_postcodes", str(path), "--office", office.slug, "--constituency", HOME, *extra, stdout=out)
    return out.getvalue()


ROWS = [
    ("NT1 1AA", "E05000001", HOME, ""),
    ("NT1 1AB", "E05000001", HOME, ""),
    ("NT2 2BB", "E05000002", "E14000099", ""),  # next door
    ("NT3 3CC", "E05000002", HOME, "201204"),  # terminated
    ("NOT A PC", "E05000002", HOME, ""),
    ("NT4 4DD", "", HOME, ""),
    ("NT5 5EE", "E99999999", HOME, ""),  # ONS pseudo-code: no ward
]


def test_it_imports_postcodes_with_wards_and_constituency(office, tmp_path):
    output = _run(office, _onspd(tmp_path, ROWS), "--ward-names", str(_ward_names(tmp_path)))
    table = {row.postcode: row for row in PostcodeWard.objects.for_office(office).select_related("ward")}
    assert set(table) == {"NT1 1AA", "NT1 1AB", "NT2 2BB"}
    assert table["NT1 1AA"].ward.name == "Northtown Central"
    assert table["NT1 1AA"].in_constituency is True
    assert table["NT2 2BB"].in_constituency is False
    assert "Read 7 rows: 3 postcodes added, 0 updated, 0 unchanged; 1 terminated postcodes skipped" in output
    assert "3 rows could not be used" in output
    assert "is not a UK postcode" in output
    assert "no ward code" in output
    assert AuditEvent.objects.filter(office=office, verb="constituents.postcodes.imported").count() == 1


def test_importing_again_updates_in_place(office, tmp_path):
    _run(office, _onspd(tmp_path, ROWS[:3]))
    assert Ward.objects.for_office(office).get(code="E05000001").name == "E05000001"  # no names yet
    moved = [("NT1 1AA", "E05000002", HOME, ""), ("NT1 1AB", "E05000001", HOME, ""), ("NT2 2BB", "E05000002", HOME, "")]
    output = _run(office, _onspd(tmp_path, moved), "--ward-names", str(_ward_names(tmp_path)), "--batch-size", "2")
    assert "0 postcodes added, 2 updated, 1 unchanged" in output
    assert "Wards: 0 added, 2 renamed" in output
    table = {row.postcode: row for row in PostcodeWard.objects.for_office(office).select_related("ward")}
    assert table["NT1 1AA"].ward.name == "Eastley Park"
    assert table["NT2 2BB"].in_constituency is True
    assert PostcodeWard.objects.for_office(office).count() == 3


def test_existing_constituents_get_their_ward(office, tmp_path):
    inside = ConstituentFactory(office=office, postcode="NT1 1AA")
    outside = ConstituentFactory(office=office, postcode="NT2 2BB")
    unknown = ConstituentFactory(office=office, postcode="ZZ9 9ZZ")
    output = _run(office, _onspd(tmp_path, ROWS[:3]))
    assert "Constituents given a ward: 2" in output
    for person in (inside, outside, unknown):
        person.refresh_from_db()
    assert (inside.ward.code, inside.in_constituency) == ("E05000001", InConstituency.YES)
    assert (outside.ward.code, outside.in_constituency) == ("E05000002", InConstituency.NO)
    assert (unknown.ward, unknown.in_constituency) == (None, InConstituency.UNKNOWN)


def test_the_import_touches_only_the_named_office(office, other_office, tmp_path):
    _run(office, _onspd(tmp_path, ROWS[:3]))
    assert not PostcodeWard.objects.for_office(other_office).exists()
    assert not Ward.objects.for_office(other_office).exists()


def test_it_warns_when_no_postcode_is_in_the_constituency(office, tmp_path):
    output = _run(office, _onspd(tmp_path, [("NT2 2BB", "E05000002", "E14000099", "")]))
    assert "check the --constituency code" in output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("postcode,ward\nNT1 1AA,E05000001\n", "has no pcds, osward, pcon column"),
        ("pcds,osward\nNT1 1AA,E05000001\n", "has no pcon column"),
    ],
)
def test_a_file_in_another_layout_is_refused_clearly(office, tmp_path, content, message):
    path = tmp_path / "other.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        _run(office, path)


def test_bad_arguments_are_refused_clearly(office, tmp_path):
    path = _onspd(tmp_path, ROWS[:1])
    with pytest.raises(CommandError, match="No office has the slug"):
        call_command("import_postcodes", str(path), "--office", "nowhere", "--constituency", HOME)
    with pytest.raises(CommandError, match="is not a constituency code"):
        call_command("import_postcodes", str(path), "--office", office.slug, "--constituency", "Northtown")
    with pytest.raises(CommandError, match="is not a file"):
        call_command("import_postcodes", str(tmp_path / "missing.csv"), "--office", office.slug, "--constituency", HOME)
    bad_names = tmp_path / "names.csv"
    bad_names.write_text("code,name\nE05000001,Central\n", encoding="utf-8")
    with pytest.raises(CommandError, match="has no ward code and name columns"):
        _run(office, path, "--ward-names", str(bad_names))


def test_a_short_row_is_counted_not_fatal(office, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("pcds,osward,pcon,doterm\nNT1 1AA,E05000001\nNT1 1AB,E05000001,E14000001,\n", encoding="utf-8")
    output = _run(office, path)
    assert "1 postcodes added" in output
    assert "1 rows could not be used" in output
