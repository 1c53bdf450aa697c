"""One definition of "event-free at the horizon" across the IPCW horizon metrics.

``riskml.outcome.horizon_label``: an event at or before h is a case, follow-up reaching h
(``time >= h``) without one is a control. time_dependent_auc and brier_score_ipcw (with
the default ``censoring_weights="before"``) use the same sets, weighting cases by
``1 / G(T_i-)`` and controls by ``1 / G(h-)``.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss, roc_auc_score

from riskml.cohorts import make_hf_registry
from riskml.evaluation import (
    brier_score_ipcw,
    integrated_time_dependent_auc,
    scaled_brier_ipcw,
    time_dependent_auc,
)
from riskml.outcome import horizon_label

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def registry():
    """make_hf_registry: follow-up ends at day 30 (the horizon) for most non-events."""
    cohort = make_hf_registry(3000, random_state=0)
    time, event = cohort.outcome.time, cohort.outcome.event
    risk = np.asarray(cohort.true_risk, dtype=float)
    assert ((time == 30) & ~event).sum() > 2000  # administratively censored at h
    assert ((time < 30) & ~event).sum() > 0  # and some censored before h
    return time, event, risk


def test_administrative_censoring_at_the_horizon_is_plain_auc_and_brier(registry):
    """Oracle: sklearn roc_auc_score / brier_score_loss of horizon_label.

    Dropping the patients censored before day 30 leaves no censoring before h, so every
    IPCW weight is 1 and the horizon metrics are the binary ones of the label.
    """
    time, event, risk = registry
    keep = ~np.isnan(horizon_label(time, event, 30.0))
    time, event, risk = time[keep], event[keep], risk[keep]
    label = horizon_label(time, event, 30.0)
    auc = time_dependent_auc(time, event, risk, [30.0])
    assert auc.shape == (1,)
    assert auc[0] == pytest.approx(roc_auc_score(label, risk), abs=1e-12)
    assert brier_score_ipcw(time, event, risk, 30.0) == pytest.approx(
        brier_score_loss(label, risk), abs=1e-12
    )


def test_registry_with_censoring_before_the_horizon_runs_and_equals_brute_force(registry):
    """Oracle: a direct, pair-by-pair implementation of the weighted AUC and Brier score.

    G is computed by a plain loop (reverse Kaplan-Meier, events leave the risk set before
    the censorings at the same time); cases get 1 / G(T_i-), controls (horizon_label 0)
    1 / G(30-).
    """
    time, event, risk = registry
    rng = np.random.default_rng(3)
    rows = rng.choice(time.shape[0], 400, replace=False)
    time, event, risk = time[rows], event[rows], risk[rows]

    def g_left(t):
        value = 1.0
        for u in np.unique(time[time < t]):
            at_risk = np.sum(time >= u) - np.sum((time == u) & event)
            censored = np.sum((time == u) & ~event)
            value *= 1 - censored / at_risk
        return value

    label = horizon_label(time, event, 30.0)
    cases, controls = np.flatnonzero(label == 1), np.flatnonzero(label == 0)
    w = {i: 1 / g_left(time[i]) for i in cases}
    numerator = sum(
        w[i] * ((risk[i] > risk[j]) + 0.5 * (risk[i] == risk[j])) for i in cases for j in controls
    )
    expected_auc = numerator / (sum(w.values()) * controls.shape[0])
    weights = np.zeros(time.shape[0])
    weights[cases] = [w[i] for i in cases]
    weights[controls] = 1 / g_left(30.0)
    expected_brier = np.sum(weights * (np.nan_to_num(label) - risk) ** 2) / time.shape[0]
    assert time_dependent_auc(time, event, risk, 30.0)[0] == pytest.approx(expected_auc, 1e-12)
    assert brier_score_ipcw(time, event, risk, 30.0) == pytest.approx(expected_brier, 1e-12)
    assert np.isfinite(scaled_brier_ipcw(time, event, risk, 30.0))


def test_scikit_survival_convention_refuses_the_registry(registry):
    """With censoring_weights="at" a censoring at h hides the status: no control is left."""
    time, event, risk = registry
    with pytest.raises(ValueError, match=r"0 control\(s\) \(event-free with time > horizon\)"):
        time_dependent_auc(time, event, risk, [30.0], censoring_weights="at")
    with pytest.raises(ValueError, match=r"censoring_weights='before' \(the default\)"):
        brier_score_ipcw(time, event, risk, 30.0, censoring_weights="at")


@pytest.fixture(scope="module")
def ties():
    data = pd.read_csv(DATA / "ipcw_ties.csv")
    expected = pd.read_csv(DATA / "ipcw_ties_riskregression.csv")
    return data.time.to_numpy(), data.status.to_numpy(), data.risk.to_numpy(), expected


def test_before_convention_equals_riskregression_with_ties_at_event_times(ties):
    """Oracle: R riskRegression::Score AUC and Brier (tests/data/ipcw_ties.R).

    Whole-day times: censorings tie with event times (where "before" and "at" differ),
    never with the horizons.
    """
    time, event, risk, expected = ties
    times = expected.times.to_numpy()
    np.testing.assert_allclose(
        time_dependent_auc(time, event, risk, times), expected.AUC, rtol=0, atol=1e-10
    )
    brier = [brier_score_ipcw(time, event, risk, t) for t in times]
    np.testing.assert_allclose(brier, expected.Brier, rtol=0, atol=1e-10)
    at = [brier_score_ipcw(time, event, risk, t, censoring_weights="at") for t in times]
    assert np.abs(np.subtract(at, expected.Brier)).max() > 1e-4  # the conventions differ here


def test_unsorted_horizons_give_results_in_input_order(ties):
    """Oracle: the same horizons sorted (riskRegression's order)."""
    time, event, risk, expected = ties
    times = expected.times.to_numpy()
    shuffled = times[[2, 0, 3, 1]]
    np.testing.assert_allclose(
        time_dependent_auc(time, event, risk, shuffled), expected.AUC.to_numpy()[[2, 0, 3, 1]]
    )
    assert integrated_time_dependent_auc(time, event, risk, shuffled) == pytest.approx(
        integrated_time_dependent_auc(time, event, risk, times), abs=1e-15
    )


def test_uno_c_beyond_the_training_follow_up_warns_or_raises_as_scikit_survival():
    """Oracle: sksurv.metrics.concordance_index_ipcw raises when test times exceed the
    training follow-up; riskml warns by default and raises on request."""
    sksurv_metrics = pytest.importorskip("sksurv.metrics")
    surv = pytest.importorskip("sksurv.util").Surv
    from riskml.evaluation import uno_c

    rng = np.random.default_rng(4)
    time = rng.uniform(1, 100, 80)
    event = rng.random(80) < 0.6
    risk = rng.normal(size=80)
    train_time, train_event = rng.uniform(1, 60, 100), rng.random(100) < 0.5
    with pytest.raises(ValueError):
        sksurv_metrics.concordance_index_ipcw(
            surv.from_arrays(train_event, train_time), surv.from_arrays(event, time), risk
        )
    kwargs = dict(train_time=train_time, train_event=train_event)
    with pytest.warns(UserWarning, match=r"event\(s\) counted lie after .* Set tau <="):
        uno_c(time, event, risk, **kwargs)
    with pytest.raises(ValueError, match=r"lie after"):
        uno_c(time, event, risk, beyond_follow_up="raise", **kwargs)
    tau = float(train_time.max())
    expected = sksurv_metrics.concordance_index_ipcw(
        surv.from_arrays(train_event, train_time), surv.from_arrays(event, time), risk, tau=tau
    )[0]
    assert uno_c(time, event, risk, tau=tau, beyond_follow_up="raise", **kwargs) == pytest.approx(
        expected, abs=1e-12
    )
