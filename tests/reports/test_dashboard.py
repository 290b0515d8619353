"""The dashboard page, its filters and its CSV downloads."""

from __future__ import annotations

import csv
import io

import pytest

from casework import services as casework
from reports.services import report_settings_update
from tests.reports.conftest import at, open_case

pytestmark = pytest.mark.django_db

FORTNIGHT = {"start": "2026-03-02", "end": "2026-03-15"}


def _csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_a_manager_sees_every_panel_with_a_chart_a_table_and_a_csv(manager_client, world):
    response = manager_client.get("/dashboard", FORTNIGHT)
    page = response.content.decode()
    assert response.status_code == 200
    assert "2–15 March 2026" in page
    for title in ("Cases opened and closed per week", "Open caseload", "Cases by ward", "Workload per caseworker"):
        assert title in page
    assert page.count("<svg") >= 8
    assert page.count('class="figure__table"') >= 8
    assert "dashboard/csv?start=2026-03-02&amp;end=2026-03-15&amp;figure=weekly" in page
    # The headline figures of the fortnight.
    assert "<dt>Cases opened</dt><dd>6" in page
    assert "<dt>Reply target met</dt><dd>60%" in page


def test_the_mp_reads_the_dashboard(mp_client, world):
    assert mp_client.get("/dashboard").status_code == 200


@pytest.mark.parametrize("who", ["caseworker_client", "volunteer_client"])
def test_caseworkers_and_volunteers_are_refused(request, who, world):
    client = request.getfixturevalue(who)
    for url in ("/dashboard", "/dashboard/csv?figure=weekly", "/reports", "/reports/settings"):
        assert client.get(url).status_code == 403, url


def test_an_end_before_the_start_is_refused_with_a_clear_message(manager_client, world):
    page = manager_client.get("/dashboard", {"start": "2026-03-15", "end": "2026-03-02"}).content.decode()
    assert "The end date (2 March 2026) is before the start date (15 March 2026)" in page
    assert "<svg" not in page
    csv_response = manager_client.get(
        "/dashboard/csv", {"start": "2026-03-15", "end": "2026-03-02", "figure": "weekly"}
    )
    assert csv_response.status_code == 400


def test_half_a_period_and_a_future_start_are_refused(manager_client, world):
    page = manager_client.get("/dashboard", {"start": "2026-03-02"}).content.decode()
    assert "Give both a start and an end date." in page
    page = manager_client.get("/dashboard", {"start": "2099-01-01", "end": "2099-01-31"}).content.decode()
    assert "The period starts in the future" in page


def test_an_empty_period_shows_an_empty_state(manager_client, world):
    page = manager_client.get("/dashboard", {"start": "2024-01-01", "end": "2024-01-31"}).content.decode()
    assert "Nothing to show for this period" in page
    assert "This office's cases were opened from 5 March 2025" in page
    assert "<svg" not in page


def test_a_tag_filter_and_the_presets(manager_client, world):
    uc = world.tags["UC"]
    page = manager_client.get("/dashboard", {**FORTNIGHT, "tag": uc.pk}).content.decode()
    assert "tagged <strong>Universal Credit</strong>" in page
    assert f"tag={uc.pk}" in page
    page = manager_client.get("/dashboard", {"tag": "999999"}).content.decode()
    assert "Choose a tag of this office" in page
    page = manager_client.get("/dashboard", {"preset": "last-month"}).content.decode()
    assert 'aria-current="true">Last month</a>' in page


def test_the_csv_is_the_table(manager_client, world):
    rows = _csv(manager_client.get("/dashboard/csv", {**FORTNIGHT, "figure": "weekly"}))
    assert rows == [["Week beginning", "Opened", "Closed"], ["2 March 2026", "2", "2"], ["9 March 2026", "4", "2"]]
    assert manager_client.get("/dashboard/csv", {**FORTNIGHT, "figure": "nope"}).status_code == 404


def test_small_ward_counts_are_suppressed_in_the_table_and_the_csv(manager_client, world):
    page = manager_client.get("/dashboard", FORTNIGHT).content.decode()
    table = page[page.index('id="figure-wards"') :]
    table = table[: table.index("</section>")]
    assert '<td class="num">&lt;5</td>' in table
    for count in ('<td class="num">1</td>', '<td class="num">3</td>'):
        assert count not in table
    rows = _csv(manager_client.get("/dashboard/csv", {**FORTNIGHT, "figure": "wards"}))
    assert rows[1:] == [
        ["Alpha", "E05000001", "<5"],
        ["Beta", "E05000002", "<5"],
        ["Gamma", "E05000003", "<5"],
        ["No ward recorded", "", "<5"],
    ]


def test_text_a_spreadsheet_would_run_is_neutralised_in_the_csv(manager_client, world, office, manager):
    category = casework.category_create(office=office, actor=manager, name="+Category")
    evil = casework.tag_create(
        office=office, actor=manager, name='=HYPERLINK("http://x.example","go")', category=category
    )
    for name in ("@SUM(A1)", "-2+3", "\tTabbed", "\rReturn"):
        casework.tag_create(office=office, actor=manager, name=f"{name} tag", category=category)
    open_case(office, manager, at("2026-03-04 10:00"), tags=[evil])
    rows = _csv(manager_client.get("/dashboard/csv", {**FORTNIGHT, "figure": "tags"}))
    first_cells = [row[0] for row in rows]
    assert '\'=HYPERLINK("http://x.example","go")' in first_cells
    assert "'+Category" in [row[1] for row in rows]
    # Changes are numbers, written as numbers (a negative number is data, not a formula).
    assert rows[0][4] == "Change"
    for row in rows[1:]:
        assert all(not cell.startswith(("=", "+", "@", "\t", "\r")) for cell in row), row
        int(row[4])


def test_the_csv_cell_rule():
    from reports.csvexport import safe_cell
    from reports.figures import Signed, Suppressed

    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("+44 20") == "'+44 20"
    assert safe_cell("-x") == "'-x"
    assert safe_cell("@x") == "'@x"
    assert safe_cell("\tx") == "'\tx"
    assert safe_cell("\rx") == "'\rx"
    assert safe_cell("Plain") == "Plain"
    assert safe_cell(-3) == -3
    assert safe_cell(Signed(-3)) == -3
    assert safe_cell(Suppressed(5)) == "<5"
    assert safe_cell(None) == ""


def test_the_dashboard_query_count_is_fixed(manager_client, world, settings, django_assert_max_num_queries):
    settings.REPORTS_CACHE_SECONDS = 0
    for n in range(10):  # more rows of every kind must not mean more queries
        open_case(
            world.office,
            world.manager,
            at(f"2026-03-0{2 + n % 5} 14:00"),
            ward=world.wards["Beta"],
            tags=[world.tags["PIP"]],
            assignee=world.caseworker,
        )
    with django_assert_max_num_queries(30):
        assert manager_client.get("/dashboard", FORTNIGHT).status_code == 200


def test_a_warm_dashboard_reads_the_figures_from_the_cache(
    manager_client, world, settings, django_assert_max_num_queries
):
    settings.REPORTS_CACHE_SECONDS = 60
    manager_client.get("/dashboard", FORTNIGHT)
    # Session, user, 2FA device, membership, settings, tags for the filter: no figure query.
    with django_assert_max_num_queries(8):
        manager_client.get("/dashboard", FORTNIGHT)


def test_the_overview_home_shows_the_dashboard_to_managers_and_the_mp(
    manager_client, mp_client, caseworker_client, world
):
    for client in (manager_client, mp_client):
        page = client.get("/?overview").content.decode()
        assert "The last 12 weeks" in page
        assert 'href="/dashboard"' in page
    assert "The last 12 weeks" not in caseworker_client.get("/?overview").content.decode()
    assert 'href="/dashboard"' not in caseworker_client.get("/?overview").content.decode()


def test_the_threshold_is_a_setting_of_the_office(manager_client, world):
    report_settings_update(office=world.office, actor=world.manager, suppress_below=3)
    rows = _csv(manager_client.get("/dashboard/csv", {**FORTNIGHT, "figure": "wards"}))
    assert rows[1] == ["Alpha", "E05000001", "3"]
