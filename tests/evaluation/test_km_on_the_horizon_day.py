"""Events exactly on the horizon day count by the horizon: the Kaplan-Meier estimate is read
at h, S(h), never just before it, S(h-) (issue: a mutation reading S(h-) passed every test,
because no test had an event on the horizon day; on integer-day data it moved a survival
O:E from 1.120 to 0.993).

Oracle: a brute-force product-limit estimate written out here (Kaplan & Meier 1958), which
R's ``summary(survfit(Surv(time, status) ~ 1), times = h)`` equals: the survival at h
includes the deaths at h. Each test also checks that S(h-) gives a clearly different
number on the same data, so the test fails if the code reads the wrong side of the step.
"""

import numpy as np
import pytest

from riskml.evaluation import survival_calibration
from riskml.evaluation._calibration import survival_observed_expected_ratio

HORIZON = 365.0


def _km(time, event, horizon, *, before=False):
    """1 - S(horizon) (or 1 - S(horizon-) with ``before``) by the product-limit formula."""
    survival = 1.0
    for t in np.unique(time[event]):
        if t > horizon or (before and t == horizon):
            break
        at_risk = np.sum(time >= t)
        deaths = np.sum((time == t) & event)
        survival *= 1.0 - deaths / at_risk
    return 1.0 - survival


@pytest.fixture
def integer_days():
    """A registry on whole days, many events on the horizon day itself."""
    rng = np.random.default_rng(7)
    n = 600
    time = rng.integers(30, 900, n).astype(float)
    event = rng.random(n) < 0.35
    on_the_day = rng.choice(n, 40, replace=False)
    time[on_the_day] = HORIZON
    event[on_the_day] = True
    risk = np.clip(rng.beta(2, 6, n), 0.01, 0.99)
    return time, event, risk


def test_survival_o_e_reads_the_estimate_at_the_horizon(integer_days):
    time, event, risk = integer_days
    at = _km(time, event, HORIZON)
    before = _km(time, event, HORIZON, before=True)
    assert abs(at - before) > 0.05  # the data tell S(h) from S(h-)
    ratio = survival_observed_expected_ratio(time, event, risk, HORIZON)
    assert ratio == pytest.approx(at / risk.mean(), rel=1e-12)
    assert ratio != pytest.approx(before / risk.mean(), rel=1e-3)


def test_survival_calibration_groups_read_the_estimate_at_the_horizon(integer_days):
    time, event, risk = integer_days
    table = survival_calibration(time, event, risk, HORIZON, n_groups=4)
    edges = np.unique(np.quantile(risk, np.linspace(0, 1, 5)))
    group = np.clip(np.searchsorted(edges, risk, side="left") - 1, 0, len(edges) - 2)
    differs = 0
    for k, row in enumerate(table.itertuples()):
        members = group == k
        assert row.n == members.sum()
        expected = _km(time[members], event[members], HORIZON)
        assert row.observed == pytest.approx(expected, abs=1e-12)
        differs += abs(expected - _km(time[members], event[members], HORIZON, before=True)) > 0.02
    assert differs >= 2
