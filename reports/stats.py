"""The statistics behind "emerging issues": an exact Poisson tail and Benjamini-Hochberg.

Each tag's count this week is tested against its own baseline, the mean of its previous twelve
weeks: is a count this high surprising if the tag still ran at that rate? Testing fifty tags a
week would flag a couple by chance alone, so the false-discovery rate is controlled across
tags (Benjamini-Hochberg): of the tags flagged, at most ``q`` are expected to be flukes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def poisson_upper_tail(k: int, mean: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mean), summed exactly from the k-th term upwards.

    Summing the upper terms (not 1 minus the lower ones) keeps tiny p-values accurate: the
    smallest are the ones that matter here.
    """
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    term = math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1))
    total, i = term, k
    # Terms shrink once i passes the mean; stop when one no longer changes the sum.
    while term > total * 1e-17 or i < mean:
        i += 1
        term *= mean / i
        total += term
        if term == 0.0:
            break
    return min(total, 1.0)


def benjamini_hochberg(p_values: Sequence[float], q: float) -> tuple[list[bool], list[float]]:
    """Which hypotheses to reject at false-discovery rate ``q``, and each one's adjusted p-value
    (the smallest q at which it would be rejected), in the order given."""
    m = len(p_values)
    if m == 0:
        return [], []
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):  # from the largest p down, so adjusted values never decrease
        index = order[rank - 1]
        running = min(running, p_values[index] * m / rank)
        adjusted[index] = running
    return [a <= q for a in adjusted], adjusted
