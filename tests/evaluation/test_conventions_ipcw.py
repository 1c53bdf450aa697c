"""censoring_weights="riskRegression": riskRegression::Score at horizons where patients
are censored exactly at the horizon (issue 29, item 4a and the censored part of 4c).

Oracle: tests/data/ipcw_horizon_censoring.csv, written by ipcw_horizon_censoring.R (R 4.2.2,
riskRegression 2022.11.28, cens.model = "km") on the data of tests/data/ipcw_inputs.py:
a 16-patient constructed cohort (an event and a censoring at the horizons 5 and 10),
lifelines' rossi (whole weeks, everyone without an arrest censored at week 52) and
lifelines' gbsg2 (whole days, censorings on the horizon days 918, 1095, 1502, 1826).
"""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss

from riskml.evaluation import (
    brier_score_ipcw,
    brier_scores_ipcw,
    integrated_brier_score,
    integrated_time_dependent_auc,
    ipcw_weights,
    scaled_brier_ipcw,
    survival_metric_ci,
    time_dependent_auc,
)
from riskml.evaluation._utility import _brier_ipcw_influence
from riskml.outcome import horizon_label

DATA = Path(__file__).resolve().parents[1] / "data"
_spec = importlib.util.spec_from_file_location("ipcw_inputs", DATA / "ipcw_inputs.py")
inputs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(inputs)

R = pd.read_csv(DATA / "ipcw_horizon_censoring.csv")
#: rossi at week 52: nobody is followed beyond the horizon (G(52) = 0)
DEGENERATE = (R.data == "rossi") & (R.times == 52)
ROWS = [(row.data, row.times) for row in R[~DEGENERATE].itertuples()]
IDS = [f"{name}-{horizon:g}" for name, horizon in ROWS]


def _expected(name, horizon):
    return R[(R.data == name) & (R.times == horizon)].iloc[0]


# -- a brute-force reference, independent of riskml's Kaplan-Meier -----------------------
def _g_curve(time, event):
    """Reverse Kaplan-Meier by a plain loop: events leave before censorings at a time;
    ``{u: (G(u-), G(u))}`` at every distinct time u."""
    curve, value = {}, 1.0
    for u in np.unique(time):
        at_risk = np.sum(time >= u) - np.sum((time == u) & event)
        before = value
        value *= 1 - np.sum((time == u) & ~event) / at_risk
        curve[u] = (before, value)
    return curve


def _g(time, event, at, *, left):
    """G(at-) or G(at) from the loop above (1 before the first time)."""
    curve = _g_curve(time, event)
    earlier = [u for u in curve if u < at]
    if at in curve:
        return curve[at][0] if left else curve[at][1]
    return curve[earlier[-1]][1] if earlier else 1.0


def _brute(time, event, risk, horizon, *, case_left, control_left, strict_controls):
    """(AUC, Brier, weights) with cases ``1/G(T_i[-])``, controls ``time > h`` (strict) or
    ``time >= h`` without an event by h, weight ``1/G(h[-])``."""
    cases = event & (time <= horizon)
    controls = (time > horizon) if strict_controls else (time >= horizon) & ~cases
    weights = np.zeros(time.shape[0])
    curve = _g_curve(time, event)
    weights[cases] = [1 / curve[t][0 if case_left else 1] for t in time[cases]]
    weights[controls] = 1 / _g(time, event, horizon, left=control_left)
    brier = np.mean(weights * (cases - risk) ** 2)
    auc = np.nan
    if controls.any():  # every (case, control) pair, as an array
        case_risk, control_risk = risk[cases][:, None], risk[controls][None, :]
        pairs = weights[cases][:, None] * (
            (case_risk > control_risk) + 0.5 * (case_risk == control_risk)
        )
        auc = pairs.sum() / (weights[cases].sum() * controls.sum())
    return auc, brier, weights


def _km_risk(time, event, horizon):
    """1 - Kaplan-Meier survival at the horizon, by a plain loop (Score's null model)."""
    survival = 1.0
    for u in np.unique(time[time <= horizon]):
        survival *= 1 - np.sum((time == u) & event) / np.sum(time >= u)
    return np.full(time.shape[0], 1 - survival)


RISKREGRESSION = dict(case_left=True, control_left=False, strict_controls=True)


@pytest.mark.parametrize(("name", "horizon"), ROWS, ids=IDS)
def test_riskregression_convention_equals_score(name, horizon):
    """Oracle: riskRegression::Score AUC, Brier and IPA (ipcw_horizon_censoring.R)."""
    time, event, risk = inputs.load(name)
    expected = _expected(name, horizon)
    kwargs = dict(censoring_weights="riskRegression")
    auc = time_dependent_auc(time, event, risk, [horizon], **kwargs)[0]
    assert auc == pytest.approx(expected.AUC, abs=1e-10)
    assert brier_score_ipcw(time, event, risk, horizon, **kwargs) == pytest.approx(
        expected.Brier, abs=1e-10
    )
    assert scaled_brier_ipcw(time, event, risk, horizon, **kwargs) == pytest.approx(
        expected.IPA, abs=1e-10
    )
    # the null model of Score is the Kaplan-Meier risk of the data evaluated
    null = _km_risk(time, event, horizon)
    assert brier_score_ipcw(time, event, null, horizon, **kwargs) == pytest.approx(
        expected.Brier_null, abs=1e-10
    )


@pytest.mark.parametrize("name", ["constructed", "gbsg2"])
def test_riskregression_convention_over_several_horizons(name):
    """Oracle: the same R output, several horizons in one call and in reversed order."""
    time, event, risk = inputs.load(name)
    expected = R[R.data == name]
    times = expected.times.to_numpy()
    kwargs = dict(censoring_weights="riskRegression")
    np.testing.assert_allclose(
        brier_scores_ipcw(time, event, risk, times[::-1], **kwargs),
        expected.Brier.to_numpy()[::-1],
        rtol=0,
        atol=1e-10,
    )
    np.testing.assert_allclose(
        time_dependent_auc(time, event, risk, times, **kwargs), expected.AUC, rtol=0, atol=1e-10
    )
    # the summaries pass the option through: equal to the brute-force step integral
    step = np.sum(np.diff(times) * expected.Brier.to_numpy()[:-1]) / times[-1]
    ibs = integrated_brier_score(time, event, risk, times, rule="step", **kwargs)
    assert ibs == pytest.approx(step, abs=1e-10)
    assert np.isfinite(integrated_time_dependent_auc(time, event, risk, times, **kwargs))


@pytest.mark.parametrize(("name", "horizon"), ROWS, ids=IDS)
def test_brute_force_reference_equals_score(name, horizon):
    """Oracle: R. The loop reference of this file is R's rule written out (so the
    mutants below are mutants of what R does)."""
    time, event, risk = inputs.load(name)
    expected = _expected(name, horizon)
    auc, brier, _ = _brute(time, event, risk, horizon, **RISKREGRESSION)
    assert (auc, brier) == pytest.approx((expected.AUC, expected.Brier), abs=1e-10)


@pytest.mark.parametrize(("name", "horizon"), [("constructed", 10.0), ("gbsg2", 1095.0)])
def test_the_oracle_catches_g_just_before_the_horizon(name, horizon):
    """The data have censorings on the horizon day, so taking the controls' weight
    ``G(h-)`` instead of ``G(h)``, counting the censored at h as controls, or the cases'
    ``G(T_i)`` instead of ``G(T_i-)`` would each fail the comparison with R by far more
    than its 1e-10 tolerance."""
    time, event, risk = inputs.load(name)
    assert np.any((time == horizon) & ~event)  # a censoring on the horizon day
    expected = _expected(name, horizon)
    mutants = {
        "G(h-) for controls": dict(RISKREGRESSION, control_left=True),
        "censored at h are controls": dict(RISKREGRESSION, strict_controls=False),
        "G(T_i) for cases": dict(RISKREGRESSION, case_left=False),
    }
    for label, options in mutants.items():
        auc, brier, _ = _brute(time, event, risk, horizon, **options)
        moved = max(abs(auc - expected.AUC), abs(brier - expected.Brier))
        assert moved > 1e-5, label


def test_where_the_conventions_differ_and_where_they_agree():
    """Oracle: R (riskRegression) and the brute-force reference for "before".

    gbsg2, day 1095 (two patients censored that day): "before" counts them as
    event-free with weight 1/G(1095-), Score leaves them out and weights the patients
    followed beyond by 1/G(1095); the controls' total weight is the same. Day 730 (an
    event, no censoring that day): "before" agrees with Score; "at" does not, as
    censorings tie with events on earlier days (177, 195, 529, ...).
    """
    time, event, risk = inputs.load("gbsg2")
    row = _expected("gbsg2", 1095.0)
    before = brier_score_ipcw(time, event, risk, 1095.0)
    _, brute_before, w_before = _brute(
        time, event, risk, 1095.0, case_left=True, control_left=True, strict_controls=False
    )
    assert before == pytest.approx(brute_before, abs=1e-12)
    assert abs(before - row.Brier) > 1e-3  # 0.197842 against Score's 0.196197
    label_b, weight_b = ipcw_weights(time, event, 1095.0)
    label_r, weight_r = ipcw_weights(time, event, 1095.0, censoring_weights="riskRegression")
    censored_at_h = (time == 1095.0) & ~event
    assert (label_b[censored_at_h] == 0).all() and np.isnan(label_r[censored_at_h]).all()
    assert (weight_r[censored_at_h] == 0).all()
    np.testing.assert_allclose(weight_b, w_before, rtol=1e-12)
    assert weight_b[label_b == 0].sum() == pytest.approx(weight_r[label_r == 0].sum(), rel=1e-12)
    assert weight_b[label_b == 0].sum() > label_b[label_b == 0].shape[0]  # weights do act
    row = _expected("gbsg2", 730.0)
    assert brier_score_ipcw(time, event, risk, 730.0) == pytest.approx(row.Brier, abs=1e-10)
    assert time_dependent_auc(time, event, risk, [730.0])[0] == pytest.approx(row.AUC, abs=1e-10)
    at = brier_score_ipcw(time, event, risk, 730.0, censoring_weights="at")
    assert abs(at - row.Brier) > 1e-6


def test_nobody_followed_beyond_the_horizon():
    """rossi, week 52: every patient without an arrest is censored at 52.

    Oracle for R's number: Score's Brier there is the events' term alone,
    ``sum_cases (1 - p)^2 / n`` (no control has time > 52), and its AUC is NA; riskml
    refuses that convention there. "before" counts the censored at 52 as event-free
    (no censoring before 52, every weight 1): sklearn's brier_score_loss of
    horizon_label.
    """
    time, event, risk = inputs.load("rossi")
    expected = R[DEGENERATE].iloc[0]
    cases = event & (time <= 52)
    assert np.sum((1 - risk[cases]) ** 2) / time.shape[0] == pytest.approx(
        expected.Brier, abs=1e-10
    )
    assert np.isnan(expected.AUC)
    kwargs = dict(censoring_weights="riskRegression")
    message = (
        r"undefined at horizon 52.0: nobody is known to be event-free there .* With "
        r"censoring_weights='riskRegression' a patient censored exactly at the horizon is not"
    )
    with pytest.raises(ValueError, match=message):
        brier_score_ipcw(time, event, risk, 52.0, **kwargs)
    with pytest.raises(ValueError, match=message):
        scaled_brier_ipcw(time, event, risk, 52.0, **kwargs)
    with pytest.raises(ValueError, match=r"0 control\(s\) \(event-free with time > horizon\)"):
        time_dependent_auc(time, event, risk, [52.0], **kwargs)
    # "at" needs G(52) = 0 for the arrests of week 52 themselves
    with pytest.raises(ValueError, match=r"G is 0 at time 52.0 .* censoring_weights='at'"):
        brier_score_ipcw(time, event, risk, 52.0, censoring_weights="at")
    # ipcw_weights reports the status and weights: nobody is a control
    label_r, weight_r = ipcw_weights(time, event, 52.0, **kwargs)
    assert not (label_r == 0).any() and (weight_r[cases] == 1).all()
    label = horizon_label(time, event, 52.0)
    assert brier_score_ipcw(time, event, risk, 52.0) == pytest.approx(
        brier_score_loss(label, risk), abs=1e-12
    )


# -- standard error of the IPCW Brier score ------------------------------------------------
@pytest.mark.parametrize(("name", "horizon"), ROWS, ids=IDS)
def test_brier_wald_interval_equals_score_se(name, horizon):
    """Oracle: riskRegression::Score(..., se.fit = TRUE, cens.model = "km"): se, lower,
    upper of the model and of the Kaplan-Meier null model."""
    time, event, risk = inputs.load(name)
    expected = _expected(name, horizon)
    ci = survival_metric_ci(
        "brier", time, event, risk, horizon, method="wald", censoring_weights="riskRegression"
    )
    assert ci.estimate == pytest.approx(expected.Brier, abs=1e-10)
    assert (ci.low, ci.high) == pytest.approx(
        (expected.Brier_lower, expected.Brier_upper), abs=1e-10
    )
    assert ci.method == "Wald (influence function of the IPCW Brier score)"
    assert ci.n_boot == 0
    _, influence = _brier_ipcw_influence(time, event, risk, horizon, "riskRegression", "test")
    se = influence.std(ddof=1) / np.sqrt(time.shape[0])
    assert se == pytest.approx(expected.Brier_se, abs=1e-10)
    null = _km_risk(time, event, horizon)
    _, influence = _brier_ipcw_influence(time, event, null, horizon, "riskRegression", "test")
    se = influence.std(ddof=1) / np.sqrt(time.shape[0])
    assert se == pytest.approx(expected.Brier_null_se, abs=1e-10)


def _influence_brute(time, event, risk, horizon, convention):
    """O(n^2) loop of the influence function (Notes of survival_metric_ci)."""
    case_left, control_left = {
        "before": (True, True),
        "at": (False, False),
        "riskRegression": (True, False),
    }[convention]
    label, weight = ipcw_weights(time, event, horizon, censoring_weights=convention)
    n = time.shape[0]
    residual = weight * (np.nan_to_num(label) - risk) ** 2
    times = np.unique(time)
    at_risk = np.array([np.sum(time >= s) for s in times])
    censored = np.array([np.sum((time == s) & ~event) for s in times])

    def phi(k, a, left):
        within = time[k] < a if left else time[k] <= a
        value = n / np.sum(time >= time[k]) if (within and not event[k]) else 0.0
        keep = (times <= time[k]) & ((times < a) if left else (times <= a))
        return value - np.sum(n * censored[keep] / at_risk[keep] ** 2)

    influence = np.empty(n)
    for k in range(n):
        term = 0.0
        for i in np.flatnonzero(~np.isnan(label)):
            if label[i] == 1:
                term += residual[i] * phi(k, time[i], case_left)
            else:
                term += residual[i] * phi(k, horizon, control_left)
        influence[k] = residual[k] - residual.mean() + term / n
    return influence


@pytest.mark.parametrize("convention", ["before", "at", "riskRegression"])
def test_brier_influence_function_fast_equals_slow(convention):
    """Oracle: the O(n^2) loop above, on whole-day data with ties everywhere and a
    censoring on the horizon day."""
    rng = np.random.default_rng(29)
    n = 120
    time = rng.integers(1, 30, n).astype(float)
    event = rng.random(n) < 0.5
    time[:3], event[:3] = 15.0, [False, False, True]
    risk = rng.uniform(0.05, 0.9, n)
    if convention == "at":  # "at" needs G(15) > 0 and G(T_i) > 0 for the cases
        time[time > 28] = 28.0
        event[time == 28] = False
    _, fast = _brier_ipcw_influence(time, event, risk, 15.0, convention, "test")
    np.testing.assert_allclose(
        fast, _influence_brute(time, event, risk, 15.0, convention), rtol=0, atol=1e-12
    )


def test_brier_standard_error_without_ties_is_the_same_in_every_convention():
    """Oracle: the conventions agree when no censoring ties an event or the horizon, and
    "riskRegression" is Score's (previous tests); a Monte Carlo check that the standard
    error is the spread of the estimate over cohorts drawn from one population."""
    rng = np.random.default_rng(7)

    def cohort(n):
        event_time = rng.exponential(10, n)
        censor_time = rng.exponential(20, n)
        risk = np.clip(1 - np.exp(-12 / 10) + rng.normal(0, 0.1, n), 0.01, 0.99)
        return np.minimum(event_time, censor_time), event_time <= censor_time, risk

    time, event, risk = cohort(300)
    intervals = [
        survival_metric_ci(
            "brier", time, event, risk, 12.0, method="wald", censoring_weights=convention
        )
        for convention in ("before", "at", "riskRegression")
    ]
    assert intervals[0].low == pytest.approx(intervals[1].low, abs=1e-14)
    assert intervals[0].high == pytest.approx(intervals[2].high, abs=1e-14)
    estimates = [brier_score_ipcw(*cohort(300), 12.0) for _ in range(400)]
    se = (intervals[0].high - intervals[0].low) / (2 * 1.959963984540054)
    assert np.std(estimates, ddof=1) == pytest.approx(se, rel=0.15)


def test_option_errors():
    """Error contract (no oracle): the option's message names the three conventions."""
    args = ([2, 3, 5, 8, 9], [1, 0, 1, 0, 1], [0.7, 0.4, 0.5, 0.2, 0.3], 6)
    message = r"'before' \(riskml's horizon rule.*'at' \(scikit-survival\) or 'riskRegression'"
    with pytest.raises(ValueError, match=message):
        brier_score_ipcw(*args, censoring_weights="riskregression")
    with pytest.raises(ValueError, match=message):
        time_dependent_auc(*args[:3], [6], censoring_weights="score")
    with pytest.raises(ValueError, match=r"'censoring_weights' parameter of survival_metric_ci"):
        survival_metric_ci("brier", *args, method="wald", censoring_weights="R")
    with pytest.raises(ValueError, match=r"needs the censoring distribution estimated from the"):
        survival_metric_ci("brier", *args, method="wald", train_time=[1, 2], train_event=[1, 0])
    with pytest.raises(TypeError, match=r"takes censoring_weights= and prediction= only"):
        survival_metric_ci("brier", *args, method="wald", threshold=0.1)
