"""Harrell's C options: case weights, strata, tie tolerance and pair counts.

Oracle: a brute-force O(n^2) loop over every pair with R survival's conventions (the
censored patient outlives an event at the same time; two events at one time are tied on
time and not comparable; a pair counts w_i * w_j; only pairs within a stratum).
"""

import numpy as np
import pytest

from riskml.evaluation import ConcordanceResult, concordance_index


def brute_force(time, event, risk, weights, strata, tol):
    counts = dict.fromkeys(["concordant", "discordant", "tied_risk", "tied_time"], 0.0)
    n = len(time)
    for i in range(n):
        for j in range(n):
            if i == j or strata[i] != strata[j] or not event[i]:
                continue
            w = weights[i] * weights[j]
            if event[j] and time[j] == time[i]:
                if i < j:
                    counts["tied_time"] += w
                continue
            if time[j] > time[i] or (time[j] == time[i] and not event[j]):
                if abs(risk[i] - risk[j]) <= tol:
                    counts["tied_risk"] += w
                elif risk[i] > risk[j]:
                    counts["concordant"] += w
                else:
                    counts["discordant"] += w
    comparable = counts["concordant"] + counts["discordant"] + counts["tied_risk"]
    counts["c_index"] = (counts["concordant"] + counts["tied_risk"] / 2) / comparable
    return counts


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_counts_weights_strata_and_tolerance_equal_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = 90
    time = rng.integers(1, 25, n).astype(float)  # many tied times
    event = rng.random(n) < 0.6
    risk = np.round(rng.normal(size=n), 1) + rng.choice([0.0, 1e-9], n)  # near-ties
    weights = rng.integers(1, 4, n).astype(float)
    strata = rng.choice(["a", "b", "c"], n)
    result = concordance_index(
        time, event, risk, weights=weights, strata=strata, tied_tol=1e-8, return_counts=True
    )
    assert isinstance(result, ConcordanceResult)
    expected = brute_force(time, event, risk, weights, strata, 1e-8)
    for name, value in expected.items():
        assert getattr(result, name) == pytest.approx(value, abs=1e-9), name
    # without options: the plain index, and exact ties only
    plain = brute_force(time, event, risk, np.ones(n), np.zeros(n), 0.0)
    assert concordance_index(time, event, risk) == pytest.approx(plain["c_index"], abs=1e-12)


def test_integer_weights_equal_repeated_rows():
    """Oracle: a weight of k equals the patient repeated k times (pairs within the
    repeats of one patient are never concordant or discordant)."""
    rng = np.random.default_rng(4)
    time = rng.exponential(10, 40)
    event = rng.random(40) < 0.7
    risk = rng.normal(size=40)
    weights = rng.integers(1, 3, 40)
    rows = np.repeat(np.arange(40), weights)
    weighted = concordance_index(time, event, risk, weights=weights, return_counts=True)
    repeated = concordance_index(time[rows], event[rows], risk[rows], return_counts=True)
    assert weighted.concordant == pytest.approx(repeated.concordant)
    assert weighted.discordant == pytest.approx(repeated.discordant)


def test_messages():
    with pytest.raises(ValueError, match="weights of concordance_index must hold one"):
        concordance_index([1, 2, 3], [1, 0, 1], [0.1, 0.2, 0.3], weights=[1, 2])
    with pytest.raises(ValueError, match="tied_tol of concordance_index must be a number"):
        concordance_index([1, 2, 3], [1, 0, 1], [0.1, 0.2, 0.3], tied_tol=-1)
