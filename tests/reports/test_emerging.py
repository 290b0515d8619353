"""Emerging issues: an exact Poisson test per tag, Benjamini-Hochberg across tags."""

import datetime as dt
import math

import pytest

from casework import services as casework
from reports import figures
from reports.periods import Period
from tests.reports.conftest import LONDON, open_case

pytestmark = pytest.mark.django_db

END = dt.date(2026, 3, 15)  # the tested week is 9-15 March; the baseline 15 December to 8 March


def _at(day, hour=10):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def _tail(k, mean):
    return 1 - sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k))


@pytest.fixture
def tags(office, manager):
    category = casework.category_create(office=office, actor=manager, name="Local")
    return {
        name: casework.tag_create(office=office, actor=manager, name=name, category=category)
        for name in ("Flooding", "Potholes", "Noise", "Parking")
    }


def _cases(office, actor, tag, *, per_baseline_week, this_week):
    for week in range(1, 13):
        for n in range(per_baseline_week):
            open_case(office, actor, _at(END - dt.timedelta(days=7 * week + n)), tags=[tag])
    for n in range(this_week):
        open_case(office, actor, _at(END - dt.timedelta(days=n % 7), 9 + n), tags=[tag])


def test_a_tag_well_above_its_own_baseline_is_flagged(office, manager, tags):
    _cases(office, manager, tags["Flooding"], per_baseline_week=1, this_week=6)  # p = P(X >= 6 | 1)
    _cases(office, manager, tags["Potholes"], per_baseline_week=2, this_week=4)  # p = P(X >= 4 | 2)
    _cases(office, manager, tags["Noise"], per_baseline_week=0, this_week=3)  # new: mean 0.5 / 12
    _cases(office, manager, tags["Parking"], per_baseline_week=0, this_week=1)  # too few to call

    scope = figures.scope_for(office, Period(dt.date(2026, 2, 16), END), today=dt.date(2026, 3, 16))
    (emerging,) = figures.build(scope, keys=("emerging",), use_cache=False)

    p = {
        "Noise": _tail(3, 0.5 / 12),
        "Flooding": _tail(6, 1.0),
        "Potholes": _tail(4, 2.0),
        "Parking": 1.0,
    }
    # Benjamini-Hochberg over the four tags tested, in order of p: adjusted = min over ranks >= r of p * m / rank.
    adjusted = {"Parking": 1.0, "Potholes": p["Potholes"] * 4 / 3}
    adjusted["Flooding"] = min(adjusted["Potholes"], p["Flooding"] * 4 / 2)
    adjusted["Noise"] = min(adjusted["Flooding"], p["Noise"] * 4 / 1)
    rows = {row[0]: row for row in emerging.rows}
    assert [row[0] for row in emerging.rows] == ["Noise", "Flooding", "Potholes", "Parking"]
    assert rows["Flooding"][2:4] == (6, 1.0)
    assert rows["Potholes"][2:4] == (4, 2.0)
    assert rows["Noise"][2:4] == (3, 0.0)
    assert rows["Flooding"][4] == f"{p['Flooding']:.4f}"
    assert rows["Flooding"][5] == f"{adjusted['Flooding']:.4f}"
    assert rows["Potholes"][4:6] == (f"{p['Potholes']:.4f}", f"{adjusted['Potholes']:.4f}")
    assert rows["Noise"][4:6] == ("<0.0001", "<0.0001")
    assert {name for name, row in rows.items() if row[-1] == "Yes"} == {"Noise", "Flooding"}
    assert emerging.stats[0].value == "2"
    assert "9–15 March 2026" in emerging.description


def test_a_steady_tag_is_not_flagged(office, manager, tags):
    _cases(office, manager, tags["Potholes"], per_baseline_week=3, this_week=4)
    scope = figures.scope_for(office, Period(dt.date(2026, 3, 9), END), today=dt.date(2026, 3, 16))
    (emerging,) = figures.build(scope, keys=("emerging",), use_cache=False)
    assert [row[-1] for row in emerging.rows] == ["No"]
    assert emerging.stats[0].value == "0"
