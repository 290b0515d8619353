"""UK working days against known dates, in each nation's bank holidays."""

import datetime as dt

import pytest

from mpoffice.lib.workingdays import add_working_days, is_working_day, subtract_working_days, working_days_between

EW, SCOT, NI = "england-and-wales", "scotland", "northern-ireland"
D = dt.date


@pytest.mark.parametrize(
    ("start", "days", "nation", "expected"),
    [
        # Christmas and Boxing Day 2021 fell at the weekend: the 27th and 28th are the holidays.
        (D(2021, 12, 24), 1, EW, D(2021, 12, 29)),
        # 2022: Boxing Day on the Monday, Christmas observed on the Tuesday.
        (D(2022, 12, 23), 1, EW, D(2022, 12, 28)),
        # Easter 2026: Good Friday 3 April everywhere; Easter Monday 6 April not in Scotland.
        (D(2026, 4, 2), 1, EW, D(2026, 4, 7)),
        (D(2026, 4, 2), 1, SCOT, D(2026, 4, 6)),
        (D(2026, 4, 2), 1, NI, D(2026, 4, 7)),
        # St Andrew's Day 2026 is a Monday, in Scotland only.
        (D(2026, 11, 27), 1, SCOT, D(2026, 12, 1)),
        (D(2026, 11, 27), 1, EW, D(2026, 11, 30)),
        # St Andrew's Day 2025 was a Sunday: observed on Monday 1 December.
        (D(2025, 11, 28), 1, SCOT, D(2025, 12, 2)),
        # The Battle of the Boyne 2026 is a Sunday: Monday 13 July is the holiday in Northern Ireland.
        (D(2026, 7, 10), 1, NI, D(2026, 7, 14)),
        (D(2026, 7, 10), 1, EW, D(2026, 7, 13)),
        # Across New Year: 24 Dec, then 29, 30, 31 Dec and 4 Jan (28 Dec and 1 Jan are holidays).
        (D(2026, 12, 23), 5, EW, D(2027, 1, 4)),
        # Scotland also has 2 January, a Saturday in 2027, observed on Monday the 4th.
        (D(2026, 12, 23), 5, SCOT, D(2027, 1, 5)),
        # The government's 20 working days from 27 November 2026, across Christmas.
        (D(2026, 11, 27), 20, EW, D(2026, 12, 29)),
    ],
)
def test_adding_working_days(start, days, nation, expected):
    assert add_working_days(start, days, nation) == expected


def test_subtracting_undoes_adding_onto_a_working_day():
    for nation in (EW, SCOT, NI):
        start = D(2026, 12, 18)
        end = add_working_days(start, 7, nation)
        assert subtract_working_days(end, 7, nation) == start


def test_counting_working_days_between_two_dates():
    assert working_days_between(D(2026, 12, 23), D(2027, 1, 4), EW) == 5
    assert working_days_between(D(2027, 1, 4), D(2026, 12, 23), EW) == 0


def test_weekends_are_never_working_days():
    assert not is_working_day(D(2026, 11, 28), EW)
    assert is_working_day(D(2026, 11, 27), EW)


def test_an_unknown_nation_is_refused():
    with pytest.raises(ValueError, match="Unknown nation"):
        add_working_days(D(2026, 1, 1), 1, "wessex")
