"""Wolbers' competing-risk concordance by the O(n log n) kernel equals the sum over every
pair (the brute-force oracle, ``_wolbers_pairs``; the public function itself equals R
``pec::cindex(cause = 1)`` in tests/evaluation/test_competing_metrics_r.py), with
tied times and tied risks, weighted and unweighted, with and without ``tau``, compiled
and plain Python."""

import numpy as np
import pytest

from riskml.evaluation import _kernels
from riskml.evaluation._competing import (
    _censoring,
    _step,
    _wolbers_pairs,
    competing_concordance,
)


def _brute(time, event_type, risk, tau=None, weighted=True):
    cases = event_type == 1
    if tau is not None:
        cases &= time <= tau
    g_times, g_values = _censoring(time, event_type, None, None, "test")
    ones = np.ones_like(time)
    g_before = _step(g_times, g_values, time, left=True) if weighted else ones
    g_at = _step(g_times, g_values, time) if weighted else ones
    return _wolbers_pairs(time, event_type, risk, cases, g_before, g_at)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("weighted", [True, False])
def test_fast_concordance_equals_every_pair(seed, weighted):
    rng = np.random.default_rng(seed)
    n = 400
    time = rng.integers(1, 60, n).astype(float)  # many tied times
    event_type = rng.choice([0, 1, 2, 3], n, p=[0.4, 0.3, 0.2, 0.1])
    risk = np.round(rng.uniform(0, 1, n), 1)  # many tied risks
    tau = None if seed % 2 else 40.0
    fast = competing_concordance(time, event_type, risk, tau=tau, weighted=weighted)
    # both NaN where the censoring survival reaches 0 (weights 1/0), as before
    expected = _brute(time, event_type, risk, tau, weighted)
    assert fast == pytest.approx(expected, rel=1e-12, nan_ok=True)
    assert np.isfinite(fast) or weighted


def test_plain_python_kernel_gives_the_same(monkeypatch):
    rng = np.random.default_rng(9)
    time = rng.integers(1, 30, 150).astype(float)
    event_type = rng.choice([0, 1, 2], 150)
    risk = rng.uniform(0, 1, 150)
    compiled = competing_concordance(time, event_type, risk)
    monkeypatch.setattr(_kernels, "USE_NUMBA", False)
    assert competing_concordance(time, event_type, risk) == pytest.approx(compiled, rel=1e-13)
