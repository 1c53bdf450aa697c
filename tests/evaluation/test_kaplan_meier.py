"""The one Kaplan-Meier estimator of riskml.evaluation, and the public IPCW weights.

Oracles: lifelines' KaplanMeierFitter (survival and Greenwood variance) and
scikit-survival's reverse Kaplan-Meier (censoring distribution; GPL-3, a test-only
oracle, never imported by riskml); hand computation for the weights.
"""

import numpy as np
import pytest
from lifelines import KaplanMeierFitter

from riskml.evaluation import _calibration, _ipcw, _utility, ipcw_weights, time_dependent_auc


def _tied_cohort(seed, n=300):
    """Whole-day times with many ties, and censorings at event times."""
    rng = np.random.default_rng(seed)
    time = rng.integers(1, 40, n).astype(float)
    event = rng.random(n) < 0.6
    # force censorings and events on the same days
    time[:20] = 10.0
    event[:20] = np.arange(20) % 2 == 0
    return time, event


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kaplan_meier_equals_lifelines_with_ties_and_censoring_at_event_times(seed):
    time, event = _tied_cohort(seed)
    times, survival, greenwood = _ipcw._kaplan_meier(time, event)
    km = KaplanMeierFitter().fit(time, event)
    expected = km.survival_function_at_times(times).to_numpy()
    np.testing.assert_allclose(survival, expected, rtol=0, atol=1e-12)
    # Greenwood: Var S = S^2 * sum d / (n (n - d)); lifelines' interval uses the same sum
    table = km.event_table.loc[times]
    d, n = table["observed"].to_numpy(), table["at_risk"].to_numpy()
    terms = np.where(d > 0, d / (n * (n - d)), 0.0)
    np.testing.assert_allclose(greenwood, np.cumsum(terms), rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_censoring_kaplan_meier_equals_scikit_survival_reverse_estimate(seed):
    """G: events at a time leave the risk set before the censorings at that time."""
    nonparametric = pytest.importorskip("sksurv.nonparametric")
    time, event = _tied_cohort(seed)
    times, g, _ = _ipcw._kaplan_meier(time, event, censoring=True)
    sk_times, sk_g = nonparametric.kaplan_meier_estimator(event, time, reverse=True)
    np.testing.assert_allclose(times, sk_times, rtol=0, atol=0)
    np.testing.assert_allclose(g, sk_g, rtol=0, atol=1e-12)


def test_every_caller_uses_the_one_estimator():
    assert not hasattr(_calibration, "_kaplan_meier")
    assert _calibration._km_at is _ipcw._km_at
    assert _utility._km_at is _ipcw._km_at


def test_km_at_beyond_follow_up_by_convention():
    """Oracle: lifelines. After a last event S stays 0; after a last censoring it is
    undefined; dcurves' convention makes both undefined."""
    time, event = np.array([1.0, 2.0, 3.0]), np.array([True, False, True])
    assert KaplanMeierFitter().fit(time, event).survival_function_at_times(5).iloc[0] == 0
    assert _ipcw._km_at(time, event, 5.0) == (0.0, np.inf)
    assert np.isnan(_ipcw._km_at(time, event, 5.0, tail="dcurves")[0])
    assert np.isnan(_ipcw._km_at(time, ~event, 5.0)[0])
    assert _ipcw._km_at(time, event, 0.5) == (1.0, 0.0)


def test_ipcw_weights_by_hand():
    """G (censorings after events at the same time): censoring at 3 gives G = 3/4 from
    day 3 on. Cases weigh 1 / G(T-), controls (time >= 6) 1 / G(6-)."""
    label, weight = ipcw_weights([2, 3, 5, 8, 9], [1, 0, 1, 0, 1], 6)
    np.testing.assert_array_equal(label, [1.0, np.nan, 1.0, 0.0, 0.0])
    np.testing.assert_allclose(weight, [1.0, 0.0, 4 / 3, 4 / 3, 4 / 3], rtol=0, atol=1e-15)
    # a cohort censored exactly at the horizon is evaluable there (horizon_label's 0)
    label, weight = ipcw_weights([1, 2, 5, 5], [1, 0, 0, 0], 5)
    np.testing.assert_array_equal(label, [1.0, np.nan, 0.0, 0.0])
    np.testing.assert_allclose(weight, [1.0, 0.0, 1.5, 1.5])
    label, weight = ipcw_weights([1, 2, 5, 6], [1, 0, 0, 0], 5, censoring_weights="at")
    np.testing.assert_array_equal(label, [1.0, np.nan, np.nan, 0.0])


def test_ipcw_weights_give_the_time_dependent_auc():
    """The weighted AUC of the labels equals time_dependent_auc (the report's ROC)."""
    rng = np.random.default_rng(4)
    time = rng.integers(1, 50, 200).astype(float)
    event = rng.random(200) < 0.5
    risk = rng.random(200) + event * (time < 25) * 0.5
    label, weight = ipcw_weights(time, event, 25.0)
    cases, controls = label == 1, label == 0
    diff = risk[cases][:, None] - risk[controls][None, :]
    pairs = (diff > 0) + 0.5 * (diff == 0)
    auc = (weight[cases] @ pairs).sum() / (weight[cases].sum() * controls.sum())
    assert auc == pytest.approx(float(time_dependent_auc(time, event, risk, 25.0)[0]), abs=1e-12)


def test_ipcw_weights_bad_inputs():
    with pytest.raises(ValueError, match=r"horizon of ipcw_weights must be a finite number > 0"):
        ipcw_weights([1, 2], [1, 0], -1.0)
    with pytest.raises(TypeError, match=r"horizon of ipcw_weights must be a number"):
        ipcw_weights([1, 2], [1, 0], "30")
    with pytest.raises(ValueError, match=r"needs both train_time and train_event"):
        ipcw_weights([1, 2], [1, 0], 1.5, train_time=[1, 2])
    with pytest.raises(ValueError, match=r"censoring survival function G is 0"):
        ipcw_weights([1, 5, 6], [1, 0, 0], 4.0, train_time=[1, 2], train_event=[1, 0])
    # no control needs G where it is 0: no error
    label, _ = ipcw_weights([1, 2, 3], [1, 0, 0], 3.0, censoring_weights="at")
    assert np.nansum(label == 0) == 0
