import math

import pytest

from reports.stats import benjamini_hochberg, poisson_upper_tail


def _tail_by_complement(k, mean):
    return 1 - sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k))


@pytest.mark.parametrize(("k", "mean"), [(1, 0.5), (3, 1.0), (6, 1.0), (4, 2.0), (10, 7.5), (30, 25.0)])
def test_the_poisson_tail_matches_one_minus_the_cdf(k, mean):
    assert poisson_upper_tail(k, mean) == pytest.approx(_tail_by_complement(k, mean), rel=1e-9)


def test_tiny_tails_stay_accurate():
    # 1 - CDF underflows to 0 here; summing the upper terms does not.
    expected = math.exp(-0.1) * 0.1**40 / math.factorial(40)
    assert poisson_upper_tail(40, 0.1) == pytest.approx(expected, rel=1e-6)
    assert poisson_upper_tail(0, 3.0) == 1.0
    assert poisson_upper_tail(2, 0.0) == 0.0


def test_benjamini_hochberg_steps_up():
    # m = 5, q = 0.05: the thresholds by rank are 0.01, 0.02, 0.03, 0.04, 0.05. The second smallest
    # (0.025) misses its own threshold, but the third (0.029) meets its one, so all three are
    # rejected; the fourth (0.2) is not.
    p_values = [0.025, 0.2, 0.001, 0.029, 0.9]
    flags, adjusted = benjamini_hochberg(p_values, 0.05)
    assert flags == [True, False, True, True, False]
    assert adjusted[2] == pytest.approx(0.005)
    assert adjusted[0] == pytest.approx(0.029 * 5 / 3)  # min(0.025 * 5 / 2, 0.029 * 5 / 3)
    assert adjusted[3] == pytest.approx(0.029 * 5 / 3)
    assert adjusted[1] == pytest.approx(0.2 * 5 / 4)
    assert adjusted[4] == pytest.approx(0.9)
    assert benjamini_hochberg([], 0.05) == ([], [])
