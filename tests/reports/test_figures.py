"""Every figure against the hand-computed office of conftest.py."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from reports import figures
from reports.figures import Signed, Suppressed
from reports.periods import Period
from tests.reports.conftest import PERIOD, TODAY, at, open_case

pytestmark = pytest.mark.django_db


def figure(world, key, **kwargs):
    (found,) = figures.build(world.scope(**kwargs), keys=(key,), use_cache=False)
    return found


def stats_of(found):
    return {stat.label: stat.value for stat in found.stats}


def test_cases_opened_and_closed_per_week(world):
    weekly = figure(world, "weekly")
    # Opened: c1, c2 in the first week; c3-c6 in the second. Closed: c0b, c1 then c5, c6.
    assert weekly.rows == [("2 March 2026", 2, 2), ("9 March 2026", 4, 2)]
    assert stats_of(weekly) == {"Cases opened": "6", "Cases closed": "4"}
    assert weekly.chart.series[0].values == (2, 4)
    assert not weekly.empty


def test_cases_per_month_counts_only_the_days_in_the_period(world):
    monthly = figure(world, "monthly", period=Period(dt.date(2026, 2, 1), dt.date(2026, 3, 15)))
    # February: c0b, c0 opened, nothing closed. March to the 15th: six opened, four closed.
    assert monthly.rows == [("February 2026", 2, 0), ("March 2026", 6, 4)]


def test_open_caseload_at_the_end_of_each_week(world):
    caseload = figure(world, "caseload")
    # Open at the start: c0 and c0b (ly1 closed in 2025). Week 1: +2 -2. Week 2: +4 -2.
    assert caseload.rows == [("8 March 2026", 2), ("15 March 2026", 4)]
    assert stats_of(caseload) == {"Open at the end of the period": "4", "Open now": "4"}


def test_response_times_and_the_reply_target(world):
    response = figure(world, "response")
    rows = dict(response.rows)
    assert rows["Cases opened in the period"] == 6
    assert rows["Replied to"] == 4
    # First replies: c6 0.25, c1 1, c2 2, c4 19 days: the median is (1 + 2) / 2.
    assert rows["Median time to first reply (days)"] == 1.5
    # c1, c2 and c6 replied within ten working days; c4 replied late and c3 is still unanswered.
    assert rows["Replied within our target"] == 3
    assert rows["Target missed"] == 2
    assert rows["of which replied late"] == 1
    assert rows["of which still unanswered past the target"] == 1
    assert rows["Closed with no reply recorded"] == 1
    assert rows["Not yet due, or paused"] == 0
    # Closed in the period: c5 1, c6 1, c1 4, c0b 14 days: the median is (1 + 4) / 2.
    assert rows["Cases closed in the period"] == 4
    assert rows["Median time to close (days)"] == 2.5
    assert stats_of(response) == {
        "Median time to first reply": "1.5 days",
        "Median time to close": "2.5 days",
        "Reply target met": "60%",
    }


def test_a_case_still_within_its_target_is_waiting_not_missed(world):
    response = figure(world, "response", today=dt.date(2026, 3, 20))
    rows = dict(response.rows)
    # On 20 March c3 (due 24 March) was not yet late.
    assert rows["Target missed"] == 1
    assert rows["Not yet due, or paused"] == 1


def test_tags_against_the_previous_period_and_last_year(world):
    tags = figure(world, "tags")
    # (tag, category, this period, previous, change, last year, change on last year)
    assert tags.rows == [
        ("Universal Credit", "Benefits", 3, 1, Signed(2), 1, Signed(2)),
        ("PIP", "Benefits", 2, 0, Signed(2), 0, Signed(2)),
        ("Disrepair", "Housing", 1, 1, Signed(0), 0, Signed(1)),
    ]
    assert "16 February – 1 March 2026" in tags.notes[0]
    assert "3–16 March 2025" in tags.notes[0]


def test_categories_count_a_case_once(world):
    categories = figure(world, "categories")
    # c1 has two Benefits tags and counts once: c1, c2, c4, c6.
    assert categories.rows == [
        ("Benefits", 4, 1, Signed(3), 1, Signed(3)),
        ("Housing", 1, 1, Signed(0), 0, Signed(1)),
    ]


def test_top_movers(world):
    movers = figure(world, "movers")
    assert movers.rows == [
        ("Rose on the previous period", "PIP", 2, 0, Signed(2)),
        ("Rose on the previous period", "Universal Credit", 3, 1, Signed(2)),
        ("Rose on the same period last year", "PIP", 2, 0, Signed(2)),
        ("Rose on the same period last year", "Universal Credit", 3, 1, Signed(2)),
        ("Rose on the same period last year", "Disrepair", 1, 0, Signed(1)),
    ]


def test_wards_below_the_threshold_are_suppressed(world):
    wards = figure(world, "wards")  # the default threshold is 5: every count here is smaller
    assert wards.rows == [
        ("Alpha", "E05000001", Suppressed(5)),
        ("Beta", "E05000002", Suppressed(5)),
        ("Gamma", "E05000003", Suppressed(5)),
        ("No ward recorded", "", Suppressed(5)),
    ]
    assert wards.chart.series[0].values == (None, None, None, None)
    assert wards.chart.notes == ("<5",) * 4


def test_a_lower_threshold_shows_more(world):
    from reports.services import report_settings_update

    report_settings_update(office=world.office, actor=world.manager, suppress_below=3)
    wards = figure(world, "wards")
    assert wards.rows == [
        ("Alpha", "E05000001", 3),
        ("Beta", "E05000002", Suppressed(3)),
        ("Gamma", "E05000003", Suppressed(3)),
        ("No ward recorded", "", Suppressed(3)),
    ]


def test_one_hidden_count_would_be_given_away_by_the_total_so_another_is_hidden(world):
    # Nine more cases in Gamma and five more in Alpha: Alpha 8, Beta 1, Gamma 10, no ward 1.
    for n in range(9):
        open_case(world.office, world.manager, at(f"2026-03-0{2 + n % 5} 15:00"), ward=world.wards["Gamma"])
    for n in range(5):
        open_case(world.office, world.manager, at(f"2026-03-0{2 + n} 16:00"), ward=world.wards["Alpha"])
    from reports.services import report_settings_update

    report_settings_update(office=world.office, actor=world.manager, suppress_below=2)
    # Threshold 2: Beta 1 and "no ward" 1 are hidden; two hidden cells cannot be told apart.
    assert [row[2] for row in figure(world, "wards").rows] == [8, Suppressed(2), 10, Suppressed(2)]
    # Threshold 2 with "no ward" at 2: only Beta would be hidden, and 21 - 8 - 10 - 2 = 1 gives it
    # away, so the smallest shown count (no ward, 2) is hidden as well.
    open_case(world.office, world.manager, at("2026-03-04 17:00"))
    assert [row[2] for row in figure(world, "wards").rows] == [8, Suppressed(2), 10, Suppressed(2)]


def test_workload_per_assignee(world):
    workload = figure(world, "workload")
    # (assignee, open now, overdue now, opened in the period, closed in the period)
    assert sorted(workload.rows) == sorted(
        [
            (world.caseworker.full_name, 1, 1, 3, 2),  # c2 open (due 17 March); c1, c2, c6 opened; c1, c6 closed
            (world.manager.full_name, 1, 1, 1, 1),  # c3 open and overdue; c0b closed
            ("Unassigned", 2, 2, 2, 1),  # c0 and c4 open and overdue; c4, c5 opened; c5 closed
        ]
    )
    assert workload.rows[-1][0] == "Unassigned"


def test_a_tag_filter_narrows_every_figure(world):
    uc = world.tags["UC"]
    weekly = figure(world, "weekly", tag=uc)
    assert weekly.rows == [("2 March 2026", 2, 1), ("9 March 2026", 1, 1)]
    tags = figure(world, "tags", tag=uc)
    # The tags of cases tagged Universal Credit: c1 also has PIP.
    assert {row[0]: row[2] for row in tags.rows} == {"Universal Credit": 3, "PIP": 1}


def test_an_empty_period_is_empty(world):
    quiet = Period(dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    built = figures.build(world.scope(period=quiet), use_cache=False)
    assert all(f.empty for f in built if f.key not in ("workload", "map")), [f.key for f in built if not f.empty]
    assert figure(world, "weekly", period=quiet).empty_text == "No case was opened or closed in this period."


def test_the_map_is_empty_until_boundaries_are_imported(world):
    found = figure(world, "map")
    assert found.empty
    assert "import_ward_boundaries" in found.empty_text


def test_figures_are_cached_per_office_period_and_tag(world, django_assert_num_queries, settings):
    settings.REPORTS_CACHE_SECONDS = 60
    scope = world.scope()
    first = figures.build(scope)
    same = world.scope()
    with django_assert_num_queries(0):
        again = figures.build(same)
    assert [f.rows for f in again] == [f.rows for f in first]
    # Another period, tag or threshold is computed afresh.
    assert figures.cache_key(scope, "weekly") != figures.cache_key(world.scope(tag=world.tags["UC"]), "weekly")
    assert figures.cache_key(scope, "weekly") != figures.cache_key(
        world.scope(period=Period(PERIOD.start, TODAY)), "weekly"
    )
    assert f":{world.office.pk}:" in figures.cache_key(scope, "weekly")


def test_the_cache_expires(world, settings):
    settings.REPORTS_CACHE_SECONDS = 1
    figures.build(world.scope(), keys=("weekly",))
    open_case(world.office, world.manager, at("2026-03-04 11:00"))
    (cached,) = figures.build(world.scope(), keys=("weekly",))
    assert cached.rows[0] == ("2 March 2026", 2, 2)
    time.sleep(1.2)  # Redis expires the key on its own clock
    (fresh,) = figures.build(world.scope(), keys=("weekly",))
    assert fresh.rows[0] == ("2 March 2026", 3, 2)


def test_no_figure_reads_case_rows_into_python(world, django_assert_max_num_queries):
    """Aggregates only: the whole set costs a fixed, small number of queries however many cases
    (about two per panel)."""
    with django_assert_max_num_queries(23):
        figures.build(world.scope(), use_cache=False)


def test_weeks_follow_london_time_when_the_clocks_change(world):
    # The clocks go forward at 01:00 GMT on Sunday 29 March 2026. 22:30 UTC that evening is 23:30 BST,
    # still Sunday; 23:30 UTC is 00:30 BST on Monday, the next week.
    open_case(world.office, world.manager, dt.datetime(2026, 3, 29, 22, 30, tzinfo=dt.UTC))
    open_case(world.office, world.manager, dt.datetime(2026, 3, 29, 23, 30, tzinfo=dt.UTC))
    weekly = figure(world, "weekly", period=Period(dt.date(2026, 3, 23), dt.date(2026, 4, 5)))
    assert weekly.rows == [("23 March 2026", 1, 0), ("30 March 2026", 1, 0)]


def test_a_chart_month_by_month_is_left_out_for_a_period_within_one_month(world):
    assert [f.key for f in figures.build(world.scope(), use_cache=False)].count("monthly") == 0
    spread = world.scope(period=Period(dt.date(2026, 2, 20), dt.date(2026, 3, 15)))
    assert "monthly" in [f.key for f in figures.build(spread, use_cache=False)]
